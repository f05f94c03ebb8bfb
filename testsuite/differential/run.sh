#!/bin/sh
# testsuite/differential/run.sh [FIRST COUNT]: differential tests of the
# plugin with csmith (Debian's csmith and libcsmith-dev).
#   run.sh                 the seeds listed in seeds.txt (`make check`)
#   run.sh FIRST COUNT     seeds FIRST..FIRST+COUNT-1 (scripts/differential)
#   run.sh --find-seeds FIRST COUNT
#                          prints the seeds of that range whose plain
#                          program finishes within 1 s (how seeds.txt was
#                          made)
#
# For each seed, csmith writes a random C program that prints a checksum
# of its global state.  It is built twice with the same options: plain
# gcc, and gcc with the plugin (placement on, reserve=256) and
# liblinkstack, where its main runs on a linked stack whose first chunk is
# 1 KiB (driver.c) in the runtime's debug mode (LINKSTACK_DEBUG=1: the
# bottom 128 bytes of every chunk's reserve must stay untouched).  The
# outputs must be identical.  Seeds cycle through -O2, -O1, -O0 (callers
# compiled first) and -O2 -fplugin-arg-linkstack-check=all.
#
# csmith programs may loop for long.  `make check` runs a fixed list of
# 200 seeds whose plain programs finish (seeds.txt: within 1 s here, with
# the csmith version it names), so the number of programs compared does
# not depend on the machine's speed: a listed program that does not finish
# within 60 s fails the test (unless the installed csmith is another
# version, whose programs differ: then it is skipped, and said so).  In a
# range (FIRST COUNT) a plain program that does not finish in 2 s is
# skipped.  scripts/differential runs thousands more seeds that way.
# Environment as for testsuite/plugin/run.sh; JOBS (default: cores).
# Prints TAP.
LC_ALL=C
export LC_ALL
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${LSTK_PLUGIN:=$top_builddir/plugin/.libs/linkstack.so}"
: "${CC:=gcc}"
if [ "$1" = --one ]; then
  one_only=$2
elif [ "$1" = --find-seeds ]; then
  find_seeds=1
  shift
