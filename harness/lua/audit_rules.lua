--- audit_rules: what a passive observer can check of the key-update procedure, event by event.
--
-- Fed the events of mbms.scan in capture order (HTTP messages, MIKEY messages, MTK streams
-- opening a new MSK), it keeps what each side has said and owes: a key request answered
-- SUCCESS owes a delivery within T_delivery, a rejection with no still-valid older key owes a
-- deregistration within T_leave, an invalid delivery forbids a verification. An obligation
-- that expires, or a forbidden act that happens, is a finding naming the requirement and the
-- actor (bmsc or ue). Deadlines still open when the capture ends are reported as undecided.
--
-- Identities are passive: a UE is its B-TID (Digest username of its requests, IDr of the
-- messages to it); a Key is Key Domain ID || MSK ID (raw bytes, printed as hex).
local mikey = require("mbms.mikey")
local hex = require("mbms.hex")
local digest = require("mbms.digest")
local bodies = require("bodies")

local M = {}
local A = {}
A.__index = A

local function H(b) return b and hex.encode(b) or "?" end

-- Bodies repeat (every UE asks for the same key, registers to the same service): each distinct
-- body is parsed once. The cache is dropped when it grows large, so memory stays bounded.
local CACHE_MAX = 4096
local function memo(fn)
  local by_prof = setmetatable({}, { __mode = "k" })   -- names differ between profiles
  return function(prof, body)
    local c = by_prof[prof]
    if not c or c.n >= CACHE_MAX then
      c = { n = 0, hits = {} }
      by_prof[prof] = c
    end
    local hit = c.hits[body]
    if hit then return hit[1], hit[2] end
    local r, err = fn(prof, body)
    c.hits[body], c.n = { r, err }, c.n + 1
    return r, err
  end
end
local parse = {
  register = memo(function(prof, body) return bodies.parse_register(prof, body, "register") end),
  deregister = memo(function(prof, body) return bodies.parse_register(prof, body, "deregister") end),
  msk_request = memo(bodies.parse_msk_request),
  register_response = memo(bodies.parse_register_response),
  msk_response = memo(bodies.parse_msk_response),
}

--- A new audit. prof: the profile; o: {keys = {subs = {btid -> {muk=}}, services = {...},
-- known = {kid -> {key=, seql=, sequ=}}, fqdn=} | nil, scale = time scale, scan = the scan
-- handle (for MTK state and MSK learning)}.
function M.new(prof, o)
  local scale = o.scale or 1
  local T = {}
  for k, v in pairs(prof.timers or {}) do T[k] = v * scale end
  local a = setmetatable({
    prof = prof, keys = o.keys, scan = o.scan, T = T, scale = scale,
    findings = {}, undecided = {}, notes = {},
    ues = {}, byaddr = {}, flows = {}, open = {},
    kdid_svc = {}, svc_kdid = {}, notices = {}, now = 0, index = 0, last_mtk_to = {},
  }, A)
  -- A Key Domain ID names a service only when one service has it (services may share one).
  local count = {}
  for _, s in ipairs(o.keys and o.keys.services or {}) do
    count[s.kdid] = (count[s.kdid] or 0) + 1
    a.svc_kdid[s.id] = s.kdid
  end
  for _, s in ipairs(o.keys and o.keys.services or {}) do
    if count[s.kdid] == 1 then a.kdid_svc[s.kdid] = s.id end
  end
  return a
end

-- Findings and obligations ------------------------------------------------------------------

function A:find(req, actor, text, index, time)
  self.findings[#self.findings + 1] = { req = req, actor = actor, text = text,
    index = index or self.index, time = time or self.now }
end

