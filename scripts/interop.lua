-- interop.lua: loopback interop test of the reference UE (build/mbms-ue) against the reference
-- BM-SC (build/mbms-bmsc); `make interop`, part of `make check`.
-- Usage: mbmsct lua scripts/interop.lua [--ue-fault NAME]... [--bmsc-fault NAME]... [--time-scale X]
-- (--ue-fault / --bmsc-fault start that program with `--fault NAME`; default time scale 0.05).
--
-- Both configurations come from reference/gen-conf.lua and the target pair
-- harness/tests/interop/{bmsc,ue}.lua: BM-SC HTTP/control 28340/28341, UE MIKEY/control
-- 29340/29341, clear of suites/targets/* at any worker or slot offset, so the test can run while
-- campaigns (`make run`, `make faults`) run. Both programs start in the background, their pids
-- recorded (and written to out/interop/*.pid); they are stopped at the end whatever happened
-- (`quit`, then SIGTERM, then SIGKILL), and a later run ends those a killed run left behind.
-- Everything is checked through the two `status` control commands, polled every 10 ms against
-- a deadline (a few seconds at most). The steps (a failed step ends the run: the later ones
-- build on it):
--   start     both programs answer `status`
--   join      `join svc1` at the UE: UE state joined; the B-TID registered at the BM-SC
--   push      the UE holds MSK 00010002 (SEQ 1..4095) verified, without having sent a key
--             request (so it was pushed); no verification pending at the BM-SC
--   notice    `rotate svc1` answers one notice; the UE schedules a key request for 00010003,
--             trigger notice, after a random back-off (state scheduled, 0 < in_ms <= W_spread)
--   rotation  the UE holds 00010003 (SEQ 4096..8191) verified after exactly one key request;
--             the BM-SC's current MSK is 00010003, no verification pending
--   mtk x2    `mtk svc1`: MTK 4096, then 4097 accepted under 00010003; last_mtk_id
--             null -> 4096 -> 4097; the BM-SC's next MTK ID follows
--   rejected  a key request the BM-SC refuses (below)
--   leave     rule 6: the UE leaves svc1 (idle, no MSK of the Key Domain, one leave) and the
--             BM-SC no longer lists the B-TID as registered: the deregistration arrived
--
-- The rejected request: which path, and why. The reference BM-SC refuses a key request with
-- UNKNOWN_KEY (a key it does not know), NOT_AUTHORIZED (a known key of a service the UE is not
-- registered for), NOT_AVAILABLE (an MSK older than the current one) or NO_UPDATE_NEEDED (the
-- current MSK, already held). `rotate` with the list exhausted is refused on the control line
-- only: no UE request is involved. UNKNOWN_KEY needs traffic under a key the BM-SC does not
-- know, which it never sends (the test would have to forge it). NOT_AVAILABLE needs a second
-- rotation racing the back-off of the first notice, and the next notice then brings the newer
-- key anyway; NO_UPDATE_NEEDED needs the UE to ask for a key the BM-SC believes it holds, which
-- a conformant pair never does. Either way rule 6 would take its "stay" branch or depend on
-- timing. Chosen path, deterministic and without any fault switch: Key Domain 00f110 also
-- carries svc2, a service the subscriber is not entitled to (so never registered for), whose
-- MSK 00020001 covers MTK IDs 8192..12287, right after svc1's last SEQu (8191). `mtk svc2`
-- sends MTK 8192 to mtk_dest (the UE's MIKEY port): traffic of the UE's Key Domain under an
-- MSK it lacks (missed-key trigger, rule 2c). The UE asks for 00f110/00020001 at once and the
-- BM-SC answers NOT_AUTHORIZED. The traffic (8192) has moved beyond the SEQu of both MSKs the
-- UE holds (4095, 8191), so it holds no still-valid older key and must leave (rule 6,
-- KU-UE-08). The rejected step checks, through `status`: one more key request, none pending,
-- 00020001 not held, the UE not registered for svc2, no MIKEY to the UE since (its TS counter
-- at the BM-SC unchanged: nothing delivered on the refusal); and, since no status names a
-- cause, the BM-SC's decision log line `key request <B-TID> 00f110/00020001 -> NOT_AUTHORIZED`.
--
-- Fault check: `--ue-fault no-leave` must fail the leave step (the UE stays joined, the BM-SC
-- keeps the registration) with every earlier step passing. Logs, configurations and pid files:
-- out/interop/. Output: one "ok - ..." / "FAIL - ...: X expected A vs actual B" line per step,
-- then "interop: N passed, M failed"; the chunk returns 0 when nothing failed, else 1.
local net = require("mbms.net")
local target = require("target")
local profile = require("profile")

local home = MBMSCT_HOME or "."
local exe = MBMSCT_EXE or "build/mbmsct"
local bindir = exe:match("^(.*)/[^/]*$") or (home .. "/build")

local ue_faults, bmsc_faults, scale = {}, {}, "0.05"
do
  local i = 1
  while i <= #arg do
    local a, v = arg[i], arg[i + 1]
    if a == "--ue-fault" and v then ue_faults[#ue_faults + 1] = v; i = i + 1
    elseif a == "--bmsc-fault" and v then bmsc_faults[#bmsc_faults + 1] = v; i = i + 1
    elseif a == "--time-scale" and v and tonumber(v) then scale = v; i = i + 1
    else
      io.stderr:write("interop: usage: mbmsct lua scripts/interop.lua [--ue-fault NAME]... " ..
        "[--bmsc-fault NAME]... [--time-scale X]\n")
      return 2
    end
    i = i + 1
  end
end

local BMSC_TARGET = home .. "/harness/tests/interop/bmsc.lua"
local UE_TARGET = home .. "/harness/tests/interop/ue.lua"
local SVC1, SVC2 = "urn:example:mbms:svc1", "urn:example:mbms:svc2"
local KDID = "00f110"
local MSK_A, MSK_B, MSK_X = "00010002", "00010003", "00020001"

local btgt = assert(target.load(BMSC_TARGET))
local utgt = assert(target.load(UE_TARGET))
local prof = assert(profile.load(utgt.profile or "ts33246", home))
local BTID = utgt.ue.btid
local BMSC_CTL = string.format("tcp:%s:%d", btgt.bmsc.ip, btgt.bmsc.control_port)
local UE_CTL = string.format("tcp:%s:%d", utgt.ue.ip, utgt.ue.control_port)
-- The pair must agree: the UE talks to the BM-SC's HTTP address, the BM-SC sends to the UE's
-- MIKEY port.
assert(utgt.harness.http_port == btgt.bmsc.http_port and utgt.harness.ip == btgt.bmsc.ip,
  "interop targets: the UE's harness.http_port must be the BM-SC's bmsc.http_port")
assert(btgt.harness.ue_mikey_port == utgt.ue.mikey_port,
  "interop targets: the BM-SC's harness.ue_mikey_port must be the UE's ue.mikey_port")

local sc = tonumber(scale)
local T_leave = prof.timers.T_leave * sc
local W_spread = prof.timers.W_spread * sc
local T_req = prof.timers.T_request * sc + prof.timers.T_delivery * sc
-- Deadlines (seconds): generous against a loaded machine, bounded in every case.
local WAIT = 2 + 2 * T_req
local WAIT_ROTATION = 2 + 2 * W_spread + 2 * T_req
local WAIT_LEAVE = 1 + T_leave + T_req

local function sh_quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local outdir = home .. "/out/interop"
os.execute("mkdir -p " .. sh_quote(outdir))

-- --- a small JSON reader (status replies are one-line JSON objects) -----------------------------
local NULL = setmetatable({}, { __tostring = function() return "null" end })
local function json_decode(s)
  local pos = 1
  local function ws() pos = s:find("[^ \t\r\n]", pos) or #s + 1 end
  local function fail(msg) error(string.format("JSON at %d: %s", pos, msg), 0) end
  local value
  local function str()
    local out = {}
    pos = pos + 1
    while true do
      local c = s:sub(pos, pos)
      if c == "" then fail("unterminated string") end
      if c == '"' then pos = pos + 1; break end
      if c == "\\" then
        local e = s:sub(pos + 1, pos + 1)
        local map = { ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n", r = "\r", t = "\t" }
        if map[e] then out[#out + 1] = map[e]; pos = pos + 2
        elseif e == "u" then
          local h = s:sub(pos + 2, pos + 5)
          if not h:match("^%x%x%x%x$") then fail("bad \\u escape") end
          out[#out + 1] = utf8.char(tonumber(h, 16)); pos = pos + 6
        else fail("bad escape") end
      else
        out[#out + 1] = c; pos = pos + 1
      end
    end
    return table.concat(out)
  end
  value = function()
    ws()
    local c = s:sub(pos, pos)
    if c == "{" then
      local t = {}
      pos = pos + 1; ws()
      if s:sub(pos, pos) == "}" then pos = pos + 1; return t end
      while true do
        ws()
        if s:sub(pos, pos) ~= '"' then fail("object key expected") end
        local k = str(); ws()
        if s:sub(pos, pos) ~= ":" then fail("':' expected") end
        pos = pos + 1
        t[k] = value(); ws()
        local d = s:sub(pos, pos); pos = pos + 1
        if d == "}" then return t elseif d ~= "," then fail("',' or '}' expected") end
      end
    elseif c == "[" then
      local t = {}
      pos = pos + 1; ws()
      if s:sub(pos, pos) == "]" then pos = pos + 1; return t end
      while true do
        t[#t + 1] = value(); ws()
        local d = s:sub(pos, pos); pos = pos + 1
        if d == "]" then return t elseif d ~= "," then fail("',' or ']' expected") end
      end
    elseif c == '"' then return str()
    elseif s:sub(pos, pos + 3) == "true" then pos = pos + 4; return true
    elseif s:sub(pos, pos + 4) == "false" then pos = pos + 5; return false
    elseif s:sub(pos, pos + 3) == "null" then pos = pos + 4; return NULL
    else
      local num = s:match("^-?%d+%.?%d*[eE]?[-+]?%d*", pos)
      if not num or num == "" then fail("value expected") end
      pos = pos + #num
      return math.tointeger(tonumber(num)) or tonumber(num)
    end
  end
  local ok, v = pcall(function() local v = value(); ws(); if pos <= #s then fail("trailing data") end; return v end)
  if not ok then return nil, v end
  return v
end

-- --- processes --------------------------------------------------------------------------------
local procs = {}   -- { name=, pid=, log= }

-- Alive = exists and is not a zombie: the programs are orphans once the popen shell exits, and
-- their reaper may take a while, during which `kill -0` still succeeds.
local function alive(p)
  if not p.pid then return false end
  local f = io.open("/proc/" .. p.pid .. "/stat")
  if f then
    local st = f:read("l")
    f:close()
    local state = st and st:match("^%d+ %b() (%a)")
    return state ~= nil and state ~= "Z" and state ~= "X"
  end
  return os.execute("kill -0 " .. p.pid .. " 2>/dev/null") == true
end

local function tail(path, n)
  local lines = {}
  local f = io.open(path)
  if not f then return "(no log)" end
  for l in f:lines() do
    -- The test's own status polls say nothing: leave them out.
    if not l:find("control: status", 1, true) then
      lines[#lines + 1] = l
      if #lines > n then table.remove(lines, 1) end
    end
  end
  f:close()
  return table.concat(lines, "\n")
end

local function gen_conf(role, tpath, conf)
  local cmd = string.format("%s lua %s %s %s %s %s", sh_quote(exe),
    sh_quote(home .. "/reference/gen-conf.lua"), role, sh_quote(tpath), sh_quote(conf), scale)
  return os.execute(cmd .. " >/dev/null") == true
end

-- Starts a program in the background; its pid is recorded before anything else can fail.
-- Faults go on the command line (`--fault NAME`), as a product's operator would start it.
local function start(name, prog, conf, ctlspec, faults)
  local log = outdir .. "/" .. name .. ".log"
  local fl = {}
  for _, f in ipairs(faults) do fl[#fl + 1] = "--fault " .. sh_quote(f) end
  local p = io.popen(string.format("exec %s --conf %s %s > %s 2>&1 < /dev/null & echo $!",
    sh_quote(bindir .. "/" .. prog), sh_quote(conf), table.concat(fl, " "), sh_quote(log)), "r")
  local pid = p and tonumber(p:read("l"))
  if p then p:close() end
  local rec = { name = name, pid = pid, log = log, ctl = ctlspec }
  if pid then
    procs[#procs + 1] = rec
    local f = io.open(outdir .. "/" .. name .. ".pid", "w")
    if f then f:write(pid, "\n"); f:close() end
  end
  return rec
end

-- A run killed from outside (Ctrl-C reaches mbmsct, not the background programs) leaves its
-- programs holding the ports. The next run ends them: only the pid recorded in its pid file,
-- and only while that process is still this test's program with this test's configuration.
local function end_stale(name, conf)
  local f = io.open(outdir .. "/" .. name .. ".pid")
  if not f then return end
  local pid = tonumber(f:read("l") or "")
  f:close()
  os.remove(outdir .. "/" .. name .. ".pid")
  if not pid then return end
  local c = io.open("/proc/" .. pid .. "/cmdline")
  local cmd = c and c:read("a") or ""
  if c then c:close() end
  if cmd:find(name, 1, true) and cmd:find(conf, 1, true) then
    io.stderr:write(string.format("interop: ending %s (pid %d) left by an earlier run\n", name, pid))
    os.execute("kill " .. pid .. " 2>/dev/null; sleep 0.3; kill -9 " .. pid .. " 2>/dev/null")
  end
end

local function stop_all()
  for _, p in ipairs(procs) do
    if alive(p) then target.control_line(p.ctl, "quit", net, 1) end
  end
  local deadline = net.now() + 2
  for _, p in ipairs(procs) do
    while alive(p) and net.now() < deadline do net.sleep(0.02) end
    if alive(p) then os.execute("kill " .. p.pid .. " 2>/dev/null") end
  end
  deadline = net.now() + 1
  for _, p in ipairs(procs) do
    while alive(p) and net.now() < deadline do net.sleep(0.02) end
    if alive(p) then os.execute("kill -9 " .. p.pid .. " 2>/dev/null") end
    if not alive(p) then os.remove(outdir .. "/" .. p.name .. ".pid") end
  end
end

-- --- control and status -----------------------------------------------------------------------
local function ctl(spec, line)
  local ok, reply = target.control_line(spec, line, net, 5)
  return ok and reply or nil, reply
end

local function status(spec)
  local reply, err = ctl(spec, "status")
  if not reply then return nil, err end
  local js = reply:match("^OK (.*)$")
  if not js then return nil, "status reply: " .. reply end
  return json_decode(js)
end

local function find_msk(ust, mskid)
  for _, m in ipairs(ust.msks or {}) do
    if m.kdid == KDID and m.mskid == mskid then return m end
  end
end

local function svc_of(ust, id)
  for _, s in ipairs(ust.services or {}) do if s.id == id then return s end end
  return {}
end

local function registered(bst, svc, btid)
  local s = bst.services and bst.services[svc]
  for _, b in ipairs(s and s.registered or {}) do if b == btid then return true end end
  return false
end

local function pending_of(bst, mskid)
  for _, p in ipairs(bst.pending or {}) do if p.mskid == mskid then return p end end
end

local function show(v)
  if v == nil then return "nil" end
  if type(v) == "table" and v ~= NULL then
    local parts = {}
    for _, x in ipairs(v) do parts[#parts + 1] = show(x) end
    return "[" .. table.concat(parts, ",") .. "]"
  end
  return tostring(v)
end

-- One check: a condition with what was expected and what was seen.
local function expect(what, want, got, ok)
  if ok == nil then ok = (want == got) end
  return { ok = ok, what = what, want = want, got = got }
end

-- Polls both status replies (every 10 ms) until every check holds or the deadline passes; a
-- program that exited ends the wait at once. fn(u, b) returns a list of checks (expect(...)).
local function wait_for(deadline_s, fn)
  local deadline = net.now() + deadline_s
  local last
  while true do
    for _, p in ipairs(procs) do
      if not alive(p) then
        return false, { what = p.name .. " process", want = "running", got = "exited (see " .. p.log .. ")" }
      end
    end
    local u, uerr = status(UE_CTL)
    local b, berr = status(BMSC_CTL)
    if not u then last = { what = "UE status", want = "OK {json}", got = tostring(uerr) }
    elseif not b then last = { what = "BM-SC status", want = "OK {json}", got = tostring(berr) }
    else
      local bad = {}
      for _, c in ipairs(fn(u, b)) do
        if not c.ok then bad[#bad + 1] = c end
      end
      if #bad == 0 then return true, nil, u, b end
      last = bad
    end
    if net.now() >= deadline then return false, last end
    net.sleep(0.01)
  end
end

-- --- reporting ----------------------------------------------------------------------------------
local passed, failed = 0, 0
local function ok_line(name, note)
  passed = passed + 1
  print("ok - " .. name .. (note and (" (" .. note .. ")") or ""))
end
-- c: one check or a list of them (every unmet check of the last poll).
local function fail_line(name, c)
  failed = failed + 1
  if c.what then c = { c } end
  local parts = {}
  for _, x in ipairs(c) do
    parts[#parts + 1] = string.format("%s expected %s vs actual %s", x.what, show(x.want), show(x.got))
  end
  print(string.format("FAIL - %s: %s", name, table.concat(parts, "; ")))
end

local function log_has(p, needle)
  local f = io.open(p.log)
  if not f then return false end
  local s = f:read("a")
  f:close()
  return s:find(needle, 1, true) ~= nil
end

-- --- the steps ---------------------------------------------------------------------------------
local bmsc, ue
local steps = {}
local function step(name, fn) steps[#steps + 1] = { name = name, fn = fn } end

step("start: mbms-bmsc and mbms-ue answer status", function()
  local bconf, uconf = outdir .. "/bmsc.conf", outdir .. "/ue.conf"
  end_stale("mbms-bmsc", bconf)
  end_stale("mbms-ue", uconf)
  if not gen_conf("bmsc", BMSC_TARGET, bconf) then
    return false, expect("gen-conf bmsc", "exit 0", "failure", false)
  end
  if not gen_conf("ue", UE_TARGET, uconf) then
    return false, expect("gen-conf ue", "exit 0", "failure", false)
  end
  bmsc = start("mbms-bmsc", "mbms-bmsc", bconf, BMSC_CTL, bmsc_faults)
  ue = start("mbms-ue", "mbms-ue", uconf, UE_CTL, ue_faults)
  if not bmsc.pid or not ue.pid then return false, expect("pids", "two", "missing", false) end
  return wait_for(WAIT, function(u, b)
    return {
      expect("UE btid", BTID, u.btid),
      expect("UE joined", "[]", show(u.joined)),
      expect("BM-SC current MSK of svc1", MSK_A, b.services[SVC1] and b.services[SVC1].current),
    }
  end)
end)

step("join: UE joined " .. SVC1 .. ", registered at the BM-SC", function()
  local r, err = ctl(UE_CTL, "join " .. SVC1)
  if r ~= "OK joining " .. SVC1 then return false, expect("join reply", "OK joining " .. SVC1, r or err, false) end
  return wait_for(WAIT, function(u, b)
    return {
      expect("UE state of svc1", "joined", svc_of(u, SVC1).state),
      expect("BM-SC registered for svc1 includes " .. BTID, true, registered(b, SVC1, BTID)),
    }
  end)
end)

step("push: UE holds MSK " .. MSK_A .. " (SEQ 1..4095) pushed at the join, verified", function()
  return wait_for(WAIT, function(u, b)
    local m = find_msk(u, MSK_A) or {}
    return {
      expect("UE MSK " .. MSK_A .. " held", true, m.mskid ~= nil),
      expect("UE MSK " .. MSK_A .. " verified", true, m.verified),
      expect("UE MSK " .. MSK_A .. " SEQ", "1..4095", tostring(m.seql) .. ".." .. tostring(m.sequ)),
      -- Pushed, not obtained by the UE's own request after T_delivery (rule 2b).
      expect("UE key requests sent", 0, u.stats.requests),
      expect("BM-SC pending verification of " .. MSK_A, "none", pending_of(b, MSK_A) and "pending" or "none"),
      expect("BM-SC TS counter of " .. BTID, ">= 1",
        b.counters[BTID] and b.counters[BTID].last, b.counters[BTID] ~= nil and b.counters[BTID].last >= 1),
    }
  end)
end)

local backoff_ms
step("notice: rotate svc1, UE schedules its key request for " .. MSK_B .. " after a back-off", function()
  local want = string.format("OK rotate %s %s notices 1", SVC1, MSK_B)
  local r, err = ctl(BMSC_CTL, "rotate " .. SVC1)
  if r ~= want then return false, expect("rotate reply", want, r or err, false) end
  local ok, c = wait_for(WAIT_ROTATION, function(u)
    local p
    for _, x in ipairs(u.pending or {}) do if x.mskid == MSK_B then p = x end end
    if p and backoff_ms == nil and p.state == "scheduled" and tostring(p.trigger):match("^notice") then
      backoff_ms = p.in_ms
    end
    return {
      expect("a scheduled key request for " .. MSK_B .. " triggered by the notice", "seen",
        backoff_ms and "seen" or (p and (p.state .. " / " .. tostring(p.trigger)) or "none seen"), backoff_ms ~= nil),
      expect("back-off (in_ms) of that request", "> 0 and <= " .. math.floor(W_spread * 1000 + 0.5),
        backoff_ms, backoff_ms ~= nil and backoff_ms > 0 and backoff_ms <= W_spread * 1000 + 1),
    }
  end)
  return ok, c, ok and string.format("due in %d ms when first seen", backoff_ms) or nil
end)

step("rotation: UE holds MSK " .. MSK_B .. " (SEQ 4096..8191), verified, after one key request", function()
  return wait_for(WAIT_ROTATION, function(u, b)
    local m = find_msk(u, MSK_B) or {}
    return {
      expect("UE MSK " .. MSK_B .. " held", true, m.mskid ~= nil),
      expect("UE MSK " .. MSK_B .. " verified", true, m.verified),
      expect("UE MSK " .. MSK_B .. " SEQ", "4096..8191", tostring(m.seql) .. ".." .. tostring(m.sequ)),
      expect("UE pending key requests", 0, #(u.pending or {})),
      expect("UE key requests sent", 1, u.stats.requests),
      expect("BM-SC current MSK of svc1", MSK_B, b.services[SVC1].current),
      expect("BM-SC pending verification of " .. MSK_B, "none", pending_of(b, MSK_B) and "pending" or "none"),
    }
  end)
end)

local function mtk_step(want_id, prev)
  local r, err = ctl(BMSC_CTL, "mtk " .. SVC1)
  if r ~= "OK mtk " .. want_id then return false, expect("mtk reply", "OK mtk " .. want_id, r or err, false) end
  return wait_for(WAIT, function(u, b)
    local m = find_msk(u, MSK_B) or {}
    return {
      expect("UE last_mtk_id", want_id, u.last_mtk_id),
      expect("UE last_mtk_id advanced", "> " .. show(prev), u.last_mtk_id,
        math.type(u.last_mtk_id) == "integer" and (prev == NULL or u.last_mtk_id > prev)),
      expect("UE MTK ID under " .. MSK_B, want_id, m.mtk_id),
      expect("UE traffic MTK ID of svc1", want_id, svc_of(u, SVC1).traffic_mtk_id),
      expect("BM-SC next MTK ID of svc1", want_id + 1, b.services[SVC1].next_mtkid),
    }
  end)
end
step("mtk: UE accepts MTK 4096 under " .. MSK_B .. ", last MTK ID null -> 4096", function()
  return mtk_step(4096, NULL)
end)
step("mtk: UE accepts MTK 4097, last MTK ID 4096 -> 4097", function()
  return mtk_step(4097, 4096)
end)

local counter_before
step("rejected: MTK 8192 under svc2's " .. MSK_X .. " -> UE key request answered NOT_AUTHORIZED", function()
  local b0, berr = status(BMSC_CTL)
  if not b0 then return false, expect("BM-SC status", "OK {json}", berr, false) end
  counter_before = b0.counters[BTID] and b0.counters[BTID].last
  local r, err = ctl(BMSC_CTL, "mtk " .. SVC2)
  if r ~= "OK mtk 8192" then return false, expect("mtk reply", "OK mtk 8192", r or err, false) end
  local needle = string.format("key request %s %s/%s -> NOT_AUTHORIZED", BTID, KDID, MSK_X)
  return wait_for(WAIT, function(u, b)
    return {
      expect("BM-SC TS counter of " .. BTID .. " (no MIKEY after the refusal)", counter_before,
        b.counters[BTID] and b.counters[BTID].last),
      expect("UE key requests sent", 2, u.stats.requests),
      expect("UE pending key requests", 0, #(u.pending or {})),
      expect("UE MSK " .. MSK_X .. " held", false, find_msk(u, MSK_X) ~= nil),
      expect("UE MTKs accepted", 2, u.stats.mtk_accepted),
      expect("BM-SC registered for svc2 includes " .. BTID, false, registered(b, SVC2, BTID)),
      expect("BM-SC pending delivery of " .. MSK_X, "none", pending_of(b, MSK_X) and "pending" or "none"),
      expect("BM-SC log line", needle, log_has(bmsc, needle) and needle or "absent"),
    }
  end)
end)

step("leave: rule 6, UE leaves svc1 (no MSK covers MTK 8192); deregistered at the BM-SC", function()
  return wait_for(WAIT_LEAVE, function(u, b)
    local held = {}
    for _, m in ipairs(u.msks or {}) do if m.kdid == KDID then held[#held + 1] = m.mskid end end
    return {
      expect("UE state of svc1", "idle", svc_of(u, SVC1).state),
      expect("UE joined", "[]", show(u.joined)),
      expect("UE leaves", 1, u.stats.leaves),
      expect("UE MSKs held of " .. KDID, "[]", show(held)),
      expect("BM-SC registered for svc1", "[]", show(b.services[SVC1].registered)),
      expect("BM-SC TS counter of " .. BTID .. " (no MIKEY after the refusal)", counter_before,
        b.counters[BTID] and b.counters[BTID].last),
    }
  end)
end)

-- --- run -----------------------------------------------------------------------------------------
local t0 = net.now()
local ran, perr = pcall(function()
  for i, s in ipairs(steps) do
    local ok, c, note = s.fn()
    if ok then ok_line(s.name, type(note) == "string" and note or nil) else
      fail_line(s.name, c or { what = "step", want = "pass", got = "failure" })
      if i < #steps then
        print(string.format("# %d later step(s) not run: they build on this one", #steps - i))
      end
      break
    end
  end
end)
if not ran then
  failed = failed + 1
  print("FAIL - interop script error: expected none vs actual " .. tostring(perr))
end
stop_all()
if failed > 0 then
  print("# logs: " .. outdir .. "/mbms-bmsc.log, " .. outdir .. "/mbms-ue.log")
  for _, p in ipairs(procs) do
    print("# last lines of " .. p.log .. ":")
    for l in (tail(p.log, 8) .. "\n"):gmatch("([^\n]*)\n") do print("#   " .. l) end
  end
end
print(string.format("# %.2f s%s", net.now() - t0,
  #ue_faults + #bmsc_faults > 0 and (" (faults: ue " .. (#ue_faults > 0 and table.concat(ue_faults, ",") or "none") ..
  ", bmsc " .. (#bmsc_faults > 0 and table.concat(bmsc_faults, ",") or "none") .. ")") or ""))
print(string.format("interop: %d passed, %d failed", passed, failed))
return failed == 0 and 0 or 1
