#!/bin/sh
# testsuite/real/sqlite.sh: SQLite 3.44 (the amalgamation and its shell,
# as bench/analysis builds it) built plain and with the plugin, its shell's
# main on a 1 KiB linked stack in debug mode, run on the bench's SQL
# workload (bench/analysis/sqlite-work.sh) at 20,000 rows: the same output
# and status.  lib.sh has the method; skipped without npm or network.
#
# -O2, as the bench: at -O2 the placement leaves the most functions
# unchecked.  sqlite3.c takes about a minute to compile; the objects are
# kept (lib.sh), so a run with an unchanged plugin only links and runs.
WHAT=sqlite
. "$(dirname "$0")/lib.sh"
fetch_or_skip
mkdir -p "$work"
defs="-O2 -w -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION"
inc="-I$top_srcdir/include"

# the two builds side by side
( obj "$src/sqlite3.c" "$work/sqlite3.plain.o" $defs &&
  obj "$src/shell.c" "$work/shell.plain.o" $defs &&
  $CC "$work/shell.plain.o" "$work/sqlite3.plain.o" -lm -o "$work/plain" ) \
  > "$work/plain.build.err" 2>&1 &
pid=$!
{ obj "$src/sqlite3.c" "$work/sqlite3.lstk.o" $defs $plugin ${REAL_LSTK_CFLAGS:-} &&
  obj "$src/shell.c" "$work/shell.lstk.o" $defs $plugin -Dmain=real_main ${REAL_LSTK_CFLAGS:-} &&
  obj "$top_srcdir/testsuite/real/driver.c" "$work/driver.o" -O2 $inc $plugin &&
  $CC "$work/driver.o" "$work/shell.lstk.o" "$work/sqlite3.lstk.o" $libs -lm -o "$work/lstk"; } \
  > "$work/lstk.build.err" 2>&1
st=$?
wait $pid
tap $? "the plain build" "$work/plain.build.err"
tap $st "the plugin build (reserve=256)" "$work/lstk.build.err"
[ $real_failed = 0 ] || finish

w=$top_srcdir/bench/analysis/sqlite-work.sh
sh "$w" 20000 > "$work/w.sql"
sh "$w" 20001 > "$work/w1.sql"
# The comparison sees the data: one row more changes the output.
"$work/plain" :memory: < "$work/w1.sql" > "$work/w1.out" 2>&1
stdin=$work/w.sql run_both "$work/w" :memory:
st=$?
! cmp -s "$work/w1.out" "$work/w.plain.out"
tap $? "the workload's output depends on every row (20,000 and 20,001 rows differ)"
tap $st "same output on a 1 KiB linked stack ($grown): $(tail -n 1 "$work/w.plain.out")" "$work/w.diff"
# the shell's own error path (a syntax error, then more statements)
printf 'SELECT 1;\nSELEC 2;\nSELECT sqlite_version(), 3;\n' > "$work/e.sql"
stdin=$work/e.sql run_both "$work/e" :memory:
tap $? "same output and errors on a bad statement" "$work/e.diff"
finish
