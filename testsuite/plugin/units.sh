#!/bin/sh
# testsuite/plugin/units.sh: what crosses a unit, a library or the link
# (issue 9): C++ COMDAT copies (A1), interposition in a -fPIC library (A2),
# a replacement malloc named with external= (B6), the libc calls of B1,
# B2, B4 and B5 on the guarded path, and a plugin-compiled
# library linked without liblinkstack (C3).  Each runtime case is the
# victim shape (units/victim.h): the cross-unit call at every depth below
# a guard on 1 KiB stacks, compiled for reserve=256 and run with
# LINKSTACK_DEBUG=1, so a write into the bottom of the reserve aborts.
# Prints TAP.  Environment as for run.sh (top_srcdir, top_builddir,
# LSTK_PLUGIN, CC; CXX for the C++ case).
LC_ALL=C
export LC_ALL
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${LSTK_PLUGIN:=$top_builddir/plugin/.libs/linkstack.so}"
: "${CC:=gcc}"
: "${CXX:=g++}"
src=$top_srcdir/testsuite/plugin/units
work=$(mktemp -d "${TMPDIR:-/tmp}/lstk-units.XXXXXX") || exit 1
[ -n "$LSTK_KEEP" ] || trap 'rm -rf "$work"' 0
n=0
# tap STATUS DESCRIPTION [DIAG-FILE]
tap ()
{
  n=$((n + 1))
  if [ "$1" = 0 ]; then echo "ok $n - $2"
  else
    echo "not ok $n - $2"
    [ -n "$3" ] && [ -s "$3" ] && sed -n '1,30s/^/# /p' "$3"
  fi
}
# has_check OBJECT FUNCTION: the function compares with %fs:0x70.
has_check ()
{
  objdump -d --no-show-raw-insn "$1" \
    | awk -v f="<$2>:" '$2 == f { p = 1; next } /^$/ { p = 0 } p' \
    | grep -q '%fs:0x70'
}
# request OBJECT FUNCTION: the r10 its check passes to __morestack.
request ()
{
  objdump -d --no-show-raw-insn "$1" \
    | awk -v f="<$2>:" '$2 == f { p = 1; next } /^$/ { p = 0 } p' \
    | sed -n 's/.*mov *$0x\([0-9a-f]*\),%r10d*$/\1/p' | head -n 1
}
# victim PROGRAM LABEL: run it in debug mode; its "ok - " line and status.
victim ()
{
  LINKSTACK_DEBUG=1 timeout 60 "$1" > "$work/out" 2>&1
  st=$?
  if [ $st -eq 0 ] && grep -q '^ok - ' "$work/out"; then tap 0 "$2"
  else echo "exit status $st" >> "$work/out"; tap 1 "$2" "$work/out"; fi
}
plugin="-fplugin=$LSTK_PLUGIN -fplugin-arg-linkstack-reserve=256"
# The fixed table's libc leaves, proven (for the tests) on the libc the
# programs link with: the runtime checks the build-id at start-up.
libc=$($CC -print-file-name=libc.so.6)
id=$(readelf -n "$libc" 2>/dev/null | sed -n 's/.*Build ID: *\([0-9a-f]*\).*/\1/p' | head -n 1)
{ echo "#!libc ${id:-0} $libc"
  grep ' leaf$' "$top_srcdir/testsuite/plugin/budgets-test.txt"; } > "$work/budgets.txt"
plugin="$plugin -fplugin-arg-linkstack-budgets=$work/budgets.txt"
libs="-L$top_builddir/.libs -llinkstack -Wl,-rpath,$top_builddir/.libs -Wl,-z,now"
inc="-I$top_srcdir/include -I$src"

