#!/bin/sh
# testsuite/budgets/crosscheck.sh: the proven budgets table against
# reality.  For every measurement of testsuite/budgets/measure (demanding
# inputs on a painted stack), the function's line in the table the build
# generated (plugin/budgets.txt, the `leaf` lines: libc's proofs) must bound
# what the call used: measured <= proven.  A function the table has no
# proof for takes the guarded path: skipped, with the reason the table's
# comment gives.  Then every IFUNC variant of a measured function (as
# scripts/prove-budgets --variants finds them in the resolver), called
# directly: the proof covers every variant, not only the one this CPU
# picks (strstr's generic variant is the one with the 2200-byte long-needle
# path, B1).  A variant this CPU cannot run (SIGILL) is skipped.  The table
# must name the libc this program runs against (its `#!libc BUILD-ID`
# line), or nothing here would mean anything.  Prints TAP.  Environment:
# top_srcdir, top_builddir (the build tree), PYTHON3.
LC_ALL=C
export LC_ALL
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PYTHON3:=python3}"
table=$top_builddir/plugin/budgets.txt
measure=$top_builddir/testsuite/budgets/measure
work=$(mktemp -d "${TMPDIR:-/tmp}/lstk-crosscheck.XXXXXX") || exit 1
trap 'rm -rf "$work"' 0
n=0
tap () { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }

id=$(awk '$1 == "#!libc" { print $2 }' "$table")
libc=$(awk '$1 == "#!libc" { print $3 }' "$table")
running=$(readelf -nW "$libc" 2>/dev/null | sed -n 's/.*Build ID: *//p')
[ -n "$id" ] && [ "$id" = "$running" ]
tap $? "the table names the libc it was proven on ($libc, build-id $id)"
loaded=$(ldd "$measure" | awk '$1 == "libc.so.6" { print $3 }')
[ "$(readelf -nW "$loaded" | sed -n 's/.*Build ID: *//p')" = "$id" ]
tap $? "the measuring program runs against that libc ($loaded)"

check () { # WHAT FUNCTION USED: one measurement against the table
  proven=$(awk -v f="$2" '$1 == f && $3 == "leaf" { b = $2 } END { print b }' "$table")
  if [ -z "$proven" ]; then
    why=$(grep "^# $2: " "$table" | cut -c1-160)
    n=$((n + 1)); echo "ok $n - $1: no proven budget, guarded path # SKIP ${why:-not in the table}"
  elif [ "$3" = signal4 ]; then
    n=$((n + 1)); echo "ok $n - $1: # SKIP this CPU cannot run it (SIGILL)"
  elif ! [ "$3" -ge 0 ] 2> /dev/null; then
    tap 1 "$1: the measurement failed ($3)"
  else
    [ "$3" -le "$proven" ]
    tap $? "$1: measured $3 <= proven $proven"
  fi
}

"$measure" > "$work/measured"
while read -r what fn used; do
  check "$what" "$fn" "$used"
done < "$work/measured"

"$PYTHON3" "$top_srcdir/scripts/prove-budgets" --variants "$libc" > "$work/variants"
tap $? "prove-budgets lists the IFUNC variants"
while read -r what fn used; do
  for off in $(awk -v f="$fn" '$1 == f { print $2 }' "$work/variants"); do
    LSTK_VARIANT=$fn:$off "$measure" "$what" > "$work/one"
    read -r _ _ vused < "$work/one"
    check "$what, variant at $off" "$fn" "$vused"
  done
done < "$work/measured"
echo "1..$n"
