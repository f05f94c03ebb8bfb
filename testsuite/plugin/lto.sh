#!/bin/sh
# testsuite/plugin/lto.sh: whole-program mode.  With -flto
# -flto-partition=one and the plugin on the link line, the single ltrans
# unit sees every function of the program (gcc-notes.md, section 6), so a
# call into another source file is a call to a known, measured function.
# Prints TAP.  Environment as for run.sh (top_srcdir, top_builddir,
# LSTK_PLUGIN, CC).
LC_ALL=C
export LC_ALL
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${LSTK_PLUGIN:=$top_builddir/plugin/.libs/linkstack.so}"
: "${CC:=gcc}"
src=$top_srcdir/testsuite/plugin/lto
work=$(mktemp -d "${TMPDIR:-/tmp}/lstk-lto.XXXXXX") || exit 1
trap 'rm -rf "$work"' 0
n=0
tap () { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
has_function () { # BINARY FUNCTION: the function is in the program, not inlined away
  objdump -d --no-show-raw-insn "$1" | grep -q "^[0-9a-f]* <$2>:\$"
}
has_check () { # BINARY FUNCTION: the function compares with %fs:0x70
  objdump -d --no-show-raw-insn "$1" \
    | awk -v f="<$2>:" '$2 == f { p = 1; next } /^$/ { p = 0 } p' \
    | grep -q '%fs:0x70'
}
plugin="-fplugin=$LSTK_PLUGIN"
libs="-L$top_builddir/.libs -llinkstack -Wl,-rpath,$top_builddir/.libs -Wl,-z,now"
inc="-I$top_srcdir/include"

# Unit by unit: b.c's functions are code of another unit.
$CC -O2 $inc $plugin -c "$src/a.c" -o "$work/a.o" &&
$CC -O2 $inc $plugin -c "$src/b.c" -o "$work/b.o" &&
$CC "$work/a.o" "$work/b.o" $libs -o "$work/separate" 2> "$work/err1"
tap $? "units compiled separately link"
has_check "$work/separate" a_calls
tap $? "separately: a_calls keeps its check (calls into another unit)"

# Whole program.
$CC -O2 -flto $inc -c "$src/a.c" -o "$work/la.o" &&
$CC -O2 -flto $inc -c "$src/b.c" -o "$work/lb.o" &&
$CC -O2 -flto -flto-partition=one $plugin \
  -fplugin-arg-linkstack-reserve=256 -fplugin-arg-linkstack-report \
  "$work/la.o" "$work/lb.o" $libs -o "$work/whole" 2> "$work/err2"
tap $? "-flto -flto-partition=one with the plugin on the link line links"
# "No check" means something only when a_calls is there to have none.
if ! has_function "$work/whole" a_calls; then tap 1 "whole program: a_calls is missing (inlined?)"
elif has_check "$work/whole" a_calls; then tap 1 "whole program: a_calls needs no check"
else tap 0 "whole program: a_calls needs no check"; fi
has_check "$work/whole" main
tap $? "whole program: main keeps its check (printf)"
grep -q ':b_leaf	8	static	unchecked	' "$work"/whole.ltrans0.ltrans.lsu 2>/dev/null
tap $? "the report of the ltrans unit is next to the program (whole.ltrans0.ltrans.lsu)"
out=$(LINKSTACK_DEBUG=1 "$work/whole" 2>&1)
case $out in "ok - "*) tap 0 "whole program runs on a 1 KiB stack in debug mode: $out" ;;
  *) tap 1 "whole program runs on a 1 KiB stack in debug mode: $out" ;; esac

# C1 of issue 9: the plugin at compile time only.  A -flto compile makes
# no code; lto1 makes it at the link, with the plugins of the link command
# only.  The compile-time plugin plants a reference that only the plugin in
# lto1 satisfies: without it the link fails, naming the symbol.
sym=__linkstack_needs_the_plugin_on_the_lto_link_command
$CC -O2 -flto $inc $plugin -c "$src/a.c" -o "$work/pa.o" &&
$CC -O2 -flto $inc $plugin -c "$src/b.c" -o "$work/pb.o"
tap $? "-flto units compile with the plugin"
if $CC -O2 -flto "$work/pa.o" "$work/pb.o" $libs -o "$work/noplug" \
     > "$work/err3" 2>&1; then
  tap 1 "an -flto link without the plugin fails (it linked: no checks)"
else
  grep -q "undefined reference to \`$sym'" "$work/err3"
  tap $? "an -flto link without the plugin fails, naming $sym"
fi
$CC -O2 -flto -flto-partition=max $plugin "$work/pa.o" "$work/pb.o" $libs \
  -o "$work/withplug" > "$work/err4" 2>&1
tap $? "the same objects link with the plugin on the link line (any partitioning)"
has_check "$work/withplug" main
tap $? "... and main has its check"
$CC -O2 -flto -ffat-lto-objects $inc $plugin -c "$src/a.c" -o "$work/fa.o" &&
$CC -O2 -flto -ffat-lto-objects $inc $plugin -c "$src/b.c" -o "$work/fb.o" &&
$CC -O2 -fno-lto "$work/fa.o" "$work/fb.o" $libs -o "$work/fat" > "$work/err5" 2>&1
tap $? "fat LTO objects link without LTO (their code was compiled with the plugin)"
has_check "$work/fat" main
tap $? "... and main has its check"

# scripts/linkstack-report merges the per-unit reports: across units the
# calls into b.c resolve, and the thread entry's depth is bounded.
if command -v python3 > /dev/null 2>&1; then
  mkdir -p "$work/rep"
  $CC -O2 $inc $plugin -fplugin-arg-linkstack-report -c "$src/a.c" \
    -o "$work/rep/a.o" &&
  $CC -O2 $inc $plugin -fplugin-arg-linkstack-report -c "$src/b.c" \
    -o "$work/rep/b.o"
  tap $? "units compile with -fplugin-arg-linkstack-report"
  grep -q 'a_calls	[0-9]*	static	checked	unbounded(external)' "$work/rep/a.lsu"
  tap $? "alone, a.c's report cannot bound a_calls (a.lsu)"
  svg=
  command -v dot > /dev/null 2>&1 && svg="--svg $work/rep/cg.svg"
  python3 "$top_srcdir/scripts/linkstack-report" $svg "$work/rep" \
    > "$work/rep/out" 2>&1
  tap $? "linkstack-report runs"
  grep -Eq '^  body: [0-9]+; deepest path body -> a_calls -> b_mid -> b_leaf$' \
    "$work/rep/out"
  tap $? "merged: the thread entry body has a bounded depth and its deepest path"
  grep -q '^functions that keep a check: ' "$work/rep/out"
  tap $? "merged: the share of checked functions"
  if [ -n "$svg" ]; then
    grep -q '<svg' "$work/rep/cg.svg"
    tap $? "the call graph is drawn (SVG)"
  fi
else
  echo "ok $((n + 1)) - linkstack-report # SKIP python3 is not installed"
  n=$((n + 1))
fi
echo "1..$n"
