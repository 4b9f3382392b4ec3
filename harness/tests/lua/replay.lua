-- replay.lua: the capture replay's pure parts — endpoint rewriting, timing, freshness (re-protect
-- with the session's keys), classification and plan of a capture, HTTP reassembly, damaged input
-- reported by packet — and the sendmmsg fast path of mbms.net (u:send_batch).
local replay = require("replay")
local mikey = require("mbms.mikey")
local capture = require("mbms.capture")
local net = require("mbms.net")
local msg = require("mbmsmsg")
local profile = require("profile")

local check = require("check")
local eq, raises, has = check.eq, check.raises, check.has

local prof = assert(profile.load("ts33246", MBMSCT_HOME))

-- Endpoints and rewriting ----------------------------------------------------------------------
do
  local ip, port = replay.endpoint("192.0.2.1:2269")
  eq(ip, "192.0.2.1", "endpoint ip"); eq(port, 2269, "endpoint port")
  ip, port = replay.endpoint("[2001:db8::1]:80")
  eq(ip, "2001:db8::1", "v6 endpoint ip"); eq(port, 80, "v6 endpoint port")
  ip, port = replay.endpoint("10.0.0.1:*")
  eq(ip, "10.0.0.1", "wildcard port ip"); eq(port, nil, "wildcard port")
  eq(select(1, replay.endpoint("nonsense")), nil, "bad endpoint")
  eq(select(1, replay.endpoint("1.2.3.4:70000")), nil, "port out of range")
  eq(replay.endpoint_str("::1", 5), "[::1]:5", "v6 printed in brackets")

  local map = replay.mapper({
    ["192.0.2.10:2269"] = "127.0.0.1:15469",     -- exact
    ["192.0.2.10:*"] = "127.0.0.2:*",            -- every other port of the address, port kept
    ["*"] = "127.0.0.9:9999",                    -- anything else
  })
  local a, p = map("192.0.2.10", 2269)
  eq(a .. ":" .. p, "127.0.0.1:15469", "exact rule wins")
  a, p = map("192.0.2.10", 8080)
  eq(a .. ":" .. p, "127.0.0.2:8080", "address rule keeps the port")
  a, p = map("198.51.100.20", 1)
  eq(a .. ":" .. p, "127.0.0.9:9999", "default rule")
  a, p = replay.mapper({})("198.51.100.20", 7)
  eq(a .. ":" .. p, "198.51.100.20:7", "no rule: kept")
  raises("expected IP:PORT", replay.mapper, { ["bad"] = "127.0.0.1:1" })
  raises("must name an address", replay.mapper, { ["1.2.3.4:1"] = "*" })
end

-- Timing -----------------------------------------------------------------------------------
do
  local steps = { { time = 100.0 }, { time = 100.5 }, { time = 100.25 }, { time = 102.0 } }
  local off = replay.schedule(steps, { speed = 2 })
  eq(off[1], 0, "first at once"); eq(off[2], 0.25, "spacing halved at speed 2")
  eq(off[3], 0.25, "time never runs backwards"); eq(off[4], 1.0, "last")
  off = replay.schedule(steps, {})
  eq(off[4], 2.0, "speed 1 keeps the spacing")
  off = replay.schedule(steps, { topspeed = true })
  for i = 1, 4 do eq(off[i], 0, "top speed offset " .. i) end
end

-- Freshness --------------------------------------------------------------------------------
local K1, K2 = string.rep("\x11", 32), string.rep("\x22", 32)
local MSK = "\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\xcc\xdd\xee\xff"
local function delivery(o)
  local t = msg.msk_delivery(prof, { csb_id = 77, counter = o.counter or 5, rand = string.rep("\x01", 16),
    idi = "bmsc.elsewhere.example", idr = "B-TID-9@bsf.elsewhere.example", kdid = "\x00\xf1\x10",
    mskid = "\x00\x01\x00\x02", msk = MSK, seql = 1, sequ = 4095, v = 1, pull = o.pull })
  return assert(mikey.protect(t, o.key or K1))
end
local function field(m, name, k, nth)
  local n = 0
  for _, p in ipairs(m.payloads) do
    if p.name == name then
      n = n + 1
      if n == (nth or 1) then return p[k] end
    end
  end
end

