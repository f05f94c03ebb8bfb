#!/bin/sh
# Runs one Criterion test program, its results as TAP on stdout for
# automake's TAP driver (Criterion's own report goes to stderr, into the log).
# Criterion forks one process per test, so a crash or abort inside a test is
# reported as that test failing, not as the whole program dying.
prog=$1
shift
exec "$prog" --tap=- "$@"