# A1: C++ COMDAT.  b.cpp at -O0 sees comdat_f checked; a.cpp at -O2 could
# leave it unchecked.  Every copy keeps its check, callers count R.
if command -v "$CXX" > /dev/null 2>&1; then
  $CXX -O2 $inc $plugin -fplugin-arg-linkstack-report -c "$src/comdat-a.cpp" \
    -o "$work/ca.o" 2> "$work/err" &&
  $CXX -O0 $inc $plugin -c "$src/comdat-b.cpp" -o "$work/cb.o" 2>> "$work/err" &&
  $CXX -O2 $inc $plugin -c "$src/comdat-main.cpp" -o "$work/cm.o" 2>> "$work/err"
  tap $? "C++ units sharing inline functions compile" "$work/err"
  ok=0
  for o in ca cb; do
    for f in _Z8comdat_fi _Z8comdat_gi; do
      has_check "$work/$o.o" $f || { ok=1; echo "$o.o: $f has no check" >> "$work/why"; }
    done
  done
  tap $ok "every copy of a COMDAT function keeps its check" "$work/why"
  # the report says why (bench/analysis/callshare.py counts it)
  grep -Eq '"checked": true, "reasons": \[([^]]*, )?"comdat"\]' "$work/ca.lsu.json"
  tap $? "the report gives comdat as the reason" "$work/ca.lsu.json"
  has_check "$work/cb.o" _Z5use_bi
  tap $? "use_b counts R for the COMDAT callee, so it keeps its check"
  $CXX "$work/ca.o" "$work/cb.o" "$work/cm.o" $libs -o "$work/ab" 2> "$work/err"
  tap $? "links with a.o first" "$work/err"
  victim "$work/ab" "COMDAT, a.o first: no write below the reserve"
  $CXX "$work/cb.o" "$work/ca.o" "$work/cm.o" $libs -o "$work/ba" 2> "$work/err"
  tap $? "links with b.o first" "$work/err"
  victim "$work/ba" "COMDAT, b.o first: no write below the reserve"
else
  echo "ok $((n + 1)) - C++ COMDAT # SKIP no C++ compiler"; n=$((n + 1))
fi

# A2: interposition.  bar's call to foo goes through the PLT: foo's
# definition in the library is not the one that runs.
$CC -O2 -fPIC $inc $plugin -c "$src/interpose-lib.c" -o "$work/il.o" 2> "$work/err" &&
$CC -shared "$work/il.o" $libs -o "$work/libinterpose.so" 2>> "$work/err"
tap $? "a -fPIC library compiles and links" "$work/err"
r=$(request "$work/il.o" bar)
test -n "$r" && test $((0x$r)) -ge 65536
tap $? "bar takes the guarded request for the interposable foo (r10 0x${r:-none} >= 65536)"
$CC -O2 -fPIC -fvisibility=hidden $inc $plugin -c "$src/interpose-lib.c" \
  -o "$work/ih.o" 2> "$work/err"
r=$(request "$work/ih.o" bar)
test -z "$r" || test $((0x$r)) -lt 65536
tap $? "with -fvisibility=hidden foo binds locally: no guarded request (r10 0x${r:-none})"
$CC -O2 $inc $plugin "$src/interpose-main.c" -L"$work" -linterpose \
  -Wl,-rpath,"$work" $libs -o "$work/interpose" 2> "$work/err"
tap $? "the executable that interposes foo links" "$work/err"
victim "$work/interpose" "interposed foo: no write below the reserve"

# B6: a replacement malloc, built without the plugin, named with external=
# although the table gives malloc a proven budget.
$CC -O2 -fPIC -shared "$src/malloc-lib.c" -o "$work/libmymalloc.so" 2> "$work/err"
tap $? "the replacement malloc builds without the plugin" "$work/err"
{ echo "#!libc ${id:-0} $libc"; cat "$src/budgets-malloc.txt"; } > "$work/budgets-malloc.txt"
mb="-fplugin-arg-linkstack-budgets=$work/budgets-malloc.txt"
$CC -O2 $inc $plugin $mb -fplugin-arg-linkstack-external=malloc,free \
  "$src/malloc-main.c" -L"$work" -lmymalloc -Wl,-rpath,"$work" $libs \
  -o "$work/malloc" 2> "$work/err"
