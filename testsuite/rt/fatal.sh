#!/bin/sh
# fatal.sh: unrecoverable faults print "linkstack: ..." with the sizes and
# the stack involved, then abort (TAP output).
progs="$top_builddir/testsuite/rt/progs"
echo "1..2"
n=0
check() { # name program pattern
    n=$((n + 1))
    err=$("$top_builddir/libtool" --mode=execute "$2" 2>&1 >/dev/null)
    rc=$?
    if [ "$rc" -eq 134 ] && printf '%s\n' "$err" | grep -Eq "$3"; then
        echo "ok $n - $1"
    else
        echo "not ok $n - $1 (exit $rc)"
        printf '%s\n' "$err" | sed 's/^/# /'
    fi
}
check "corrupted canary aborts with a message" "$progs/fatal-canary" \
    '^linkstack: corrupted stack chunk 0x[0-9a-f]+ .*size [0-9]+, stack 0x[0-9a-f]+.*OS thread [0-9]+'
check "no memory for a chunk aborts with a message" "$progs/fatal-oom" \
    '^linkstack: out of memory for a stack chunk of [0-9]+ bytes .*on stack 0x[0-9a-f]+, [0-9]+ bytes deep'
