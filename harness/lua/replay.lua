--- replay: sends the packets of a capture toward an implementation under test (issue #6).
--
-- A capture (mbms.capture) is read into a plan: the packets of the side the harness plays are
-- steps to send, the packets of the other side are replies to wait for and match. MIKEY over
-- UDP is sent on real UDP sockets (a batch per sendmmsg at top speed); HTTP over TCP is
-- reassembled per connection into the client's requests, sent over a new real connection, and
-- the statuses compared with the captured ones. Addresses are rewritten (captured endpoint ->
-- target endpoint), timing is the capture's (scaled by a speed) or none (top speed).
--
-- Freshness: mode `fresh` re-protects each captured MIKEY message with the session's keys (a
-- new RAND, the TS counter past the last one this session sent under the key, the MAC
-- recomputed, IDi/IDr rewritten), so that a capture taken elsewhere is a valid stimulus;
-- without it the captured bytes go verbatim, which a conformant UE must discard once it has
-- accepted their counter (KU-UE-07).
--
-- Everything that talks to the network goes through the scenario's `t` (scheduler, deadlines,
-- evidence) and the flows library (mbms.bmsc / mbms.ue); the pure parts (classify, plan,
-- mapper, schedule, freshen) take no `t` and are unit-tested on their own.
local mikey = require("mbms.mikey")
local crypto = require("mbms.crypto")
local hex = require("mbms.hex")
local http = require("mbms.http")
local bodies = require("bodies")
local scan = require("mbms.scan")

local M = {}

-- Reading ----------------------------------------------------------------------------------

