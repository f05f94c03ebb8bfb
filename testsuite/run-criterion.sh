#!/bin/sh
# Runs one Criterion test program, its results as TAP on stdout for
# automake's TAP driver (Criterion's own report goes to stderr, into the log).
# Criterion forks one process per test, so a crash or abort inside a test is
# reported as that test failing, not as the whole program dying.
#
# issue 11: the thread suite (testsuite/threads) runs
# once per scheduler mode: one scheduler, LSTK_CPUS=2, LSTK_CPUS=4 and
# LINKSTACK_DEBUG=migrate (every thread moves at every switch), as one TAP
# stream whose test names carry the mode.  LSTK_TEST_MODES overrides the
# list (e.g. LSTK_TEST_MODES=1 for one pass); a test that is about one
# scheduler's cooperative order skips itself when N > 1.  The Knot tests
# (io/knot, io/hostile) test the Knot program, which runs one scheduler
# (its shared state is not yet made safe for parallel threads): one pass.
# The other I/O tests also run one pass for now: with N > 1 several of
# them fail or hang (issue 11, left: I/O across schedulers); run them by
# hand with LSTK_TEST_MODES="2 4 migrate" LSTK_IO_SMP=1.
prog=$1
shift
case $prog in
*testsuite/io/knot | *testsuite/io/hostile) exec "$prog" --tap=- "$@" ;;
*testsuite/io/*) [ -n "${LSTK_IO_SMP:-}" ] || exec "$prog" --tap=- "$@" ;;
*testsuite/threads/*) ;;
*) exec "$prog" --tap=- "$@" ;;
esac

modes=${LSTK_TEST_MODES-"1 2 4 migrate"}
status=0
total=0
echo "TAP version 13"
for mode in $modes; do
    case $mode in
    migrate) set_env="LINKSTACK_DEBUG=migrate" ;;
    *) set_env="LSTK_CPUS=$mode" ;;
    esac
    out=$(env "$set_env" "$prog" --tap=- "$@")
    rc=$?
    [ $rc -eq 0 ] || status=$rc
    # One plan for the whole stream: drop each run's header and plan, tag
    # each result with the mode.
    printf '%s\n' "$out" | awk -v m="$mode" '
        /^TAP version/ { next }
        /^1\.\.[0-9]+/ { next }
        /^(not )?ok / { sub(/ - /, " - [" m "] "); print; next }
        { print }'
    n=$(printf '%s\n' "$out" | grep -c '^\(not \)\{0,1\}ok ')
    total=$((total + n))
    if [ $rc -ne 0 ] && [ "$n" -eq 0 ]; then
        echo "not ok - [$mode] $prog exited with status $rc"
        total=$((total + 1))
    fi
done
echo "1..$total"
exit $status
