#!/bin/sh
# testsuite/shapes/run.sh [--seeds A-B]: the random stack-shapes test of
# issue 9.
#   run.sh                 the seeds listed in seeds.txt (`make check`)
#   run.sh --seeds A-B     seeds A..B (scripts/shapes: thousands more)
#
# For each seed, gen.py writes a program of three units and a header
# (calls across units, static inline functions in the header, bounded
# recursion, frames of random sizes, stack-passed arguments, structs by
# value, function pointers, varargs, libc calls with adversarial inputs).
# It is built once with plain gcc -O2 (driver.c -DSHAPES_PLAIN: all on the
# main stack), the reference; then with the plugin (reserve=256, the
# build tree's budgets table) and liblinkstack at -O0, -O1, -O2, -O3 and
# -Os, where driver.c runs the program's entry at every 8-byte offset
# from a guard on 1 KiB linked stacks, in the runtime's debug mode
# (LINKSTACK_DEBUG=1: a write into the bottom 128 bytes of a chunk's
# reserve aborts with a message), compares each result with the same
# work on the main stack, and prints a checksum per walk depth.  Each
# optimisation level's output must equal the plain build's and its exit
# status be 0: one TAP line per seed and level.
#
# EXTRA_PLUGIN_ARGS is added to the plugin builds' command line (how the
# test is shown to fail: a check placement that leaves frames unchecked).
# Environment as for testsuite/plugin/run.sh (top_srcdir, top_builddir,
# LSTK_PLUGIN, CC, PYTHON3); JOBS (default: cores); PYTHON (default:
# $PYTHON3, else python3).
LC_ALL=C
export LC_ALL
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${LSTK_PLUGIN:=$top_builddir/plugin/.libs/linkstack.so}"
: "${CC:=gcc}"
: "${PYTHON:=${PYTHON3:-python3}}"
here=$top_srcdir/testsuite/shapes
levels="-O0 -O1 -O2 -O3 -Os"

# one SEED: writes $work/SEED/result, one TAP line per level, unnumbered.
one ()
{
  s=$1
  d=$work/$s
  mkdir -p "$d"
  r=$d/result
  if ! "$PYTHON" "$here/gen.py" "$s" "$d" 2> "$d/err"; then
    echo "not ok - seed $s: gen.py fails: $(head -c 300 "$d/err" | tr '\n' ' ')" > "$r"
    return
  fi
  units="$d/u0.c $d/u1.c $d/u2.c"
  if ! $CC -O2 -w -DSHAPES_PLAIN -I"$d" $units "$here/driver.c" -o "$d/plain" 2> "$d/err"; then
    echo "not ok - seed $s: the plain build fails: $(head -c 300 "$d/err" | tr '\n' ' ')" > "$r"
    return
  fi
  timeout 60 "$d/plain" > "$d/plain.out" 2>&1
  st=$?
  if [ $st -ne 0 ]; then
    echo "not ok - seed $s: the plain build exits with $st" > "$r"
    return
  fi
  : > "$r"
  for o in $levels; do
    # shellcheck disable=SC2086
    if ! $CC $o -w $plugin ${EXTRA_PLUGIN_ARGS:-} -I"$top_srcdir/include" -I"$d" \
           $units "$here/driver.c" $libs -o "$d/lstk" 2> "$d/err"; then
      echo "not ok - seed $s $o: the plugin build fails: $(head -c 300 "$d/err" | tr '\n' ' ')" >> "$r"
      continue
    fi
    LINKSTACK_DEBUG=1 timeout 60 "$d/lstk" > "$d/lstk.out" 2>&1
    st2=$?
    if [ $st2 -eq 0 ] && cmp -s "$d/plain.out" "$d/lstk.out"; then
      echo "ok - seed $s $o: $(tail -n 1 "$d/plain.out")" >> "$r"
    else
      echo "not ok - seed $s $o: status $st2, \"$(grep -v '^walk ' "$d/lstk.out" | head -n 3 | tr '\n' ' ' | head -c 400)\"" >> "$r"
    fi
  done
  [ -n "${LSTK_KEEP:-}" ] || rm -f "$d/plain" "$d/lstk"
}

if [ "$1" = --one ]; then
  one "$2"
  exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/lstk-shapes.XXXXXX") || exit 1
[ -n "${LSTK_KEEP:-}" ] || trap 'rm -rf "$work"' 0
trap 'exit 1' INT TERM
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 6))' 2> /dev/null; then
  echo "1..0 # SKIP no python3 (3.6 or later) for gen.py"
  exit 0
fi
case $1 in
  --seeds)
    a=${2%-*}; b=${2#*-}
    seq "$a" "$b" > "$work/seeds" ;;
  "")
    grep -v '^#' "$here/seeds.txt" > "$work/seeds" ;;
  *)
    echo "usage: run.sh [--seeds A-B]" >&2; exit 2 ;;
esac
plugin="-fplugin=$LSTK_PLUGIN -fplugin-arg-linkstack-reserve=256"
libs="-L$top_builddir/.libs -llinkstack -Wl,-rpath,$top_builddir/.libs -Wl,-z,now"
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
export work top_srcdir top_builddir LSTK_PLUGIN CC PYTHON here levels plugin libs \
  EXTRA_PLUGIN_ARGS LSTK_KEEP
# Each seed in a process of its own, JOBS at a time.
xargs -P "$jobs" -n 1 sh "$0" --one < "$work/seeds"

n=0
while read -r s; do
  while IFS= read -r line; do
    n=$((n + 1))
    echo "$line" | sed "s/^\(not \)\{0,1\}ok /&$n /"
  done < "$work/$s/result"
done < "$work/seeds"
echo "1..$n"
