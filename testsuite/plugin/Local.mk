# testsuite/plugin/: compile-and-check tests of the plugin.  run.sh
# compiles each input with $(LSTK_PLUGIN), checks the expectations written
# at its top (see run.sh), and prints TAP.  It needs the built plugin,
# which `make check` builds first (plugin_LTLIBRARIES are part of `all`).
TESTS += testsuite/plugin/run.sh
EXTRA_DIST += \
	testsuite/plugin/run.sh \
	testsuite/plugin/stub.h \
	testsuite/plugin/morestack-stub.S \
	testsuite/plugin/args-1.c \
	testsuite/plugin/check-1.c \
	testsuite/plugin/dump-1.c \
	testsuite/plugin/reserve-1.c \
	testsuite/plugin/reserve-2.c \
	testsuite/plugin/reserve-3.c \
	testsuite/plugin/reserve-4.c \
	testsuite/plugin/reserve-5.c \
	testsuite/plugin/reserve-6.c \
	testsuite/plugin/reserve-7.c \
	testsuite/plugin/runtime-1.c \
	testsuite/plugin/target-1.c \
	testsuite/plugin/varargs-1.c \
	testsuite/plugin/verbose-1.c
