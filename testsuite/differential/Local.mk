# testsuite/differential/: csmith programs built plain and with the plugin,
# the plugin build run on a 1 KiB linked stack in the runtime's debug mode;
# the outputs must agree.  run.sh runs the 200 seeds of seeds.txt, whose
# plain programs finish (about a minute on 2 cores; the count compared does
# not depend on the machine's speed); scripts/differential runs any other
# range.  Needs Debian's csmith and libcsmith-dev (skipped, with a TAP
# SKIP, without them).
TESTS += testsuite/differential/run.sh
EXTRA_DIST += \
	testsuite/differential/run.sh \
	testsuite/differential/seeds.txt \
	testsuite/differential/driver.c
