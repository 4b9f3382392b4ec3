--- sandbox: the environment scenario files run in (STYLE.md 14; Redis scripting, nmap NSE).
--
-- An allow-list, not a deny-list: only the functions named here exist in a scenario. No io,
-- no os (but for time functions), no load/loadfile/dofile/require of arbitrary modules, no
-- debug, no package, no string.dump, no collectgarbage. A time budget is enforced by an
-- instruction-count hook on the scenario's coroutine and by deadlines on every wait.
local M = {}

local SAFE_GLOBALS = {
  "assert", "error", "ipairs", "next", "pairs", "pcall", "select", "tonumber", "tostring",
  "type", "xpcall", "rawequal", "rawget", "rawlen", "rawset", "setmetatable", "getmetatable",
  "_VERSION",
}

local SAFE_LIBS = {
  string = { "byte", "char", "find", "format", "gmatch", "gsub", "len", "lower", "match", "pack",
             "packsize", "rep", "reverse", "sub", "unpack", "upper" },
  table = { "concat", "insert", "move", "pack", "remove", "sort", "unpack" },
  math = { "abs", "ceil", "floor", "fmod", "huge", "max", "maxinteger", "min", "mininteger",
           "modf", "pi", "sqrt", "tointeger", "type", "ult", "exp", "log" },
  utf8 = { "char", "charpattern", "codepoint", "codes", "len", "offset" },
}

--- Modules a scenario may require: pure data/codec modules, never I/O escapes.
M.MODULES = {
  ["mbms.mikey"] = true, ["mbms.crypto"] = true, ["mbms.hex"] = true, ["mbms.xml"] = true,
  ["mbms.digest"] = true, ["mbms.http"] = true, ["raw"] = true, ["mbmsmsg"] = true, ["gba"] = true,
  ["json"] = true, ["bodies"] = true,
  -- The flows library does I/O, but only through the scenario's scheduler and deadlines.
  ["mbms"] = true,
  -- Capture replay (issue #6): reads only vectors/captures/, sends through the scheduler.
  ["replay"] = true,
}

local function copy_lib(src, names)
  local t = {}
  for _, n in ipairs(names) do t[n] = src[n] end
  return t
end

--- A read-only view of a module table, so that one scenario cannot patch a shared module.
function M.readonly(t)
  if type(t) ~= "table" then return t end
  return setmetatable({}, {
    __index = t,
    __newindex = function(_, k) error("module field '" .. tostring(k) .. "' is read-only", 2) end,
    __pairs = function() return next, t, nil end,
    __metatable = false,
  })
end

--- Returns a fresh environment table; `extra` adds (or overrides) entries such as `print`.
function M.env(extra)
  local env = {}
  for _, n in ipairs(SAFE_GLOBALS) do env[n] = _G[n] end
  for lib, names in pairs(SAFE_LIBS) do env[lib] = copy_lib(_G[lib], names) end
  env.os = { time = os.time, clock = os.clock, date = os.date, difftime = os.difftime }
  local procs = {}
  env.require = function(name)
    -- Shared procedures of the suites (suites/procedures/NAME.lua) are scenario code too:
    -- they run in this same sandbox, once per scenario.
    local proc = type(name) == "string" and name:match("^procedures%.([%w_]+)$")
    if proc then
      if procs[proc] == nil then
        local chunk, err = M.loadfile(MBMSCT_HOME .. "/suites/procedures/" .. proc .. ".lua", env)
        if not chunk then error("require: " .. tostring(err), 2) end
        procs[proc] = chunk()
      end
      return procs[proc]
    end
    if not M.MODULES[name] then
      error("require: module '" .. tostring(name) .. "' is not available to scenarios", 2)
    end
    return M.readonly(require(name))
  end
  -- The string metatable is shared with the host: handing it out would let a scenario
  -- rewrite string functions for everyone. Only tables' metatables are visible.
  env.getmetatable = function(o)
    if type(o) ~= "table" then return nil end
    return getmetatable(o)
  end
  for k, v in pairs(extra or {}) do env[k] = v end
  env._G = env
  return env
end

--- Loads a scenario file as text only (no precompiled chunks) in env.
function M.loadfile(path, env)
  local f, err = io.open(path, "r")
  if not f then return nil, err end
  local src = f:read("a")
  f:close()
  if src:sub(1, 1) == "\27" then return nil, path .. ": precompiled chunks are not accepted" end
  return load(src, "@" .. path, "t", env)
end

--- Installs an instruction budget on coroutine co: after `limit` VM instructions (counted in
-- steps of 1000) or past the absolute `deadline` (net.now() seconds), the coroutine raises.
function M.budget(co, limit, deadline, now)
  local used = 0
  debug.sethook(co, function()
    used = used + 1000
    if used > limit then error("budget: instruction limit of " .. limit .. " exceeded", 2) end
    if deadline and now() > deadline then error("budget: time budget exceeded", 2) end
  end, "", 1000)
end

return M