--- Reads every packet of an opened capture handle (mbms.capture.open). Returns
-- {label=, packets={...}, errors={"LABEL: packet N: ..."}, skipped=n}: a damaged record or a
-- malformed frame is reported by file and packet and the rest is still read where possible.
function M.collect(h, label)
  local cap = { label = label, packets = {}, errors = {}, skipped = 0 }
  local n = 0
  while true do
    local ok, p, err = pcall(h.next, h)
    if not ok then
      cap.errors[#cap.errors + 1] = string.format("%s: after packet %d: %s", label, n, tostring(p))
      break
    end
    if p == nil then break end
    if p == false then
      -- A damaged record header: the records after it cannot be found again.
      cap.errors[#cap.errors + 1] = string.format("%s: record after packet %d: %s", label, n, tostring(err))
      break
    end
    n = p.index or (n + 1)
    -- The frame is not replayed (payloads are); a large capture keeps only what is sent.
    p.frame = nil
    if p.proto == "udp" or p.proto == "tcp" then
      cap.packets[#cap.packets + 1] = p
    elseif p.proto == "malformed" then
      cap.errors[#cap.errors + 1] = string.format("%s: packet %d: %s", label, n, tostring(p.error))
    else
      cap.skipped = cap.skipped + 1
    end
  end
  return cap
end

--- Opens a capture of the project's vectors/captures/ by file name (scenarios may not name
-- other paths). Returns the collected capture (see collect) or nil, message.
function M.capture(name)
  if type(name) ~= "string" or not name:match("^[%w_%.%-]+$") or name:find("..", 1, true) then
    return nil, "capture name '" .. tostring(name) .. "': a file name of vectors/captures/ is expected"
  end
  local path = MBMSCT_HOME .. "/vectors/captures/" .. name
  local h, err = require("mbms.capture").open(path)
  if not h then return nil, err end
  local cap = M.collect(h, "vectors/captures/" .. name)
  h:close()
  return cap
end

-- Endpoints and rewriting ------------------------------------------------------------------

--- "ip:port", "[v6]:port", "ip:*" or "*" -> ip ("*" for any), port (nil for any).
function M.endpoint(s)
  if s == "*" then return "*", nil end
  local ip, port = s:match("^%[([^%]]+)%]:([%d%*]+)$")
  if not ip then ip, port = s:match("^([^:]+):([%d%*]+)$") end
  if not ip then return nil, "endpoint '" .. tostring(s) .. "': expected IP:PORT, [IPv6]:PORT, IP:* or *" end
  if port == "*" then return ip, nil end
  local n = math.tointeger(tonumber(port))
  if not n or n < 0 or n > 65535 then return nil, "endpoint '" .. s .. "': port outside 0..65535" end
  return ip, n
end

--- The printable form of an endpoint.
function M.endpoint_str(ip, port)
  local host = ip:find(":", 1, true) and ("[" .. ip .. "]") or ip
  return host .. ":" .. (port and tostring(port) or "*")
end

--- A rewriting function(ip, port) -> ip, port from rules {[from] = to}, each "IP:PORT",
-- "IP:*" (every port of an address; "to" may keep the port with "IP:*") or "*" (anything
-- else). The most specific rule wins; an endpoint no rule names is kept.
function M.mapper(rules)
  local exact, byip, any = {}, {}, nil
  for from, to in pairs(rules or {}) do
    local fip, fport = M.endpoint(from)
    if not fip then error(fport, 2) end
    local tip, tport = M.endpoint(to)
    if not tip then error(tport, 2) end
    if tip == "*" then error("rewrite rule '" .. from .. "' -> '" .. to .. "': the target must name an address", 2) end
    local r = { ip = tip, port = tport }
    if fip == "*" then any = r
    elseif fport then exact[M.endpoint_str(fip, fport)] = r
    else byip[fip] = r end
  end
  return function(ip, port)
    local r = exact[M.endpoint_str(ip, port)] or byip[ip] or any
    if not r then return ip, port end
    return r.ip, r.port or port
  end
end

-- Classification and plan ------------------------------------------------------------------

local function http_method(payload)
  return payload:match("^(%u+) [^ ]+ HTTP/%d") ~= nil
end

--- Reassembles the TCP connections of a capture into HTTP exchanges: per connection the
-- client's requests (bytes as sent, and parsed) and the server's responses, in order. Each
-- direction goes through the audit's reassembly (mbms.scan.stream: out of order, retransmitted,
-- overlapping, sequence wraparound); the bytes a segment puts in order are its "payload" here.
local function http_flows(cap)
  local flows, order = {}, {}
  for _, p in ipairs(cap.packets) do
    if p.proto == "tcp" then
      local a, b = M.endpoint_str(p.src, p.sport), M.endpoint_str(p.dst, p.dport)
      local key = a < b and (a .. "|" .. b) or (b .. "|" .. a)
      local f = flows[key]
      -- A SYN on addresses and ports already used opens a new connection.
      local syn = ((p.tcp_flags or 0) & 0x12) == 0x02
      if not f or (syn and f.dirs[a]) then
        f = { dirs = {}, index = p.index, time = p.time }
        flows[key] = f
        order[#order + 1] = f
      end
      local d = f.dirs[a]
      if not d then
        d = { src = p.src, sport = p.sport, dst = p.dst, dport = p.dport, segs = {}, stream = scan.stream() }
        f.dirs[a] = d
      end
      if not d.broken then
        local data, err = d.stream:segment(p.tcp_seq or 0, p.tcp_flags or 0, p.payload)
        if not data then
          d.broken = true
          cap.errors[#cap.errors + 1] = string.format("%s: packet %d: TCP connection %s -> %s: %s", cap.label,
            p.index, a, b, err)
        elseif #data > 0 then
          d.segs[#d.segs + 1] = { payload = data, index = p.index, time = p.time }
        end
      end
    end
  end
  -- Connections that carried no data (a bare handshake) are not exchanges.
  local kept = {}
  for _, f in ipairs(order) do
    local any = false
    for _, d in pairs(f.dirs) do
      d.stream = nil
      if #d.segs > 0 then any = true end
    end
    if any then kept[#kept + 1] = f end
  end
  order = kept
  local out = {}
  for _, f in ipairs(order) do
    local client, server
    for _, d in pairs(f.dirs) do
      -- The request line may span segments: look at the bytes up to the first line end.
      local head = {}
      for i = 1, #d.segs do
        head[#head + 1] = d.segs[i].payload
        if d.segs[i].payload:find("\n", 1, true) then break end
      end
      if d.segs[1] and http_method(table.concat(head)) then client = d elseif d.segs[1] then server = d end
    end
    if not client then
      local d = next(f.dirs) and f.dirs[next(f.dirs)]
      cap.errors[#cap.errors + 1] = string.format("%s: packet %d: TCP connection %s: no HTTP request from either side",
        cap.label, f.index, d and (M.endpoint_str(d.src, d.sport) .. " -> " .. M.endpoint_str(d.dst, d.dport)) or "?")
    else
      local ex = { index = f.index, time = f.time, client = client, server = server, requests = {}, responses = {} }
      -- Requests with their bytes: the segments since the previous request completed.
      local parser, pending, first = http.parser("request"), {}, nil
      for _, s in ipairs(client.segs) do
        pending[#pending + 1] = s.payload
        first = first or s
        local msgs, perr = parser:feed(s.payload)
        if not msgs then
          cap.errors[#cap.errors + 1] = string.format("%s: packet %d: HTTP request: %s", cap.label, s.index, perr)
          break
        end
        for i, m in ipairs(msgs) do
          -- Several requests in one segment share its bytes; the first carries them.
          ex.requests[#ex.requests + 1] = { msg = m, bytes = i == 1 and table.concat(pending) or "",
            index = first.index, time = first.time }
          pending, first = {}, nil
        end
      end
      if server then
        local rp = http.parser("response")
        for _, s in ipairs(server.segs) do
          local msgs, perr = rp:feed(s.payload)
          if not msgs then
            cap.errors[#cap.errors + 1] = string.format("%s: packet %d: HTTP response: %s", cap.label, s.index, perr)
            break
          end
          for _, m in ipairs(msgs) do ex.responses[#ex.responses + 1] = { msg = m, index = s.index, time = s.time } end
        end
        local msgs = rp:finish()
        for _, m in ipairs(msgs or {}) do ex.responses[#ex.responses + 1] = { msg = m, index = server.segs[#server.segs].index } end
      end
      out[#out + 1] = ex
    end
  end
  return out
end

--- Which side sent each item of a capture, and what it is. Returns an array of items in
-- capture order: {proto="udp", side="bmsc"|"ue", kind=, msg=, pkt=} for MIKEY (the data type
-- says who sent it: 0 the BM-SC, 1 the UE; an error message takes the side its endpoint has
-- elsewhere in the capture), {proto="http", side="ue", kind=, exchange=} for an HTTP
-- connection (its client is the UE). Undecodable MIKEY is reported in cap.errors and left out.
local LAZY_MSG = { __index = function(it, k)
  if k ~= "msg" then return nil end
  local m = mikey.decode(it.pkt.payload)
  rawset(it, "msg", m)
  return m
end }

function M.classify(cap, prof)
  -- Once per capture and profile: its errors are reported once.
  cap.classified = cap.classified or setmetatable({}, { __mode = "k" })
  if cap.classified[prof] then return cap.classified[prof] end
  local items, sides, later = {}, {}, {}
  local kind_type = {}
  for _, k in ipairs(prof.mikey.kinds) do kind_type[k.name] = k.data_type end
  -- Every MIKEY message is checked against the profile's kinds with the rules compiled once
  -- (no allocation per message); none is held decoded (it.msg decodes on first use).
  local rules = mikey.rules(prof.mikey)
  for _, p in ipairs(cap.packets) do
    if p.proto == "udp" then
      local viol, kind = rules:check(p.payload)
      local ty, err = kind and kind_type[kind], nil
      if viol == nil then
        err, viol = kind, {}
      elseif ty == nil then
        local m = mikey.decode(p.payload)
        ty = m and m.type
      end
      if ty == nil then
        cap.errors[#cap.errors + 1] = string.format("%s: packet %d: MIKEY from %s: %s", cap.label, p.index,
          M.endpoint_str(p.src, p.sport), err)
      else
        local it = setmetatable({ proto = "udp", kind = kind or (mikey.name("data_type", ty) or tostring(ty)), pkt = p,
          index = p.index, time = p.time }, LAZY_MSG)
        if #viol > 0 then
          -- Replayed as captured (odd traffic may be the point), but said.
          cap.warnings = cap.warnings or {}
          cap.warnings[#cap.warnings + 1] = string.format("%s: packet %d: MIKEY %s does not follow profile %s: %s",
            cap.label, p.index, it.kind, tostring(prof.name), table.concat(viol, "; "))
        end
        if ty == 0 then it.side = "bmsc" elseif ty == 1 then it.side = "ue" end
        if it.side then sides[M.endpoint_str(p.src, p.sport)] = it.side else later[#later + 1] = it end
        items[#items + 1] = it
      end
    end
  end
  for _, it in ipairs(later) do
    it.side = sides[M.endpoint_str(it.pkt.src, it.pkt.sport)]
    if not it.side then
      cap.errors[#cap.errors + 1] = string.format("%s: packet %d: MIKEY %s from %s: cannot tell which side sent it",
        cap.label, it.index, it.kind, M.endpoint_str(it.pkt.src, it.pkt.sport))
    end
  end
  for _, ex in ipairs(http_flows(cap)) do
    local r = ex.requests[#ex.requests]
    items[#items + 1] = { proto = "http", side = "ue", exchange = ex, index = ex.index, time = ex.time,
      kind = r and bodies.request_kind(prof, r.msg.target) or "other" }
  end
  local kept, sorted = {}, true
  for _, it in ipairs(items) do
    if it.side then
      if #kept > 0 and kept[#kept].index > it.index then sorted = false end
      kept[#kept + 1] = it
    end
  end
  if not sorted then table.sort(kept, function(a, b) return a.index < b.index end) end
  cap.classified[prof] = kept
  return kept
end

--- The first MIKEY item of a capture that is of `want.kind` (a profile kind name) and, when
-- given, names MSK ID `want.mskid` (bytes) in its Key ID. Returns its packet index and the
-- item (pkt, msg, kind, side), or nil.
function M.find(cap, prof, want)
  local kd = prof.mikey.keyid.kdid_len
  for _, it in ipairs(M.classify(cap, prof)) do
    if it.proto == "udp" and it.kind == want.kind then
      local id = M.keyid_of(it.msg, prof)
      if not want.mskid or (id and id:sub(kd + 1, kd + #want.mskid) == want.mskid) then return it.index, it end
    end
  end
end

--- The TS counter of a decoded MIKEY message, or nil.
function M.counter_of(m)
  for _, p in ipairs(m.payloads) do if p.name == "T" then return p.ts end end
end

--- The plan of a replay by a harness playing `plays` ("bmsc" or "ue"): the items that side
-- sent are steps (send = true); the other side's are replies to wait for (send = false), each
-- with `answers`, the last step before it.
function M.plan(items, plays)
  local plan, last = {}, nil
  for _, it in ipairs(items) do
    local step = setmetatable({ send = it.side == plays }, { __index = it })
    if step.send then last = step else step.answers = last end
    plan[#plan + 1] = step
  end
  return plan
end

--- Send offsets (seconds from the start) of the steps of a plan: the capture's own spacing
-- divided by speed, or 0 for every step at top speed. Captured time never runs backwards here
-- (an earlier timestamp is sent at once after its predecessor).
function M.schedule(steps, o)
  local out, t0, prev = {}, nil, 0
  for i, s in ipairs(steps) do
    if o.topspeed then out[i] = 0
    else
      t0 = t0 or s.time
      local off = (s.time - t0) / (o.speed or 1)
      if off < prev then off = prev end
      out[i] = off
      prev = off
    end
  end
  return out
end

-- Freshness ----------------------------------------------------------------------------------

local function keyid_of(m, prof)
  for _, p in ipairs(m.payloads) do
    if p.name == "EXT" and p.ext_type == prof.mikey.keyid_ext_type then
      local ty, id = mikey.keyid(p.ext_data)
      return id, ty
    end
  end
end
M.keyid_of = keyid_of

--- The key a captured MIKEY message is protected with: "mtk" messages are under an MSK (named
-- by their Key ID), the others under the MUK.
function M.key_class(kind) return kind == "mtk_delivery" and "msk" or "muk" end

--- Re-protects a captured MIKEY message as a fresh one. o:
--   prof     the profile (payload names, Key ID extension type)
--   key      the key to protect with now (the MUK, or the MSK for an MTK message)
--   old_key  the key the capture was protected with (default: key); when the captured key
--            data cannot be opened with it, `keys` supplies them
--   keys     function(key_id) -> {key=, seql=, sequ=} | nil: the session's key named by the
--            message's Key ID (kdid || mskid), used when the capture cannot be opened
--   counter  the new TS value (same TS type and length as captured)
--   rand     the new RAND (default: random bytes of the captured length)
--   idi, idr the new IDi / IDr (nil keeps the captured ones)
--   csb_id   the new CSB ID (nil keeps it)
-- Returns bytes, info {counter_was=, opened= "capture"|"session"} or nil, message naming the
-- field at fault.
function M.freshen(bytes, o)
  local m, err = mikey.decode(bytes)
  if not m then return nil, "MIKEY: " .. err end
  if m.type ~= 0 then
    return nil, string.format("HDR.type: %s (%d) is not a protected pre-shared-key message; only those are freshened",
      tostring(mikey.name("data_type", m.type)), m.type)
  end
  local plain = mikey.unprotect(bytes, o.old_key or o.key)
  local info = { opened = "capture" }
  if not plain then
    -- The capture was protected with a key this session does not have: the key data come
    -- from the session's own keys, found by the message's Key ID.
    local id = keyid_of(m, o.prof)
    local k = id and o.keys and o.keys(id)
    plain, info.opened = m, "session"
    for _, p in ipairs(plain.payloads) do
      if p.name == "KEMAC" then
        local mk = o.prof.mikey
        local len = mk.keyid.mtkid_len
        if p.encr_len and p.encr_len > 0 then
          if not k then
            return nil, "KEMAC: the captured key data do not open with the given key and no session key has Key ID " ..
              (id and hex.encode(id) or "(none)")
          end
          local kd = { type = 0, kv = 2, key = k.key, valid_from = string.pack(">I" .. len, k.seql or 0),
            valid_to = string.pack(">I" .. len, k.sequ or (1 << (8 * len)) - 1) }
          if k.spi then kd = { type = 2, kv = 1, key = k.key, spi = k.spi } end
          p.keys = { kd }
        else
          p.keys = {}
        end
      end
    end
  end
  local ids = 0
  for _, p in ipairs(plain.payloads) do
    p.offset = nil
    if p.name == "T" then
      local len = #p.ts_value
      info.counter_was = p.ts
      if o.counter then
        if len < 8 and o.counter >= (1 << (8 * len)) then
          return nil, string.format("T: counter %d does not fit the captured %d-byte TS value", o.counter, len)
        end
        p.ts_value = string.pack(">I" .. len, o.counter)
      end
      p.ts = nil
    elseif p.name == "RAND" then
      p.rand = o.rand or crypto.random(#p.rand)
    elseif p.name == "ID" then
      ids = ids + 1
      if ids == 1 and o.idi then p.id_data = o.idi end
      if ids == 2 and o.idr then p.id_data = o.idr end
    elseif p.name == "KEMAC" then
      p.encr_data, p.encr_len, p.mac = nil, nil, nil
      p.keys = p.keys or {}
    end
  end
  if o.csb_id then plain.csb_id = o.csb_id end
  local out, perr = mikey.protect(plain, o.key)
  if not out then return nil, "protect: " .. perr end
  return out, info
end

-- Sending ------------------------------------------------------------------------------------

--- Summary counters of a replay.
local function new_stats()
  return { sent = 0, matched = 0, differing = 0, rejected = 0, unexpected = 0, errors = 0,
    send_time = 0, first_send = nil, last_send = nil, notes = {} }
end

local function note(st, t, fmt, ...)
  local line = string.format(fmt, ...)
  st.notes[#st.notes + 1] = line
  if t then t:log("replay: %s", line) end
end

--- Raw UDP senders, one per captured source endpoint: bound to that endpoint when this host
-- can bind it (address and port), else to the harness address with the captured port, else
-- to any port of the harness address.
local function udp_sender(t, ctx, ip, port)
  local key = M.endpoint_str(ip, port)
  if ctx.senders[key] then return ctx.senders[key] end
  local net = t.sched.net
  local mip, mport = ctx.map_src(ip, port)
  local s
  for _, b in ipairs({ { mip, mport }, { ctx.harness_ip, port }, { ctx.harness_ip, 0 } }) do
    local ok, sock = pcall(net.udp, { bind = b[1], port = b[2] })
    if ok and sock then s = sock; break end
  end
  if not s then t:error("replay: cannot open a UDP socket on " .. ctx.harness_ip) end
  t:cleanup(function() pcall(s.close, s) end)
  ctx.senders[key] = s
  return s
end

--- Sends payloads[i..j] on sock to ip:port as fast as the socket takes them (sendmmsg),
-- waiting for writability through the scheduler when its buffer fills.
local function send_run(t, sock, payloads, ip, port, deadline)
  local i, j = 1, #payloads
  while i <= j do
    local n, err = sock:send_batch(payloads, ip, port, i, j)
    if not n then return nil, err end
    i = i + n
    if i <= j and not t.sched:wait(sock, "w", deadline) then return nil, "timeout sending" end
  end
  return true
end

--- The MIKEY bytes of a step as this replay sends them (verbatim, or freshened).
local function bytes_of(t, ctx, step)
  if not ctx.fresh then return step.pkt.payload end
  local prof = t.profile
  local class = M.key_class(step.kind)
  local o = { prof = prof, rand = nil }
  if class == "muk" then
    local sub = ctx.sub()
    o.key, o.idi, o.idr = sub.keys.muk, ctx.fqdn, sub.btid
    o.keys = function(id) return ctx.key_by_id(id) end
    o.counter = ctx.next_counter("muk:" .. sub.btid)
  else
    local id = keyid_of(step.msg, prof)
    local mk = prof.mikey.keyid
    local k = id and ctx.key_by_id(id:sub(1, mk.kdid_len + mk.mskid_len))
    if not k then return nil, "KEMAC: no session MSK for the MTK message's Key ID " .. (id and hex.encode(id) or "(none)") end
    o.key = k.key
    o.keys = function() return { key = crypto.random(16), spi = id:sub(-mk.mtkid_len) } end
    o.old_key = k.key
    o.counter = ctx.next_counter("msk:" .. hex.encode(k.mskid))
  end
  return M.freshen(step.pkt.payload, o)
end

--- Waits for the SUT's reply a plan expects and classifies it: matched, differing (something
-- else came), rejected (nothing came: e.g. no verification for a replayed delivery).
local function await_reply(t, ctx, st, step)
  local b, u = ctx.bmsc, ctx.ue
  if step.proto == "udp" then
    local q = b and b.mikey or u.mikey
    local within = t.timer.T_delivery
    -- A notice from a BM-SC under test follows a key rotation, spread over W_spread.
    if step.kind == "solicited_pull" then within = within + t.timer.W_spread end
    local ev = q:pop(t:deadline(within))
    if not ev then
      st.rejected = st.rejected + 1
      note(st, t, "packet %d: expected %s, nothing within %.3f s (rejected)", step.index, step.kind, t.sched:dur(within))
      return "rejected"
    end
    local ok
    if b and step.kind == "verification" then
      local sent = step.answers and ctx.sent[step.answers]
      ok = sent and ev.msg and ev.msg.type == 1 and
        mikey.vmac_verify(t.profile.mikey.v_mac_reading, ev.bytes, sent, ctx.sub().keys.muk) == true
    else
      ok = ev.kind == step.kind
    end
    if ok then
      st.matched = st.matched + 1
      -- A delivery to the UE emulation: what a freshened verification answers.
      if u and ev.msg and ev.msg.type == 0 then ctx.delivered = ev end
      return "matched", ev
    end
    st.differing = st.differing + 1
    note(st, t, "packet %d: expected %s, got %s", step.index, step.kind, tostring(ev.what))
    return "differing", ev
  end
  -- An HTTP request from the UE under test (the harness is its BM-SC).
  local within = t.timer.T_request + t.timer.T_delivery + t.timer.W_spread
  local ev = b.http:pop(t:deadline(within))
  if not ev then
    st.rejected = st.rejected + 1
    note(st, t, "packet %d: expected a %s request, nothing within %.3f s", step.index, step.kind, t.sched:dur(within))
    return "rejected"
  end
  local ex = step.exchange
  local resp = ex.responses[#ex.responses]
  if resp then
    local ctype = resp.msg.header["content-type"]
    b:respond(ev, { status = resp.msg.status, body = resp.msg.body, content_type = ctype })
  end
  local why
  if ev.kind ~= step.kind then
    why = tostring(ev.what)
  elseif step.kind == "msk" then
    -- A key request names keys: the same (Key Domain ID, MSK ID) list as captured.
    local function list(keys)
      local out = {}
      for i, k in ipairs(keys or {}) do out[i] = hex.encode(k.kdid) .. "/" .. hex.encode(k.mskid) end
      return table.concat(out, ",")
    end
    local want = list(bodies.parse_msk_request(t.profile, ex.requests[#ex.requests].msg.body))
    if list(ev.keys) ~= want then why = "keys " .. list(ev.keys) .. " (captured " .. want .. ")" end
  end
  if not why then st.matched = st.matched + 1; return "matched", ev end
  st.differing = st.differing + 1
  note(st, t, "packet %d: expected a %s request, got %s", step.index, step.kind, why)
  return "differing", ev
end

--- Replays one captured HTTP connection toward the BM-SC under test: verbatim, its requests as
-- captured over one new connection; fresh, each final request through the UE emulation (a new
-- Digest answer). Statuses are compared with the captured ones.
local function replay_http(t, ctx, st, step)
  local ex = step.exchange
  local bm = t.target.bmsc or {}
  local ip, port = ctx.map_dst(ex.client.dst, ex.client.dport)
  if ctx.fresh then
    local r = ex.requests[#ex.requests]
    local kind = bodies.request_kind(t.profile, r.msg.target)
    if not kind then
      st.errors = st.errors + 1
      note(st, t, "packet %d: HTTP request target %s names no key-update procedure", r.index, r.msg.target)
      return
    end
    local out = ctx.ue:post(kind, r.msg.body, { content_type = r.msg.header["content-type"] })
    st.sent = st.sent + 1
    local want = ex.responses[#ex.responses]
    if want and want.msg.status == out.status then st.matched = st.matched + 1
    else
      st.differing = st.differing + 1
      note(st, t, "packet %d: %s request: status %s, captured %s", r.index, kind, tostring(out.status),
        want and tostring(want.msg.status) or "none")
    end
    return
  end
  local conn, err = require("mbms").connect(t, ip or bm.ip, port or bm.http_port, t:deadline(t.timer.T_request),
    ctx.harness_ip)
  if not conn then
    st.errors = st.errors + 1
    note(st, t, "packet %d: connect: %s", ex.index, tostring(err))
    return
  end
  t:cleanup(function() conn:close() end)
  for i, r in ipairs(ex.requests) do
    local ok, serr = conn:send_all(r.bytes, t:deadline(t.timer.T_request))
    if not ok then
      st.errors = st.errors + 1
      note(st, t, "packet %d: HTTP send: %s", r.index, tostring(serr))
      break
    end
    st.sent = st.sent + 1
    local got, rerr = conn:read(t:deadline(t.timer.T_request))
    local want = ex.responses[i]
    if not got then
      st.rejected = st.rejected + 1
      note(st, t, "packet %d: %s %s: no response (%s), captured %s", r.index, r.msg.method, r.msg.target,
        tostring(rerr), want and tostring(want.msg.status) or "none")
      break
    elseif want and want.msg.status == got.status then
      st.matched = st.matched + 1
    else
      st.differing = st.differing + 1
      note(st, t, "packet %d: %s %s: status %d, captured %s", r.index, r.msg.method, r.msg.target, got.status,
        want and tostring(want.msg.status) or "none")
    end
  end
  conn:close()
end

--- Replays a capture as a scenario step sequence. o:
--   cap       a collected capture (collect / capture)
--   fresh     re-protect MIKEY with the session's keys (default: verbatim)
--   speed     divide the captured spacing by this (default 1); topspeed: no spacing
--   map       rewrite rules for captured destinations {["ip:port"] = "ip:port", ...} (default:
--             every UDP destination -> the target's MIKEY endpoint, every TCP destination ->
--             the target's HTTP endpoint); map_src the same for sources
--   bmsc      an mbms.bmsc emulation to use (harness as BM-SC); created when a reply or a
--             request of the UE is expected and none is given
--   join      trigger the target's join before an expected registration (default true)
--   steps     restrict the steps sent to these capture packet indices (a set)
-- Returns the summary {sent=, matched=, differing=, rejected=, errors=, send_time=, rate=,
-- requested_rate=, notes={...}, sent_bytes={[index]=bytes}}.
function M.run(t, o)
  local mbms = require("mbms")
  local prof, tgt = t.profile, t.target
  local plays = tgt.role == "ue" and "bmsc" or "ue"
  local st = new_stats()
  local items = M.classify(o.cap, prof)
  for _, e in ipairs(o.cap.errors) do st.errors = st.errors + 1; note(st, t, "%s", e) end
  for _, w in ipairs(o.cap.warnings or {}) do note(st, t, "warning: %s", w) end
  local plan = M.plan(items, plays)
  if o.steps then
    -- Only the chosen steps are sent; the replies that answer a step left out are not awaited.
    local kept = {}
    for _, s in ipairs(plan) do
      if s.send and o.steps[s.index] then kept[#kept + 1] = s
      elseif not s.send and s.answers and o.steps[s.answers.index] then kept[#kept + 1] = s end
    end
    plan = kept
  end
  local harness = tgt.harness or {}
  local ctx = { fresh = o.fresh, senders = {}, sent = {}, harness_ip = harness.ip or "127.0.0.1" }
  -- Destinations: the SUT's endpoints.
  local rules = {}
  if plays == "bmsc" then
    local u = tgt.ue or {}
    rules["*"] = M.endpoint_str(u.ip or "127.0.0.1", u.mikey_port or prof.mikey.ports[1])
  else
    local bm = tgt.bmsc or {}
    rules["*"] = M.endpoint_str(bm.ip or "127.0.0.1", bm.http_port or prof.http.port)
  end
  for k, v in pairs(o.map or {}) do rules[k] = v end
  ctx.map_dst = M.mapper(rules)
  ctx.map_src = M.mapper(o.map_src or { ["*"] = ctx.harness_ip .. ":*" })
  ctx.fqdn = (tgt.bmsc and tgt.bmsc.fqdn) or harness.fqdn
  local counters = {}
  ctx.next_counter = function(key)
    if ctx.bmsc and ctx.bmsc.next_counter then return ctx.bmsc:next_counter(key) end
    local c = (counters[key] or (prof.mikey.counter_start - 1)) + 1
    counters[key] = c
    return c
  end
  local subscriber
  ctx.sub = function()
    if subscriber then return subscriber end
    local btid = o.btid or (tgt.ue and tgt.ue.btid) or (tgt.subscribers and tgt.subscribers[1] and tgt.subscribers[1].btid)
    subscriber = btid and mbms.subscriber(t, btid)
    if not subscriber then t:error("replay: the target declares no subscriber to take keys from") end
    return subscriber
  end
  ctx.key_by_id = function(id)
    for _, s in ipairs(tgt.services or {}) do
      local svc = mbms.service(t, s.id)
      for _, m in ipairs(svc.msks) do
        if svc.kdid .. m.mskid == id then return m end
      end
    end
  end
  -- The emulations, only when the plan has replies to match (a pure send needs none).
  local needs_peer = false
  for _, s in ipairs(plan) do if not s.send or s.proto == "http" then needs_peer = true end end
  if needs_peer and plays == "bmsc" then
    ctx.bmsc = o.bmsc or mbms.bmsc(t)
  elseif needs_peer then
    ctx.ue = o.ue or mbms.ue(t, o.btid or ctx.sub().btid)
  end
  local sends = {}
  for _, s in ipairs(plan) do if s.send then sends[#sends + 1] = s end end
  local offsets = M.schedule(sends, { speed = o.speed, topspeed = o.topspeed })
  local offset_of = {}
  for i, s in ipairs(sends) do offset_of[s] = offsets[i] end
  local net = t.sched.net
  local start = net.now()
  local joined = o.join == false
  local i = 1
  while i <= #plan do
    local s = plan[i]
    if not s.send then
      if plays == "ue" and s.kind == "solicited_pull" and tgt.control.rotate then
        -- What makes a BM-SC send a notice: the next key of the service.
        mbms.trigger(t, "rotate", { service = mbms.service(t).id })
      end
      if s.proto == "http" and s.kind == "register" and not joined and tgt.control.join then
        joined = true
        local svcs = bodies.parse_register(prof, s.exchange.requests[#s.exchange.requests].msg.body, "register")
        mbms.trigger(t, "join", { service = (svcs and svcs[1]) or mbms.service(t).id })
      end
      await_reply(t, ctx, st, s)
      i = i + 1
    else
      local due = start + offset_of[s]
      local wait = due - net.now()
      if wait > 0 then t.sched:sleep(wait / t.sched.scale) end
      if s.proto == "http" then
        st.first_send = st.first_send or net.now()
        replay_http(t, ctx, st, s)
        st.last_send = net.now()
        i = i + 1
      elseif ctx.fresh and ctx.ue and s.kind == "verification" then
        -- A verification is not freshened but made anew, answering the delivery received.
        if ctx.delivered then
          ctx.sent[s] = ctx.ue:verify(ctx.delivered)
          st.sent = st.sent + 1
        else
          st.errors = st.errors + 1
          note(st, t, "packet %d: verification: no delivery received to answer", s.index)
        end
        i = i + 1
      else
        -- A run of UDP steps with no reply awaited in between, to one destination from one
        -- source, goes out in batches when no spacing separates them.
        local run, payloads, names = { s }, {}, {}
        local sip, sport = s.pkt.src, s.pkt.sport
        local dip, dport = ctx.map_dst(s.pkt.dst, s.pkt.dport)
        local j = i + 1
        while j <= #plan and plan[j].send and plan[j].proto == "udp" and offset_of[plan[j]] <= offset_of[s] and
          plan[j].pkt.src == sip and plan[j].pkt.sport == sport do
          local ndip, ndport = ctx.map_dst(plan[j].pkt.dst, plan[j].pkt.dport)
          if ndip ~= dip or ndport ~= dport then break end
          run[#run + 1] = plan[j]
          j = j + 1
        end
        for k, r in ipairs(run) do
          local bytes, ferr = bytes_of(t, ctx, r)
          if not bytes then
            st.errors = st.errors + 1
            note(st, t, "packet %d: %s: cannot freshen: %s", r.index, r.kind, ferr)
          else
            payloads[#payloads + 1] = bytes
            names[#payloads] = string.format("%s %s (packet %d)", ctx.fresh and "freshened" or "verbatim", r.kind, r.index)
            ctx.sent[r] = bytes
          end
          run[k] = r
        end
        local t0 = net.now()
        st.first_send = st.first_send or t0
        if #payloads > 0 then
          if ctx.bmsc then
            -- Through the emulation's socket, so that the SUT's replies reach its queue.
            for k, p in ipairs(payloads) do ctx.bmsc:send_mikey(p, names[k]) end
          else
            local sock = ctx.ue and ctx.ue.udp or udp_sender(t, ctx, sip, sport)
            local ok, err = send_run(t, sock, payloads, dip, dport, t.until_)
            if not ok then t:error("replay: sending to " .. M.endpoint_str(dip, dport) .. ": " .. tostring(err)) end
            if not ctx.ue and t.capture and #payloads <= 64 then
              local lip, lport = sock:local_addr()
              for _, p in ipairs(payloads) do t:capture_udp(lip, lport, dip, dport, p) end
            end
          end
          st.sent = st.sent + #payloads
        end
        st.last_send = net.now()
        st.send_time = st.send_time + (st.last_send - t0)
        i = j
      end
    end
  end
  st.sends = #sends
  local span = (st.last_send or start) - (st.first_send or start)
  st.elapsed = span
  -- Achieved rate over the sending period; the requested one is the capture's, sped up.
  if st.sent > 1 and span > 0 then st.rate = (st.sent - 1) / span
  elseif st.sent > 0 then st.rate = math.huge end
  if not o.topspeed and #sends > 1 then
    local cspan = (offsets[#offsets] or 0) - (offsets[1] or 0)
    st.requested_rate = cspan > 0 and ((#sends - 1) / cspan) or math.huge
  end
  st.sent_bytes = {}
  for s, b in pairs(ctx.sent) do st.sent_bytes[s.index] = b end
  return st
end

return M
