--- replay_cmd: `mbmsct replay FILE --target T` — a capture replayed toward a started target,
-- as one scenario run by the campaign runner's machinery (runner.run_one, target.lua).
local replay = require("replay")
local profile = require("profile")
local target = require("target")
local runner = require("runner")
local junit = require("junit")

local M = {}

M.USAGE = [[
usage: mbmsct replay FILE --target T [--profile P] [--fresh] [--speed X | --topspeed]
       [--junit F] [--time-scale X] [--port-offset N] [--var NAME=VALUE]...
       [--map FROM=TO]... [--btid B] [-v]
        Replay the packets of a pcap/pcapng capture that the side opposite the
        target's role sent, toward the target (started like `mbmsct run` does),
        and match the target's replies against the captured ones: MIKEY over UDP
        on real UDP sockets, HTTP over TCP reassembled into the client's requests
        and sent over a new connection (statuses compared). Destinations are
        rewritten to the target's endpoints (--map FROM=TO adds rules, each
        IP:PORT, IP:* or *). --fresh re-protects each MIKEY message with the
        target's keys (new RAND, TS counter past the last one sent, MAC
        recomputed, IDi/IDr rewritten); without it the bytes go verbatim.
        --speed X plays the captured spacing X times faster; --topspeed sends
        as fast as possible (batches of sendmmsg). Prints packets sent, replies
        matched, differing and rejected (a captured reply that did not come,
        e.g. no verification for a replayed delivery) and the achieved rate.
        Exit 0 every reply matched, 1 differences or capture errors, 2 usage or
        harness errors.
]]

local VALUED = { ["--target"] = "target", ["--profile"] = "profile", ["--speed"] = "speed",
  ["--junit"] = "junit", ["--time-scale"] = "scale", ["--port-offset"] = "port_offset",
  ["--var"] = "var", ["--map"] = "map", ["--btid"] = "btid", ["--seed"] = "seed" }

local function parse(args, usage_error)
  local o = { scale = 1, vars = {}, map = {}, seed = 1 }
  local i = 1
  while i <= #args do
    local a = args[i]
    if a == "--help" or a == "-h" then o.help = true
    elseif a == "--fresh" then o.fresh = true
    elseif a == "--topspeed" then o.topspeed = true
    elseif a == "-v" or a == "--verbose" then o.verbose = true
    elseif VALUED[a] then
      local v = args[i + 1]
      if v == nil then return nil, usage_error(a .. " needs a value") end
      local k = VALUED[a]
      if k == "speed" or k == "scale" then
        local x = tonumber(v)
        if not x or x <= 0 or x == math.huge then return nil, usage_error(a .. ": '" .. v .. "' is not a positive number") end
        o[k] = x
      elseif k == "port_offset" or k == "seed" then
        local n = math.tointeger(tonumber(v))
        if not n or n < 0 then return nil, usage_error(a .. ": '" .. v .. "' is not a non-negative integer") end
        o[k] = n
      elseif k == "var" then
        local name, value = v:match("^([%w_]+)=(.*)$")
        if not name then return nil, usage_error("--var: '" .. v .. "' is not NAME=VALUE") end
        o.vars[name] = value
      elseif k == "map" then
        local from, to = v:match("^(.-)=(.+)$")
        if not from or not replay.endpoint(from) or not replay.endpoint(to) or to == "*" then
          return nil, usage_error("--map: '" .. v .. "' is not FROM=TO (each IP:PORT, [IPv6]:PORT, IP:* or *)")
        end
        o.map[from] = to
      else
        o[k] = v
      end
      i = i + 1
    elseif a:sub(1, 1) == "-" and a ~= "-" then
      return nil, usage_error("replay: unknown option '" .. a .. "'")
    elseif o.file then
      return nil, usage_error("replay: one capture FILE only (got '" .. o.file .. "' and '" .. a .. "')")
    else
      o.file = a
    end
    i = i + 1
  end
  if o.help then return o end
  if not o.file then return nil, usage_error("replay needs a capture FILE") end
  if not o.target then return nil, usage_error("replay needs --target FILE") end
  if o.speed and o.topspeed then return nil, usage_error("replay: --speed and --topspeed exclude each other") end
  return o
end

local function rate_str(r)
  if r == nil then return "-" end
  if r == math.huge then return "instant" end
  return string.format(r < 100 and "%.2f pkt/s" or "%.0f pkt/s", r)
end

