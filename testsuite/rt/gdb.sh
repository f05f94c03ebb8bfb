#!/bin/sh
# gdb.sh: gdb in batch mode shows the same frames as libunwind: a
# backtrace from four chunks deep crosses each boundary (a __morestack
# frame) to the stack's entry function and to main.  Skips without gdb.
echo "1..1"
if [ -z "$GDB" ] || ! command -v "$GDB" >/dev/null 2>&1; then
    echo "ok 1 - gdb backtrace across chunks # SKIP gdb not installed"
    exit 0
fi
out=$("$top_builddir/libtool" --mode=execute "$GDB" -nx -batch \
    -ex 'break bottom' -ex run -ex bt \
    "$top_builddir/testsuite/rt/progs/bt-prog" 2>&1)
ms=$(printf '%s\n' "$out" | grep -c ' in __morestack ()')
if [ "$ms" -ge 3 ] && printf '%s\n' "$out" | grep -q ' gdb_entry ' &&
   printf '%s\n' "$out" | grep -q ' main '; then
    echo "ok 1 - gdb backtrace across $ms chunk boundaries reaches gdb_entry and main"
else
    echo "not ok 1 - gdb backtrace across chunks ($ms __morestack frames)"
    printf '%s\n' "$out" | tail -40 | sed 's/^/# /'
fi
