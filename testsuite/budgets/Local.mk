# testsuite/budgets/: the proven budgets table (scripts/prove-budgets).
# crosscheck.sh holds the table the build generated against measurements
# of the same libc functions on a painted stack (measure.c: demanding
# inputs); refuse.sh runs the prover on hand-written shapes (shapes.S).
# measure is built like the programs it stands for: no builtins, -z now.
TESTS += testsuite/budgets/crosscheck.sh testsuite/budgets/refuse.sh
check_PROGRAMS += testsuite/budgets/measure
testsuite_budgets_measure_SOURCES = testsuite/budgets/measure.c
testsuite_budgets_measure_CFLAGS = -O2 -fno-builtin -pthread $(LSTK_WARN_CFLAGS)
testsuite_budgets_measure_LDFLAGS = -pthread -Wl,-z,now
EXTRA_DIST += \
	testsuite/budgets/crosscheck.sh \
	testsuite/budgets/refuse.sh \
	testsuite/budgets/shapes.S
