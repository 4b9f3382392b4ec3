-- engine.lua: the scenario engine end to end through the real CLI — verdict kinds, failure
-- shape with file:line, sandbox escapes refused, budget kill, metadata errors by path:line,
-- filters, JUnit valid against the project's XSD, JSON Lines, baselines, exit codes.
local MBMSCT = os.getenv("MBMSCT") or "build/mbmsct"
local tmp = os.tmpname()
os.remove(tmp)
assert(os.execute("mkdir -p " .. tmp))

local function run(args)
  local p = assert(io.popen(MBMSCT .. " " .. args .. " 2>&1; echo \"rc=$?\""))
  local out = p:read("a")
  p:close()
  local rc = tonumber(out:match("rc=(%d+)%s*$"))
  return rc, out
end

local function check(cond, what, out)
  if not cond then error(what .. "\n--- output ---\n" .. tostring(out), 2) end
end

local junit, jsonl = tmp .. "/junit.xml", tmp .. "/results.jsonl"
local rc, out = run("run --suites harness/tests/engine --target harness/tests/engine/targets/selftest.lua " ..
  "--time-scale 1 --seed 7 --junit " .. junit .. " --json " .. jsonl)
check(rc == 1, "failures give exit 1, got " .. tostring(rc), out)

-- Verdicts per scenario from the JSON Lines report.
local verdicts = {}
for line in io.lines(jsonl) do
  local id = line:match('"id":"([^"]+)"')
  verdicts[id] = { verdict = line:match('"verdict":"([^"]+)"'), kind = line:match('"kind":"([^"]+)"'),
    detail = line:match('"detail":"([^"]*)"') }
end
local want = {
  ["engine-pass"] = { "pass" }, ["engine-expect"] = { "pass" }, ["engine-sandbox"] = { "pass" },
  ["engine-fail-field"] = { "fail", "wrong-cause" }, ["engine-skip-needs"] = { "skip" },
  ["engine-inconclusive"] = { "inconclusive" }, ["engine-lua-error"] = { "error", "lua" },
  ["engine-budget"] = { "error", "budget" }, ["engine-no-response"] = { "fail", "no-response" },
  ["engine-timing"] = { "fail", "timing" }, ["engine-unexpected"] = { "fail", "unexpected-accept" },
}
for id, w in pairs(want) do
  local v = verdicts[id]
  check(v, id .. ": no result", out)
  check(v.verdict == w[1], id .. ": verdict " .. tostring(v.verdict) .. ", want " .. w[1], out)
  if w[2] then check(v.kind == w[2], id .. ": kind " .. tostring(v.kind) .. ", want " .. w[2], out) end
end

-- The one failure shape: "<id> <file>:<line>: <step>: <field>: expected X vs actual Y".
check(out:find("engine-fail-field harness/tests/engine/verdicts/fail_field.lua:6: compare cause: " ..
  "cause: expected UNKNOWN_KEY vs actual NOT_AUTHORIZED", 1, true), "failure shape", out)
check(out:find("0000  01 00 00 00 41 42 43", 1, true), "hex dump of the message concerned", out)
check(out:find("summary: 3 passed, 4 failed, 2 errors, 1 skipped, 1 inconclusive (of 11)", 1, true),
  "summary line", out)

-- JUnit: valid against the XSD when ../shared is present (CI has it beside the clone).
local xsd = "../shared/junit/jenkins-junit.xsd"
local f = io.open(xsd)
if f then
  f:close()
  local ok = os.execute("xmllint --noout --schema " .. xsd .. " " .. junit .. " 2>" .. tmp .. "/xmllint.txt")
  local msg = io.open(tmp .. "/xmllint.txt"):read("a")
  check(ok, "JUnit does not validate: " .. msg, out)
else
  io.stderr:write("\n  engine.lua: ../shared/junit/jenkins-junit.xsd absent: JUnit schema check skipped\n")
end
local jx = io.open(junit):read("a")
check(jx:find('<property name="requirements" value="KU-MK-01"/>', 1, true), "requirement property", jx)
check(jx:find('<property name="seed" value="7"/>', 1, true), "seed property", jx)
check(jx:find('classname="bmsc.verdicts"', 1, true), "classname role.suite", jx)
check(not jx:find("[\1-\8\11\12\14-\31]"), "no control characters in JUnit", jx)

-- -j 3: three worker processes give the same verdicts, in the same order, as -j 1.
local jsonl3 = tmp .. "/results-j3.jsonl"
rc, out = run("run --suites harness/tests/engine --target harness/tests/engine/targets/selftest.lua " ..
  "--seed 7 -j 3 --json " .. jsonl3)
