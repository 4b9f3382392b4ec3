-- gen-audit-capture.lua: a conformant key-update capture of about N MIKEY messages for the
-- audit benchmark, and the keys file (target-file shape) that goes with it.
-- Usage: mbmsct lua bench/gen-audit-capture.lua OUT.pcap KEYS.lua [N=100000] [UES=200]
--
-- Composition (printed): UEs register over HTTP (401 challenge, then 200) and get an MSK push;
-- the BM-SC rotates the MSK R times, each time sending every UE a notice spread over W_spread,
-- which the UE answers with a key request, the BM-SC with SUCCESS and a delivery, the UE with a
-- verification; between rotations an MTK stream under the current MSK goes to a multicast
-- group. All messages are protected with the keys of KEYS.lua, so the audit finds nothing.
local capture = require("mbms.capture")
local mikey = require("mbms.mikey")
local hex = require("mbms.hex")
local gba = require("gba")
local msg = require("mbmsmsg")
local bodies = require("bodies")
local flows = require("mbms")
local prof = require("profile").load("ts33246", MBMSCT_HOME)

local out, keys_path = arg[1], arg[2]
local N = tonumber(arg[3] or 100000)
local NUE = tonumber(arg[4] or 200)
assert(out and keys_path, "usage: gen-audit-capture.lua OUT.pcap KEYS.lua [N] [UES]")

local ROT = 4                                   -- MSK rotations
local FQDN, SVC, KDID = "bmsc.example.org", "urn:example:mbms:svc1", "00f110"
local BMSC_IP, GROUP = "10.0.0.1", "232.1.1.1"
local W = prof.timers.W_spread

-- Keys: one subscriber per UE, ROT + 1 MSKs whose MTK ID ranges share the stream evenly.
local per_msk = math.floor(N / (ROT + 1))
local kf = assert(io.open(keys_path, "w"))
kf:write("return {\n  bmsc = { fqdn = '" .. FQDN .. "' },\n  services = {\n    { id = '" .. SVC ..
  "', kdid = '" .. KDID .. "', msks = {\n")
local msks = {}
for i = 1, ROT + 1 do
  local key = string.format("%032x", i * 0x1111)
  msks[i] = { id = string.format("%08x", 0x00010000 + i), key = key, seql = 1, sequ = 65535 }
  kf:write(string.format("      { mskid = '%s', key = '%s', seql = 1, sequ = 65535 },\n", msks[i].id, key))
