--- scenario: discovery of scenario files, loading in the sandbox, metadata validation.
--
-- A scenario file returns one table, metadata first (STYLE.md 11): id, requirements, clause,
-- title, role (the side the harness plays: "bmsc" or "ue"), tags, needs, then run. The loader
-- checks every field before anything runs and names the file and line of a bad one.
local sandbox = require("sandbox")

local M = {}

local FIELDS = {
  id = "string", requirements = "table", clause = "string", title = "string", role = "string",
  tags = "table", needs = "table", run = "function", timeout = "number", description = "string",
}
local REQUIRED = { "id", "requirements", "clause", "title", "role", "run" }
M.ROLES = { bmsc = true, ue = true }

--- Line of the first `field =` in the source, for error messages (0 if not found).
local function field_line(src, field)
  local n = 0
  for line in (src .. "\n"):gmatch("([^\n]*)\n") do
    n = n + 1
    if line:match("^%s*" .. field .. "%s*=") or line:match("[{,]%s*" .. field .. "%s*=")
        or (field == "return" and line:match("^%s*return")) then
      return n
    end
  end
  return 0
end

--- Checks a loaded scenario table; returns a list of "path:line: message" strings.
function M.validate(sc, path, src, catalog)
  local errs = {}
  local function bad(field, msg)
    local line = field and field_line(src, field) or field_line(src, "return")
    if line == 0 then line = 1 end
    errs[#errs + 1] = string.format("%s:%d: %s%s", path, line, field and (field .. ": ") or "", msg)
  end
  if type(sc) ~= "table" then
    bad(nil, "a scenario file must return a table, got " .. type(sc))
    return errs
  end
  for k, v in pairs(sc) do
    if type(k) ~= "string" or not FIELDS[k] then
      bad(type(k) == "string" and k or nil, "unknown field (fields: id, requirements, clause, " ..
        "title, role, tags, needs, timeout, description, run)")
    elseif type(v) ~= FIELDS[k] then bad(k, "expected a " .. FIELDS[k] .. ", got " .. type(v)) end
  end
  for _, k in ipairs(REQUIRED) do
    if sc[k] == nil then bad(nil, "missing field '" .. k .. "'") end
  end
  if type(sc.id) == "string" and not sc.id:match("^[%w][%w._-]*$") then
    bad("id", "'" .. sc.id .. "' must be letters, digits, '.', '_' or '-'")
  end
  if type(sc.role) == "string" and not M.ROLES[sc.role] then
    bad("role", "'" .. sc.role .. "' must be 'bmsc' or 'ue' (the side the harness plays)")
  end
  if type(sc.requirements) == "table" then
    if #sc.requirements == 0 then bad("requirements", "names no requirement") end
    for _, r in ipairs(sc.requirements) do
      if type(r) ~= "string" or not catalog.by_id[r] then
        bad("requirements", "'" .. tostring(r) .. "' is not in the catalog (suites/requirements.lua)")
      end
    end
  end
  for _, k in ipairs({ "tags", "needs" }) do
    if type(sc[k]) == "table" then
      for i, v in ipairs(sc[k]) do
        if type(v) ~= "string" then bad(k, string.format("entry %d is a %s, not a string", i, type(v))) end
      end
    end
  end
  if type(sc.timeout) == "number" and sc.timeout <= 0 then bad("timeout", "must be positive") end
  return errs
end

--- Loads one file; returns the scenario table (with path, kind, src) or nil and error list.
function M.load(path, catalog, env_extra)
  local f = io.open(path, "r")
  if not f then return nil, { path .. ":0: cannot read the file" } end
  local src = f:read("a")
  f:close()
  local env = sandbox.env(env_extra)
  local chunk, err = sandbox.loadfile(path, env)
  if not chunk then return nil, { err } end
  -- Loading runs only the file's top level, under a small budget: metadata, not work.
  local co = coroutine.create(chunk)
  sandbox.budget(co, 1000000, nil, os.clock)
  local ok, sc = coroutine.resume(co)
  if not ok then return nil, { tostring(sc) } end
  local errs = M.validate(sc, path, src, catalog)
  if #errs > 0 then return nil, errs end
  sc.path = path
  sc.src = src
  sc.kind = path:match("([^/]+)/[^/]+$")
  sc.tags = sc.tags or {}
  sc.needs = sc.needs or {}
  sc.env = env
  return sc
end

--- Lists the scenario files under dir/*/ (sorted), skipping profiles/, targets/ and procedures/.
function M.files(dir)
  local out = {}
  local p = io.popen("find '" .. dir:gsub("'", "'\\''") .. "' -mindepth 2 -name '*.lua' " ..
    "-not -path '*/profiles/*' -not -path '*/targets/*' -not -path '*/procedures/*' 2>/dev/null | LC_ALL=C sort")
  if not p then return out end
  for line in p:lines() do out[#out + 1] = line end
  p:close()
  return out
end

--- Loads every scenario; returns scenarios (sorted by id) and a list of load errors.
-- Duplicate ids are errors naming both files.
function M.discover(dir, catalog, env_extra)
  local list, errors, seen = {}, {}, {}
  for _, path in ipairs(M.files(dir)) do
    local sc, errs = M.load(path, catalog, env_extra)
    if sc then
      if seen[sc.id] then
        errors[#errors + 1] = string.format("%s:%d: id: '%s' is already used by %s", path,
          field_line(sc.src, "id"), sc.id, seen[sc.id])
      else
        seen[sc.id] = path
        list[#list + 1] = sc
      end
    else
      for _, e in ipairs(errs) do errors[#errors + 1] = e end
    end
  end
  table.sort(list, function(a, b) return a.id < b.id end)
  return list, errors
end

--- The requirement catalog (suites/requirements.lua) with an index by id.
function M.catalog(home)
  local path = home .. "/suites/requirements.lua"
  local chunk, err = loadfile(path, "t", {})
  if not chunk then return nil, err end
  local ok, list = pcall(chunk)
  if not ok then return nil, list end
  local by_id = {}
  for _, r in ipairs(list) do by_id[r.id] = r end
  return { list = list, by_id = by_id, path = path }
end

return M
