# testsuite/differential/: csmith programs built plain and with the plugin,
# the plugin build run on a 1 KiB linked stack in the runtime's debug mode;
# the outputs must agree.  run.sh runs seeds 1..200 (about a minute on 2
# cores); scripts/differential runs any other range.  Needs Debian's
# csmith and libcsmith-dev (skipped, with a TAP SKIP, without them).
TESTS += testsuite/differential/run.sh
EXTRA_DIST += \
	testsuite/differential/run.sh \
	testsuite/differential/driver.c
