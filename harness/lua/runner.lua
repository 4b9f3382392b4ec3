--- runner: `mbmsct run` — a campaign of scenarios against one target, with verdicts, progress,
-- a summary, JUnit and JSON Lines reports, baselines and repeats.
local scenario = require("scenario")
local filter = require("filter")
local profile = require("profile")
local target = require("target")
local sandbox = require("sandbox")
local sched = require("sched")
local testctx = require("testctx")
local junit = require("junit")
local json = require("json")

local M = {}

local OPTS = {
  ["--target"] = "target", ["--profile"] = "profile", ["--filter"] = "filter",
  ["--junit"] = "junit", ["--json"] = "json", ["-j"] = "jobs", ["--time-scale"] = "scale",
  ["--seed"] = "seed", ["--repeat"] = "repeat", ["--baseline"] = "baseline",
  ["--suites"] = "suites", ["--budget"] = "budget",
}

local function parse(args, usage_error)
  local o = { jobs = 1, scale = 1, repeat_n = 1, seed = nil, budget = 50000000 }
  local i = 1
  while i <= #args do
    local a = args[i]
    if a == "-v" or a == "--verbose" then o.verbose = true
    elseif OPTS[a] then
      local v = args[i + 1]
      if v == nil then return nil, usage_error(a .. " needs a value") end
      local k = OPTS[a]
      if k == "jobs" or k == "seed" or k == "repeat" or k == "budget" then
        local n = math.tointeger(tonumber(v))
        if not n or n < (k == "seed" and 0 or 1) then
          return nil, usage_error(a .. ": '" .. v .. "' is not a " .. (k == "seed" and "non-negative" or "positive") .. " integer")
        end
        if k == "repeat" then o.repeat_n = n else o[k] = n end
      elseif k == "scale" then
        local x = tonumber(v)
        if not x or x <= 0 then return nil, usage_error("--time-scale: '" .. v .. "' is not a positive number") end
        o.scale = x
      else
        o[k] = v
      end
      i = i + 1
    else
      return nil, usage_error("unknown option '" .. a .. "'")
    end
    i = i + 1
  end
  if not o.target then return nil, usage_error("run needs --target FILE") end
  if o.jobs > 1 then return nil, usage_error("-j: parallel runs are not implemented yet; use -j 1") end
  o.seed = o.seed or (os.time() % 1000000)
  return o
end

--- Baseline file: a Lua table {["scenario-id"] = {verdict = "fail", reason = "..."}, ...}.
local function load_baseline(path)
  local chunk, err = loadfile(path, "t", {})
  if not chunk then return nil, err end
  local ok, t = pcall(chunk)
  if not ok then return nil, tostring(t) end
  if type(t) ~= "table" then return nil, path .. ": a baseline returns a table" end
  for id, e in pairs(t) do
    if type(e) ~= "table" or type(e.verdict) ~= "string" or type(e.reason) ~= "string" then
      return nil, string.format("%s: entry '%s' needs verdict and reason strings", path, tostring(id))
    end
  end
  return t
end

--- Runs one scenario; returns a result record.
function M.run_one(sc, ctx)
  local net = ctx.net
  local S = sched.new(net, ctx.scale)
  local trace = {}
  local started = net.now()
  -- The scenario's own wall budget: its timeout (profile seconds, scaled) or 60 s scaled.
  local limit = S:dur(sc.timeout or 60) + 1
  local t = testctx.new{ scenario = sc, sched = S, profile = ctx.profile, target = ctx.target,
    seed = ctx.seed, trace = trace, until_ = started + limit }
  t.hook = function(co) sandbox.budget(co, ctx.budget, nil, net.now) end
  t.act = function(_, action, vars)
    return target.act(ctx.target, action, vars, net, S:dur(ctx.profile.timers.T_request or 5) + 5)
  end
  local result = { scenario = sc, trace = trace }
  for _, need in ipairs(sc.needs) do
    if not target.can(ctx.target, need) then
      result.verdict, result.message = "skip", "n/a: target has no '" .. need .. "' control"
      result.time = 0
      return result
    end
  end
  local main = S:spawn(function() return sc.run(t) end, sc.id, t.hook)
  local ok, err, tb = S:run(main, started + limit)
  result.time = net.now() - started
  if ok then
    result.verdict = "pass"
  elseif err == "deadline" then
    result.verdict, result.kind = "error", "timeout"
    result.message = string.format("scenario exceeded its time budget of %.3f s", limit)
  elseif testctx.is_verdict(err) then
    result.verdict, result.kind = err.verdict, err.kind
    result.message = err.message or (err.field and (tostring(err.field) .. ": expected " ..
      tostring(err.expected) .. " vs actual " .. tostring(err.actual)))
    result.detail = testctx.format(sc.id, err)
  else
    local msg = tostring(err)
    result.verdict = "error"
    result.kind = msg:find("budget: ") and "budget" or "lua"
    result.message = msg
    result.detail = sc.id .. " " .. (tb or msg)
  end
  t:run_cleanups()
  return result
end

local SYM = { pass = "PASS", fail = "FAIL", error = "ERROR", skip = "SKIP", inconclusive = "INCONCL" }

