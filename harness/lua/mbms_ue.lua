--- mbms_ue: the harness playing a UE (the SUT is a BM-SC), the half of the flows library that
-- mbms.lua loads into its module table: mbms.ue(t, btid [, o]) registers, answers the Digest
-- challenge, requests keys, receives and checks MIKEY and sends the verification message.
-- See mbms.lua for the library's conventions (profile values, target identities, deadlines).
local net = require("mbms.net")
local http = require("mbms.http")
local digest = require("mbms.digest")
local mikey = require("mbms.mikey")
local bodies = require("bodies")
local msg = require("mbmsmsg")

--- Adds M.ue to the flows module M; pump(t, sock, op, handle) is its non-blocking receive loop.
return function(M, pump)
  -- Harness plays a UE ------------------------------------------------------------------------

  local Ue = {}
  Ue.__index = Ue

  --- Starts a UE emulation for subscriber btid: o = {ip=, mikey_port=}.
  function M.ue(t, btid, o)
    o = o or {}
    local sub = M.subscriber(t, btid)
    if not sub then t:error("target has no subscriber with B-TID " .. tostring(btid)) end
    local ip = o.ip or (t.target.harness and t.target.harness.ip) or "127.0.0.1"
    local port = o.mikey_port or (t.target.harness and t.target.harness.ue_mikey_port) or t.profile.mikey.ports[1]
    local u, err = net.udp{ bind = ip, port = port }
    if not u then t:error("UE emulation: " .. err) end
    local ue = setmetatable({ t = t, prof = t.profile, sub = sub, udp = u, mikey = t:queue("mikey"),
      nc = 0, ip = ip }, Ue)
    t:cleanup(function() pcall(u.close, u) end)
    t:spawn(function() ue:udp_loop() end, "ue-udp")
    return ue
  end

  function Ue:udp_loop()
    local t = self.t
    pump(t, self.udp, function() return self.udp:recv() end, function(data, ip, port)
      local lip, lport = self.udp:local_addr()
      t:capture_udp(ip, port, lip, lport, data)
      self.mikey:push(self:classify(data, ip, port))
    end)
  end

  --- Decodes, validates against the profile and unprotects (MUK) a received MIKEY message.
  function Ue:classify(data, ip, port)
    -- time: when it was received (monotonic), for timing checks made later.
    local ev = { bytes = data, src = ip, sport = port, time = self.t.sched:now() }
    local m, err = mikey.decode(data)
    if not m then
      ev.what, ev.error = "malformed MIKEY: " .. err, err
      self.t:wire_violation("KU-MK-01 MIKEY from the BM-SC", err, data)
      return ev
    end
    ev.msg = m
    ev.violations, ev.kind = mikey.validate(data, self.prof.mikey)
    local u, uerr, why = mikey.unprotect(data, self.sub.keys.muk)
    ev.plain, ev.mac_ok = u, u ~= nil
    if not u then ev.unprotect_error, ev.unprotect_kind = uerr, why end
    ev.what = "MIKEY " .. tostring(ev.kind) .. (ev.mac_ok and "" or " (MAC not valid under the MUK)")
    -- KU-MK-01/02 on every message from the BM-SC, waited for or not. MTK messages are under an
    -- MSK, not the MUK: their MAC is checked where a scenario knows the MSK.
    if #ev.violations > 0 then
      self.t:wire_violation("KU-MK-01 " .. tostring(ev.kind) .. " from the BM-SC", table.concat(ev.violations, "; "), data)
    elseif not ev.mac_ok and ev.kind ~= "mtk_delivery" then
      self.t:wire_violation("KU-MK-02 " .. tostring(ev.kind) .. " MAC", tostring(ev.unprotect_error), data)
    end
    return ev
  end

  --- Sends the verification message answering a delivery event (from the same socket).
  function Ue:verify(ev)
    local v = msg.verification(self.prof, ev.msg)
    local bytes = assert(mikey.vmac_sign(self.prof.mikey.v_mac_reading, assert(mikey.encode(v)), ev.bytes,
      self.sub.keys.muk))
    local ok, err = self.udp:send(bytes, ev.src, ev.sport)
    if not ok then self.t:error("sending verification: " .. err) end
    local lip, lport = self.udp:local_addr()
    self.t:capture_udp(lip, lport, ev.src, ev.sport, bytes)
    return bytes
  end

  --- Joins (IP_ADD_MEMBERSHIP / IPV6_JOIN_GROUP) the multicast group of svc on the UE's address,
  -- as a UE receiving the service's content does; the kernel announces it with IGMP/MLD.
  function Ue:join_group(svc)
    if not svc.group then self.t:error("the target's service " .. svc.id .. " declares no group") end
    local ok, err = self.udp:join(svc.group, self.ip)
    if not ok then self.t:error("joining " .. svc.group .. ": " .. err) end
    self.t:log("UE joined multicast group %s on %s", svc.group, self.ip)
  end

  --- Leaves the multicast group of svc (the kernel sends the IGMP/MLD leave).
  function Ue:leave_group(svc)
    local ok, err = self.udp:leave(svc.group, self.ip)
    if not ok then self.t:error("leaving " .. svc.group .. ": " .. err) end
    self.t:log("UE left multicast group %s on %s", svc.group, self.ip)
  end

  --- One HTTP exchange with the BM-SC: kind ("register"|"deregister"|"msk"), body. o: auth
  -- (default true: answer a 401 Digest challenge once), credentials overrides {username=,
  -- password=, realm=, nonce=, uri=, response=}, content_type, within (profile seconds).
  -- Returns {status=, statuses=, body=, challenge=, responses={...}}.
  function Ue:post(kind, body, o)
    o = o or {}
    local t, prof = self.t, self.prof
    local bm = t.target.bmsc or {}
    local ip, port = bm.ip or "127.0.0.1", bm.http_port or prof.http.port
    local deadline = t:deadline(o.within or prof.timers.T_request)
    -- From the UE's own address, so that a BM-SC answering "the address the request came from"
    -- reaches this UE's MIKEY socket.
    local conn, err = M.connect(t, ip, port, deadline, self.ip)
    if not conn then t:fail{ kind = "no-response", field = "connect", expected = ip .. ":" .. port, actual = err } end
    t:cleanup(function() conn:close() end)
    local target = bodies.target_of(prof, kind)
    local ctype = o.content_type or prof.http.requests[kind].media_type
    local function send(auth)
      local headers = { { "Host", ip .. ":" .. port }, { "Content-Type", ctype } }
      if auth then headers[#headers + 1] = { "Authorization", auth } end
      local ok, serr = conn:send_all(http.request{ method = "POST", target = target, headers = headers, body = body }, deadline)
      if not ok then t:fail{ kind = "no-response", field = "HTTP send", expected = "request sent", actual = serr } end
      local r, rerr = conn:read(deadline)
      if not r then
        t:fail{ kind = "no-response", field = kind .. " request", expected = "an HTTP response", actual = rerr }
      end
      t:log("%s request -> %d %s", kind, r.status, r.reason or "")
      return r
    end
    local out = { responses = {} }
    local r = send(o.first_authorization)
    out.responses[1] = r
    if r.status == 401 and o.auth ~= false then
      local ch, cerr = digest.parse(r.header["www-authenticate"] or "")
      if not ch then t:fail{ kind = "field-mismatch", field = "WWW-Authenticate", expected = "a Digest challenge", actual = cerr } end
      out.challenge = ch
      self.nc = self.nc + 1
      local c = o.credentials or {}
      local p = ch.params
      local qop = p.qop and (p.qop:find("auth%-int") and prof.http.digest.qop == "auth-int" and "auth-int" or "auth") or nil
      local auth = digest.authorization{ algorithm = p.algorithm or "MD5", username = c.username or self.sub.btid,
        realm = c.realm or p.realm, password = c.password or self.sub.keys.password, nonce = c.nonce or p.nonce,
        cnonce = digest.nonce(8), nc = string.format("%08x", self.nc), qop = qop, method = "POST",
        uri = c.uri or target, body = body, opaque = p.opaque, response = c.response }
      r = send(auth)
      out.responses[2] = r
    end
    out.status, out.body, out.response = r.status, r.body, r
    if r.status == 200 then
      if kind == "msk" then out.statuses = bodies.parse_msk_response(prof, r.body)
      else out.statuses = bodies.parse_register_response(prof, r.body) end
    end
    conn:close()
    return out
  end

  --- The wire checks every MIKEY message from the SUT gets (KU-MK-01..03): parses under the
  -- profile's rules, MAC verifies under the MUK, IDi/IDr are the BM-SC's FQDN and this UE's
  -- B-TID. Fails the scenario with field-mismatch, naming the requirement, on any violation.
  function Ue:check_wire(ev)
    local t = self.t
    if ev.error then t:fail{ kind = "field-mismatch", field = "KU-MK-01 MIKEY", expected = "a well-formed message", actual = ev.error, bytes = ev.bytes } end
    if #ev.violations > 0 then
      t:fail{ kind = "field-mismatch", field = "KU-MK-01 " .. tostring(ev.kind), expected = "no profile violation",
        actual = table.concat(ev.violations, "; "), bytes = ev.bytes }
    end
    if not ev.mac_ok then
      t:fail{ kind = "field-mismatch", field = "KU-MK-02 KEMAC MAC", expected = "valid under the MUK",
        actual = tostring(ev.unprotect_error), bytes = ev.bytes }
    end
    local ids = {}
    for _, p in ipairs(ev.msg.payloads) do if p.name == "ID" then ids[#ids + 1] = p.id_data end end
    if ids[1] ~= M.fqdn(t) or ids[2] ~= self.sub.btid then
      t:fail{ kind = "field-mismatch", field = "KU-MK-03 IDi/IDr", expected = M.fqdn(t) .. " / " .. self.sub.btid,
        actual = tostring(ids[1]) .. " / " .. tostring(ids[2]), bytes = ev.bytes }
    end
    return ev
  end

  --- The Key ID (kdid || mskid) named by a received MSK delivery or pull, as bytes.
  function Ue:keyid_of(ev)
    for _, p in ipairs(ev.msg.payloads) do
      if p.name == "EXT" and p.ext_type == self.prof.mikey.keyid_ext_type then
        local _, id = mikey.keyid(p.ext_data)
        return id
      end
    end
  end

  --- The key data of a delivery event (after unprotect), or nil.
  function Ue:key_of(ev)
    if not ev.plain then return nil end
    for _, p in ipairs(ev.plain.payloads) do
      if p.name == "KEMAC" and p.keys and p.keys[1] then return p.keys[1] end
    end
  end

  --- The TS counter of a received message.
  function Ue:counter_of(ev)
    for _, p in ipairs(ev.msg.payloads) do if p.name == "T" then return p.ts end end
  end

  --- Waits for a MIKEY message of the given kind (profile kind name), checks the wire rules
  -- and returns the event. Other MIKEY messages arriving first fail as unexpected.
  function Ue:expect_mikey(kind, within, opts)
    opts = opts or {}
    local _, ev = self.t:expect(self.mikey, { { name = kind, match = function(e) return e.kind == kind end } },
      { within = within, ignore = opts.ignore, on_other = opts.on_other,
        describe = function(e) return e.what end })
    return self:check_wire(ev)
  end

  --- Fails if any MIKEY message arrives within the profile duration (a delivery that must not be).
  function Ue:expect_no_mikey(seconds, kind)
    self.t:expect_silence(self.mikey, seconds, { kind = kind or "unexpected-accept",
      describe = function(e) return e.what end })
  end

  --- Fails unless the exchange answered 200 with the given causes, item by item.
  function Ue:expect_causes(ex, causes, what)
    local t = self.t
    t:expect_eq((what or "request") .. " HTTP status", 200, ex.status, ex.status == 401 and "unexpected" or "field-mismatch")
    if not ex.statuses then
      t:fail{ kind = "field-mismatch", field = (what or "request") .. " body", expected = "a status list",
        actual = tostring(ex.body) }
    end
    t:expect_eq((what or "request") .. " number of statuses", #causes, #ex.statuses)
    for i, c in ipairs(causes) do
      local got = ex.statuses[i].cause
      if got ~= c then
        local kind = "wrong-cause"
        if c ~= "SUCCESS" and got == "SUCCESS" then kind = "unexpected-accept" end
        t:fail{ kind = kind, field = string.format("%s status %d", what or "request", i), expected = c, actual = got }
      end
    end
  end

  --- The service's MSK entry named by a received MSK delivery or pull (what the BM-SC treats as
  -- current after a registration), or nil when the message names none of the target's MSKs.
  function Ue:msk_of(ev, svc)
    local id = self:keyid_of(ev)
    for _, m in ipairs(svc.msks) do
      if id == svc.kdid .. m.mskid then return m end
    end
  end

  --- Registers to a service and takes the pushed MSK (KU-MK checks included); with ack (the
  -- default) a V=1 push is verified so that the BM-SC counts the key as held. Returns the push.
  function Ue:join(svc, ack)
    self:expect_causes(self:register({ svc.id }), { "SUCCESS" }, "registration")
    local push = self:expect_mikey("msk_delivery", self.t.timer.T_delivery)
    if ack ~= false and push.msg.v == 1 then self:verify(push) end
    return push
  end

  --- Registers to services (ids); returns the exchange (see post). Services registered with
  -- SUCCESS are deregistered when the scenario ends, so that no scenario inherits another's
  -- registrations from a SUT that keeps state.
  function Ue:register(services, o)
    local ex = self:post("register", bodies.register(self.prof, services, "register"), o)
    for i, st in ipairs(ex.statuses or {}) do
      if st.cause == "SUCCESS" and not (self.registered or {})[services[i]] then
        self.registered = self.registered or {}
        self.registered[services[i]] = true
        local id = services[i]
        self.t:cleanup(function()
          if self.registered[id] then pcall(self.deregister, self, { id }, { within = self.prof.timers.T_request }) end
        end)
      end
    end
    return ex
  end
  function Ue:deregister(services, o)
    local ex = self:post("deregister", bodies.register(self.prof, services, "deregister"), o)
    for _, id in ipairs(services) do if self.registered then self.registered[id] = nil end end
    return ex
  end
  --- Requests keys {{kdid=, mskid=}}.
  function Ue:request_keys(keys, o) return self:post("msk", bodies.msk_request(self.prof, keys), o) end
end
