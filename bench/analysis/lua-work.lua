-- bench/analysis/lua-work.lua [ROUNDS]: the workload of Lua's figures
-- (bench/analysis/run) and of its differential test (testsuite/real/).
-- Each round exercises the interpreter loop and Lua-to-Lua calls (fib),
-- string building and formatting, tables sorted by C's sort with a Lua
-- comparator, gsub calling a Lua function from C, metatables and
-- closures, pcall/error (a longjmp through C frames) and a coroutine
-- resumed from C.  It prints what each part computed.
local n = tonumber(arg and arg[1]) or 1

local function fib(k) if k < 2 then return k end return fib(k - 1) + fib(k - 2) end

local out = {}
local function say(...) out[#out + 1] = table.concat({...}, " ") end

for round = 1, n do
  -- the interpreter loop and recursion (Lua calling Lua)
  say("fib", fib(20 + round % 3))

  -- strings: building, formatting, concatenation
  local parts = {}
  for i = 1, 2000 do parts[i] = string.format("%d:%x:%s", i, i * 7919, ("ab"):rep(i % 5)) end
  local s = table.concat(parts, ",")
  say("len", #s, s:sub(1, 20))

  -- tables: records, a Lua comparator called from C's sort
  local recs = {}
  for i = 1, 3000 do recs[i] = {key = (i * 2654435761) % 1000003, name = "r" .. i} end
  table.sort(recs, function(a, b) return a.key < b.key end)
  say("sort", recs[1].name, recs[#recs].name)

  -- C calling Lua: gsub with a function callback
  local count = 0
  local t = s:gsub("(%d+):(%x+)", function(a, b) count = count + 1; return b .. a end)
  say("gsub", count, #t)

  -- metatables, closures, pcall/error (longjmp through C)
  local V = {}
  V.__index = V
  V.__add = function(a, b) return setmetatable({x = a.x + b.x}, V) end
  local acc = setmetatable({x = 0}, V)
  for i = 1, 2000 do acc = acc + setmetatable({x = i}, V) end
  local errs = 0
  for i = 1, 500 do
    local ok = pcall(function() if i % 3 == 0 then error("e" .. i) end return i end)
    if not ok then errs = errs + 1 end
  end
  say("meta", acc.x, "errors", errs)

  -- coroutines (lua_resume from C)
  local co = coroutine.wrap(function() for i = 1, 1000 do coroutine.yield(i * i) end end)
  local sum = 0
  for _ = 1, 1000 do sum = sum + co() end
  say("co", sum)
end
print(table.concat(out, "\n"))
