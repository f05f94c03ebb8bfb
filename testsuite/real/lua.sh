#!/bin/sh
# testsuite/real/lua.sh: Lua 5.4's interpreter built plain and with the
# plugin, one unit per file as Lua's makefile does (as bench/analysis
# builds it), its main on a 1 KiB linked stack in debug mode, run on the
# bench's script (bench/analysis/lua-work.lua, 2 rounds: recursion, strings,
# sort with a Lua comparator, gsub callbacks, pcall/error through longjmp,
# coroutines) and on a deep recursion and an error escaping the script: the
# same output and status.  lib.sh has the method; skipped without apt-get
# or network.
WHAT=lua
. "$(dirname "$0")/lib.sh"
fetch_or_skip
mkdir -p "$work"
defs="-O2 -w -std=gnu99 -DLUA_COMPAT_5_3 -DLUA_USE_LINUX"
inc="-I$top_srcdir/include"

# build KIND OPTION...: every unit of the interpreter into $work/KIND.o/.
build ()
{
  kind=$1
  shift
  mkdir -p "$work/$kind.o"
  for f in "$src"/src/*.c; do
    b=$(basename "$f" .c)
    [ "$b" = luac ] && continue
    extra=
    [ "$b" = lua ] && [ "$kind" = lstk ] && extra=-Dmain=real_main
    obj "$f" "$work/$kind.o/$b.o" "$@" $extra || return 1
  done
}
( build plain $defs && $CC "$work"/plain.o/*.o -lm -o "$work/plain" ) \
  > "$work/plain.build.err" 2>&1 &
pid=$!
{ build lstk $defs $plugin ${REAL_LSTK_CFLAGS:-} &&
  obj "$top_srcdir/testsuite/real/driver.c" "$work/driver.o" -O2 $inc $plugin &&
  $CC "$work/driver.o" "$work"/lstk.o/*.o $libs -lm -o "$work/lstk"; } \
  > "$work/lstk.build.err" 2>&1
st=$?
wait $pid
tap $? "the plain build" "$work/plain.build.err"
tap $st "the plugin build (reserve=256)" "$work/lstk.build.err"
[ $real_failed = 0 ] || finish

w=$top_srcdir/bench/analysis/lua-work.lua
"$work/plain" "$w" 1 > "$work/w1.out" 2>&1
run_both "$work/w" "$w" 2
st=$?
! cmp -s "$work/w1.out" "$work/w.plain.out"
tap $? "the script's output depends on what it computed (1 and 2 rounds differ)"
tap $st "same output on a 1 KiB linked stack ($grown): $(tail -n 1 "$work/w.plain.out")" "$work/w.diff"
# 150 levels of Lua calling Lua through C (pcall), and an error that ends
# the script with a traceback
cat > "$work/deep.lua" <<'LUA'
local function down(k) if k == 0 then return 0 end
  local ok, v = pcall(down, k - 1) return v + 1 end
print(down(150))
local t = setmetatable({}, {__index = function(_, k) return k * 2 end})
print(t[21], select("#", table.unpack({1, 2, 3})))
error("the end")
LUA
run_both "$work/deep" "$work/deep.lua"
tap $? "same output, traceback and status on deep pcall recursion and an uncaught error" "$work/deep.diff"
finish
