#!/bin/sh
# testsuite/budgets/refuse.sh: scripts/prove-budgets on functions of known
# shapes (testsuite/budgets/shapes.S, assembled into a shared object): the
# fixed frames get their exact bound (pushes, constant subtractions, the
# red zone, realignment, a direct callee, a jump table, the deeper IFUNC
# variant) and every unprovable shape gets no line, with the reason: a
# non-constant rsp adjustment, an indirect call, recursion, a call through
# the PLT, an indirect jump that is no jump table, a ret that is no
# return (push ADDR; ret), a loop that pushes.
# Prints TAP.  Environment: top_srcdir, CC, PYTHON3.
LC_ALL=C
export LC_ALL
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${CC:=gcc}"
: "${PYTHON3:=python3}"
work=$(mktemp -d "${TMPDIR:-/tmp}/lstk-refuse.XXXXXX") || exit 1
trap 'rm -rf "$work"' 0
n=0
tap () { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }

$CC -shared -nostdlib -Wl,--build-id -o "$work/shapes.so" "$top_srcdir/testsuite/budgets/shapes.S"
tap $? "shapes.S assembles into a shared object"
"$PYTHON3" "$top_srcdir/scripts/prove-budgets" --explain -o "$work/table" "$work/shapes.so" 2> /dev/null
tap $? "prove-budgets runs"
grep -q "^#!libc [0-9a-f]\{40\} $work/shapes.so\$" "$work/table"
tap $? "the table starts with the #!libc line: build-id and path"

proven () { # NAME BYTES
  grep -qx "$1 $2 leaf" "$work/table"
  tap $? "$1: proven, $2 bytes"
}
refused () { # NAME REASON
  ! grep -q "^$1 " "$work/table" && grep -q "^# $1: .*$2" "$work/table"
  tap $? "$1: no budget ($2)"
}
proven fixed_frame 56
proven red_zone 128
proven calls_fixed 72
proven realigned 143
proven switch_table 16
proven two_variants 208
refused alloca_like "non-constant stack adjustment"
refused indirect_call "indirect call"
refused recursive "recursion"
refused calls_plt "through the PLT"
refused indirect_jump "not a jump table"
refused fake_return "ret at .* with 16 bytes on the stack"
refused pushes_in_loop "changes in a loop"
echo "1..$n"