function A:note(text)
  self.notes[#self.notes + 1] = { index = self.index, time = self.now, text = text }
end

--- The text of an obligation: built only when it is reported (most are met).
local function text_of(o)
  if type(o.text) == "function" then return o.text() end
  return o.text
end

--- Opens an obligation. o: {kind = "need"|"forbid", within = seconds, req=, actor=, text=,
-- match = function(fact) -> bool, expire = function() (need: instead of a finding)}; text may
-- be a function returning it.
function A:owe(o)
  o.due, o.index, o.time = self.now + o.within, self.index, self.now
  self.open[#self.open + 1] = o
  if not self.next_due or o.due < self.next_due then self.next_due = o.due end
end

--- Removes open[i] (order kept: findings come out in the order obligations were made).
local function drop(self, i)
  table.remove(self.open, i)
end

--- Closes obligations whose deadline passed before time t. Most events pass no deadline:
-- the earliest one is kept so that they cost a comparison.
function A:advance(t)
  if t < self.now then t = self.now end
  self.now = t
  if not self.next_due or t <= self.next_due then return end
  local i, next_due = 1, nil
  while i <= #self.open do
    local o = self.open[i]
    if o.due < t then
      drop(self, i)
      if o.kind == "need" then
        if o.expire then o.expire(o) else self:find(o.req, o.actor, text_of(o), o.index, o.time) end
      end
    else
      if not next_due or o.due < next_due then next_due = o.due end
      i = i + 1
    end
  end
  -- An expire() may have opened obligations of its own.
  for _, o in ipairs(self.open) do
    if not next_due or o.due < next_due then next_due = o.due end
  end
  self.next_due = next_due
end

--- Offers a fact (what a side just did) to the open obligations.
function A:fact(f)
  local i = 1
  while i <= #self.open do
    local o = self.open[i]
    if o.match(f) then
      drop(self, i)
      if o.kind == "forbid" then
        self:find(o.req, o.actor, text_of(o) .. " (packet " .. self.index .. ")", self.index, self.now)
      end
    else
      i = i + 1
    end
  end
end

-- UEs ---------------------------------------------------------------------------------------

function A:ue(btid)
  local u = self.ues[btid]
  if not u then
    u = { btid = btid, joined = {}, held = {}, counter = nil, bm_counter = nil,
      bm_registered = {}, bm_deregistered = {}, requests = {}, notice_at = {}, delays = {},
      deliveries = {}, deliv_kid = {}, bm_held = {}, bm_newer = {}, storm_reported = {} }
    self.ues[btid] = u
  end
  return u
end

local function addr(ip, port) return ip .. ":" .. tostring(port) end

function A:muk(btid)
  local s = self.keys and self.keys.subs[btid]
  return s and s.muk
end

function A:service_of(kid)
  local known = self.keys and self.keys.known[kid]
  if known then return known.service end
  return self.kdid_svc[kid:sub(1, self.prof.mikey.keyid.kdid_len)]
end

--- Two Key IDs belong to the same service (or, when the services are unknown, Key Domain).
function A:same_service(k1, k2)
  local s1, s2 = self:service_of(k1), self:service_of(k2)
  if s1 and s2 then return s1 == s2 end
  local kl = self.prof.mikey.keyid.kdid_len
  return k1:sub(1, kl) == k2:sub(1, kl)
end

--- The UE holds a still-valid key of the key's service (rule 6 exception) [D, as the reference
-- UE reads it]: before an MTK under a key it holds was seen since it joined, every held key
-- counts; after, the key's SEQl..SEQu must cover the latest MTK ID of the traffic.
function A:valid_older(u, kid)
  local kl = self.prof.mikey.keyid.kdid_len
  local any, expired = false, false
  local _, mtkid = self.scan:mtk_latest(kid:sub(1, kl))
  for k, h in pairs(u.held) do
    if self:same_service(k, kid) then
      if not u.mtk_seen or not mtkid or not h.sequ or (mtkid >= h.seql and mtkid <= h.sequ) then
        any = true
      else
        expired = true
      end
    end
  end
  return any, expired
end

--- A fact is u leaving svc (any service when nil) as the profile's leave.observable says
-- (key-update.md §2.5): a deregistration, an IGMP/MLD leave of the service's group, or either.
function A:is_leave(f, u, svc)
  local obs = self.prof.leave and self.prof.leave.observable or "deregistration"
  local counts = (f.what == "deregister" and obs ~= "igmp") or (f.what == "igmp_leave" and obs ~= "deregistration")
  return counts and f.ue == u.btid and (svc == nil or f.services[svc] ~= nil)
end

--- Rule 6: a key update of kid failed for u (why: the requirement of the failure kind).
function A:update_failed(u, kid, req, why)
  local svc = self:service_of(kid)
  if svc and not u.joined[svc] then return end
  if not svc and next(u.joined) == nil then return end
  local valid, expired = self:valid_older(u, kid)
  local function is_leave(f) return self:is_leave(f, u, svc) end
  if valid then
    self:owe{ kind = "forbid", within = self.T.T_leave, req = "KU-UE-11", actor = "ue", match = is_leave,
      text = function()
        return u.btid .. " left after " .. why .. " for MSK " .. H(kid) .. " although it holds a still-valid older key"
      end }
  else
    local within = self.T.T_leave + (req == "KU-UE-10" and self.T.T_request or 0)
    self:owe{ kind = "need", within = within, req = expired and "KU-UE-12" or req, actor = "ue", match = is_leave,
      text = function()
        return u.btid .. " did not leave within " .. string.format("%.3g", within) .. " s after " .. why ..
          " for MSK " .. H(kid) .. (expired and " (its older key no longer covers the MTK IDs)" or " (no older key)")
      end }
  end
end

-- MIKEY ---------------------------------------------------------------------------------------

--- The MSK part (Key Domain ID || MSK ID) of a Key ID.
function A:msk_part(id)
  local k = self.prof.mikey.keyid
  return id and id:sub(1, k.kdid_len + k.mskid_len)
end

local BMSC_KINDS = { msk_delivery = true, solicited_pull = true, mtk_delivery = true }

--- A MIKEY message that is not on the fast path; scan decoded and validated it (ev.kind,
-- ev.violations, ev.csb_id, ev.v, ev.counter, ev.idi, ev.idr, ev.keyid, or ev.error).
function A:on_mikey(ev)
  local to_ue = self.byaddr[addr(ev.dst, ev.dport)]
  if ev.error then
    local actor = to_ue and "bmsc" or (self.byaddr[addr(ev.src, ev.sport)] and "ue" or "unknown")
    self:find("KU-MK-01", actor, "malformed MIKEY " .. ev.src .. ":" .. ev.sport .. " -> " ..
      ev.dst .. ":" .. ev.dport .. ": " .. ev.error)
    return
  end
  local kind = ev.kind
  local actor = BMSC_KINDS[kind] and "bmsc" or "ue"
  if ev.violations ~= "" then
    self:find("KU-MK-01", actor, tostring(kind) .. ": " .. ev.violations)
  end
  if kind == "msk_delivery" or kind == "solicited_pull" then
    self:on_muk_message(ev, kind)
  elseif kind == "verification" then
    self:on_verification(ev)
  elseif kind == "error" then
    local u = self.byaddr[addr(ev.src, ev.sport)]
    if u then
      self:find("KU-UE-17", "ue", u.btid .. " sent a MIKEY error message (a UE rejects MTK messages silently)")
    end
  elseif kind == "mtk_delivery" then
    self:note("MTK delivery not checked on the fast path (no usable Key ID): " .. ev.src .. " -> " .. ev.dst)
  end
end

--- An MSK delivery or a solicited pull from the BM-SC, under the UE's MUK.
function A:on_muk_message(ev, kind)
  local bytes, btid = ev.payload, ev.idr
  if not btid then return end
  local u = self:ue(btid)
  self.byaddr[addr(ev.dst, ev.dport)] = u
  local counter = ev.counter or 0
  local kid = self:msk_part(ev.keyid)
  if not kid then return end
  local what = kind == "msk_delivery" and "MSK delivery" or "notice (solicited pull)"

  -- The BM-SC's side. The same bytes again are a re-send (KU-BM-13), not a new message.
  local resend = u.last_sent == bytes
  u.last_sent = bytes
  if resend then
    u.resends = u.verified_since and 1 or (u.resends or 0) + 1
    u.verified_since = false
    local limit = self.keys and self.keys.verify_resend or 2
    self:note(what .. " to " .. btid .. " re-sent unchanged (" .. u.resends .. " so far; KU-BM-13)")
    if u.resends == limit + 1 then
      self:find("KU-BM-13", "bmsc", what .. " of " .. H(kid) .. " to " .. btid .. " re-sent more than " .. limit ..
        " times (the target's bmsc.verify_resend, default 2)")
    end
    return
  end
  u.resends = 0
  if u.bm_counter and counter <= u.bm_counter then
    self:find("KU-BM-10", "bmsc", what .. " to " .. btid .. " carries counter " .. counter ..
      ", not above the " .. u.bm_counter .. " sent before under the same MUK")
  end
  if not u.bm_counter or counter > u.bm_counter then u.bm_counter = counter end
  local muk, plain, mac_ok = self:muk(btid), nil, nil
  if muk then
    local why
    plain, why = mikey.unprotect(bytes, muk)
    mac_ok = plain ~= nil
    if not mac_ok then
      self:find("KU-MK-02", "bmsc", what .. " to " .. btid .. ": " .. tostring(why))
      if kind == "msk_delivery" then
        self:find("KU-BM-04", "bmsc", "MSK delivery of " .. H(kid) .. " to " .. btid .. " does not verify under its MUK")
      end
    end
  end
  if self.keys and self.keys.fqdn and ev.idi ~= self.keys.fqdn then
    self:find("KU-MK-03", "bmsc", what .. " to " .. btid .. ": IDi is '" .. tostring(ev.idi) ..
      "', not the BM-SC's '" .. self.keys.fqdn .. "'")
  end
  local svc = self:service_of(kid)
  if svc and u.bm_deregistered[svc] and not u.bm_registered[svc] then
    self:find("KU-BM-12", "bmsc", what .. " of " .. H(kid) .. " to " .. btid .. " after it deregistered from " .. svc)
  end
  if kind == "solicited_pull" then
    local n = self.notices[kid] or {}
    self.notices[kid] = n
    if not n[btid] then n[btid] = self.now; n[#n + 1] = self.now end
  end

  -- The UE's side: is this a stimulus it must act on?
  local fresh = u.counter == nil or counter > u.counter
  local valid = fresh and mac_ok ~= false
  local fact = { what = kind, ue = btid, kid = kid, counter = counter, valid = valid, csb_id = ev.csb_id }
  -- What the BM-SC may take the UE to hold (KU-BM-08): a key it delivered with V=0, or one
  -- whose delivery the UE verified; a later notice or delivery of another key of the same
  -- service makes it no longer the newest.
  for k in pairs(u.bm_held) do
    if k ~= kid and self:same_service(k, kid) then u.bm_newer[k] = true end
  end
  if kind == "msk_delivery" then
    u.deliv_kid[ev.csb_id .. ":" .. counter] = kid
    if ev.v == 0 then u.bm_held[kid], u.bm_newer[kid] = true, nil end
    u.deliveries[ev.csb_id .. ":" .. counter] = bytes
    self:fact(fact)
    self:on_delivery(u, ev, kid, counter, valid, mac_ok, plain)
  else
    self:on_notice(u, kid, counter, valid, mac_ok)
  end
end

function A:on_delivery(u, m, kid, counter, valid, mac_ok, plain)
  local btid = u.btid
  local function verif(f) return f.what == "verification" and f.ue == btid and f.csb_id == m.csb_id and f.counter == counter end
  if valid then
    u.counter = counter
    local seql, sequ
    if plain then
      for _, p in ipairs(plain.payloads) do
        if p.name == "KEMAC" and p.keys and p.keys[1] then
          local k = p.keys[1]
          if k.valid_from and k.valid_to and #k.valid_from > 0 then
            seql, sequ = 0, 0
            for i = 1, #k.valid_from do seql = seql * 256 + k.valid_from:byte(i) end
            for i = 1, #k.valid_to do sequ = sequ * 256 + k.valid_to:byte(i) end
          end
          if k.key and #k.key > 0 then self.scan:add_key(kid, k.key, seql or 0, sequ or 0) end
        end
      end
    end
    u.held[kid] = { seql = seql, sequ = sequ, time = self.now }
    if mac_ok and m.v == 1 then
      self:owe{ kind = "need", within = self.T.T_delivery, req = "KU-UE-06", actor = "ue", match = verif,
        text = function()
          return btid .. " returned no verification message for the MSK delivery of " .. H(kid) .. " (V=1)"
        end }
    end
  else
    local why = mac_ok == false and "its MAC does not verify under the MUK" or
      ("its counter " .. counter .. " is not above the " .. tostring(u.counter) .. " accepted before")
    self:owe{ kind = "forbid", within = self.T.T_delivery, req = "KU-UE-07", actor = "ue", match = verif,
      text = function() return btid .. " verified an MSK delivery of " .. H(kid) .. " it must discard: " .. why end }
  end
end

function A:on_notice(u, kid, counter, valid, mac_ok)
  if not next(u.joined) then return end
  local btid = u.btid
  local within = self.T.W_spread + self.T.T_request
  local function asks(f) return f.what == "key_request" and f.ue == btid and f.keys[kid] end
  if not valid then
    local why = mac_ok == false and "bad MAC" or ("replayed counter " .. counter)
    self:owe{ kind = "forbid", within = within, req = "KU-UE-03", actor = "ue", match = asks,
      text = function() return btid .. " requested " .. H(kid) .. " after a notice with a " .. why end }
    return
  end
  u.counter = counter
  local r = self.prof.retry
  if r and not u.held[kid] and self:recent_requests(u, kid) >= r.max_requests then
    return   -- KU-UE-15 bounds the retries: a UE at its limit owes no further request
  end
  if u.held[kid] then
    self:owe{ kind = "forbid", within = within, req = "KU-UE-05", actor = "ue", match = asks,
      text = function() return btid .. " requested " .. H(kid) .. " after a notice naming a key it holds" end }
  else
    u.notice_at[kid] = self.now
    self:owe{ kind = "need", within = within, req = "KU-UE-02", actor = "ue", match = asks,
      text = function()
        return btid .. " sent no key request for " .. H(kid) .. " within W_spread + T_request of a valid notice"
      end }
  end
end

--- Key requests of u for kid within the profile's retry window before now.
function A:recent_requests(u, kid)
  local r, n = self.prof.retry, 0
  for _, t in ipairs(u.requests[kid] or {}) do
    if self.now - t <= r.per_seconds * self.scale then n = n + 1 end
  end
  return n
end

function A:on_verification(ev)
  local btid = ev.idi
  if not btid then return end
  local u = self:ue(btid)
  local counter = ev.counter or 0
  self:fact{ what = "verification", ue = btid, csb_id = ev.csb_id, counter = counter }
  local vk = u.deliv_kid[ev.csb_id .. ":" .. counter]
  if vk then u.bm_held[vk], u.bm_newer[vk] = true, nil end
  u.verified_since = true
  local muk = self:muk(btid)
  local d = u.deliveries[ev.csb_id .. ":" .. counter]
  if muk and d then
    local ok, err = mikey.vmac_verify(self.prof.mikey.v_mac_reading, ev.payload, d, muk)
    if not ok then self:find("KU-MK-02", "ue", "verification from " .. btid .. ": " .. tostring(err)) end
  end
end

--- A fast-path MTK stream toward ev.dst opened a new MSK (Key Domain ID || MSK ID).
function A:on_mtk(ev)
  local kid = ev.msk
  local targets = {}
  local u = self.byaddr[addr(ev.dst, ev.dport)]
  if u then
    targets[1] = u
  else
    local svc = self:service_of(kid)
    for _, x in pairs(self.ues) do
      if (svc and x.joined[svc]) or (not svc and next(x.joined)) then targets[#targets + 1] = x end
    end
  end
  for _, x in ipairs(targets) do
    if x.held[kid] then x.mtk_seen = true end   -- traffic under a key it holds: accepted
    if next(x.joined) and not x.held[kid] then
      local btid = x.btid
      self:owe{ kind = "need", within = self.T.T_request + self.T.W_spread, req = "KU-UE-04", actor = "ue",
        match = function(f) return f.what == "key_request" and f.ue == btid and f.keys[kid] end,
        text = function()
          return btid .. " sent no key request for " .. H(kid) .. " after MTK traffic under it (MTK ID " .. ev.mtkid .. ")"
        end }
    end
  end
end

--- An IGMP/MLD record: a UE leaving a service's group leaves the user service (§2.5). The
-- member is the UE whose requests came from that address; a leave from an unspecified source
-- (Linux sends its IGMP on lo from 0.0.0.0) goes to the one joined UE when there is only one.
function A:on_mcast(ev)
  if ev.action ~= "leave" then return end
  local u
  for _, x in pairs(self.ues) do if x.ips and x.ips[ev.src] then u = x end end
  if not u then
    local joined = {}
    for _, x in pairs(self.ues) do if next(x.joined) then joined[#joined + 1] = x end end
    if #joined == 1 then u = joined[1] end
  end
  if not u then
    self:note("IGMP/MLD leave of " .. ev.group .. " from " .. ev.src .. ": no UE known at that address")
    return
  end
  local set, svc = {}, self.keys and self.keys.group_svc[ev.group]
  if svc then set[svc] = true else for s in pairs(u.joined) do set[s] = true end end
  self:fact{ what = "igmp_leave", ue = u.btid, services = set }
end

-- HTTP ------------------------------------------------------------------------------------------

function A:username(auth)
  if not auth then return nil end
  local p = digest.parse(auth)
  return p and p.params and p.params.username
end

function A:on_http(ev)
  local q = self.flows[ev.flow] or {}
  self.flows[ev.flow] = q
  if ev.request then
    local kind = bodies.request_kind(self.prof, ev.target)
    local rec = { kind = kind, time = self.now, index = self.index, auth = ev.headers.authorization ~= nil,
      btid = self:username(ev.headers.authorization), body = ev.body, ip = ev.src }
    q[#q + 1] = rec
    if kind then rec.malformed = self:malformed(kind, ev.headers["content-type"], ev.body) end
    if rec.btid then self:on_request(rec) end
  else
    local rec = table.remove(q, 1)
    if not rec then
      self:note("HTTP response on connection " .. ev.flow .. " answers no request seen in the capture")
      return
    end
    rec.answered = true
    self:on_response(rec, ev)
  end
end

--- Why a request body is malformed for its kind (key-update.md §2.2: media type, XML, at
-- least one item), or nil. The media type is compared without parameters.
function A:malformed(kind, ctype, body)
  local want = self.prof.http.requests[kind] and self.prof.http.requests[kind].media_type
  local got = ctype and ctype:match("^%s*([^;%s]+)")
  if want and (not got or got:lower() ~= want:lower()) then
    return "media type " .. tostring(ctype) .. ", not " .. want
  end
  local _, err
  if kind == "msk" then _, err = parse.msk_request(self.prof, body)
  else _, err = parse[kind](self.prof, body) end
  return err
end

function A:known_btid(btid)
  return not self.keys or self.keys.subs[btid] ~= nil
end

function A:on_request(rec)
  local btid = rec.btid
  if not self:known_btid(btid) then
    self:find("KU-UE-16", "ue", "Digest username '" .. btid .. "' is not a B-TID of any subscriber")
    return
  end
  local u = self:ue(btid)
  u.ips = u.ips or {}
  u.ips[rec.ip] = true
  if rec.kind == "register" then
    local svcs = parse.register(self.prof, rec.body) or {}
    for _, s in ipairs(svcs) do
      u.joined[s] = true
      for k in pairs(u.held) do if self:service_of(k) == s or not self:service_of(k) then u.held[k] = nil end end
    end
    -- A new session: the replay counter restarts and no MTK is accepted yet [D].
    u.counter, u.joined_at, u.mtk_seen = nil, self.now, false
  elseif rec.kind == "deregister" then
    local set = {}
    for _, s in ipairs(parse.deregister(self.prof, rec.body) or {}) do
      set[s] = true
      u.joined[s] = nil
    end
    self:fact{ what = "deregister", ue = btid, services = set }
  elseif rec.kind == "msk" then
    local keys = parse.msk_request(self.prof, rec.body)
    if not keys then return end
    local set = {}
    for _, k in ipairs(keys) do
      local kid = k.kdid .. k.mskid
      set[kid] = true
      rec.keys = keys
      -- KU-UE-14: the delay from a notice to the request it triggered.
      if u.notice_at[kid] then
        u.delays[#u.delays + 1] = self.now - u.notice_at[kid]
        u.notice_at[kid] = nil
      end
      -- KU-UE-15: requests per key within the retry window.
      local r = self.prof.retry
      if r then
        local times = u.requests[kid] or {}
        u.requests[kid] = times
        times[#times + 1] = self.now
        local n = self:recent_requests(u, kid)
        if n > r.max_requests and not u.storm_reported[kid] then
          u.storm_reported[kid] = true
          self:find("KU-UE-15", "ue", btid .. " sent " .. n .. " key requests for " .. H(kid) .. " within " ..
            string.format("%.3g", r.per_seconds * self.scale) .. " s (limit " .. r.max_requests .. ")")
        end
      end
    end
    self:fact{ what = "key_request", ue = btid, keys = set }
    self:owe{ kind = "need", within = self.T.T_request, req = "KU-UE-10", actor = "ue",
      match = function(f) return f.what == "answer" and f.rec == rec end,
      expire = function()
        for kid in pairs(set) do self:update_failed(u, kid, "KU-UE-10", "an unanswered key request") end
      end }
  end
end

function A:on_response(rec, ev)
  local st = ev.status
  self:fact{ what = "answer", rec = rec }
  if not rec.auth then
    if st ~= 401 then
      self:find("KU-BM-01", "bmsc", "a request without credentials (" .. tostring(rec.kind) .. ", packet " ..
        rec.index .. ") was answered " .. st .. " instead of 401 with a Digest challenge")
    end
    return
  end
  local btid = rec.btid
  if not btid then return end
  if not self:known_btid(btid) then
    if st ~= 401 then
      self:find("KU-BM-02", "bmsc", "a request from unknown B-TID '" .. btid .. "' was answered " .. st)
    end
    return
  end
  if st == 401 then return end
  local u = self:ue(btid)
  if rec.malformed then
    -- KU-BM-07: a malformed body is answered 400 or BAD_REQUEST for every item.
    local ok = st == 400
    if st == 200 then
      local list = rec.kind == "msk" and parse.msk_response(self.prof, ev.body) or parse.register_response(self.prof, ev.body)
      ok = list ~= nil and #list > 0
      for _, x in ipairs(list or {}) do if x.cause ~= "BAD_REQUEST" then ok = false end end
    end
    if not ok then
      self:find("KU-BM-07", "bmsc", "a malformed " .. rec.kind .. " request (" .. rec.malformed .. ") was answered " ..
        st .. " instead of 400 or BAD_REQUEST")
    end
    return
  end
  if rec.kind == "register" and st == 200 then
    for _, s in ipairs(parse.register_response(self.prof, ev.body) or {}) do
      if s.cause == "SUCCESS" then
        u.bm_registered[s.service] = true
        u.bm_deregistered[s.service] = nil
        u.bm_held, u.bm_newer = {}, {}   -- held keys are per registration [D]
        local kdid = self.svc_kdid[s.service]
        local kl = self.prof.mikey.keyid.kdid_len
        self:owe{ kind = "need", within = self.T.T_delivery, req = "KU-BM-03", actor = "bmsc",
          match = function(f) return f.what == "msk_delivery" and f.ue == btid and (not kdid or f.kid:sub(1, kl) == kdid) end,
          text = function()
            return "registration of " .. btid .. " to " .. s.service .. " answered SUCCESS, but no MSK push followed"
          end }
      end
    end
  elseif rec.kind == "deregister" and st == 200 then
    for _, s in ipairs(parse.deregister(self.prof, rec.body) or {}) do
      u.bm_registered[s] = nil
      u.bm_deregistered[s] = self.now
    end
    u.bm_held, u.bm_newer = {}, {}
  elseif rec.kind == "msk" then
    self:on_msk_response(u, rec, ev)
  end
end

--- u is registered (as the BM-SC answered) to a service of the key's Key Domain, or, when no
-- service of the keys file has that Key Domain, to any service: a key it asks for that the
-- BM-SC does not hold is then UNKNOWN_KEY (rule 4), not a matter of authorization.
function A:registered_for_domain(u, kid)
  local kl, any_domain = self.prof.mikey.keyid.kdid_len, false
  for _, sv in ipairs(self.keys and self.keys.services or {}) do
    if sv.kdid == kid:sub(1, kl) then
      any_domain = true
      if u.bm_registered[sv.id] then return true end
    end
  end
  return not any_domain and next(u.bm_registered) ~= nil
end

local FAIL_REQ = { UNKNOWN_KEY = "KU-BM-05", NOT_AUTHORIZED = "KU-BM-06" }
local SOFT = { NO_UPDATE_NEEDED = true, NOT_AVAILABLE = true }

function A:on_msk_response(u, rec, ev)
  local btid = u.btid
  if ev.status ~= 200 then
    for _, k in ipairs(rec.keys or {}) do
      self:update_failed(u, k.kdid .. k.mskid, "KU-UE-08", "HTTP " .. ev.status .. " to its key request")
    end
    return
  end
  local statuses = parse.msk_response(self.prof, ev.body)
  if not statuses then return end
  for _, s in ipairs(statuses) do
    if s.kdid and s.mskid then
      local kid = s.kdid .. s.mskid
      local svc = self:service_of(kid)
      local function delivers(f) return f.what == "msk_delivery" and f.ue == btid and f.kid == kid end
      if s.cause == "SUCCESS" then
        self:owe{ kind = "need", within = self.T.T_delivery, req = "KU-BM-04", actor = "bmsc", match = delivers,
          text = function()
            return "key request of " .. btid .. " for " .. H(kid) .. " answered SUCCESS, but no MSK delivery followed"
          end }
        self:owe{ kind = "need", within = self.T.T_delivery, req = "KU-UE-10", actor = "ue",
          match = function(f) return delivers(f) and f.valid end,
          expire = function() self:update_failed(u, kid, "KU-UE-10", "SUCCESS with no valid delivery") end }
      else
        self:owe{ kind = "forbid", within = self.T.T_delivery, req = FAIL_REQ[s.cause] or "KU-BM-09", actor = "bmsc",
          match = delivers, text = function()
            return "an MSK delivery of " .. H(kid) .. " to " .. btid .. " followed the answer " .. s.cause
          end }
        self:update_failed(u, kid, SOFT[s.cause] and "KU-UE-09" or "KU-UE-08", "the answer " .. s.cause)
      end
      -- KU-BM-08: a key the UE holds, with no newer one, is answered as the profile says.
      if u.bm_held[kid] and not u.bm_newer[kid] then
        local want = self.prof.held_key_answer == "redeliver" and "SUCCESS" or "NO_UPDATE_NEEDED"
        if s.cause ~= want then
          self:find("KU-BM-08", "bmsc", "key request of " .. btid .. " for " .. H(kid) .. ", which it holds (no newer key), " ..
            "was answered " .. s.cause .. " instead of " .. want .. " (profile held_key_answer)")
        end
      end
      -- What the answer should have been, where the capture and the keys tell.
      if svc and u.bm_deregistered[svc] and not u.bm_registered[svc] and
          (s.cause == "SUCCESS" or s.cause == "NO_UPDATE_NEEDED") then
        self:find("KU-BM-12", "bmsc", "key request of " .. btid .. " for " .. H(kid) .. " after it deregistered from " ..
          svc .. " was answered " .. s.cause .. " instead of NOT_AUTHORIZED")
      end
      if self.keys then
        local known = self.keys.known[kid]
        local sub = self.keys.subs[btid]
        local entitled = svc and sub and sub.entitled[svc]
        if not known and s.cause == "SUCCESS" then
          self:find("KU-BM-05", "bmsc", "key request of " .. btid .. " for unknown key " .. H(kid) .. " was answered SUCCESS")
        elseif not known and s.cause ~= "UNKNOWN_KEY" and self:registered_for_domain(u, kid) then
          self:find("KU-BM-05", "bmsc", "key request of registered " .. btid .. " for unknown key " .. H(kid) ..
            " was answered " .. s.cause .. " instead of UNKNOWN_KEY")
        elseif known and svc and not entitled and (s.cause == "SUCCESS" or s.cause == "NO_UPDATE_NEEDED") then
          self:find("KU-BM-06", "bmsc", "key request of " .. btid .. " for " .. H(kid) .. " of " .. svc ..
            ", to which it is not entitled, was answered " .. s.cause)
        end
      end
    end
  end
end

-- The event loop ------------------------------------------------------------------------------

function A:event(ev)
  self.index = ev.index
  self:advance(ev.time)
  if ev.type == "http" then self:on_http(ev)
  elseif ev.type == "mikey" then self:on_mikey(ev)
  elseif ev.type == "mtk" then self:on_mtk(ev)
  elseif ev.type == "mcast" then self:on_mcast(ev)
  elseif ev.type == "error" then self:note(ev.msg) end
end

--- Rules over the whole capture, then what is still open.
function A:finish()
  local W = self.T.W_spread
  -- KU-BM-11: a window of W/10 anywhere overlaps at most two tenths of the BM-SC's window, so
  -- it may hold at most 2 * max(1, ceil(N/5)) notices of one key change (the passive bound).
  for kid, n in pairs(self.notices) do
    local N = #n
    if N >= 3 and W then
      table.sort(n)
      local bound, worst, j = 2 * math.max(1, math.ceil(N / 5)), 0, 1
      for i = 1, N do
        while n[i] - n[j] > W / 10 do j = j + 1 end
        worst = math.max(worst, i - j + 1)
      end
      if worst > bound then
        self:find("KU-BM-11", "bmsc", N .. " notices for MSK " .. H(kid) .. ": " .. worst .. " of them within " ..
          string.format("%.3g", W / 10) .. " s (W_spread/10); spread over W_spread allows at most " .. bound)
      end
    end
  end
  -- KU-UE-14: over >= 10 notices the delays span >= 30 % of W_spread, at most half in its first tenth.
  for btid, u in pairs(self.ues) do
    local d = u.delays
    if #d >= 10 and W then
      table.sort(d)
      local first = 0
      for _, x in ipairs(d) do if x < W / 10 then first = first + 1 end end
      if d[#d] - d[1] < 0.3 * W or first > #d / 2 then
        self:find("KU-UE-14", "ue", btid .. ": " .. #d .. " key requests after notices, delays " ..
          string.format("%.3f..%.3f s", d[1], d[#d]) .. ", " .. first .. " in the first tenth of W_spread (" ..
          string.format("%.3g", W) .. " s): not spread")
      end
    end
  end
  for _, o in ipairs(self.open) do
    if o.kind == "need" and o.text then
      self.undecided[#self.undecided + 1] = { req = o.req, actor = o.actor, index = o.index, time = o.time,
        text = text_of(o) .. " (the capture ends before the deadline)" }
    end
  end
  self.open = {}
end

return M
