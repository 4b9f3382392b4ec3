--- mbms: the key-update procedure in the spec's terms (key-update.md §1-§2), for scenarios.
--
-- Two emulations over real loopback sockets, both driven from a scenario's `t`:
--   mbms.bmsc(t [, o])  the harness plays the BM-SC (the SUT is a UE): it serves registration,
--                       deregistration and key requests over HTTP with Digest, pushes MSKs,
--                       solicits pulls and sends MTKs over MIKEY/UDP, and watches what the UE
--                       sends (queues b.http, b.mikey, b.auth).
--   mbms.ue(t, sub [, o]) the harness plays a UE (the SUT is a BM-SC): it registers, answers
--                       the Digest challenge, requests keys, receives and checks MIKEY, sends
--                       the verification message (queue u.mikey).
-- Every value the spec leaves open comes from t.profile; addresses and identities from
-- t.target. All waits go through the scheduler with deadlines.
local net = require("mbms.net")
local http = require("mbms.http")
local digest = require("mbms.digest")
local mikey = require("mbms.mikey")
local crypto = require("mbms.crypto")
local hex = require("mbms.hex")
local bodies = require("bodies")
local msg = require("mbmsmsg")
local gba = require("gba")

local M = {}
M.bodies = bodies

-- Connections ------------------------------------------------------------------------------

local Conn = {}
Conn.__index = Conn

