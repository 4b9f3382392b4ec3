-- gen-captures.lua: the crafted captures of vectors/captures/crafted/ (README there gives each
-- file's purpose). Deterministic: the same bytes on every run.
-- Usage: mbmsct lua scripts/gen-captures.lua OUTDIR
-- One small key-update exchange is synthesized (HTTP key request split over TCP segments, its
-- answer, an MSK delivery over UDP), then damaged in the ways real captures are.
local capture = require("mbms.capture")
local hex = require("mbms.hex")

local out = assert(arg[1], "usage: gen-captures.lua OUTDIR")
os.execute("mkdir -p '" .. out .. "'")

local function vector(name)
  local f = assert(io.open("vectors/mikey/valid/" .. name .. ".hex"))
  local h = f:read("a"):gsub("#[^\n]*", ""):gsub("%s", "")
  f:close()
  return assert(hex.decode(h))
end

local UE, BMSC = "127.0.0.1", "127.0.0.2"
local body = '<?xml version="1.0"?><mskRequest xmlns="urn:3GPP:metadata:2005:MBMS:mskRequest">' ..
  '<msk keyDomainId="00f110" mskId="00010002"/></mskRequest>'
local request = "POST /keymanagement?requesttype=msk-request HTTP/1.1\r\nHost: bmsc\r\n" ..
  'Authorization: Digest username="B-TID-0001@bsf.example.org", realm="r", nonce="n", uri="/", response="0"\r\n' ..
  "Content-Type: application/mbms-msk+xml\r\nContent-Length: " .. #body .. "\r\n\r\n" .. body
local rbody = '<?xml version="1.0"?><mskResponse xmlns="urn:3GPP:metadata:2005:MBMS:mskResponse">' ..
  '<status keyDomainId="00f110" mskId="00010002" code="200"/></mskResponse>'
local response = "HTTP/1.1 200 OK\r\nContent-Type: application/mbms-msk-response+xml\r\nContent-Length: " ..
  #rbody .. "\r\n\r\n" .. rbody

--- Writes packets {kind="tcp"|"udp", ...} to path; returns nothing.
local function write(path, packets, linktype)
  local w = assert(capture.create(path, linktype or capture.link.ETHERNET))
  for _, p in ipairs(packets) do
    if p.kind == "udp" then assert(w:udp(p)) else assert(w:tcp(p)) end
  end
  assert(w:close())
end

--- The exchange: SYN, request in three segments (given order), answer, MSK delivery.
local function exchange(order, drop)
  local isn, risn = 1000, 5000
  local segs = { request:sub(1, 40), request:sub(41, 120), request:sub(121) }
  local at = { 1, 41, 121 }
  local p = {
    { kind = "tcp", src = UE, sport = 40000, dst = BMSC, dport = 8080, seq = isn, flags = 0x02, time = 1.0 },
    { kind = "tcp", src = BMSC, sport = 8080, dst = UE, dport = 40000, seq = risn, ack = isn + 1, flags = 0x12, time = 1.001 },
  }
  local t = 1.002
  for _, i in ipairs(order) do
    if i ~= drop then
      p[#p + 1] = { kind = "tcp", src = UE, sport = 40000, dst = BMSC, dport = 8080, seq = isn + at[i],
        ack = risn + 1, payload = segs[i], time = t }
    end
    t = t + 0.001
  end
  p[#p + 1] = { kind = "tcp", src = BMSC, sport = 8080, dst = UE, dport = 40000, seq = risn + 1,
    ack = isn + 1 + #request, payload = response, time = t + 0.01 }
  p[#p + 1] = { kind = "udp", src = BMSC, sport = 2269, dst = UE, dport = 2269,
    payload = vector("mbms-msk-delivery"), time = t + 0.02 }
  return p
end

local function slurp(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

local function spit(path, s)
  local f = assert(io.open(path, "wb"))
  f:write(s)
  f:close()
end

-- A well-formed reference: segments in order.
write(out .. "/exchange.pcap", exchange({ 1, 2, 3 }))
-- Segments out of order, the first one retransmitted: reassembles to the same request.
local reordered = exchange({ 2, 1, 3, 1 })
write(out .. "/tcp-reordered.pcap", reordered)
-- The connection closed both ways (FIN), a late retransmission of its request (to be ignored,
-- not read as a new request), then a new connection on the same addresses and ports (SYN)
-- with the exchange again: 4 HTTP messages in all.
do
  local p = exchange({ 1, 2, 3 })
  local mikey_pkt = table.remove(p)
  local last = p[#p]
  local t = last.time
  local cfin = 1000 + 1 + #request
  local sfin = last.seq + #last.payload
  p[#p + 1] = { kind = "tcp", src = UE, sport = 40000, dst = BMSC, dport = 8080, seq = cfin, ack = sfin, flags = 0x11, time = t + 0.001 }
  p[#p + 1] = { kind = "tcp", src = BMSC, sport = 8080, dst = UE, dport = 40000, seq = sfin, ack = cfin + 1, flags = 0x11, time = t + 0.002 }
  p[#p + 1] = { kind = "tcp", src = UE, sport = 40000, dst = BMSC, dport = 8080, seq = 1001, ack = sfin + 1,
    payload = request:sub(1, 40), time = t + 0.003 }
  for _, q in ipairs(exchange({ 1, 2, 3 })) do
    if q.kind == "tcp" then q.time = q.time + 1 end
    p[#p + 1] = q
  end
  p[#p + 1] = mikey_pkt
  mikey_pkt.time = t + 2
  table.sort(p, function(a, b) return a.time < b.time end)
  write(out .. "/tcp-closed.pcap", p)
end
-- The middle segment never captured: the stream is reported broken, the rest goes on.
write(out .. "/tcp-gap.pcap", exchange({ 1, 2, 3 }, 2))
-- Not IP over Ethernet but a link type nobody dissects (USER0 = 147).
local good = slurp(out .. "/exchange.pcap")
spit(out .. "/bad-linktype.pcap", good:sub(1, 20) .. string.pack("<I4", 147) .. good:sub(25))
-- The last record cut in the middle (a capture killed while writing).
spit(out .. "/truncated-record.pcap", good:sub(1, #good - 30))
-- Every record cut to 96 bytes, as `tcpdump -s 96` would: payloads are incomplete.
do
  local pos, parts = 25, { good:sub(1, 16) .. string.pack("<I4", 96) .. good:sub(21, 24) }
  while pos <= #good do
    local sec, usec, incl, orig = string.unpack("<I4I4I4I4", good, pos)
    local data = good:sub(pos + 16, pos + 15 + incl)
    local keep = math.min(incl, 96)
    parts[#parts + 1] = string.pack("<I4I4I4I4", sec, usec, keep, orig) .. data:sub(1, keep)
    pos = pos + 16 + incl
  end
  spit(out .. "/snaplen-96.pcap", table.concat(parts))
end
-- Rule 6 with the leave observed as IGMP (profile leave.observable = "igmp"): a UE registers,
-- its key request is rejected NOT_AUTHORIZED, and it leaves the service group 239.255.42.1
-- with an IGMPv2 leave (or, in the second file, does not). A last datagram 20 s on marks the
-- end of observation. Addresses, service and group are harness/tests/live/targets/live.lua's.
do
  local function sum16(b)
    local sum = 0
    for i = 1, #b - 1, 2 do sum = sum + b:byte(i) * 256 + b:byte(i + 1) end
    if #b % 2 == 1 then sum = sum + b:byte(#b) * 256 end
    while sum > 0xffff do sum = (sum & 0xffff) + (sum >> 16) end
    return string.pack(">I2", (~sum) & 0xffff)
  end
  -- Ethernet, IPv4 (TTL 1, Router Alert omitted), IGMPv2 leave group (type 0x17).
  local function igmp_leave(src, group)
    local function ip4(a) local x = {}; for n in a:gmatch("%d+") do x[#x + 1] = string.char(tonumber(n)) end; return table.concat(x) end
    local igmp = "\x17\x00\x00\x00" .. ip4(group)
    igmp = igmp:sub(1, 2) .. sum16(igmp) .. igmp:sub(5)
    local hdr = "\x45\x00" .. string.pack(">I2", 20 + #igmp) .. "\x00\x00\x00\x00\x01\x02\x00\x00" ..
      ip4(src) .. ip4("224.0.0.2")
    hdr = hdr:sub(1, 10) .. sum16(hdr) .. hdr:sub(13)
    return string.rep("\x00", 12) .. "\x08\x00" .. hdr .. igmp
  end
  local reg = '<?xml version="1.0"?><mbmsRegister xmlns="urn:3GPP:metadata:2005:MBMS:mbmsRegister">' ..
    '<serviceId>urn:example:mbms:svc1</serviceId></mbmsRegister>'
  local regok = '<?xml version="1.0"?><mbmsRegisterResponse xmlns="urn:3GPP:metadata:2005:MBMS:mbmsRegisterResponse">' ..
    '<status serviceId="urn:example:mbms:svc1" code="200"/></mbmsRegisterResponse>'
  local rej = rbody:gsub('code="200"', 'code="401"')
  local function req(target, ctype, b)
    return "POST /keymanagement?requesttype=" .. target .. " HTTP/1.1\r\nHost: bmsc\r\n" ..
      'Authorization: Digest username="B-TID-0001@bsf.example.org", realm="r", nonce="n", uri="/", response="0"\r\n' ..
      "Content-Type: " .. ctype .. "\r\nContent-Length: " .. #b .. "\r\n\r\n" .. b
  end
  local function resp(ctype, b)
    return "HTTP/1.1 200 OK\r\nContent-Type: " .. ctype .. "\r\nContent-Length: " .. #b .. "\r\n\r\n" .. b
  end
  for _, leave in ipairs({ true, false }) do
    local w = assert(capture.create(out .. (leave and "/igmp-leave.pcap" or "/igmp-no-leave.pcap"), capture.link.ETHERNET))
    local c, sv, t = 100, 900, 1.0
    local function tcp(up, payload)
      if up then
        assert(w:tcp{ src = UE, sport = 40001, dst = BMSC, dport = 18480, seq = c, ack = sv, payload = payload, time = t })
        c = c + #payload
      else
        assert(w:tcp{ src = BMSC, sport = 18480, dst = UE, dport = 40001, seq = sv, ack = c, payload = payload, time = t })
        sv = sv + #payload
      end
      t = t + 0.01
    end
    tcp(true, req("register", "application/mbms-register+xml", reg))
    tcp(false, resp("application/mbms-register-response+xml", regok))
    tcp(true, req("msk-request", "application/mbms-msk+xml", body))
    tcp(false, resp("application/mbms-msk-response+xml", rej))
    if leave then
      assert(w:write{ frame = igmp_leave(UE, "239.255.42.1"), time = t + 0.1 })
    end
    assert(w:udp{ src = BMSC, sport = 9, dst = UE, dport = 9, payload = "end of observation", time = t + 20 })
    assert(w:close())
  end
end
-- Not a capture at all.
spit(out .. "/not-a-capture.pcap", "this is a text file, not a pcap\n")
-- pcapng: the same exchange through editcap (Wireshark's converter), and that file cut short.
assert(os.execute("editcap -F pcapng '" .. out .. "/exchange.pcap' '" .. out .. "/exchange.pcapng'"),
  "editcap (Debian package wireshark-common) is needed for the pcapng files")
local ng = slurp(out .. "/exchange.pcapng")
spit(out .. "/truncated.pcapng", ng:sub(1, #ng - 40))
print("wrote the crafted captures to " .. out)