do
  local orig = delivery({})
  local fresh, info = replay.freshen(orig, { prof = prof, key = K2, old_key = K1, counter = 9,
    idi = "bmsc.example.org", idr = "B-TID-0001@bsf.example.org" })
  assert(fresh, info)
  eq(info.counter_was, 5, "captured counter reported")
  eq(info.opened, "capture", "key data from the capture")
  local m = assert(mikey.decode(fresh))
  eq(field(m, "T", "ts"), 9, "TS counter rewritten")
  eq(#field(m, "T", "ts_value"), 4, "TS length kept")
  eq(#field(m, "RAND", "rand"), 16, "RAND length kept")
  assert(field(m, "RAND", "rand") ~= string.rep("\x01", 16), "RAND renewed")
  eq(field(m, "ID", "id_data", 1), "bmsc.example.org", "IDi rewritten")
  eq(field(m, "ID", "id_data", 2), "B-TID-0001@bsf.example.org", "IDr rewritten")
  eq(m.csb_id, 77, "CSB ID kept")
  eq(m.v, 1, "V kept")
  local plain = assert(mikey.unprotect(fresh, K2))
  local kd = field(plain, "KEMAC", "keys")[1]
  eq(kd.key, MSK, "the captured key travels on")
  eq(kd.valid_from, "\x00\x01", "SEQl kept"); eq(kd.valid_to, "\x0f\xff", "SEQu kept")
  local _, _, why = mikey.unprotect(fresh, K1)
  eq(why, "mac", "no longer valid under the capture's key")
  local viol = mikey.validate(fresh, prof.mikey)
  eq(#viol, 0, "freshened delivery follows the profile: " .. table.concat(viol, "; "))
  -- Two freshenings of the same bytes differ (new RAND) even with the same counter.
  local again = assert(replay.freshen(orig, { prof = prof, key = K2, old_key = K1, counter = 9 }))
  assert(again ~= fresh, "a new RAND each time")
  eq(field(assert(mikey.decode(again)), "ID", "id_data", 2), "B-TID-9@bsf.elsewhere.example", "IDs kept when not given")
end

do
  -- A capture from elsewhere whose MUK the session lacks: key data from the session's keys.
  local orig = delivery({ key = string.rep("\x99", 32) })
  local session = { key = string.rep("\x5a", 16), seql = 100, sequ = 200 }
  local asked
  local fresh, info = replay.freshen(orig, { prof = prof, key = K2, counter = 2,
    keys = function(id) asked = id; return session end })
  assert(fresh, info)
  eq(info.opened, "session", "key data from the session")
  eq(asked, "\x00\xf1\x10\x00\x01\x00\x02", "looked up by Key ID (kdid || mskid)")
  local kd = field(assert(mikey.unprotect(fresh, K2)), "KEMAC", "keys")[1]
  eq(kd.key, session.key, "session key delivered")
  eq(kd.valid_from, "\x00\x64", "session SEQl"); eq(kd.valid_to, "\x00\xc8", "session SEQu")
  local none, err = replay.freshen(orig, { prof = prof, key = K2, counter = 2, keys = function() return nil end })
  eq(none, nil, "no key to deliver")
  assert(err:find("KEMAC: the captured key data do not open", 1, true), err)
end

do
  -- A notice (empty KEMAC), a counter too large, a verification, garbage.
  local pull = delivery({ pull = true })
  local fresh = assert(replay.freshen(pull, { prof = prof, key = K2, old_key = K1, counter = 3 }))
  local plain = assert(mikey.unprotect(fresh, K2))
  eq(#field(plain, "KEMAC", "keys"), 0, "pull stays empty")
  eq(select(2, mikey.validate(fresh, prof.mikey)), "solicited_pull", "still a pull")
  local none, err = replay.freshen(pull, { prof = prof, key = K2, old_key = K1, counter = 1 << 32 })
  eq(none, nil, "counter overflow refused")
  assert(err:find("T: counter 4294967296 does not fit the captured 4-byte TS value", 1, true), err)
  local d = assert(mikey.decode(delivery({})))
  local v = assert(mikey.vmac_sign(prof.mikey.v_mac_reading, assert(mikey.encode(msg.verification(prof, d))),
    delivery({}), K1))
  none, err = replay.freshen(v, { prof = prof, key = K2, counter = 2 })
  eq(none, nil, "verification not freshened")
  assert(err:find("HDR.type", 1, true), err)
  none, err = replay.freshen("\x01\x00", { prof = prof, key = K2, counter = 2 })
  eq(none, nil, "garbage")
  assert(err:find("^MIKEY: "), err)
end

-- The committed capture: classification, plan, HTTP reassembly -------------------------------
do
  local cap = assert(replay.capture("ue-key-update.pcap"))
  eq(#cap.packets, 13, "packets read")
  eq(#cap.errors, 0, "no errors: " .. table.concat(cap.errors, "; "))
  local items = replay.classify(cap, prof)
  local shape = {}
  for _, it in ipairs(items) do shape[#shape + 1] = it.index .. ":" .. it.side .. ":" .. it.proto .. ":" .. it.kind end
  eq(table.concat(shape, " "), "1:ue:http:register 5:bmsc:udp:msk_delivery 6:ue:udp:verification " ..
    "7:bmsc:udp:solicited_pull 8:ue:http:msk 12:bmsc:udp:msk_delivery 13:ue:udp:verification", "classification")
  local reg = items[1].exchange
  eq(#reg.requests, 2, "register flow: request and authenticated retry")
  eq(reg.responses[1].msg.status, 401, "captured challenge")
  eq(reg.responses[2].msg.status, 200, "captured answer")
  assert(reg.requests[1].bytes:find("^POST /keymanagement%?requesttype=register HTTP/1.1\r\n"), "request bytes as sent")
  assert(reg.requests[2].msg.header["authorization"], "retry carries credentials")
  eq(reg.client.src, "198.51.100.20", "client is the UE")
  local plan = replay.plan(items, "bmsc")
  local sends, answers = {}, {}
  for _, s in ipairs(plan) do
    if s.send then sends[#sends + 1] = s.index
    else answers[#answers + 1] = s.index .. "<-" .. (s.answers and s.answers.index or "-") end
  end
  eq(table.concat(sends, ","), "5,7,12", "harness as BM-SC sends the BM-SC's MIKEY")
  eq(table.concat(answers, ","), "1<--,6<-5,8<-7,13<-12", "replies and what they answer")
  plan = replay.plan(items, "ue")
  sends = {}
  for _, s in ipairs(plan) do if s.send then sends[#sends + 1] = s.index end end
  eq(table.concat(sends, ","), "1,6,8,13", "harness as UE sends requests and verifications")
  local idx, it = replay.find(cap, prof, { kind = "msk_delivery", mskid = "\x00\x01\x00\x03" })
  eq(idx, 12, "find the delivery of MSK 00010003")
  eq(replay.counter_of(it.msg), 3, "its counter")
  eq(replay.find(cap, prof, { kind = "msk_delivery", mskid = "\x7f\x7f\x7f\x7f" }), nil, "no such MSK")
  raises("", function() assert(replay.capture("../README.md")) end)
  eq(select(1, replay.capture("../../etc/passwd")), nil, "captures only from vectors/captures/")
end

-- Damaged input: reported by file and packet, the rest still read ----------------------------
do
  local path = os.tmpname()
  local w = assert(capture.create(path, capture.link.ETHERNET))
  assert(w:udp{ src = "192.0.2.10", sport = 2269, dst = "198.51.100.20", dport = 2269, payload = delivery({}), time = 1 })
  assert(w:udp{ src = "192.0.2.10", sport = 2269, dst = "198.51.100.20", dport = 2269, payload = "\x01\x00\x15", time = 2 })
  assert(w:tcp{ src = "198.51.100.20", sport = 4000, dst = "192.0.2.10", dport = 80, seq = 1, payload = "\x16\x03\x01 not http", time = 3 })
  assert(w:close())
  -- A record cut short at the end of the file.
  local f = assert(io.open(path, "rb")); local data = f:read("a"); f:close()
  f = assert(io.open(path, "wb")); f:write(data, data:sub(25, 60)); f:close()
  local h = assert(capture.open(path))
  local cap = replay.collect(h, "damaged.pcap")
  h:close()
  os.remove(path)
  eq(#cap.packets, 3, "packets before the damage")
  has(cap.errors, "damaged.pcap: record after packet 3", "cut record")
  local items = replay.classify(cap, prof)
  eq(#items, 1, "only the good MIKEY message is planned")
  has(cap.errors, "damaged.pcap: packet 2: MIKEY from 192.0.2.10:2269:", "undecodable MIKEY named")
  has(cap.errors, "damaged.pcap: packet 3: TCP connection", "non-HTTP TCP named")
  local n = #cap.errors
  replay.classify(cap, prof)
  eq(#cap.errors, n, "errors reported once")
end

-- u:send_batch: the sendmmsg fast path -------------------------------------------------------
do
  local rx = assert(net.udp{ bind = "127.0.0.1", port = 0 })
  local tx = assert(net.udp{ bind = "127.0.0.1", port = 0 })
  local ip, port = rx:local_addr()
  local payloads = {}
  for i = 1, 300 do payloads[i] = string.format("datagram %03d", i) end
  raises("payloads[2] is number, not a string", tx.send_batch, tx, { "a", 5 }, ip, port)
  eq(tx:send_batch(payloads, ip, port, 1, 0), 0, "empty range")
  local stop = net.now() + 5
  local function receive(from, to)
    for i = from, to do
      local data
      while net.now() < stop do
        data = rx:recv()
        if data then break end
        net.poll({ { rx, "r" } }, 1)
      end
      eq(data, payloads[i], "datagram " .. i .. " in order")
    end
  end
  -- Two sub-ranges, each received before the next (a loopback receive buffer holds a few
  -- hundred small datagrams; past that the kernel drops them, which is not the sender's doing).
  eq(tx:send_batch(payloads, ip, port, 1, 120), 120, "first range queued")
  receive(1, 120)
  eq(tx:send_batch(payloads, ip, port, 121, 230), 110, "second range queued")
  receive(121, 230)
  eq(select(2, rx:recv()), "again", "nothing past the range")
  -- More than one sendmmsg (NET_BATCH_MAX = 256 per call) behind one call: all counted.
  local sink = assert(net.udp{ bind = "127.0.0.1", port = 0 })
  local sip, sport = sink:local_addr()
  local many = 0
  while many < 300 and net.now() < stop do
    many = many + assert(tx:send_batch(payloads, sip, sport, many + 1, 300))
    if many < 300 then net.poll({ { tx, "w" } }, 1) end
  end
  eq(many, 300, "300 datagrams queued past the batch size")
  sink:close()
  eq(select(2, rx:recv()), "again", "nothing past the range")
  rx:close(); tx:close()
end

-- Every MIKEY message classified by kind, none held decoded until used.
do
  local cap = assert(replay.capture("ue-key-update.pcap"))
  local items = replay.classify(cap, prof)
  eq(cap.warnings, nil, "a conforming capture gives no warning")
  local kinds = {}
  for _, it in ipairs(items) do if it.proto == "udp" then kinds[#kinds + 1] = it.index .. ":" .. it.kind end end
  eq(table.concat(kinds, " "), "5:msk_delivery 6:verification 7:solicited_pull 12:msk_delivery 13:verification",
    "kinds of every message")
  eq(rawget(items[4], "msg"), nil, "not decoded before use")
  eq(replay.counter_of(items[4].msg), 2, "a message decodes on first use (the pull's counter)")
end

-- HTTP connections go through the audit's reassembly: segments out of order and retransmitted
-- give the request as sent; a connection closed and its addresses reused gives two exchanges,
-- the late retransmission in between no third.
do
  local function exchanges(file)
    local h = assert(capture.open("vectors/captures/crafted/" .. file))
    local cap = replay.collect(h, file)
    h:close()
    local out = {}
    for _, it in ipairs(replay.classify(cap, prof)) do
      if it.proto == "http" then out[#out + 1] = it.exchange end
    end
    return out, cap
  end
  local ref = exchanges("exchange.pcap")
  eq(#ref, 1, "one exchange in exchange.pcap")
  local re, rcap = exchanges("tcp-reordered.pcap")
  eq(#re, 1, "one exchange in tcp-reordered.pcap")
  eq(re[1].requests[1].bytes, ref[1].requests[1].bytes, "the reordered, retransmitted request reassembled as sent")
  eq(#rcap.errors, 0, "no error for a retransmission")
  local closed = exchanges("tcp-closed.pcap")
  eq(#closed, 2, "a closed connection and its reuse: two exchanges")
  eq(#closed[2].requests, 1, "the reused connection's request")
  eq(closed[2].responses[1].msg.status, 200, "and its response")
  local _, gcap = exchanges("tcp-gap.pcap")
  has(gcap.errors, "", "a lost segment is reported")
end