function M.main(args, usage_error, home)
  local o = parse(args, usage_error)
  if not o then return 2 end
  if o.help then io.stdout:write(M.USAGE); return 0 end
  local function die(msg) io.stderr:write("mbmsct: ", msg, "\n"); return 2 end
  local capture = require("mbms.capture")
  local h, herr = capture.open(o.file)
  if not h then return die(o.file .. ": " .. tostring(herr)) end
  local cap = replay.collect(h, o.file)
  h:close()
  local tgt, terr = target.load(o.target)
  if not tgt then return die(terr) end
  local prof, perr = profile.load(o.profile or tgt.profile or "ts33246", home)
  if not prof then return die("profile: " .. perr) end
  if o.port_offset then target.shift_ports(tgt, prof, o.port_offset) end
  local plays = tgt.role == "ue" and "bmsc" or "ue"
  local span = 0
  if #cap.packets > 1 then span = cap.packets[#cap.packets].time - cap.packets[1].time end
  io.stdout:write(string.format("mbmsct: replay %s (%d packets, %.3f s) toward %s (%s); the harness sends the %s side, %s, %s\n",
    o.file, #cap.packets, span, tgt.name, tgt.role, plays, o.fresh and "freshened" or "verbatim",
    o.topspeed and "top speed" or string.format("speed %gx", o.speed or 1)))
  local net = require("mbms.net")
  local vars = { worker = "", port_offset = o.port_offset or 0, time_scale = o.scale, home = home,
    target_path = o.target, seed = o.seed, faults = "", exe = MBMSCT_EXE or (home .. "/build/mbmsct") }
  for k, v in pairs(o.vars) do vars[k] = v end
  os.execute("mkdir -p out")
  -- The target comes up as for `mbmsct run`: its ready probe, bounded.
  local handle, probe, uerr = target.start_ready(tgt, vars, net, "out/" .. tgt.name .. "-replay.log")
  if not handle then return die(probe) end   -- the message, when it could not start
  if uerr then
    target.stop(tgt, handle, vars, net)
    return die("target not responding: " .. tostring(uerr))
  end
  local stats
  local T = prof.timers
  -- Profile seconds enough for the captured spacing (wall, hence / scale) and every reply window.
  local timeout = (o.topspeed and 0 or span / (o.speed or 1)) / o.scale + 60 +
    (T.T_request + T.T_delivery + T.W_spread) * math.min(#cap.packets, 1000)
  local sc = { id = "replay", path = o.file, title = "replay of " .. o.file, role = plays, requirements = {},
    clause = "", needs = {}, timeout = timeout,
    run = function(t)
      local function first_problem()
        for _, n in ipairs(stats.notes) do if not n:match("^warning: ") then return n end end
      end
      stats = replay.run(t, { cap = cap, fresh = o.fresh, speed = o.speed, topspeed = o.topspeed, map = o.map,
        btid = o.btid })
      if stats.differing > 0 then
        t:fail{ kind = "field-mismatch", field = "replies", expected = "as captured",
          actual = stats.differing .. " differing", message = first_problem() }
      elseif stats.rejected > 0 then
        t:fail{ kind = "no-response", field = "replies", expected = "as captured",
          actual = stats.rejected .. " missing", message = first_problem() }
      end
    end }
  -- Each packet costs a bounded number of Lua instructions (decode, plan, send).
  local ctx = { net = net, profile = prof, target = tgt, seed = o.seed, scale = o.scale,
    budget = math.max(50000000, 2000 * #cap.packets) }
  local ok, result = pcall(runner.run_one, sc, ctx)
  target.stop(tgt, handle, vars, net)
  if not ok then return die("replay: " .. tostring(result)) end
  for _, e in ipairs(cap.errors) do io.stderr:write("mbmsct: ", e, "\n") end
  if o.verbose then
    for _, line in ipairs(result.trace) do io.stdout:write("  | ", line, "\n") end
  end
  if stats then
    local shown = 0
    for _, n in ipairs(stats.notes) do
      if shown < 20 or o.verbose then io.stdout:write("  ", n, "\n") end
      shown = shown + 1
    end
    if shown > 20 and not o.verbose then io.stdout:write(string.format("  ... %d more (-v shows all)\n", shown - 20)) end
    io.stdout:write(string.format("summary: %d packets sent, %d replies matched, %d differing, %d rejected, %d errors; rate %s (requested %s) over %.6f s\n",
      stats.sent, stats.matched, stats.differing, stats.rejected, stats.errors, rate_str(stats.rate),
      o.topspeed and "top speed" or rate_str(stats.requested_rate), stats.elapsed or 0))
  end
  if result.verdict ~= "pass" and result.detail then io.stdout:write(result.detail, "\n") end
  if o.junit then
    local jok, jerr = junit.write(o.junit, { target = tgt.name, profile = prof.name or "?", seed = o.seed, results = { result } })
    if not jok then return die("--junit: " .. tostring(jerr)) end
  end
  if result.verdict == "error" then return 2 end
  if result.verdict ~= "pass" or (stats and stats.errors > 0) then return 1 end
  return 0
end

return M
