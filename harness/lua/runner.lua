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
  ["--suites"] = "suites", ["--budget"] = "budget", ["--pcap-dir"] = "pcap_dir",
  ["--capture-iface"] = "capture_iface", ["--capture-filter"] = "capture_filter",
  -- Internal: how a parallel run drives its worker processes.
  ["--var"] = "var",
  ["--worker"] = "worker", ["--port-offset"] = "port_offset", ["--results-file"] = "results_file",
}

local function parse(args, usage_error)
  local o = { jobs = 1, scale = 1, repeat_n = 1, seed = nil, budget = 50000000, vars = {}, var_args = {} }
  local i = 1
  while i <= #args do
    local a = args[i]
    if a == "-v" or a == "--verbose" then o.verbose = true
    elseif OPTS[a] then
      local v = args[i + 1]
      if v == nil then return nil, usage_error(a .. " needs a value") end
      local k = OPTS[a]
      if k == "jobs" or k == "seed" or k == "repeat" or k == "budget" or k == "worker" or k == "port_offset" then
        local n = math.tointeger(tonumber(v))
        local min = (k == "seed" or k == "port_offset") and 0 or 1
        if not n or n < min then
          return nil, usage_error(a .. ": '" .. v .. "' is not a " .. (min == 0 and "non-negative" or "positive") .. " integer")
        end
        if k == "repeat" then o.repeat_n = n else o[k] = n end
      elseif k == "var" then
        local name, value = v:match("^([%w_]+)=(.*)$")
        if not name then return nil, usage_error("--var: '" .. v .. "' is not NAME=VALUE") end
        o.vars[name] = value
        o.var_args[#o.var_args + 1] = v
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
  if o.capture_filter and not o.capture_iface then
    return nil, usage_error("--capture-filter needs --capture-iface IFACE")
  end
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
  if ctx.pcap_dir then
    -- Evidence: every packet the harness sends or receives in this scenario (issue #6).
    local capture = require("mbms.capture")
    local path = ctx.pcap_dir .. "/" .. sc.id .. (ctx.repeat_index and ("-" .. ctx.repeat_index) or "") .. ".pcap"
    local w, werr = capture.create(path)
    if w then t.capture, result.capture = w, path else trace[#trace + 1] = "capture: " .. tostring(werr) end
  end
  if ctx.capture_iface then
    -- Live capture (issue #6): what the SUT exchanges with others (an IGMP leave, say) is
    -- evidence too, and scenarios can assert on it (t:expect_live). A capture that cannot
    -- start is this scenario's error; the campaign goes on.
    local capture = require("mbms.capture")
    local h, lerr = capture.live(ctx.capture_iface, { filter = ctx.capture_filter })
    if not h then
      if t.capture then t.capture:close() end
      result.verdict, result.kind, result.time = "error", "capture", 0
      result.message = "live capture (--capture-iface " .. ctx.capture_iface .. "): " .. tostring(lerr)
      return result
    end
    local lw
    if ctx.pcap_dir then
      local path = ctx.pcap_dir .. "/" .. sc.id .. (ctx.repeat_index and ("-" .. ctx.repeat_index) or "") .. ".live.pcap"
      local werr
      lw, werr = capture.create(path, h:linktype())
      if lw then result.live_capture = path else trace[#trace + 1] = "live capture: " .. tostring(werr) end
    end
    t:live_attach(h, lw, ctx.capture_iface)
  end
  local main = S:spawn(function() return sc.run(t) end, sc.id, t.hook)
  local ok, err, tb = S:run(main, started + limit)
  result.time = net.now() - started
  if ok and t.wire and #t.wire > 0 then
    -- KU-MK-*: every MIKEY message the SUT sent is checked, also those no step waited for.
    local v = t.wire[1]
    result.verdict, result.kind = "fail", v.kind
    result.message = v.field .. ": expected " .. v.expected .. " vs actual " .. tostring(v.actual)
    result.detail = testctx.format(sc.id, setmetatable(v, testctx.VERDICT))
  elseif ok then
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
  -- Cleanups may talk to the SUT (a deregistration), so they run as a task of the same loop,
  -- with a short budget of their own; whatever they leave undone is logged.
  S.tasks, S.failed = {}, nil
  local cm = S:spawn(function() t:run_cleanups() end, "cleanup", t.hook)
  local cok, cerr = S:run(cm, net.now() + S:dur(ctx.profile.timers.T_request or 5) + 1)
  if not cok then trace[#trace + 1] = "cleanup did not finish: " .. tostring(cerr) end
  -- The evidence ends with one status exchange on the target's control socket: it marks when
  -- the harness stopped observing, so that an offline audit (mbmsct audit) can tell "nothing
  -- came within the window" from "the capture ended before the window did".
  local st = ctx.target.control.status
  if t.capture and type(st) == "table" and st.socket and st.socket:match("^tcp:") then
    local host, port = tostring(target.expand(st.socket, {}, ctx.target) or ""):match("^tcp:([^:]+):(%d+)$")
    local flow
    target.act(ctx.target, "status", {}, net, 2, function(out, data, c)
      if not flow then
        local lip, lport = c:local_addr()
        flow = { src = lip, sport = lport, dst = host, dport = tonumber(port) }
      end
      t:capture_tcp(flow, out, data)
    end)
  end
  if t.capture then
    local ok2, cerr2 = t.capture:close()
    if not ok2 then trace[#trace + 1] = "capture: " .. tostring(cerr2) end
  end
  if t.live then
    local st, serr = t:live_close()
    if st then
      result.live_stats = st
      trace[#trace + 1] = string.format("live capture on %s%s: %d packets, %d dropped by the kernel, %d by the interface",
        ctx.capture_iface, ctx.capture_filter and (" (" .. ctx.capture_filter .. ")") or "", st.received, st.dropped,
        st.if_dropped)
    else
      trace[#trace + 1] = "live capture: " .. tostring(serr)
    end
  end
  return result
end

local SYM = { pass = "PASS", fail = "FAIL", error = "ERROR", skip = "SKIP", inconclusive = "INCONCL" }

--- Runs the scenarios against one instance of the target; report(r, n) is called per result.
local function execute(ctx, selected, repeat_n, vars, report)
  local net, tgt = ctx.net, ctx.target
  os.execute("mkdir -p out")
  local handle, probe, uerr = target.start_ready(tgt, vars, net,
    "out/" .. tgt.name .. (vars.worker and ("-" .. vars.worker) or "") .. ".log")
  if not handle then return nil, probe end
  local results, dead = {}, uerr
  -- Whatever happens below, the SUT started here is stopped again.
  local ok, err = pcall(function()
  for rep = 1, repeat_n do
    -- Each repeat's evidence goes to its own file (<id>-<n>.pcap), never over the last one's.
    ctx.repeat_index = repeat_n > 1 and rep or nil
    for _, sc in ipairs(selected) do
      local r
      -- Sanity probe before each scenario: a dead target turns the rest into quick errors.
      if not dead then
        local alive, aerr = probe()
        if not alive then dead = aerr end
      end
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
      if repeat_n > 1 then r.repeat_index = rep end
      results[#results + 1] = r
      report(r, #results)
    end
  end
  end)
  target.stop(tgt, handle, vars, net)
  if not ok then error(err, 0) end
  return results
end

local function save_results(path, results)
  local f, err = io.open(path, "w")
  if not f then return nil, err end
  f:write("return {\n")
  for _, r in ipairs(results) do
    f:write(string.format("{ id = %q, verdict = %q, capture = %s, live_capture = %s, kind = %s, message = %s, detail = %s, time = %.17g, repeat_index = %s, trace = {",
      r.scenario.id, r.verdict, r.capture and string.format("%q", r.capture) or "nil",
      r.live_capture and string.format("%q", r.live_capture) or "nil", r.kind and string.format("%q", r.kind) or "nil",
      r.message and string.format("%q", r.message) or "nil", r.detail and string.format("%q", r.detail) or "nil",
      r.time or 0, tostring(r.repeat_index)))
    for _, line in ipairs(r.trace or {}) do f:write(string.format("%q,", line)) end
    f:write("} },\n")
  end
  f:write("}\n")
  return f:close()
end

local function shell_quote(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

--- Runs the selection in N worker processes, each with its own target instance and ports
-- (target.parallel.port_stride apart), and gathers their results in the -j 1 order.
local function execute_parallel(o, ctx, selected, home)
  local stride = ctx.target.parallel.port_stride
  local tmp = os.tmpname()
  os.remove(tmp)
  os.execute("mkdir -p " .. shell_quote(tmp))
  local parts = {}
  for i, sc in ipairs(selected) do
    local w = (i - 1) % o.jobs + 1
    parts[w] = parts[w] or {}
    table.insert(parts[w], sc.id)
  end
  local cmds = {}
  for w, ids in pairs(parts) do
    local args = { shell_quote(MBMSCT_EXE or (home .. "/build/mbmsct")), "run", "--target", shell_quote(o.target),
      "--seed", o.seed, "--time-scale", string.format("%.17g", o.scale), "--repeat", o.repeat_n,
      "--budget", o.budget, o.pcap_dir and ("--pcap-dir " .. shell_quote(o.pcap_dir)) or "", "--filter", shell_quote(table.concat(ids, " or ")),
      "--worker", w, "--port-offset", (w - 1) * stride,
      "--results-file", shell_quote(tmp .. "/w" .. w .. ".lua") }
    if o.profile then args[#args + 1] = "--profile " .. shell_quote(o.profile) end
    for _, v in ipairs(o.var_args) do args[#args + 1] = "--var " .. shell_quote(v) end
    if o.suites then args[#args + 1] = "--suites " .. shell_quote(o.suites) end
    if o.capture_iface then args[#args + 1] = "--capture-iface " .. shell_quote(o.capture_iface) end
    if o.capture_filter then args[#args + 1] = "--capture-filter " .. shell_quote(o.capture_filter) end
    cmds[#cmds + 1] = "(" .. table.concat(args, " ") .. " > " .. shell_quote(tmp .. "/w" .. w .. ".out") .. " 2>&1 ; echo worker " .. w .. " done)"
  end
  io.stdout:write(string.format("mbmsct: %d worker(s), ports %d apart\n", #cmds, stride))
  local p = io.popen("( " .. table.concat(cmds, " & ") .. " & wait )", "r")
  for line in p:lines() do io.stdout:write("mbmsct: ", line, "\n") end
  p:close()
  local by_key = {}
  for w in pairs(parts) do
    local chunk = loadfile(tmp .. "/w" .. w .. ".lua", "t", {})
    if not chunk then
      local f = io.open(tmp .. "/w" .. w .. ".out")
      local out = f and f:read("a") or ""
      if f then f:close() end
      os.execute("rm -rf " .. shell_quote(tmp))
      return nil, "worker " .. w .. " produced no results:\n" .. out
    end
    for _, r in ipairs(chunk()) do by_key[r.id .. "#" .. tostring(r.repeat_index)] = r end
  end
  os.execute("rm -rf " .. shell_quote(tmp))
  local results = {}
  for rep = 1, o.repeat_n do
    for _, sc in ipairs(selected) do
      local key = sc.id .. "#" .. tostring(o.repeat_n > 1 and rep or nil)
      local r = by_key[key] or { verdict = "error", kind = "harness", message = "no result from its worker", trace = {} }
      r.scenario = sc
      results[#results + 1] = r
    end
  end
  return results
end

function M.main(args, usage_error, home)
  local o = parse(args, usage_error)
  if not o then return 2 end
  local function die(msg) io.stderr:write("mbmsct: ", msg, "\n"); return 2 end
  local tgt, terr = target.load(o.target)
  if not tgt then return die(terr) end
  local prof, perr = profile.load(o.profile or tgt.profile or "ts33246", home)
  if not prof then return die("profile: " .. perr) end
  if o.jobs > 1 and not (tgt.parallel and math.type(tgt.parallel.port_stride) == "integer") then
    return usage_error("-j " .. o.jobs .. ": target " .. tgt.name ..
      " does not declare parallel = { port_stride = N } (each worker needs its own ports)")
  end
  -- Parallel workers each get their own ports (key-update.md §2 leaves ports to profile and target).
  if o.port_offset then target.shift_ports(tgt, prof, o.port_offset) end
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
    budget = o.budget, pcap_dir = o.pcap_dir, capture_iface = o.capture_iface,
    capture_filter = o.capture_filter }
  if o.pcap_dir and not os.execute("mkdir -p '" .. o.pcap_dir:gsub("'", "'\\''") .. "'") then
    return die("--pcap-dir: cannot create " .. o.pcap_dir)
  end
  local total = #selected * o.repeat_n
  if total == 0 then
    return die(string.format("no scenario for a %s target%s (the harness plays %s)", tgt.role,
      o.filter and " matches --filter '" .. o.filter .. "'" or "", plays))
  end
  io.stdout:write(string.format("mbmsct: target %s (%s), profile %s, %d scenario(s), seed %d, time scale %g\n",
    tgt.name, tgt.role, prof.name or "?", total, o.seed, o.scale))

  local function report(r, n)
    local sc = r.scenario
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
    io.stdout:flush()
  end
  local results, xerr
  if o.jobs > 1 then
    results, xerr = execute_parallel(o, ctx, selected, home)
    if results then for n, r in ipairs(results) do report(r, n) end end
  else
    -- Placeholders of the target's commands: the run's facts, then --var NAME=VALUE.
    local vars = { worker = o.worker or "", port_offset = o.port_offset or 0, time_scale = o.scale,
      home = home, target_path = o.target, seed = o.seed, faults = "", exe = MBMSCT_EXE or (home .. "/build/mbmsct") }
    for k, v in pairs(o.vars) do vars[k] = v end
    results, xerr = execute(ctx, selected, o.repeat_n, vars, o.results_file and function() end or report)
  end
  if not results then return die(xerr) end
  if o.results_file then
    local ok, serr = save_results(o.results_file, results)
    if not ok then return die("--results-file: " .. tostring(serr)) end
    return 0
  end

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
        { "detail", r.detail }, { "time", r.time }, { "repeat", r.repeat_index }, { "capture", r.capture },
        { "live_capture", r.live_capture },
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