fi
first=${1:-1}
count=${2:-0}
listed=${listed:-0}
[ $# -ge 2 ] || [ -n "${one_only:-}" ] || listed=1
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
here=$top_srcdir/testsuite/differential
csmith_inc=${CSMITH_INCLUDE:-/usr/include/csmith}

if ! command -v csmith > /dev/null 2>&1 || ! test -f "$csmith_inc/csmith.h"; then
  echo "1..0 # SKIP csmith or libcsmith-dev is not installed"
  exit 0
fi
plugin="-fplugin=$LSTK_PLUGIN -fplugin-arg-linkstack-reserve=256"
libs="-L$top_builddir/.libs -llinkstack -Wl,-rpath,$top_builddir/.libs -Wl,-z,now"
# Small programs: few functions, shallow blocks, no bit-fields (slow to
# compile, nothing to do with stacks).
csmith_opts="--max-funcs 5 --max-block-depth 3 --max-expr-complexity 5 --no-bitfields --no-packed-struct"

# one SEED: writes $work/SEED.result, one TAP line without its number.
one ()
{
  s=$1
  d=$work/$s
  mkdir -p "$d"
  case $((s % 4)) in
    0) opt=-O2 ;;
    1) opt=-O1 ;;
    2) opt=-O0 ;;
    3) opt="-O2 -fplugin-arg-linkstack-check=all" ;;
  esac
  copt=$(echo "$opt" | sed 's/ -fplugin-arg[^ ]*//')
  # (in $d: csmith writes platform.info into its working directory)
  (cd "$d" && csmith --seed "$s" $csmith_opts > p.c 2> /dev/null) || {
    echo "ok - seed $s: # SKIP csmith failed" > "$d/result"; return; }
  $CC $copt -w -I"$csmith_inc" "$d/p.c" -o "$d/plain" 2> "$d/err" || {
    echo "ok - seed $s: # SKIP the plain build fails" > "$d/result"; return; }
  if [ "${finding:-0}" = 1 ]; then
    timeout 1 "$d/plain" > /dev/null 2>&1
    [ $? -eq 124 ] || echo "$s" > "$d/result"
    return
  fi
  if [ "$listed" = 1 ]; then
    timeout 60 "$d/plain" > "$d/plain.out" 2>&1
    st=$?
    if [ $st -eq 124 ]; then
      if [ "$csmith_same" = 1 ]; then
        echo "not ok - seed $s: listed in seeds.txt as finishing, ran for more than 60 s" > "$d/result"
      else
        echo "ok - seed $s: # SKIP runs for more than 60 s with $csmith_version (seeds.txt: $csmith_listed)" > "$d/result"
      fi
      return
    fi
  else
    timeout 2 "$d/plain" > "$d/plain.out" 2>&1
    st=$?
    if [ $st -eq 124 ]; then
      echo "ok - seed $s: # SKIP runs for more than 2 s" > "$d/result"; return
    fi
  fi
  if ! $CC $plugin $opt -w -I"$csmith_inc" -Dmain=csmith_main -c "$d/p.c" \
         -o "$d/p.o" 2> "$d/err" ||
     ! $CC "$d/p.o" "$work/driver.o" $libs -o "$d/lstk" 2>> "$d/err"; then
    echo "not ok - seed $s ($opt): the plugin build fails: $(head -c 300 "$d/err" | tr '\n' ' ')" > "$d/result"
    return
  fi
  LINKSTACK_DEBUG=1 timeout 20 "$d/lstk" > "$d/lstk.out" 2>&1
  st2=$?
  if [ $st -eq $st2 ] && cmp -s "$d/plain.out" "$d/lstk.out"; then
    echo "ok - seed $s ($opt): $(tail -n 1 "$d/plain.out")" > "$d/result"
    rm -rf "$d/plain" "$d/lstk" "$d/p.o"
  else
    echo "not ok - seed $s ($opt): plain status $st \"$(tail -n 1 "$d/plain.out")\", plugin status $st2 \"$(tail -n 2 "$d/lstk.out" | tr '\n' ' ')\"" > "$d/result"
  fi
}

if [ -n "${one_only:-}" ]; then
  one "$one_only"
  exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/lstk-diff.XXXXXX") || exit 1
trap 'rm -rf "$work"' 0
trap 'exit 1' INT TERM
$CC -O2 -I"$top_srcdir/include" $plugin -c "$here/driver.c" \
  -o "$work/driver.o" || { echo "Bail out! driver.c does not compile"; exit 1; }

# The seeds: the list, or the range.
csmith_version=$(cd "$work" && csmith --version 2>/dev/null | head -n 1)  # in $work: it writes platform.info
csmith_listed=$(sed -n 's/^# csmith: //p' "$here/seeds.txt")
csmith_same=0
[ "$csmith_version" != "$csmith_listed" ] || csmith_same=1
if [ "$listed" = 1 ] && [ "${find_seeds:-0}" != 1 ]; then
  grep -v '^#' "$here/seeds.txt" > "$work/seeds"
  [ "$(wc -l < "$work/seeds")" -ge 200 ] || { echo "Bail out! seeds.txt lists fewer than 200 seeds"; exit 1; }
else
  seq "$first" "$((first + count - 1))" > "$work/seeds"
  listed=0
fi
finding=${find_seeds:-0}
# Each seed in a process of its own, JOBS at a time (xargs keeps them all
# busy: one slow program does not hold up the others).
export work top_srcdir top_builddir LSTK_PLUGIN CC csmith_inc plugin libs csmith_opts \
  listed finding csmith_same csmith_version csmith_listed
xargs -P "$jobs" -n 1 sh "$0" --one < "$work/seeds"

if [ "$finding" = 1 ]; then
  while read -r s; do
    cat "$work/$s/result" 2>/dev/null
  done < "$work/seeds"
  exit 0
fi
n=0
while read -r s; do
  n=$((n + 1))
  sed "s/^\(not \)\{0,1\}ok /&$n /; s/^ok $n - \(.*\) # SKIP/ok $n - \1 # SKIP/" \
    "$work/$s/result"
done < "$work/seeds"
echo "1..$n"