end
kf:write("    } },\n  },\n  subscribers = {\n")
local ues = {}
for u = 1, NUE do
  local ks = string.format("%064x", u)
  local sub = { btid = string.format("B-TID-%05d@bsf.example.org", u), impi = "imsi" .. u .. "@ims.example.org",
    ks = ks, rand = string.format("%032x", u), entitled = { SVC } }
  kf:write(string.format("    { btid = '%s', impi = '%s', ks = '%s', rand = '%s', entitled = { '%s' } },\n",
    sub.btid, sub.impi, sub.ks, sub.rand, SVC))
  local k = assert(gba.keys(prof, flows.unhex(sub), FQDN))
  ues[u] = { btid = sub.btid, muk = k.muk, ip = string.format("10.1.%d.%d", u // 250, u % 250 + 1),
    counter = 0, port = 40000 }
end
kf:write("  },\n}\n")
kf:close()

local w = assert(capture.create(out, capture.link.ETHERNET))
local now, nmikey, nhttp, nmtk = 1000.0, 0, 0, 0
local mport = prof.mikey.ports[1]

local function udp(src, sport, dst, dport, payload)
  assert(w:udp{ src = src, sport = sport, dst = dst, dport = dport, payload = payload, time = now })
  nmikey = nmikey + 1
end

local seqs = {}
local function tcp(u, to_server, payload)
  local key = u.btid .. u.port
  local s = seqs[key] or { c = 1000, s = 9000 }
  seqs[key] = s
  if to_server then
    assert(w:tcp{ src = u.ip, sport = u.port, dst = BMSC_IP, dport = 8080, seq = s.c, ack = s.s, payload = payload, time = now })
    s.c = s.c + #payload
  else
    assert(w:tcp{ src = BMSC_IP, sport = 8080, dst = u.ip, dport = u.port, seq = s.s, ack = s.c, payload = payload, time = now })
    s.s = s.s + #payload
  end
  nhttp = nhttp + 1
end

--- Closes u's current connection: a FIN each way.
local function close(u)
  local s = seqs[u.btid .. u.port]
  assert(w:tcp{ src = u.ip, sport = u.port, dst = BMSC_IP, dport = 8080, seq = s.c, ack = s.s, flags = 0x11, time = now })
  assert(w:tcp{ src = BMSC_IP, sport = 8080, dst = u.ip, dport = u.port, seq = s.s, ack = s.c + 1, flags = 0x11, time = now })
end

local function request(u, kind, body, auth)
  local h = "POST " .. bodies.target_of(prof, kind) .. " HTTP/1.1\r\nHost: " .. FQDN .. "\r\n"
  if auth then h = h .. 'Authorization: Digest username="' .. u.btid .. '", realm="r", nonce="n", uri="/", response="0"\r\n' end
  tcp(u, true, h .. "Content-Type: " .. prof.http.requests[kind].media_type .. "\r\nContent-Length: " .. #body ..
    "\r\n\r\n" .. body)
end

local function response(u, status, body, ctype)
  tcp(u, false, "HTTP/1.1 " .. status .. " X\r\n" .. (ctype and ("Content-Type: " .. ctype .. "\r\n") or "") ..
    "Content-Length: " .. #body .. "\r\n\r\n" .. body)
end

local RAND = string.rep("\x5a", 16)
local function delivery(u, m, pull)
  u.counter = u.counter + 1
  local o = { csb_id = 0x1000 + u.counter, counter = u.counter, rand = RAND, kdid = hex.decode(KDID),
    mskid = hex.decode(m.id), idi = FQDN, idr = u.btid, v = pull and 0 or 1,
    msk = not pull and hex.decode(m.key) or nil, seql = m.seql, sequ = m.sequ }
  local t = pull and msg.solicited_pull(prof, o) or msg.msk_delivery(prof, o)
  local bytes = assert(mikey.protect(t, u.muk))
  udp(BMSC_IP, mport, u.ip, mport, bytes)
  if not pull then
    now = now + 0.001
    local d = assert(mikey.decode(bytes))
    local v = assert(mikey.vmac_sign(prof.mikey.v_mac_reading, assert(mikey.encode(msg.verification(prof, d))), bytes, u.muk))
    udp(u.ip, mport, BMSC_IP, mport, v)
  end
end

local function mtks(m, first, count)
  for id = first, first + count - 1 do
    local t = msg.mtk_delivery(prof, { csb_id = 0x2000, counter = id, rand = RAND, kdid = hex.decode(KDID),
      mskid = hex.decode(m.id), mtkid = id, mtk = string.rep("\x11", 16) })
    udp(BMSC_IP, mport, GROUP, mport, assert(mikey.protect(t, hex.decode(m.key))))
    nmtk = nmtk + 1
    now = now + 0.0005
  end
end

-- Registration and push.
for _, u in ipairs(ues) do
  local body = bodies.register(prof, { SVC }, "register")
  request(u, "register", body, false); now = now + 0.001
  response(u, 401, ""); now = now + 0.001
  request(u, "register", body, true); now = now + 0.001
  response(u, 200, bodies.register_response(prof, { { service = SVC, cause = "SUCCESS" } }), prof.http.responses.register)
  close(u)
  now = now + 0.001
  delivery(u, msks[1], false)
  now = now + 0.001
end
local mtk_budget = N - nmikey - ROT * NUE * 3
local chunk = math.floor(mtk_budget / (ROT + 1))
mtks(msks[1], 1, chunk)
for r = 2, ROT + 1 do
  local m = msks[r]
  -- Notices spread evenly over W_spread; each answered at once by request, answer, delivery.
  for i, u in ipairs(ues) do
    now = now + W / NUE
    delivery(u, m, true)
    local kb = bodies.msk_request(prof, { { kdid = hex.decode(KDID), mskid = hex.decode(m.id) } })
    u.port = u.port + 1
    request(u, "msk", kb, true); now = now + 0.001
    response(u, 200, bodies.msk_response(prof, { { kdid = hex.decode(KDID), mskid = hex.decode(m.id), cause = "SUCCESS" } }),
      prof.http.responses.msk)
    close(u)
    delivery(u, m, false)
  end
  mtks(m, 1, chunk)
end
assert(w:close())
print(string.format("%s: %d MIKEY messages (%d MTK deliveries to %s, %d to or from %d UEs), %d HTTP segments",
  out, nmikey, nmtk, GROUP, nmikey - nmtk, NUE, nhttp))
