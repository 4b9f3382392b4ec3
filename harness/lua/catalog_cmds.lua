--- catalog_cmds: `mbmsct list` and `mbmsct coverage` — the suite as data, no network touched.
local scenario = require("scenario")
local filter = require("filter")
local json = require("json")

local M = {}

local function parse(args, usage_error, allowed)
  local o = {}
  local i = 1
  while i <= #args do
    local a = args[i]
    if a == "--json" and allowed.json then o.json = true
    elseif a == "--strict" and allowed.strict then o.strict = true
    elseif (a == "--filter" or a == "--suites") and allowed[a:sub(3)] then
      if not args[i + 1] then return nil, usage_error(a .. " needs a value") end
      o[a:sub(3)] = args[i + 1]
      i = i + 1
    else
      return nil, usage_error("unknown option '" .. a .. "'")
    end
    i = i + 1
  end
  return o
end

--- Loads catalog and scenarios; prints load errors; returns catalog, scenarios, nerrors.
function M.load(home, suites_dir)
  local cat, err = scenario.catalog(home)
  if not cat then io.stderr:write("mbmsct: catalog: ", err, "\n"); return nil end
  local list, errors = scenario.discover(suites_dir or (home .. "/suites"), cat)
  for _, e in ipairs(errors) do io.stderr:write("mbmsct: ", e, "\n") end
  return cat, list, #errors
end

function M.list(args, usage_error, home)
  local o = parse(args, usage_error, { json = true, filter = true, suites = true })
  if not o then return 2 end
  local pred = function() return true end
  if o.filter then
    local p, ferr = filter.compile(o.filter)
    if not p then return usage_error(ferr) end
    pred = p
  end
  local cat, list, nerr = M.load(home, o.suites)
  if not cat then return 2 end
  local shown = 0
  for _, sc in ipairs(list) do
    if pred(sc) then
      shown = shown + 1
      if o.json then
        io.stdout:write(json.encode(json.object{
          { "id", sc.id }, { "role", sc.role }, { "requirements", sc.requirements },
          { "clause", sc.clause }, { "title", sc.title }, { "tags", sc.tags },
          { "needs", sc.needs }, { "path", sc.path },
        }), "\n")
      else
        io.stdout:write(string.format("%-28s %-4s %-24s %s\n", sc.id, sc.role,
          table.concat(sc.requirements, ","), sc.title))
      end
    end
  end
  if not o.json then
    io.stderr:write(string.format("%d scenario(s)%s, %d broken file(s)\n", shown,
      o.filter and " matching" or "", nerr))
  end
  return nerr > 0 and 1 or 0
end

function M.coverage(args, usage_error, home)
  local o = parse(args, usage_error, { json = true, strict = true, suites = true })
  if not o then return 2 end
  local cat, list, nerr = M.load(home, o.suites)
  if not cat then return 2 end
  local by_req = {}
  for _, sc in ipairs(list) do
    for _, r in ipairs(sc.requirements) do
      by_req[r] = by_req[r] or {}
      table.insert(by_req[r], sc.id)
    end
  end
  local uncovered = {}
  for _, r in ipairs(cat.list) do
    local ids = by_req[r.id] or {}
    if #ids == 0 then uncovered[#uncovered + 1] = r.id end
    if o.json then
      io.stdout:write(json.encode(json.object{
        { "requirement", r.id }, { "actor", r.actor }, { "source", r.source },
        { "scenarios", ids }, { "covered", #ids > 0 },
      }), "\n")
    else
      io.stdout:write(string.format("%-9s %-5s %s\n", r.id, #ids > 0 and "ok" or "NONE",
        #ids > 0 and table.concat(ids, ", ") or ("uncovered: " .. r.text)))
    end
  end
  local n = #cat.list
  io.stderr:write(string.format("coverage: %d of %d requirements covered (%.0f%%)%s\n",
    n - #uncovered, n, 100 * (n - #uncovered) / n,
    #uncovered > 0 and ("; uncovered: " .. table.concat(uncovered, " ")) or ""))
  if nerr > 0 then return 1 end
  if o.strict and #uncovered > 0 then return 1 end
  return 0
end

return M
