#!/bin/sh
# static.sh: the runtime defines every split-stack symbol generated code can
# reference, so libgcc's split-stack objects are never linked in: not in a
# -static link (VLA and alloca code pull __morestack_allocate_stack_space),
# nor in the dynamic test programs.  TAP output.
echo "1..2"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
lib="$top_builddir/.libs/liblinkstack.a"
if ! "$CC" -O2 -fplugin="$LSTK_PLUGIN" -I"$top_srcdir/include" \
        -c "$top_srcdir/testsuite/rt/progs/static-link.c" -o "$out/s.o"; then
    echo "not ok 1 - compile static-link.c"
elif ! "$CC" -static "$out/s.o" -o "$out/s" "$lib" -lgcc_eh -lunwind -llzma \
        -ldl -pthread -Wl,-u,__libc_siglongjmp 2>"$out/ld.err"; then
    if grep -q "cannot find -l" "$out/ld.err"; then
        echo "ok 1 - static link # SKIP static libraries missing"
    else
        echo "not ok 1 - static link"
        sed 's/^/# /' "$out/ld.err"
    fi
elif nm "$out/s" | grep -q generic_morestack; then
    echo "not ok 1 - static link pulled libgcc's generic-morestack"
elif ! "$out/s" >/dev/null; then
    echo "not ok 1 - static program failed"
else
    echo "ok 1 - static link has no libgcc split-stack code and runs"
fi
bin="$top_builddir/testsuite/rt/.libs/abi"
[ -f "$bin" ] || bin="$top_builddir/testsuite/rt/abi"
# nm must read the program and find liblinkstack in it: a missing or
# unreadable binary is a failure, not an absence of libgcc's code.
syms=$(nm "$bin" 2>/dev/null)
if [ -z "$syms" ]; then
    echo "not ok 2 - dynamic test program $bin missing or without symbols"
elif ! printf '%s\n' "$syms" | grep -q ' lstk_stats$\|__morestack$'; then
    echo "not ok 2 - $bin does not reference liblinkstack"
elif printf '%s\n' "$syms" | grep -q generic_morestack; then
    echo "not ok 2 - dynamic test program pulled libgcc's generic-morestack"
else
    echo "ok 2 - dynamic test program has no libgcc split-stack code"
fi
