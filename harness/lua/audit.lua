--- audit: `mbmsct audit` — passive conformance checks on captured key-update traffic.
--
-- Each capture file is scanned on its own (mbms.scan: TCP reassembled for HTTP, MIKEY on the
-- profile's and the keys file's ports) and fed to audit_rules; findings name the requirement
-- and the side (bmsc or ue). With --sut, findings against the other side are listed as
-- stimuli, not failures: a capture of a test run holds the harness's deliberate deviations.
local scan = require("mbms.scan")
local mikey = require("mbms.mikey")
local hex = require("mbms.hex")
local json = require("json")
local profile = require("profile")
local gba = require("gba")
local rules = require("audit_rules")
local junit = require("junit")

local M = {}

M.usage = [[
usage: mbmsct audit FILE|DIR... [--profile P] [--keys F] [--sut bmsc|ue]
                    [--time-scale X] [--port N]... [--junit F] [--json F] [-q]
  Check captured traffic between a BM-SC and UEs against what can be seen passively:
  every MIKEY message well-formed (KU-MK-01) and, with keys, MAC-valid (KU-MK-02) with the
  right IDi (KU-MK-03); TS counters per MUK and MTK IDs per MSK (KU-BM-10, KU-BM-14);
  deliveries after SUCCESS and none after a rejection (KU-BM-03..06, -09, -12); malformed
  bodies answered BAD_REQUEST (KU-BM-07); held keys answered as the profile's
  held_key_answer says (KU-BM-08); re-sends of unverified deliveries bounded (KU-BM-13); 401
  without credentials (KU-BM-01, -02); notice spreading (KU-BM-11); the UE's key requests
  after notices and MTK traffic (KU-UE-02..05, -14, -15), verifications (KU-UE-06, -07),
  leaving after a failed update unless a still-valid older key is held (KU-UE-08..12: a
  deregistration or an IGMP/MLD leave of the service's group, as the profile's
  leave.observable says), Digest username (KU-UE-16), no MIKEY errors (KU-UE-17).
  HTTP is found on any TCP port by its first bytes; MIKEY on the profile's mikey.ports, the
  keys file's *mikey_port fields and every --port N.
  A DIR argument audits each *.pcap / *.pcapng in it (sorted), each file on its own.
  --keys F     a target file (suites/targets/*.lua shape): subscribers' GBA material gives the
               MUKs, services' MSKs (with SEQl/SEQu) and bmsc.fqdn / harness.fqdn the IDi.
               Without keys, checks that need a key are not made.
  --sut ROLE   judge only the BM-SC or only the UE; the other side's findings are stimuli.
  --time-scale X  the timers and windows of the profile times X (a run with --time-scale X).
  --junit F    one testsuite per file, one testcase per requirement the audit checks.
  --json F     one JSON object per file: stats, findings, stimuli, undecided, notes.
  Exit 0 when no finding is against the judged side(s), 1 when some is, 2 on usage errors or
  when a file cannot be read (the other files are still audited).
]]

-- Requirements a passive audit checks (the rest need a stimulus the capture may not hold).
M.CHECKED = {
  "KU-MK-01", "KU-MK-02", "KU-MK-03",
  "KU-BM-01", "KU-BM-02", "KU-BM-03", "KU-BM-04", "KU-BM-05", "KU-BM-06", "KU-BM-07", "KU-BM-08",
  "KU-BM-09", "KU-BM-10", "KU-BM-11", "KU-BM-12", "KU-BM-13", "KU-BM-14",
  "KU-UE-02", "KU-UE-03", "KU-UE-04", "KU-UE-05", "KU-UE-06", "KU-UE-07", "KU-UE-08",
  "KU-UE-09", "KU-UE-10", "KU-UE-11", "KU-UE-12", "KU-UE-14", "KU-UE-15", "KU-UE-16", "KU-UE-17",
}

local function parse_args(args)
  local o = { files = {}, ports = {}, scale = 1 }
  local i = 1
  while i <= #args do
    local a = args[i]
    local v = args[i + 1]
    local takes = { ["--profile"] = true, ["--keys"] = true, ["--sut"] = true, ["--time-scale"] = true,
      ["--port"] = true, ["--junit"] = true, ["--json"] = true }
    if takes[a] then
      if v == nil then return nil, a .. " needs a value" end
      i = i + 1
    end
    if a == "--profile" then o.profile = v
    elseif a == "--keys" then o.keys = v
    elseif a == "--sut" then
      if v ~= "bmsc" and v ~= "ue" then return nil, "--sut must be bmsc or ue, not '" .. v .. "'" end
      o.sut = v
    elseif a == "--time-scale" then
      o.scale = tonumber(v)
      if not o.scale or o.scale <= 0 then return nil, "--time-scale needs a positive number, not '" .. v .. "'" end
    elseif a == "--port" then
      local p = math.tointeger(tonumber(v))
      if not p or p < 1 or p > 65535 then return nil, "--port: '" .. v .. "' is not a port number 1..65535" end
      o.ports[#o.ports + 1] = p
    elseif a == "--junit" then o.junit = v
    elseif a == "--json" then o.json = v
    elseif a == "-q" then o.quiet = true
    elseif a == "-h" or a == "--help" then o.help = true
    elseif a:sub(1, 1) == "-" then return nil, "unknown option " .. a
    else o.files[#o.files + 1] = a end
    i = i + 1
  end
  if #o.files == 0 and not o.help then return nil, "name at least one capture file or directory" end
  return o
end

local function is_dir(path)
  local f = io.open(path, "rb")
  if not f then return false end
  local _, _, code = f:read(0)
  f:close()
  return code == 21   -- EISDIR
end

--- Capture files named by the arguments; a directory gives its *.pcap and *.pcapng files.
local function expand(files)
  local out = {}
  for _, f in ipairs(files) do
    if is_dir(f) then
      local q = "'" .. f:gsub("'", "'\\''") .. "'"
      local p = io.popen("find " .. q .. " -maxdepth 1 -type f \\( -name '*.pcap' -o -name '*.pcapng' \\) | sort")
      local n = #out
      for line in p:lines() do out[#out + 1] = line end
      p:close()
      -- An empty directory is reported, not silently skipped.
      if #out == n then out[#out + 1] = { empty = f } end
    else
      out[#out + 1] = f
    end
  end
  return out
end

--- Keys from a target-shaped file: MUKs per B-TID, MSKs per Key ID, entitlements, IDi.
function M.load_keys(path, prof)
  local chunk, err = loadfile(path, "t", {})
  if not chunk then return nil, err end
  local ok, t = pcall(chunk)
  if not ok then return nil, path .. ": " .. tostring(t) end
  if type(t) ~= "table" then return nil, path .. ": does not return a table" end
  local fqdn = (t.bmsc and t.bmsc.fqdn) or (t.harness and t.harness.fqdn)
  local k = { subs = {}, known = {}, services = {}, fqdn = fqdn, ports = {}, group_svc = {},
    verify_resend = t.bmsc and t.bmsc.verify_resend }
  local flows = require("mbms")
  for i, s in ipairs(t.subscribers or {}) do
    if not s.btid then return nil, path .. ": subscribers[" .. i .. "] has no btid" end
    local keys, kerr = gba.keys(prof, flows.unhex(s), fqdn)
    if not keys then return nil, path .. ": subscriber " .. s.btid .. ": " .. kerr end
    local ent = {}
    for _, e in ipairs(s.entitled or {}) do ent[e] = true end
    k.subs[s.btid] = { muk = keys.muk, entitled = ent }
  end
  for i, s in ipairs(t.services or {}) do
    local kdid = s.kdid and hex.decode(s.kdid)
    if not kdid then return nil, path .. ": services[" .. i .. "].kdid is not hex" end
    k.services[#k.services + 1] = { id = s.id, kdid = kdid, group = s.group }
    if s.group then k.group_svc[s.group] = s.id end
    for j, m in ipairs(s.msks or {}) do
      local id, key = hex.decode(m.mskid or ""), hex.decode(m.key or "")
      if not id or not key then return nil, path .. ": services[" .. i .. "].msks[" .. j .. "] needs hex mskid and key" end
      k.known[kdid .. id] = { key = key, seql = m.seql or 0, sequ = m.sequ or 0, service = s.id }
    end
  end
  for _, side in ipairs({ "ue", "bmsc", "harness" }) do
    local s = t[side]
    if type(s) == "table" then
      for name, v in pairs(s) do
        if type(name) == "string" and name:match("mikey_port") and math.tointeger(v) then k.ports[#k.ports + 1] = v end
      end
    end
  end
  return k
end

local function rel(t, t0) return string.format("%.3f", t - (t0 or t)) end

--- Audits one file; returns a result table, or nil, message when it cannot be read at all.
function M.audit_file(path, prof, keys, o)
  local kd = prof.mikey.keyid
  local ports = {}
  local seen = {}
  for _, list in ipairs({ prof.mikey.ports or {}, keys and keys.ports or {}, o.ports }) do
    for _, p in ipairs(list) do if not seen[p] then seen[p] = true; ports[#ports + 1] = p end end
  end
  local fast
  for _, k in ipairs(prof.mikey.kinds) do if k.name == "mtk_delivery" then fast = k.name end end
  local h, err = scan.open(path, { rules = mikey.rules(prof.mikey), ports = ports, fast_kind = fast,
    kdid_len = kd.kdid_len, mskid_len = kd.mskid_len, mtkid_len = kd.mtkid_len })
  if not h then return nil, err end
  for kid, m in pairs(keys and keys.known or {}) do h:add_key(kid, m.key, m.seql, m.sequ) end
  local a = rules.new(prof, { keys = keys, scale = o.scale, scan = h })
  local t0, read_err
  while true do
    local ev, e = h:next()
    if not ev then read_err = e; break end
    t0 = t0 or ev.time
    a:event(ev)
  end
  local fast_findings, fast_total = h:findings()
  for _, f in ipairs(fast_findings) do
    a.findings[#a.findings + 1] = { req = f.req, actor = "bmsc", text = f.text, index = f.index, time = f.time }
  end
  local st = h:stats()
  -- Deadlines that passed before the last packet (whatever it was) are decided by it.
  if not read_err then a:advance(st.last_time) end
  a:finish()
  h:close()
  if read_err then a.notes[#a.notes + 1] = { text = "capture damaged, the audit stops here: " .. read_err } end
  table.sort(a.findings, function(x, y) return x.index < y.index end)
  local r = { file = path, stats = st, findings = {}, stimuli = {}, undecided = a.undecided, notes = a.notes,
    t0 = t0, dropped = fast_total - #fast_findings, read_error = read_err }
  for _, f in ipairs(a.findings) do
    if o.sut and f.actor ~= o.sut then r.stimuli[#r.stimuli + 1] = f else r.findings[#r.findings + 1] = f end
  end
  return r
end

local function print_result(r, quiet)
  local st = r.stats
  print(string.format("%s: %d packets, %d MIKEY (%d MTK on the fast path), %d HTTP messages, %d IGMP/MLD, %d damaged",
    r.file, st.packets, st.mikey, st.fast, st.http, st.mcast or 0, st.errors))
  for _, f in ipairs(r.findings) do
    print(string.format("  FAIL %s (%s) packet %d t=%s: %s", f.req, f.actor, f.index, rel(f.time, r.t0), f.text))
  end
  if r.dropped > 0 then print(string.format("  ... and %d more fast-path findings not listed", r.dropped)) end
  if not quiet then
    for _, f in ipairs(r.stimuli) do
      print(string.format("  stimulus %s (%s) packet %d t=%s: %s", f.req, f.actor, f.index, rel(f.time, r.t0), f.text))
    end
    for _, f in ipairs(r.undecided) do
      print(string.format("  undecided %s (%s) packet %d: %s", f.req, f.actor, f.index, f.text))
    end
    for _, n in ipairs(r.notes) do
      local where = (n.index and n.index > 0 and not n.text:match("^packet")) and (" packet " .. n.index) or ""
      print("  note" .. where .. ": " .. n.text)
    end
  end
end

local function finding_json(f, t0)
  return json.object{ { "req", f.req }, { "actor", f.actor }, { "packet", f.index },
    { "time", tonumber(rel(f.time or t0 or 0, t0)) }, { "text", f.text } }
end

local function result_json(r)
  local function list(l)
    local out = {}
    for i, f in ipairs(l) do out[i] = finding_json(f, r.t0) end
    return json.array(out)
  end
  local notes = {}
  for i, n in ipairs(r.notes) do notes[i] = n.text end
  local st = r.stats
  return json.encode(json.object{
    { "file", r.file }, { "read_error", r.read_error },
    { "stats", json.object{ { "packets", st.packets }, { "mikey", st.mikey }, { "fast", st.fast },
      { "http", st.http }, { "damaged", st.errors } } },
    { "findings", list(r.findings) }, { "unlisted_fast_findings", r.dropped }, { "stimuli", list(r.stimuli) },
    { "undecided", list(r.undecided) }, { "notes", json.array(notes) },
  })
end

--- JUnit: one testsuite per (file, requirement) in the shape junit.lua writes for scenarios.
local function junit_results(results, o, catalog)
  local out = {}
  for _, r in ipairs(results) do
    local by = {}
    for _, f in ipairs(r.findings) do
      by[f.req] = by[f.req] or {}
      table.insert(by[f.req], f)
    end
    for _, req in ipairs(M.CHECKED) do
      local actor = req:match("^KU%-BM") and "bmsc" or req:match("^KU%-UE") and "ue" or "both"
      if not o.sut or actor == "both" or actor == o.sut then
        local fs = by[req]
        local trace = {}
        for _, f in ipairs(fs or {}) do
          trace[#trace + 1] = string.format("packet %d t=%s (%s): %s", f.index, rel(f.time, r.t0), f.actor, f.text)
        end
        out[#out + 1] = {
          scenario = { id = "audit " .. r.file .. " " .. req, title = catalog[req] or req, role = actor,
            kind = "audit", requirements = { req }, clause = "", path = r.file },
          verdict = r.read_error and not fs and "error" or (fs and "fail" or "pass"),
          kind = fs and "violation" or (r.read_error and "capture" or nil),
          message = fs and (#fs .. " finding(s); first: " .. fs[1].text) or
            (r.read_error and ("capture damaged: " .. r.read_error) or "no violation observed"),
          detail = table.concat(trace, "\n"), trace = trace, time = 0, capture = r.file,
        }
      end
    end
  end
  return out
end

function M.main(args, usage_error, home)
  -- Every event is a short-lived table: the generational collector halves the audit's time
  -- on large captures (bench/audit.sh) against the default incremental one.
  collectgarbage("generational")
  local o, oerr = parse_args(args)
  if not o then return usage_error("audit: " .. oerr) end
  if o.help then io.write(M.usage); return 0 end
  local okp, prof, perr = pcall(profile.load, o.profile or "ts33246", home)
  if not okp or not prof then return usage_error("audit: --profile: " .. tostring(okp and perr or prof)) end
  local keys
  if o.keys then
    local kerr
    keys, kerr = M.load_keys(o.keys, prof)
    if not keys then return usage_error("audit: --keys " .. kerr) end
  end
  local catalog = {}
  local okc, cat = pcall(dofile, home .. "/suites/requirements.lua")
  if okc and type(cat) == "table" then
    for _, r in ipairs(cat) do catalog[r.id] = r.id .. " " .. r.text end
  end
  local results, status, jf = {}, 0, nil
  if o.json then
    local err
    jf, err = io.open(o.json, "w")
    if not jf then return usage_error("audit: --json: " .. err) end
  end
  for _, f in ipairs(expand(o.files)) do
    local r, err
    if type(f) == "table" then
      f, err = f.empty, f.empty .. ": no *.pcap or *.pcapng file in this directory"
    else
      r, err = M.audit_file(f, prof, keys, o)
    end
    if not r then
      io.stderr:write("mbmsct audit: " .. err .. "\n")
      r = { file = f, stats = { packets = 0, mikey = 0, fast = 0, http = 0, errors = 0 }, findings = {}, stimuli = {},
        undecided = {}, notes = {}, dropped = 0, read_error = err }
      status = 2
    else
      print_result(r, o.quiet)
      if #r.findings > 0 and status == 0 then status = 1 end
      if r.read_error then status = 2 end
    end
    results[#results + 1] = r
    if jf then jf:write(result_json(r), "\n") end
  end
  if jf then jf:close() end
  local nf, ns, nu = 0, 0, 0
  for _, r in ipairs(results) do nf, ns, nu = nf + #r.findings, ns + #r.stimuli, nu + #r.undecided end
  print(string.format("audit: %d file(s), %d finding(s)%s, %d stimulus finding(s), %d undecided",
    #results, nf, o.sut and (" against the " .. o.sut) or "", ns, nu))
  if o.junit then
    local ok, err = junit.write(o.junit, { target = "audit", profile = prof.name, seed = 0,
      results = junit_results(results, o, catalog) })
    if not ok then io.stderr:write("mbmsct audit: --junit: " .. tostring(err) .. "\n"); status = 2 end
  end
  return status
end

return M
