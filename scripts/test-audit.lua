-- test-audit.lua: the offline audit against the capture corpus (make check).
-- Usage: mbmsct lua scripts/test-audit.lua
--   * conformant campaign captures: no finding against the side under test;
--   * each fault's captures: a finding naming the requirement reference/README.md says the
--     fault violates (the table printed is the audit's fault matrix);
--   * crafted captures: reassembly, damage reported with the packet named, never a crash;
--   * the CLI: exit codes, JSON lines, JUnit valid against the project's XSD.
local audit = require("audit")
local profile = require("profile")

local home = MBMSCT_HOME or "."
local exe = MBMSCT_EXE or "build/mbmsct"
local CAP = "vectors/captures/"
local SCALE = 0.05   -- the corpus was recorded with --time-scale 0.05 (README there)
local prof = assert(profile.load("ts33246", home))
local bad, checks = 0, 0

local function check(ok, what)
  checks = checks + 1
  if not ok then
    bad = bad + 1
    print("FAIL " .. what)
  end
  return ok
end

local function sh(cmd)
  local p = io.popen(cmd .. " 2>&1; echo \"rc=$?\"")
  local out = p:read("a")
  p:close()
  return out, tonumber(out:match("rc=(%d+)%s*$"))
end

local function files(dir)
  local p = io.popen("find '" .. dir .. "' -maxdepth 1 -name '*.pcap' | sort")
  local out = {}
  for l in p:lines() do out[#out + 1] = l end
  p:close()
  return out
end

--- Audits every capture of a directory in-process; returns findings (against sut) by requirement.
local function audit_dir(dir, role)
  local o = { ports = {}, scale = SCALE, sut = role }
  local k = assert(audit.load_keys("suites/targets/reference-" .. role .. ".lua", prof, home))
  local by, n, list = {}, 0, files(dir)
  for _, f in ipairs(list) do
    local r, err = audit.audit_file(f, prof, k, o)
    if check(r ~= nil, f .. ": " .. tostring(err)) then
      for _, x in ipairs(r.findings) do
        by[x.req] = (by[x.req] or 0) + 1
        n = n + 1
        if role and dir:match("conformant") then print("  finding on a conformant capture: " .. f .. ": " .. x.req .. " " .. x.text) end
      end
    end
  end
  return by, n, #list
end

-- 1. Conformant campaigns.
for _, role in ipairs({ "bmsc", "ue" }) do
  local _, n, nf = audit_dir(CAP .. "conformant/" .. role, role)
  check(nf >= 25, "conformant/" .. role .. ": expected the campaign's captures, found " .. nf)
  check(n == 0, "conformant/" .. role .. ": " .. n .. " finding(s) against the " .. role)
  print(string.format("conformant %-4s %2d captures, %d findings against the %s", role, nf, n, role))
end

-- 2. Faults: the table of reference/README.md, as scripts/fault-matrix.lua reads it.
local faults, section = {}, nil
for line in io.lines("reference/README.md") do
  local s = line:match("^##%s+mbms%-(%a+)")
  if s then section = s end
  local name, req = line:match("^|%s*`?([%w%-]+)`?%s*|%s*(KU%-%u%u%-%d%d)")
  if name and section then faults[#faults + 1] = { name = name, req = req, role = section } end
end
check(#faults >= 19, "reference/README.md fault tables: " .. #faults .. " rows")
print(string.format("%-32s %-9s %s", "fault capture", "violates", "audit findings against the SUT"))
for _, f in ipairs(faults) do
  local dir = CAP .. "faults/" .. f.role .. "-" .. f.name
  local by, _, nf = audit_dir(dir, f.role)
  local names = {}
  for req, c in pairs(by) do names[#names + 1] = req .. (c > 1 and (" x" .. c) or "") end
  table.sort(names)
  local hit = by[f.req] ~= nil
  check(nf > 0, dir .. ": no capture")
  check(hit, dir .. ": the audit does not name " .. f.req)
  print(string.format("%-32s %-9s %s%s", f.role .. "-" .. f.name, f.req, hit and "" or "MISSED; ",
    #names > 0 and table.concat(names, ", ") or "none"))
end

-- 3. Crafted captures.
local C = CAP .. "crafted/"
local function one(name)
  local r, err = audit.audit_file(C .. name, prof, nil, { ports = {}, scale = 1 })
  return r, err
end
local r = one("exchange.pcap")
check(r and r.stats.http == 2 and r.stats.mikey == 1 and #r.findings == 0, "crafted/exchange.pcap: 2 HTTP, 1 MIKEY, no finding")
r = one("tcp-reordered.pcap")
check(r and r.stats.http == 2 and r.stats.errors == 0, "crafted/tcp-reordered.pcap reassembles to 2 HTTP messages")
r = one("tcp-closed.pcap")
check(r and r.stats.http == 4 and r.stats.errors == 0,
  "crafted/tcp-closed.pcap: a closed connection's late retransmission ignored, the 4-tuple reused: 4 HTTP messages")
r = one("exchange.pcapng")
check(r and r.stats.http == 2, "crafted/exchange.pcapng: pcapng read like pcap")
r = one("tcp-gap.pcap")
check(r and r.stats.errors == 1 and r.notes[#r.notes].text:find("TCP segment lost", 1, true), "crafted/tcp-gap.pcap: lost segment reported")
r = one("snaplen-96.pcap")
check(r and r.stats.errors == 3, "crafted/snaplen-96.pcap: 3 cut packets reported")
r = one("bad-linktype.pcap")
check(r and r.stats.errors == 7, "crafted/bad-linktype.pcap: every packet reported")
for _, name in ipairs({ "truncated-record.pcap", "truncated.pcapng" }) do
  r = one(name)
  check(r and r.read_error and r.read_error:find("packet", 1, true), "crafted/" .. name .. ": damage named with its packet")
end
r = one("not-a-capture.pcap")
check(r == nil, "crafted/not-a-capture.pcap: refused")
-- Rule 6 observed as the profile says (§2.5): an IGMP leave of the service group counts with
-- leave.observable "igmp" or "either", not with "deregistration"; no leave fails either way.
do
  local live = "harness/tests/live/"
  local function ue08(file, pname)
    local p = assert(profile.load(pname, home))
    local k = assert(audit.load_keys(live .. "targets/live.lua", p))
    local res = assert(audit.audit_file(C .. file, p, k, { ports = {}, scale = 1, sut = "ue" }))
    for _, f in ipairs(res.findings) do if f.req == "KU-UE-08" then return true end end
    return false
  end
  check(ue08("igmp-leave.pcap", live .. "profiles/igmp.lua") == false, "IGMP leave counts as leaving (observable igmp)")
  check(ue08("igmp-leave.pcap", live .. "profiles/either.lua") == false, "IGMP leave counts as leaving (observable either)")
  check(ue08("igmp-leave.pcap", "ts33246") == true, "IGMP leave does not count when the profile observes deregistration")
  check(ue08("igmp-no-leave.pcap", live .. "profiles/igmp.lua") == true, "no leave at all: KU-UE-08 (observable igmp)")
end

-- The checks that judge a conformant capture clean do fire when their premise changes: under
-- a profile that wants held keys redelivered, the reference's NO_UPDATE_NEEDED is KU-BM-08; under
-- another media type, its accepted requests are KU-BM-07; with a lower re-send limit, KU-BM-13.
do
  local function findings(file, prof_over, keys_over)
    local p = assert(profile.load("ts33246", home))
    for k, v in pairs(prof_over or {}) do p[k] = v end
    local k = assert(audit.load_keys("suites/targets/reference-bmsc.lua", p))
    for kk, v in pairs(keys_over or {}) do k[kk] = v end
    local res = assert(audit.audit_file(CAP .. "conformant/bmsc/" .. file, p, k, { ports = {}, scale = SCALE, sut = "bmsc" }))
    local by = {}
    for _, f in ipairs(res.findings) do by[f.req] = (by[f.req] or 0) + 1 end
    return by
  end
  check(findings("bm08-held-key.pcap")["KU-BM-08"] == nil, "bm08 capture: NO_UPDATE_NEEDED as the profile says")
  check(findings("bm08-held-key.pcap", { held_key_answer = "redeliver" })["KU-BM-08"] == 1,
    "bm08 capture under held_key_answer = redeliver: KU-BM-08")
  local http = assert(profile.load("ts33246", home)).http
  http.requests.msk.media_type = "application/x-other"
  check((findings("bm04-key-request.pcap", { http = http })["KU-BM-07"] or 0) >= 1,
    "bm04 capture under another msk media type: KU-BM-07")
  check(findings("bm07-not-xml.pcap")["KU-BM-07"] == nil, "bm07 capture: the malformed body answered BAD_REQUEST")
  check(findings("bm13-resend.pcap")["KU-BM-13"] == nil, "bm13 capture: re-sends within the limit")
  check(findings("bm13-resend.pcap", nil, { verify_resend = 1 })["KU-BM-13"] == 1,
    "bm13 capture with a re-send limit of 1: KU-BM-13")
end

-- 4. The CLI.
local tmp = os.tmpname()
local out, rc = sh(exe .. " audit " .. C .. "not-a-capture.pcap " .. C .. "exchange.pcap")
check(rc == 2 and out:find("unknown file format", 1, true) and out:find("exchange.pcap: 7 packets", 1, true),
  "CLI: a bad file exits 2 and the next file is still audited")
out, rc = sh(exe .. " audit --sut ue --time-scale " .. SCALE .. " --keys suites/targets/reference-ue.lua " ..
  CAP .. "faults/ue-no-leave --json " .. tmp .. ".json --junit " .. tmp .. ".xml")
check(rc == 1 and out:find("FAIL KU-UE-08", 1, true), "CLI: findings exit 1 and are printed")
local jf = io.open(tmp .. ".json")
local js = jf and jf:read("a") or ""
if jf then jf:close() end
check(js:find('"req":"KU-UE-08"', 1, true) and js:find('"actor":"ue"', 1, true), "CLI: --json holds the finding")
out, rc = sh("xmllint --noout --schema ../shared/junit/jenkins-junit.xsd " .. tmp .. ".xml")
check(rc == 0, "CLI: --junit validates against jenkins-junit.xsd: " .. out)
out, rc = sh(exe .. " audit --sut bmsc --time-scale " .. SCALE .. " --keys suites/targets/reference-bmsc.lua " ..
  CAP .. "conformant/bmsc")
check(rc == 0, "CLI: conformant BM-SC captures exit 0")
local empty = os.tmpname()
os.remove(empty)
os.execute("mkdir -p " .. empty)
out, rc = sh(exe .. " audit " .. empty)
check(rc == 2 and out:find("no *.pcap or *.pcapng file in this directory", 1, true), "CLI: an empty directory is reported")
os.execute("rmdir " .. empty)
out, rc = sh(exe .. " audit --sut nobody x.pcap")
check(rc == 2 and out:find("--sut must be bmsc or ue", 1, true), "CLI: usage errors name the option")
out, rc = sh(exe .. " audit --help")
check(rc == 0 and out:find("--keys F", 1, true), "CLI: --help")
os.remove(tmp); os.remove(tmp .. ".json"); os.remove(tmp .. ".xml")

print(string.format("audit tests: %d checks, %d failed", checks, bad))
return bad == 0 and 0 or 1