tap $? "the program links with the replacement malloc" "$work/err"
$CC -O2 $inc $plugin $mb -fplugin-arg-linkstack-external=malloc,free -S \
  "$src/malloc-main.c" -o "$work/malloc.s" 2> "$work/err"
grep -q 'L:malloc' "$work/malloc.s"
test $? -ne 0
tap $? "external= wins over the table: no L:malloc budget in the note"
$CC -O2 $inc $plugin $mb -S "$src/malloc-main.c" -o "$work/malloc-t.s" 2> "$work/err"
grep -q '"L:malloc"' "$work/malloc-t.s"
tap $? "without external=, the table's budget is used and recorded (L:malloc)"
victim "$work/malloc" "replacement malloc: no write below the reserve"

# B1, B2, B4, B5: libc calls whose stack use is not proven take the
# guarded path (the build tree's table, no budgets= argument): each one
# at every depth below a guard equals the main stack's result.
for b in 1 2 4 5; do
  $CC -O2 -DFINDING=$b $inc -fplugin=$LSTK_PLUGIN -fplugin-arg-linkstack-reserve=256 \
    "$src/libc-victim.c" $libs -o "$work/libc-b$b" 2> "$work/err"
  tap $? "B$b: the libc victim builds" "$work/err"
  victim "$work/libc-b$b" "B$b: no write below the reserve, the main stack's result"
done

# C3: a plugin-compiled library linked without liblinkstack would pull
# libgcc's __morestack in: the link fails, naming the collision.
$CC -shared "$work/il.o" -o "$work/libnolstk.so" > "$work/err" 2>&1
st=$?
test $st -ne 0 && grep -q "multiple definition of \`__stack_split_initialize'" "$work/err"
tap $? "a plugin-compiled .so linked without liblinkstack fails (status $st)" "$work/err"
cat > "$work/m.c" <<'END'
int id (int x) { return x; }
int (*volatile fp) (int) = id;
int main (void) { return fp (0); }
END
$CC -O2 $plugin -c "$work/m.c" -o "$work/m.o" &&
$CC "$work/m.o" -o "$work/nolstk" > "$work/err" 2>&1
st=$?
test $st -ne 0 && grep -q "__stack_split_initialize" "$work/err"
tap $? "a plugin-compiled program linked without liblinkstack fails (status $st)" "$work/err"
# Names libm exports as well as libc (frexp, ldexp, copysign ...): with
# -lm libm's copy runs, so the built table must not give them libc's proven
# budget (the start-up check would refuse the program).
cat > "$work/lm.c" <<'END'
#include <math.h>
#include <stdio.h>
int main (int argc, char **argv)
{
  int e;
  double m = frexp (argc * 3.0, &e);
  printf ("ok - frexp %g %d, ldexp %g\n", m, e, ldexp (m, e));
  return 0;
}
END
$CC -O2 -fplugin="$LSTK_PLUGIN" "$work/lm.c" -o "$work/lm" $libs -lm > "$work/err" 2>&1 || cat "$work/err" > "$work/out"
victim "$work/lm" "frexp and ldexp from libm run with the built table"
# A plugin installed without its list of libc names stops the compile
# rather than taking hand-declared libc functions for the user's own.
mkdir "$work/lonely" && cp "$LSTK_PLUGIN" "$work/lonely/linkstack.so" &&
$CC -O2 -fplugin="$work/lonely/linkstack.so" -c "$work/m.c" -o "$work/lonely.o" > "$work/err" 2>&1
st=$?
installed=$(strings "$LSTK_PLUGIN" | grep '/libc-names.txt$' | head -1)
if [ $st -eq 0 ] && [ -n "$installed" ] && [ -f "$installed" ]; then
  n=$((n + 1))
  echo "ok $n # SKIP a plugin without libc-names.txt: an installed copy ($installed) is found"
else
  test $st -ne 0 && grep -q "error: linkstack: cannot find the list of C library names" "$work/err"
  tap $? "a plugin without libc-names.txt refuses to compile (status $st)" "$work/err"
fi
echo "1..$n"