check(rc == 1, "-j 3 exit status as -j 1", out)
check(out:find("3 worker(s), ports 100 apart", 1, true), "workers started", out)
local function verdict_lines(path)
  local t = {}
  for line in io.lines(path) do
    t[#t + 1] = (line:match('"id":"[^"]+"') or "") .. (line:match('"verdict":"[^"]+"') or "") ..
      (line:match('"kind":"[^"]+"') or "") .. (line:match('"message":"[^"]*"') or "")
  end
  return table.concat(t, "\n")
end
check(verdict_lines(jsonl) == verdict_lines(jsonl3), "-j 3 results identical to -j 1",
  verdict_lines(jsonl) .. "\n---\n" .. verdict_lines(jsonl3))
rc, out = run("run --suites harness/tests/loopback --target harness/tests/loopback/targets/loopback.lua -j 2")
check(rc == 2 and out:find("does not declare parallel", 1, true), "-j needs a parallel target", out)

-- Filters: tag, id glob, not, parentheses.
rc, out = run("run --suites harness/tests/engine --target harness/tests/engine/targets/selftest.lua " ..
  "--filter '(engine-p* or tag:selftest) and not engine-budget'")
check(rc == 0, "filtered run passes: " .. tostring(rc), out)
check(out:find("summary: 1 passed, 0 failed", 1, true), "filter selected one scenario", out)

-- Baseline: known failures do not fail the run; stale entries are reported.
local bl = tmp .. "/baseline.lua"
local bf = assert(io.open(bl, "w"))
bf:write('return { ["engine-fail-field"] = { verdict = "fail", reason = "known" },\n' ..
  '  ["engine-gone"] = { verdict = "fail", reason = "old" } }\n')
bf:close()
rc, out = run("run --suites harness/tests/engine --target harness/tests/engine/targets/selftest.lua " ..
  "--filter 'engine-fail-field or engine-pass' --baseline " .. bl)
check(rc == 0, "baseline absorbs the known failure: " .. tostring(rc), out)
check(out:find("stale baseline entries (no such scenario run): engine-gone", 1, true), "stale entry", out)

-- Metadata errors: named by path:line; list exits 1.
rc, out = run("list --suites harness/tests/engine_bad")
check(rc == 1, "broken files give exit 1", out)
for _, s in ipairs({ "unknown_req.lua:3: requirements: 'KU-XX-99' is not in the catalog",
    "bad_role.lua:3: role: 'server' must be", "typo_field.lua:3: requirement: unknown field",
    "missing_id.lua:1: missing field 'id'", "syntax.lua:3:", "'good-one' is already used by" }) do
  check(out:find(s, 1, true), "metadata error: " .. s, out)
end

-- Usage errors exit 2; so does a selection with nothing to run.
rc, out = run("run --suites harness/tests/engine --target harness/tests/engine/targets/selftest.lua --filter 'tag:nothing'")
check(rc == 2 and out:find("no scenario for a ue target matches", 1, true), "empty selection", out)
rc, out = run("run")
check(rc == 2, "run without --target is a usage error", out)
rc, out = run("run --target harness/tests/engine/targets/selftest.lua --filter 'tag:'")
check(rc == 2, "a bad filter is a usage error", out)
rc, out = run("run --target harness/tests/engine/targets/selftest.lua --time-scale 0")
check(rc == 2, "a zero time scale is a usage error", out)
rc, out = run("coverage --suites harness/tests/engine --strict")
check(rc == 1, "coverage --strict with uncovered requirements exits 1", out)
check(out:find("coverage: 1 of 35 requirements covered", 1, true), "coverage count", out)
os.execute("rm -rf " .. tmp)

-- The loopback self-test: the harness plays both sides of a full key update.
rc, out = run("run --suites harness/tests/loopback --target harness/tests/loopback/targets/loopback.lua --time-scale 0.5")
check(rc == 0, "loopback key update passes", out)
check(out:find("summary: 1 passed, 0 failed", 1, true), "loopback summary", out)

-- Evidence: --pcap-dir writes one capture per scenario with every packet the harness sent and
-- received (here both sides of the loopback key update: HTTP over TCP and MIKEY over UDP), and
-- the JUnit system-out names it.
do
  local dir = os.tmpname()
  os.remove(dir)
  local j = dir .. "-junit.xml"
  rc, out = run("run --suites harness/tests/loopback --target harness/tests/loopback/targets/loopback.lua " ..
    "--time-scale 0.5 --pcap-dir " .. dir .. " --junit " .. j)
  check(rc == 0, "loopback with --pcap-dir passes", out)
  local capture = require("mbms.capture")
  local r = assert(capture.open(dir .. "/loopback-key-update.pcap"))
  local udp, tcp, http = 0, 0, 0
  for p in r:packets() do
    if p.proto == "udp" then udp = udp + 1 end
    if p.proto == "tcp" then
      tcp = tcp + 1
      if p.payload:find("^POST /keymanagement") then http = http + 1 end
    end
  end
  r:close()
  -- Each side's view is recorded: the push, the verification, the HTTP exchanges.
  check(udp >= 4, "MIKEY datagrams in the evidence: " .. udp, out)
  check(http >= 4, "HTTP requests in the evidence: " .. http, out)
  local jx = io.open(j):read("a")
  check(jx:find("[[ATTACHMENT|" .. dir .. "/loopback-key-update.pcap]]", 1, true), "JUnit names the capture", jx)
  os.execute("rm -rf " .. dir .. " " .. j)
  -- With --repeat each repeat keeps its own evidence (<id>-<n>.pcap), none overwritten.
  rc, out = run("run --suites harness/tests/loopback --target harness/tests/loopback/targets/loopback.lua " ..
    "--time-scale 0.5 --repeat 2 --pcap-dir " .. dir)
  check(rc == 0, "loopback --repeat 2 with --pcap-dir passes", out)
  for _, n in ipairs({ 1, 2 }) do
    local f = io.open(dir .. "/loopback-key-update-" .. n .. ".pcap")
    check(f ~= nil, "evidence of repeat " .. n, out)
    if f then f:close() end
  end
  check(io.open(dir .. "/loopback-key-update.pcap") == nil, "no unnumbered evidence with --repeat", out)
  os.execute("rm -rf " .. dir)
end
