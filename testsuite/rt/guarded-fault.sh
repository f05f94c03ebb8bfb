#!/bin/sh
# guarded-fault.sh: an overflow of a guarded chunk is a "linkstack: stack
# overflow in FUNCTION" message and an abort; other faults keep their
# default action, with no message (TAP output).
progs="$top_builddir/testsuite/rt/progs"
echo "1..6"
n=0
run() { # program args...
    err=$("$top_builddir/libtool" --mode=execute "$@" 2>&1 >/dev/null)
    rc=$?
}
report() { # ok? description
    n=$((n + 1))
    if [ "$1" = yes ]; then
        echo "ok $n - $2"
    else
        echo "not ok $n - $2 (exit $rc)"
        printf '%s\n' "$err" | sed 's/^/# /'
    fi
}
for arg in "" handler; do
    run "$progs/guarded-overflow" $arg
    ok=no
    [ "$rc" -eq 134 ] && printf '%s\n' "$err" | grep -Eq \
        '^linkstack: stack overflow in deep_unchecked \(guarded-overflow, at 0x[0-9a-f]+\) on a guarded chunk: .* went [0-9]+ bytes below .* offers [0-9]+ bytes above it; chunk 0x[0-9a-f]+ of [0-9]+ bytes, stack 0x[0-9a-f]+, fault at 0x[0-9a-f]+, rsp 0x[0-9a-f]+\) \[OS thread [0-9]+' \
        && ok=yes
    report $ok "an overflow of a guarded chunk names the function and aborts${arg:+ (the program has a SIGSEGV handler)}"
done
run "$progs/guarded-overflow" header
ok=no
[ "$rc" -eq 134 ] && printf '%s\n' "$err" | grep -Eq \
    '^linkstack: stack overflow in (on_guarded|an unnamed function) \(guarded-overflow, at 0x[0-9a-f]+\) on a guarded chunk: .* went 440 bytes below' \
    && ok=yes
report $ok "a stray write over a guarded chunk's header faults too"
run "$progs/guarded-overflow" shallow
ok=no
[ "$rc" -eq 0 ] && [ -z "$err" ] && ok=yes
report $ok "512 KiB of unbounded stack use fits a guarded chunk"
for arg in "" dfl; do
    run "$progs/segv-default" $arg
    ok=no
    [ "$rc" -eq 139 ] && ! printf '%s\n' "$err" | grep -q linkstack && ok=yes
    report $ok "another SIGSEGV keeps its default action${arg:+ (SIG_DFL set)}"
done