function M.main(args, usage_error, home)
  local o = parse(args, usage_error)
  if not o then return 2 end
  local function die(msg) io.stderr:write("mbmsct: ", msg, "\n"); return 2 end
  local tgt, terr = target.load(o.target)
  if not tgt then return die(terr) end
  local prof, perr = profile.load(o.profile or tgt.profile or "ts33246", home)
  if not prof then return die("profile: " .. perr) end
  local pred = function() return true end
  if o.filter then
    local p, ferr = filter.compile(o.filter)
    if not p then return usage_error(ferr) end
    pred = p
  end
  local baseline
  if o.baseline then
    local b, berr = load_baseline(o.baseline)
    if not b then return die("baseline: " .. berr) end
    baseline = b
  end
  local cat, cerr = scenario.catalog(home)
  if not cat then return die("catalog: " .. cerr) end
  local all, errors = scenario.discover(o.suites or (home .. "/suites"), cat)
  for _, e in ipairs(errors) do io.stderr:write("mbmsct: ", e, "\n") end
  -- The harness plays the other role than the SUT's.
  local plays = tgt.role == "ue" and "bmsc" or "ue"
  local selected = {}
  for _, sc in ipairs(all) do
    if sc.role == plays and pred(sc) then selected[#selected + 1] = sc end
  end
  local net = require("mbms.net")
  local ctx = { net = net, profile = prof, target = tgt, seed = o.seed, scale = o.scale,
    budget = o.budget }
  io.stdout:write(string.format("mbmsct: target %s (%s), profile %s, %d scenario(s), seed %d, time scale %g\n",
    tgt.name, tgt.role, prof.name or "?", #selected * o.repeat_n, o.seed, o.scale))

  os.execute("mkdir -p out")
  local handle, serr = target.start(tgt, {}, "out/" .. tgt.name .. ".log")
  if not handle then return die(serr) end
  local function probe()
    if handle.pid and not target.alive(handle) then return nil, "target process exited (see " .. handle.log .. ")" end
    if tgt.control.ready then return target.act(tgt, "ready", {}, net, 5) end
    return true
  end
  -- Wait for the target to come up (bounded).
  local up, uerr = probe()
  local wait_until = net.now() + 10
  while not up and net.now() < wait_until do
    net.sleep(0.1)
    up, uerr = probe()
  end

  local results, dead = {}, not up and uerr or nil
  local n, total = 0, #selected * o.repeat_n
  for rep = 1, o.repeat_n do
    for _, sc in ipairs(selected) do
      n = n + 1
      local r
      if dead then
        r = { scenario = sc, verdict = "error", kind = "target-dead", time = 0,
          message = "target not responding: " .. tostring(dead), trace = {} }
      else
        r = M.run_one(sc, ctx)
        local alive, aerr = probe()
        if not alive then
          dead = aerr
          if r.verdict == "pass" then
            r.verdict, r.kind, r.message = "error", "target-dead", "target died during the scenario: " .. tostring(aerr)
          end
        end
      end
      if o.repeat_n > 1 then r.repeat_index = rep end
      results[#results + 1] = r
      local b = baseline and baseline[sc.id]
      local note = ""
      if b and b.verdict == r.verdict and r.verdict ~= "pass" then note = "  (known: " .. b.reason .. ")" end
      io.stdout:write(string.format("[%3d/%d] %-7s %-32s %7.3f s%s\n", n, total, SYM[r.verdict],
        sc.id, r.time or 0, note))
      if r.verdict ~= "pass" and r.verdict ~= "skip" and (r.detail or r.message) then
        io.stdout:write("        ", (r.detail or r.message):gsub("\n", "\n        "), "\n")
      end
      if o.verbose then
        for _, line in ipairs(r.trace) do io.stdout:write("        | ", line, "\n") end
      end
    end
  end
  target.stop(tgt, handle, {}, net)

  -- Summary, baseline comparison, reports.
  local count = { pass = 0, fail = 0, error = 0, skip = 0, inconclusive = 0 }
  local unexpected, stale, known = 0, {}, 0
  local seen = {}
  for _, r in ipairs(results) do
    count[r.verdict] = count[r.verdict] + 1
    local id = r.scenario.id
    seen[id] = true
    local b = baseline and baseline[id]
    if r.verdict == "fail" or r.verdict == "error" then
      if b and b.verdict == r.verdict then known = known + 1 else unexpected = unexpected + 1 end
    elseif b and r.verdict == "pass" then
      io.stdout:write(string.format("note: %s passed but the baseline expects %s (%s)\n", id, b.verdict, b.reason))
    end
  end
  if baseline then
    for id in pairs(baseline) do if not seen[id] then stale[#stale + 1] = id end end
    table.sort(stale)
    if #stale > 0 then io.stdout:write("note: stale baseline entries (no such scenario run): ", table.concat(stale, ", "), "\n") end
  end
  local run = { target = tgt.name, profile = prof.name or "?", seed = o.seed, results = results }
  if o.junit then
    local ok, jerr = junit.write(o.junit, run)
    if not ok then return die("--junit: " .. tostring(jerr)) end
  end
  if o.json then
    local f, jerr = io.open(o.json, "w")
    if not f then return die("--json: " .. jerr) end
    for _, r in ipairs(results) do
      f:write(json.encode(json.object{
        { "id", r.scenario.id }, { "title", r.scenario.title }, { "role", r.scenario.role },
        { "requirements", r.scenario.requirements }, { "clause", r.scenario.clause },
        { "verdict", r.verdict }, { "kind", r.kind }, { "message", r.message },
        { "detail", r.detail }, { "time", r.time }, { "repeat", r.repeat_index },
        { "profile", run.profile }, { "target", run.target }, { "seed", run.seed },
        { "trace", r.trace },
      }), "\n")
    end
    f:close()
  end
  io.stdout:write(string.format("summary: %d passed, %d failed, %d errors, %d skipped, %d inconclusive (of %d)%s\n",
    count.pass, count.fail, count.error, count.skip, count.inconclusive, #results,
    baseline and string.format("; %d known by the baseline", known) or ""))
  if #errors > 0 then return 2 end
  if unexpected > 0 then return 1 end
  return 0
end

return M
