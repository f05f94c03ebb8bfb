#!/bin/sh
# testsuite/budgets/crosscheck.sh: the proven budgets table against
# reality.  For every measurement of testsuite/budgets/measure (demanding
# inputs on a painted stack), the function's line in the table the build
# generated (plugin/budgets.txt, the `leaf` lines: libc's proofs) must bound
# what the call used: measured <= proven.  A function the table has no
# proof for takes the guarded path: skipped, with the reason the table's
# comment gives.  The table must name the libc this program runs against
# (its `#!libc BUILD-ID` line), or nothing here would mean anything.
# Prints TAP.  Environment: top_builddir (the build tree).
LC_ALL=C
export LC_ALL
: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
table=$top_builddir/plugin/budgets.txt
measure=$top_builddir/testsuite/budgets/measure
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

"$measure" > measure.out
while read -r what fn used; do
  proven=$(awk -v f="$fn" '$1 == f && $3 == "leaf" { b = $2 } END { print b }' "$table")
  if [ -z "$proven" ]; then
    why=$(grep "^# $fn: " "$table" | cut -c1-160)
    n=$((n + 1)); echo "ok $n - $what: no proven budget, guarded path # SKIP ${why:-not in the table}"
  elif [ "$used" = - ]; then
    tap 1 "$what: the measurement failed"
  else
    [ "$used" -le "$proven" ]
    tap $? "$what: measured $used <= proven $proven"
  fi
done < measure.out
rm -f measure.out
echo "1..$n"
