#!/bin/sh
# testsuite/real/reasons.sh: the breakdown of checked dynamic calls by
# reason that bench/analysis prints for SQLite and Lua, on a program whose
# answer is known: reasons-a.c has one function per reason (recursion by a
# self call and by a cycle, indirect, external, other-unit, depth,
# varargs, alloca), reasons-b.c the other unit, reasons-c.c a caller
# compiled at -O0 before its callee (not-compiled).  The program runs under
# callgrind; bench/analysis/callshare.py --reasons joins the counts with
# the plugin's reports, and every function must come out under its reason
# and no other, the unchecked ones under none.  Skipped without valgrind.
# Prints TAP.
LC_ALL=C
export LC_ALL
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${LSTK_PLUGIN:=$top_builddir/plugin/.libs/linkstack.so}"
: "${CC:=gcc}"
: "${PYTHON3:=python3}"
: "${VALGRIND:=valgrind}"
command -v "$VALGRIND" > /dev/null 2>&1 || { echo "1..0 # SKIP valgrind is not installed"; exit 0; }
here=$top_srcdir/testsuite/real
work=$(mktemp -d "${TMPDIR:-/tmp}/lstk-reasons.XXXXXX") || exit 1
trap 'rm -rf "$work"' 0
trap 'exit 1' INT TERM
n=0
failed=0
tap ()
{
  n=$((n + 1))
  if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1
    [ -n "${3:-}" ] && [ -f "$3" ] && head -n 20 "$3" | sed 's/^/# /'; fi
}
plugin="-fplugin=$LSTK_PLUGIN -fplugin-arg-linkstack-report"
libs="-L$top_builddir/.libs -llinkstack -Wl,-rpath,$top_builddir/.libs -Wl,-z,now"
( cd "$work" &&
  $CC -O2 $plugin -c "$here/reasons-a.c" -o a.o &&
  $CC -O2 $plugin -c "$here/reasons-b.c" -o b.o &&
  $CC -O0 $plugin -c "$here/reasons-c.c" -o c.o &&
  $CC a.o b.o c.o $libs -o prog ) > "$work/err" 2>&1
tap $? "the program builds with the plugin" "$work/err"
"$VALGRIND" --tool=callgrind --callgrind-out-file="$work/cg" "$work/prog" \
  > "$work/out" 2> "$work/err"
tap $? "it runs under callgrind" "$work/err"
"$PYTHON3" "$top_srcdir/bench/analysis/callshare.py" --reasons \
  --functions "$work/functions.tsv" "$work/cg" \
  "$work"/a.lsu.json "$work"/b.lsu.json "$work"/c.lsu.json > "$work/reasons" 2> "$work/err"
tap $? "callshare.py --reasons reads them" "$work/err"

# under REASON: FUNCTION, and it has no other reason (sole > 0, and it is
# in no other line)
for pair in recursion:self_rec recursion:pong indirect:call_indirect \
             external:call_external other-unit:call_other depth:deep_frame \
             varargs:va_sum alloca:use_alloca not-compiled:later; do
  r=${pair%%:*} f=${pair#*:}
  awk -F'\t' -v r="$r" -v f="$f" '
    $1 == "reason" && $2 != "checked" {
        has = (" " $6 " ") ~ (" " f "=[0-9]+ ")
        if ($2 == r) { found = has; sole = $4 } else if (has) other = other " " $2 }
    END { exit !(found && sole > 0 && other == "") }' "$work/reasons"
  tap $? "$f: $r, and only $r" "$work/reasons"
done
# unchecked functions are under no reason; main has two (external, other-unit)
for f in leaf ping other_unit later_callee; do
  ! grep -q "[[:space:]]$f=" "$work/reasons"
  tap $? "$f: no check, no reason" "$work/reasons"
done
awk -F'\t' '$1 == "reason" && ($2 == "external" || $2 == "other-unit") && $6 ~ /(^| )main=1( |$)/ { k++ }
  END { exit k != 2 }' "$work/reasons"
tap $? "main: external and other-unit, so sole for neither" "$work/reasons"
# the checked total is the calls that ran a check: total - unchecked
read -r u t s < "$work/reasons"
awk -F'\t' -v c=$((t - u)) '$1 == "reason" && $2 == "checked" { exit $3 != c }' "$work/reasons"
tap $? "checked calls ($((t - u))) = all ($t) - unchecked ($u)" "$work/reasons"
# the per-function list: leaf (1150 calls: from main, call_indirect and
# deep_frame; unchecked) first, deep_frame
# checked for depth
awk -F'\t' 'NR == 2 && $1 == 1150 && $2 == "unchecked" && $7 == "leaf" { a = 1 }
  $7 == "deep_frame" && $2 == "checked" && $3 == "depth" { b = 1 }
  END { exit !(a && b) }' "$work/functions.tsv"
tap $? "--functions lists each function with its calls, check and reasons" "$work/functions.tsv"
echo "1..$n"
exit $failed
