-- live.lua: run --capture-iface end to end through the real CLI (harness/tests/live): the
-- scenario API on live packets, the flows library's leave observable ("igmp", "either",
-- "deregistration") against real IGMP that Linux sends on lo, the evidence files and their
-- JUnit attachments, and the errors: no live capture, no such interface, a bad filter.
local MBMSCT = os.getenv("MBMSCT") or "build/mbmsct"
local capture = require("mbms.capture")

local function run(args)
  local p = assert(io.popen(MBMSCT .. " " .. args .. " 2>&1; echo \"rc=$?\""))
  local out = p:read("a")
  p:close()
  return tonumber(out:match("rc=(%d+)%s*$")), out
end

local function check(cond, what, out)
  if not cond then error(what .. "\n--- output ---\n" .. tostring(out), 2) end
end

local dir = os.tmpname()
os.remove(dir)
assert(os.execute("mkdir -p " .. dir))
local BASE = "run --suites harness/tests/live --target harness/tests/live/targets/live.lua "
local FILTER = "--capture-filter 'igmp or udp port 12569' "

local function results(path)
  local v = {}
  for line in io.lines(path) do
    v[line:match('"id":"([^"]+)"')] = { verdict = line:match('"verdict":"([^"]+)"'),
      kind = line:match('"kind":"([^"]+)"'), message = line:match('"message":"([^"]*)"') }
  end
  return v
end

local function expect(v, id, verdict, kind, out)
  check(v[id], id .. ": no result", out)
  check(v[id].verdict == verdict, id .. ": verdict " .. tostring(v[id].verdict) .. ", want " .. verdict, out)
  if kind then check(v[id].kind == kind, id .. ": kind " .. tostring(v[id].kind) .. ", want " .. kind, out) end
end

-- Profile "igmp" with a live capture: the IGMP leave is the leave, a deregistration is not.
local j, jsonl = dir .. "/junit.xml", dir .. "/r.jsonl"
local rc, out = run(BASE .. "--profile harness/tests/live/profiles/igmp.lua --capture-iface lo " .. FILTER ..
  "--pcap-dir " .. dir .. " --junit " .. j .. " --json " .. jsonl)
check(rc == 1, "failures expected (exit 1), got " .. tostring(rc), out)
local v = results(jsonl)
expect(v, "live-udp", "pass", nil, out)
expect(v, "live-igmp-leave", "pass", nil, out)
expect(v, "live-igmp-silent", "fail", "no-response", out)
expect(v, "live-either-dereg", "fail", "no-response", out)
check(out:find("live-igmp-silent harness/tests/live/flows/igmp_silent.lua:18: no leave comes: leave: " ..
  "expected IGMP/MLD leave of 239.255.42.1 vs actual nothing within 0.500 s", 1, true), "failure shape", out)
-- Evidence: the live capture holds the IGMP join and leave, as Linux sent them on lo.
local r = assert(capture.open(dir .. "/live-igmp-leave.live.pcap"))
local joins, leaves = 0, 0
for p in r:packets() do
  for _, rec in ipairs(p.membership and p.membership.records or {}) do
    if rec.group == "239.255.42.1" and rec.action == "join" then joins = joins + 1 end
    if rec.group == "239.255.42.1" and rec.action == "leave" then leaves = leaves + 1 end
  end
end
r:close()
check(joins >= 1 and leaves >= 1, "IGMP join and leave in the live evidence: " .. joins .. "/" .. leaves, out)
local jx = io.open(j):read("a")
check(jx:find("[[ATTACHMENT|" .. dir .. "/live-igmp-leave.pcap]]", 1, true), "JUnit names the harness capture", jx)
check(jx:find("[[ATTACHMENT|" .. dir .. "/live-igmp-leave.live.pcap]]", 1, true), "JUnit names the live capture", jx)
check(jx:find('<property name="live_capture" value="' .. dir .. '/live-igmp-leave.live.pcap"/>', 1, true),
  "live_capture property", jx)
check(jx:find("live capture on lo (igmp or udp port 12569): ", 1, true), "statistics in the trace", jx)

-- Profile "either": the deregistration counts too.
rc, out = run(BASE .. "--profile harness/tests/live/profiles/either.lua --capture-iface lo " .. FILTER ..
  "--filter 'live-either-dereg or live-igmp-leave' --json " .. jsonl)
check(rc == 0, "either: both pass", out)
-- The default profile (deregistration) needs no live capture for a deregistration.
rc, out = run(BASE .. "--filter live-either-dereg --json " .. jsonl)
check(rc == 0, "deregistration profile without a live capture passes", out)

-- Profile "igmp" without --capture-iface: the scenario says what it needs.
rc, out = run(BASE .. "--profile harness/tests/live/profiles/igmp.lua --filter 'live-igmp-* or live-udp' --json " .. jsonl)
check(rc == 1, "errors give exit 1", out)
v = results(jsonl)
expect(v, "live-igmp-leave", "error", "capture", out)
check(v["live-igmp-leave"].message:find("this check observes live traffic; run with --capture-iface IFACE", 1, true),
  "t:expect_live names --capture-iface: " .. tostring(v["live-igmp-leave"].message), out)
expect(v, "live-igmp-silent", "error", "capture", out)
check(out:find('no leave comes: profile leave.observable = "igmp": this check observes live traffic; ' ..
  "run with --capture-iface IFACE", 1, true), "expect_leave names --capture-iface", out)
expect(v, "live-udp", "error", "harness", out)

-- A capture that cannot start: every scenario gets the error, the campaign goes on.
rc, out = run(BASE .. "--capture-iface mbmsct-nosuch0 --json " .. jsonl)
check(rc == 1, "no such interface: exit 1", out)
v = results(jsonl)
for _, id in ipairs({ "live-udp", "live-igmp-leave", "live-igmp-silent", "live-either-dereg" }) do
  expect(v, id, "error", "capture", out)
end
check(v["live-udp"].message:find("live capture (--capture-iface mbmsct-nosuch0): capture: mbmsct-nosuch0: ", 1, true),
  "message names the interface", out)
rc, out = run(BASE .. "--capture-iface lo --capture-filter 'udp and portt 5' --filter live-udp --json " .. jsonl)
v = results(jsonl)
expect(v, "live-udp", "error", "capture", out)
check(v["live-udp"].message:find("filter 'udp and portt 5'", 1, true), "message names the filter", out)
rc, out = run(BASE .. "--capture-filter igmp")
check(rc == 2 and out:find("--capture-filter needs --capture-iface", 1, true), "filter without interface", out)

os.execute("rm -rf " .. dir)
