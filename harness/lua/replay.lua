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
-- Everything that talks to the network (replay_send.lua, loaded into this module) goes through
-- the scenario's `t` (scheduler, deadlines, evidence) and the flows library (mbms.bmsc /
-- mbms.ue); the pure parts (classify, plan,
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

-- Sending: replay_send.lua adds M.run (the network side).
require("replay_send")(M)

return M