local function wrap(t, c, kind)
  local conn = setmetatable({ t = t, c = c, parser = http.parser(kind), pending = {} }, Conn)
  -- The flow as evidence sees it (addresses from the harness's side).
  local lip, lport = c:local_addr()
  local pip, pport = c:peer()
  conn.flow = { src = lip, sport = lport, dst = pip, dport = pport }
  return conn
end

--- Sends all of data before the deadline; returns true or nil, message.
function Conn:send_all(data, deadline)
  local i = 1
  while i <= #data do
    -- A connection closed meanwhile (by a cleanup or the peer's task) is an answer, not a crash.
    local okc, n, err = pcall(self.c.send, self.c, data, i)
    if not okc then return nil, "closed" end
    if n then self.t:capture_tcp(self.flow, true, data:sub(i, i + n - 1)) end
    if n then i = i + n
    elseif err == "again" then
      local ok = self.t.sched:wait(self.c, "w", deadline)
      if not ok then return nil, "timeout sending" end
    else return nil, err end
  end
  return true
end

--- Reads the next HTTP message before the deadline: msg, or nil and "timeout" / "closed" /
-- a parse error.
function Conn:read(deadline)
  while #self.pending == 0 do
    local okc, data, err = pcall(self.c.recv, self.c, 65536)
    if not okc then return nil, "closed" end
    if data then
      self.t:capture_tcp(self.flow, false, data)
      local msgs, perr = self.parser:feed(data)
      if not msgs then return nil, "malformed HTTP: " .. perr end
      for _, m in ipairs(msgs) do self.pending[#self.pending + 1] = m end
    elseif err == "again" then
      local ok = self.t.sched:wait(self.c, "r", deadline)
      if not ok then return nil, "timeout" end
    elseif err == "closed" then
      local msgs, perr = self.parser:finish()
      if not msgs then return nil, "malformed HTTP at end of stream: " .. perr end
      for _, m in ipairs(msgs) do self.pending[#self.pending + 1] = m end
      if #self.pending == 0 then return nil, "closed" end
    else
      return nil, err
    end
  end
  return table.remove(self.pending, 1)
end

function Conn:close() pcall(self.c.close, self.c) end

--- Connects to ip:port before the deadline (a scenario task): Conn, or nil, message.
function M.connect(t, ip, port, deadline, source)
  local c, err = net.connect(ip, port, source)
  if not c then return nil, err end
  local ok, werr = t.sched:wait(c, "w", deadline)
  if not ok then c:close(); return nil, "connect to " .. ip .. ":" .. port .. ": " .. tostring(werr) end
  local done, cerr = c:connected()
  if not done then c:close(); return nil, "connect to " .. ip .. ":" .. port .. ": " .. tostring(cerr) end
  return wrap(t, c, "response")
end

-- Identities -------------------------------------------------------------------------------

--- The harness-side addresses: target.harness overrides, then the profile.
local function harness_addr(t)
  local h = t.target.harness or {}
  return h.ip or "127.0.0.1", h.http_port or t.profile.http.port, h.mikey_port
end

--- A subscriber's keys by B-TID (target.subscribers), computed once per scenario.
function M.subscriber(t, btid)
  t._subs = t._subs or {}
  if t._subs[btid] then return t._subs[btid] end
  for _, s in ipairs(t.target.subscribers or {}) do
    if s.btid == btid then
      local keys, err = gba.keys(t.profile, M.unhex(s), M.fqdn(t))
      if not keys then t:error("subscriber " .. btid .. ": " .. err) end
      local sub = { btid = s.btid, impi = s.impi, keys = keys, spec = s }
      t._subs[btid] = sub
      return sub
    end
  end
  return nil
end

--- The BM-SC FQDN (IDi, NAF id) of the target or harness.
function M.fqdn(t)
  local f = (t.target.bmsc and t.target.bmsc.fqdn) or (t.target.harness and t.target.harness.fqdn)
  if not f then t:error("the target declares no BM-SC FQDN (bmsc.fqdn or harness.fqdn)") end
  return f
end

--- Target files write key material as hex; returns a copy with bytes.
function M.unhex(s)
  local out = {}
  for k, v in pairs(s) do
    if (k == "ks" or k == "rand" or k == "ks_naf" or k == "mrk" or k == "muk") and type(v) == "string" then
      out[k] = assert(hex.decode(v), "subscriber field " .. k .. " is not hex")
    else
      out[k] = v
    end
  end
  return out
end

--- Every subscriber B-TID of the target entitled to a service (not expired), in file order.
function M.entitled(t, service)
  local out = {}
  for _, s in ipairs(t.target.subscribers or {}) do
    for _, e in ipairs(s.entitled or {}) do
      if e == service and not s.expired then out[#out + 1] = s.btid end
    end
  end
  return out
end

--- A subscriber B-TID of the target matching what a scenario needs: {entitled = service id}
-- (registered-able), {not_entitled = service id}, {expired = true}; skips the scenario when
-- the target declares none (the requirement cannot be exercised there).
function M.pick(t, want)
  for _, s in ipairs(t.target.subscribers or {}) do
    local ent = {}
    for _, e in ipairs(s.entitled or {}) do ent[e] = true end
    local ok = true
    if want.entitled and (not ent[want.entitled] or s.expired) then ok = false end
    if want.not_entitled and (ent[want.not_entitled] or s.expired) then ok = false end
    if want.expired ~= nil and (not s.expired) == want.expired then ok = false end
    if ok and want.other_than and s.btid == want.other_than then ok = false end
    if ok then return s.btid end
  end
  local d = {}
  for k, v in pairs(want) do d[#d + 1] = k .. "=" .. tostring(v) end
  t:skip("n/a: the target declares no subscriber with " .. table.concat(d, ", "))
end

--- A service of the target by id (or the first), with its keys as bytes.
function M.service(t, id)
  for _, s in ipairs(t.target.services or {}) do
    if id == nil or s.id == id then
      -- group: the multicast address the service's content goes to (an IGMP/MLD leave names it).
      local svc = { id = s.id, kdid = assert(hex.decode(s.kdid)), msks = {}, current = 1, group = s.group }
      for i, k in ipairs(s.msks or {}) do
        svc.msks[i] = { mskid = assert(hex.decode(k.mskid)), key = assert(hex.decode(k.key)),
          seql = k.seql or 0, sequ = k.sequ or 0xffff }
        if s.current and k.mskid == s.current then svc.current = i end
      end
      return svc
    end
  end
  t:error("target names no service" .. (id and (" '" .. id .. "'") or ""))
end

-- Harness plays the BM-SC --------------------------------------------------------------------

local Bmsc = {}
Bmsc.__index = Bmsc

--- Starts the BM-SC emulation: HTTP listener and MIKEY socket. o: auth (default true),
-- realm, qop, algorithm.
function M.bmsc(t, o)
  o = o or {}
  local ip, port, mport = harness_addr(t)
  local l, err = net.listen{ bind = ip, port = port }
  if not l then t:error("BM-SC emulation: " .. err) end
  local u, uerr = net.udp{ bind = ip, port = mport or 0 }
  if not u then l:close(); t:error("BM-SC emulation: " .. uerr) end
  local b = setmetatable({ t = t, prof = t.profile, listener = l, udp = u, auth = o.auth ~= false,
    realm = o.realm or M.fqdn(t), qop = o.qop or t.profile.http.digest.qop,
    algorithm = o.algorithm or t.profile.http.digest.algorithm, nonces = {}, counters = {},
    http = t:queue("http"), mikey = t:queue("mikey"), auth_events = t:queue("auth"), conns = {} }, Bmsc)
  t:cleanup(function() b:close() end)
  t:spawn(function() b:accept_loop() end, "bmsc-accept")
  t:spawn(function() b:udp_loop() end, "bmsc-udp")
  t:log("BM-SC emulation on http://%s:%d, MIKEY from %s:%d", ip, port, u:local_addr())
  return b
end

function Bmsc:close()
  for _, c in ipairs(self.conns) do c:close() end
  pcall(self.listener.close, self.listener)
  pcall(self.udp.close, self.udp)
end

--- Calls the non-blocking op() until the socket closes or the scenario's time is up, handing
-- each result to handle(); "again" waits for readiness through the scheduler.
local function pump(t, sock, op, handle)
  while true do
    local a, b, c = op()
    if a then
      handle(a, b, c)
    elseif b == "again" then
      if not t.sched:wait(sock, "r", t.until_) then return end
    else
      return
    end
  end
end

function Bmsc:accept_loop()
  local t = self.t
  pump(t, self.listener, function() return self.listener:accept() end, function(c, ip, port)
    local conn = wrap(t, c, "request")
    conn.peer_ip, conn.peer_port = ip, port
    self.conns[#self.conns + 1] = conn
    t:spawn(function() self:serve(conn) end, "bmsc-conn")
  end)
end

function Bmsc:udp_loop()
  local t = self.t
  pump(t, self.udp, function() return self.udp:recv() end, function(data, ip, port)
    local lip, lport = self.udp:local_addr()
    t:capture_udp(ip, port, lip, lport, data)
    local m, err = mikey.decode(data)
    -- KU-MK-01 on what the UE sends: it must parse and follow the profile's rules.
    if not m then
      t:wire_violation("KU-MK-01 MIKEY from the UE", err, data)
    else
      local viol, kind = mikey.validate(data, self.prof.mikey)
      if #viol > 0 then t:wire_violation("KU-MK-01 " .. tostring(kind) .. " from the UE", table.concat(viol, "; "), data) end
    end
    self.mikey:push({ what = m and ("MIKEY " .. (mikey.name("data_type", m.type) or m.type)) or
      ("malformed MIKEY: " .. err), bytes = data, msg = m, error = err, src = ip, sport = port,
      time = t.sched:now() })
  end)
end

--- Checks Digest credentials; returns the subscriber or nil and why.
function Bmsc:authenticate(req)
  local h = req.header["authorization"]
  if not h then return nil, "no credentials" end
  local p, err = digest.parse(h)
  if not p then return nil, "malformed Authorization: " .. err end
  local sub = M.subscriber(self.t, p.params.username or "")
  if not sub then return nil, "unknown B-TID " .. tostring(p.params.username) end
  if not self.nonces[p.params.nonce or ""] then return nil, "nonce not issued by this BM-SC" end
  local ok, why = digest.verify(p, { password = sub.keys.password, method = req.method, body = req.body,
    nonce = p.params.nonce,
    realm = self.realm, algorithm = self.algorithm })
  if not ok then return nil, why end
  return sub
end

function Bmsc:challenge(conn, why)
  local nonce = digest.nonce(16)
  self.nonces[nonce] = true
  local value = digest.challenge{ realm = self.realm, nonce = nonce, qop = self.qop, algorithm = self.algorithm }
  self.auth_events:push({ what = "401 sent: " .. why, why = why })
  return conn:send_all(http.response{ status = 401, headers = { { "WWW-Authenticate", value } } },
    self.t.until_)
end

function Bmsc:serve(conn)
  local t, prof = self.t, self.prof
  while true do
    local req, err = conn:read(t.until_)
    if not req then
      if err ~= "closed" and err ~= "timeout" then self.http:push({ what = err, error = err }) end
      conn:close()
      return
    end
    local sub, why = nil, nil
    if self.auth then sub, why = self:authenticate(req) end
    if self.auth and not sub then
      if not self:challenge(conn, why) then conn:close(); return end
    else
      local kind = bodies.request_kind(prof, req.target)
      local ev = { what = (kind or "other") .. " request " .. req.method .. " " .. req.target, kind = kind,
        req = req, sub = sub, conn = conn, bytes = req.body }
      local ctype = (req.header["content-type"] or ""):match("^%s*([^;%s]+)")
      ev.content_type = ctype
      if kind == "register" or kind == "deregister" then
        ev.services, ev.error = bodies.parse_register(prof, req.body, kind)
      elseif kind == "msk" then
        ev.keys, ev.error = bodies.parse_msk_request(prof, req.body)
      end
      self.http:push(ev)
    end
  end
end

--- Waits for an authenticated request of a kind ("register", "deregister", "msk").
-- opts: ignore(ev), on_timeout (failure kind), on_other.
function Bmsc:expect_request(kind, within, opts)
  opts = opts or {}
  local _, ev = self.t:expect(self.http, { { name = kind .. " request", match = function(e) return e.kind == kind end } },
    { within = within, ignore = opts.ignore, on_timeout = opts.on_timeout, on_other = opts.on_other,
      not_before = opts.not_before, describe = function(e) return e.what end })
  if ev.error then
    self.t:fail{ kind = "field-mismatch", field = kind .. " request body", expected = "well-formed", actual = ev.error }
  end
  return ev
end

--- Asks the target to perform a control action (join, leave, ...); a failing control is a
-- harness error, not a verdict on the SUT.
function M.trigger(t, action, vars)
  local ok, out = t:act(action, vars)
  if not ok then t:error("control '" .. action .. "' failed: " .. tostring(out)) end
  t:log("control %s: %s", action, (tostring(out):gsub("\n", " ")))
  return out
end

--- Drives the UE under test into a service: join trigger, registration answered SUCCESS.
-- Returns the BM-SC emulation's registration event and the subscriber.
function Bmsc:join(svc)
  local t = self.t
  t:step("UE joins " .. svc.id)
  M.trigger(t, "join", { service = svc.id })
  local reg = self:expect_request("register", t.timer.T_request)
  t:expect_eq("registered service", svc.id, reg.services and reg.services[1])
  self:answer_register(reg, "SUCCESS")
  return reg, reg.sub
end

--- Joins the UE under test and gives it an MSK (default: the service's first) with V=1,
-- waiting for its verification: the common starting point "joined, holding a key".
-- Returns the subscriber.
function Bmsc:join_with_key(svc, msk)
  local t = self.t
  local _, sub = self:join(svc)
  local d = self:push_msk(sub, { svc = svc, msk = msk or svc.msks[1], v = 1 })
  t:expect(self.mikey, { self:verification_of(d, sub) }, { within = t.timer.T_delivery,
    describe = function(e) return e.what end })
  return sub
end

-- Leaving the user service (key-update.md §2.5) ------------------------------------------------

--- The profile's leave observable, checked against what the run can see: "deregistration",
-- "igmp" (an IGMP/MLD leave of the service's group, seen by the live capture) or "either".
local function leave_observable(t, svc)
  local obs = (t.profile.leave or {}).observable or "deregistration"
  if obs ~= "deregistration" and obs ~= "igmp" and obs ~= "either" then
    t:error("profile leave.observable '" .. tostring(obs) .. "' is not deregistration, igmp or either")
  end
  if obs ~= "deregistration" then
    t:live_required("profile leave.observable = \"" .. obs .. "\"")
    if not svc.group then
      t:error("profile leave.observable = \"" .. obs .. "\" but the target's service " .. svc.id ..
        " declares no multicast group (services[].group)")
    end
  end
  return obs
end

--- Waits for the UE under test to leave svc within `within` (profile seconds), as the profile's
-- leave.observable says: a deregistration naming the service (answered SUCCESS), an IGMP/MLD
-- leave of svc.group on the live capture, or whichever comes first. A deregistration that does
-- not count ("igmp") is still answered. opts: ignore(ev) for other HTTP requests (default: key
-- requests), since (a live mark; default: like a queue, every live packet after the last one an
-- expectation took, so that a leave that came before the call counts).
-- Returns "deregistration" or "igmp" and the event or live packet.
function Bmsc:expect_leave(svc, within, opts)
  opts = opts or {}
  local t = self.t
  local obs = leave_observable(t, svc)
  local ignore = opts.ignore or function(e) return e.kind == "msk" end
  local since = obs ~= "deregistration" and (opts.since or t.live.consumed) or nil
  local start = t.sched:now()
  local deadline = start + t.sched:dur(within)
  local want = obs == "deregistration" and "deregistration of " .. svc.id or
    obs == "igmp" and "IGMP/MLD leave of " .. svc.group or
    "deregistration of " .. svc.id .. " or IGMP/MLD leave of " .. svc.group
  while true do
    while #self.http.items > 0 do
      local ev = table.remove(self.http.items, 1)
      if ev.kind == "deregister" then
        if ev.error then
          t:fail{ kind = "field-mismatch", field = "deregister request body", expected = "well-formed", actual = ev.error }
        end
        t:expect_eq("left service", svc.id, ev.services and ev.services[1])
        self:answer_register(ev, "SUCCESS")
        if obs ~= "igmp" then
          t:log("leave: deregistration after %.3f s", t.sched:now() - start)
          return "deregistration", ev
        end
        t:log("leave: deregistration answered (the profile counts only the IGMP/MLD leave)")
      elseif ignore(ev) then
        t:log("http: ignored %s", ev.what)
      else
        t:fail{ kind = "unexpected", field = "http", expected = want, actual = ev.what, bytes = ev.bytes }
      end
    end
    if since then
      local p = t:live_first({ leave = svc.group }, since)
      if p then
        t.live.consumed = math.max(t.live.consumed, p.seq)
        t:log("leave: %s after %.3f s", require("testctx").describe_packet(p), t.sched:now() - start)
        return "igmp", p
      end
    end
    if t.sched:now() >= deadline then
      t:fail{ kind = opts.on_timeout or "no-response", field = "leave", expected = want,
        actual = string.format("nothing within %.3f s", t.sched:dur(within)) }
    end
    t.sched:wait_any({ self.http.cond, since and t.live.cond or self.http.cond }, deadline)
  end
end

--- Fails if the UE under test leaves svc within `seconds` (profile): any HTTP request but the
-- ignored ones (default: key requests; a deregistration above all) and, when the profile's
-- leave.observable names IGMP, an IGMP/MLD leave of svc.group on the live capture (also one
-- that came before the call and no expectation took, as with a queue; opts.since overrides).
function Bmsc:expect_no_leave(svc, seconds, opts)
  opts = opts or {}
  local t = self.t
  local obs = leave_observable(t, svc)
  local ignore = opts.ignore or function(e) return e.kind == "msk" end
  local since = obs ~= "deregistration" and (opts.since or t.live.consumed) or nil
  local deadline = t.sched:now() + t.sched:dur(seconds)
  local want = string.format("no leave for %.3f s", t.sched:dur(seconds))
  while true do
    while #self.http.items > 0 do
      local ev = table.remove(self.http.items, 1)
      if not ignore(ev) then
        t:fail{ kind = "unexpected", field = "http", expected = want, actual = ev.what, bytes = ev.bytes }
      end
    end
    if since then
      local p = t:live_first({ leave = svc.group }, since)
      if p then
        t:fail{ kind = "unexpected", field = "live " .. t.live.iface, expected = want,
          actual = require("testctx").describe_packet(p), bytes = p.frame }
      end
    end
    if t.sched:now() >= deadline then break end
    t.sched:wait_any({ self.http.cond, since and t.live.cond or self.http.cond }, deadline)
  end
  t:log("leave: none for %.3f s (%s)", t.sched:dur(seconds), obs)
end

--- Answers a request event with an HTTP response {status=, body=, content_type=}.
function Bmsc:respond(ev, r)
  local headers = {}
  if r.content_type then headers[1] = { "Content-Type", r.content_type } end
  local ok, err = ev.conn:send_all(http.response{ status = r.status or 200, headers = headers,
    body = r.body or "" }, self.t:deadline(self.prof.timers.T_request))
  if not ok then self.t:error("answering " .. ev.what .. ": " .. err) end
end

--- Answers a (de)registration with one cause for every service it named.
function Bmsc:answer_register(ev, cause)
  local st = {}
  for i, s in ipairs(ev.services or {}) do st[i] = { service = s, cause = cause } end
  self:respond(ev, { status = 200, content_type = self.prof.http.responses.register,
    body = bodies.register_response(self.prof, st) })
end

--- Answers an MSK request: causes is a cause name for all keys, or a function(key) -> cause.
function Bmsc:answer_msk(ev, causes)
  local st = {}
  for i, k in ipairs(ev.keys or {}) do
    st[i] = { kdid = k.kdid, mskid = k.mskid, cause = type(causes) == "function" and causes(k) or causes }
  end
  self:respond(ev, { status = 200, content_type = self.prof.http.responses.msk,
    body = bodies.msk_response(self.prof, st) })
  return st
end

--- The UE's MIKEY address: target.ue, then the profile's port on the target's ip.
function Bmsc:ue_addr()
  local u = self.t.target.ue or {}
  return u.ip or "127.0.0.1", u.mikey_port or self.prof.mikey.ports[1]
end

function Bmsc:send_mikey(bytes, what)
  local ip, port = self:ue_addr()
  local ok, err = self.udp:send(bytes, ip, port)
  if not ok then self.t:error("sending " .. what .. " to " .. ip .. ":" .. port .. ": " .. err) end
  local lip, lport = self.udp:local_addr()
  self.t:capture_udp(lip, lport, ip, port, bytes)
  self.t:log("sent %s (%d bytes) to %s:%d", what, #bytes, ip, port)
end

local function next_counter(self, key)
  local c = (self.counters[key] or (self.prof.mikey.counter_start - 1)) + 1
  self.counters[key] = c
  return c
end
--- The next TS counter this emulation sends under a key ("muk:<B-TID>", "msk:<MSK ID hex>"):
-- past every one it sent before (a capture replay's freshness, harness/lua/replay.lua).
Bmsc.next_counter = next_counter

--- Pushes an MSK to the UE of subscriber sub: o = {svc=, msk= (entry of svc.msks), v=0|1,
-- counter= (override, e.g. to replay), muk= (override, e.g. a wrong key)}. Returns the bytes.
function Bmsc:push_msk(sub, o)
  local counter = o.counter or next_counter(self, "muk:" .. sub.btid)
  local m = msg.msk_delivery(self.prof, { csb_id = self.t:random(1, 0x7fffffff), counter = counter,
    rand = crypto.random(self.prof.mikey.rand_len), idi = o.idi or M.fqdn(self.t), idr = o.idr or sub.btid,
    kdid = o.svc.kdid, mskid = o.msk.mskid, msk = o.msk.key, seql = o.msk.seql, sequ = o.msk.sequ,
    v = o.v or 0 })
  local bytes = assert(mikey.protect(m, o.muk or sub.keys.muk))
  self:send_mikey(bytes, "MSK delivery " .. hex.encode(o.msk.mskid))
  return bytes
end

--- Solicited pull (notice) naming an MSK: o = {svc=, mskid=}.
function Bmsc:pull(sub, o)
  local m = msg.solicited_pull(self.prof, { csb_id = self.t:random(1, 0x7fffffff),
    counter = o.counter or next_counter(self, "muk:" .. sub.btid), rand = crypto.random(self.prof.mikey.rand_len),
    idi = M.fqdn(self.t), idr = sub.btid, kdid = o.svc.kdid, mskid = o.mskid })
  local bytes = assert(mikey.protect(m, o.muk or sub.keys.muk))
  self:send_mikey(bytes, "solicited pull " .. hex.encode(o.mskid))
  return bytes
end

--- MTK message under an MSK: o = {svc=, msk=, mtkid=, mtk=, counter=}.
function Bmsc:send_mtk(o)
  local m = msg.mtk_delivery(self.prof, { csb_id = self.t:random(1, 0x7fffffff),
    counter = o.counter or next_counter(self, "msk:" .. hex.encode(o.msk.mskid)),
    rand = crypto.random(self.prof.mikey.rand_len), kdid = o.svc.kdid, mskid = o.msk.mskid,
    mtkid = o.mtkid, mtk = o.mtk or crypto.random(16) })
  local bytes = assert(mikey.protect(m, o.msk.key))
  self:send_mikey(bytes, "MTK " .. o.mtkid)
  return bytes
end

--- An expectation outcome: a verification message valid for the delivery (V-MAC under MUK).
function Bmsc:verification_of(delivery, sub)
  local reading = self.prof.mikey.v_mac_reading
  return { name = "verification", match = function(ev)
    return ev.msg ~= nil and ev.msg.type == 1 and
      mikey.vmac_verify(reading, ev.bytes, delivery, sub.keys.muk) == true
  end }
end

-- Harness plays a UE: mbms_ue.lua adds M.ue (the emulation shares the receive loop `pump`).
require("mbms_ue")(M, pump)

return M
