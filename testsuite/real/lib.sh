# testsuite/real/lib.sh: what the differential tests of real code bases
# (sqlite.sh, lua.sh) share; sourced, with WHAT set to the code base.
#
# Each test builds one program twice from the same sources with the same
# options: plain gcc, and gcc with the plugin (reserve=256) and
# liblinkstack, where the program's main runs on a linked stack whose
# first chunk is 1 KiB (driver.c) in the runtime's debug mode
# (LINKSTACK_DEBUG=1: the bottom 128 bytes of every chunk's reserve must
# stay untouched).  Same workload, same arguments: standard output and
# exit status must be identical, and the plugin build must print nothing
# on stderr that the plain one does not.  The plugin build's stack must
# have grown (driver.c's counters; the TAP line shows how often).
#
# What it shows, and what not: real programs make guarded requests near
# their top (stdio, malloc, indirect calls: G bytes, doc/plugin.md), so
# most of a run happens on one guarded chunk, a few growth events in all.
# These tests show that the programs run right, and the same, on linked
# stacks in debug mode; functions left unchecked near many chunk
# boundaries are what testsuite/differential and testsuite/shapes stress.
#
# The sources come from bench/analysis/fetch (npm, Debian's apt): without
# them the test is skipped, saying why.  Sources and objects are kept in
# $top_builddir/testsuite/real/cache (`make clean` removes it); an object
# is compiled again only when its source, its options, the compiler or,
# for the plugin build, the plugin and its tables changed.  The two builds
# run side by side (2 cores).
#
# Environment as for testsuite/plugin/run.sh, and REAL_LSTK_CFLAGS: more
# options for the plugin build alone (to see the test fail when the builds
# differ, e.g. "-DSQLITE_MAX_LENGTH=100 -DSQLITE_MAX_SQL_LENGTH=100" or
# -DLUAI_MAXCCALLS=100).  Prints TAP.
LC_ALL=C
export LC_ALL
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${LSTK_PLUGIN:=$top_builddir/plugin/.libs/linkstack.so}"
: "${CC:=gcc}"
real_n=0
real_failed=0
cache=$top_builddir/testsuite/real/cache
mkdir -p "$cache" || exit 1
src=$cache/$WHAT-src
work=$cache/$WHAT
plugin="-fplugin=$LSTK_PLUGIN -fplugin-arg-linkstack-reserve=256"
libs="-L$top_builddir/.libs -llinkstack -Wl,-rpath,$top_builddir/.libs -Wl,-z,now"

# tap OK(0|1) TEXT [FILE]: one TAP line; a failure shows FILE's head.
tap ()
{
  real_n=$((real_n + 1))
  if [ "$1" = 0 ]; then
    echo "ok $real_n - $2"
  else
    echo "not ok $real_n - $2"
    real_failed=1
    [ -n "${3:-}" ] && [ -f "$3" ] && head -n 20 "$3" | sed 's/^/# /'
  fi
}

# fetch_or_skip: the sources into $src, or a TAP skip of the whole test.
fetch_or_skip ()
{
  if ! bash "$top_srcdir/bench/analysis/fetch" "$WHAT" "$src" 2> "$cache/$WHAT-fetch.err"; then
    echo "1..0 # SKIP $WHAT's sources could not be fetched: $(tr '\n' ' ' < "$cache/$WHAT-fetch.err")"
    exit 0
  fi
}

# What the plugin build depends on besides the sources: the plugin and
# the tables it reads (next to it, or one level up in a build tree).
plugin_key ()
{
  d=$(dirname "$LSTK_PLUGIN")
  cat "$LSTK_PLUGIN" "$d"/budgets.txt "$d"/../budgets.txt "$d"/libc-names.txt \
    "$d"/../libc-names.txt 2> /dev/null
}

# obj SRC OUT OPTION...: compile SRC into OUT (in OUT's directory, where the
# plugin writes nothing: no report is asked for) unless OUT is up to date.
obj ()
{
  o_src=$1 o_out=$2
  shift 2
  key=$( { echo "$*"; $CC --version | head -n 1; cat "$o_src"
           case " $* " in *" -fplugin="*) plugin_key ;; esac; } | md5sum | cut -c1-32)
  [ -f "$o_out" ] && [ "$(cat "$o_out.key" 2> /dev/null)" = "$key" ] && return 0
  rm -f "$o_out" "$o_out.key"
  $CC "$@" -c "$o_src" -o "$o_out" || return 1
  echo "$key" > "$o_out.key"
}

# run_both OUT_PREFIX ARGS...: runs $work/plain and $work/lstk (debug mode)
# on ARGS, stdin from $stdin (or /dev/null); then compares, and checks that
# the plugin build's stack grew; $grown says how much.
run_both ()
{
  p=$1
  shift
  timeout 300 "$work/plain" "$@" < "${stdin:-/dev/null}" > "$p.plain.out" 2> "$p.plain.err"
  echo $? > "$p.plain.st"
  rm -f "$p.stats"
  REAL_STATS=$p.stats LINKSTACK_DEBUG=1 timeout 300 "$work/lstk" "$@" \
    < "${stdin:-/dev/null}" > "$p.lstk.out" 2> "$p.lstk.err"
  echo $? > "$p.lstk.st"
  # a program may print its own name (argv[0])
  for b in plain lstk; do
    sed "s|$work/$b|PROGRAM|g" "$p.$b.err" > "$p.$b.err2" && mv "$p.$b.err2" "$p.$b.err"
  done
  {
    cmp -s "$p.plain.st" "$p.lstk.st" ||
      echo "exit status: plain $(cat "$p.plain.st"), plugin build $(cat "$p.lstk.st")"
    cmp -s "$p.plain.out" "$p.lstk.out" || {
      echo "standard output differs:"; diff "$p.plain.out" "$p.lstk.out" | head -n 10; }
    cmp -s "$p.plain.err" "$p.lstk.err" || {
      echo "standard error differs:"; diff "$p.plain.err" "$p.lstk.err" | head -n 10; }
  } > "$p.diff"
  [ -s "$p.plain.out" ] || echo "the plain build printed nothing" >> "$p.diff"
  # it ran on a linked stack, which grew (driver.c's counters)
  grew=0 chunks=0
  [ -f "$p.stats" ] && read -r grew chunks bytes < "$p.stats"
  [ "${grew:-0}" -gt 0 ] ||
    echo "the plugin build's stack never grew (no counters, or 0 growth events)" >> "$p.diff"
  grown="${grew:-0} growth events, at most ${chunks:-0} chunks"
  [ ! -s "$p.diff" ]
}

# finish: the plan line and the status.
finish ()
{
  echo "1..$real_n"
  exit $real_failed
}
