--- profile: loading of profile files (suites/profiles/*.lua) with `extend` inheritance.
local M = {}

local function merge(base, over)
  local out = {}
  for k, v in pairs(base) do out[k] = v end
  for k, v in pairs(over) do
    -- Arrays are replaced whole (a port list, a payload order); records merge key by key.
    if type(v) == "table" and type(out[k]) == "table" and #v == 0 and next(v) ~= nil then
      out[k] = merge(out[k], v)
    else
      out[k] = v
    end
  end
  return out
end

--- Resolves a profile name or path: "ts33246" -> <home>/suites/profiles/ts33246.lua.
local function resolve(name, home)
  if name:find("/", 1, true) or name:match("%.lua$") then return name end
  return home .. "/suites/profiles/" .. name .. ".lua"
end

--- Loads a profile; returns the merged table, or nil and "path: message".
-- Profile files are data: they run with an empty environment (no library access).
function M.load(name, home, seen)
  home = home or MBMSCT_HOME
  seen = seen or {}
  local path = resolve(name, home)
  if seen[path] then return nil, path .. ": profile extends itself (cycle)" end
  seen[path] = true
  local chunk, err = loadfile(path, "t", {})
  if not chunk then return nil, err end
  local ok, t = pcall(chunk)
  if not ok then return nil, tostring(t) end
  if type(t) ~= "table" then return nil, path .. ": a profile must return a table" end
  if t.extend ~= nil then
    if type(t.extend) ~= "string" then return nil, path .. ": 'extend' must be a profile name" end
    local base, berr = M.load(t.extend, home, seen)
    if not base then return nil, berr end
    local over = {}
    for k, v in pairs(t) do if k ~= "extend" then over[k] = v end end
    t = merge(base, over)
  end
  t._path = path
  return t
end

return M
