--- gen-replay-captures: writes the capture the replay scenarios and `mbmsct replay` tests use
-- (vectors/captures/ue-key-update.pcap), from the identities of a target file and the profile,
-- through mbms.capture.create.
--
--   build/mbmsct lua scripts/gen-replay-captures.lua [TARGET] [OUTDIR]
--
-- ue-key-update.pcap: one MBMS key update as seen on a BM-SC's link in another network
-- (addresses 192.0.2.10 = BM-SC, 198.51.100.20 = UE, MIKEY on the profile's port, HTTP on the
-- profile's port), for the subscriber and service of TARGET (default
-- suites/targets/reference-ue.lua): registration with a Digest challenge, MSK push (V=1,
-- counter 1) and verification, a solicited pull of the next MSK (counter 2), the key request
-- with its challenge, the MSK delivery (V=1, counter 3) and its verification. Every value is
-- fixed (RANDs, CSB IDs, nonces, times): the file is the same on every run.
local capture = require("mbms.capture")
local mikey = require("mbms.mikey")
local hex = require("mbms.hex")
local http = require("mbms.http")
local digest = require("mbms.digest")
local msg = require("mbmsmsg")
local bodies = require("bodies")
local gba = require("gba")
local profile = require("profile")
local target = require("target")

local home = MBMSCT_HOME
local tpath = arg[1] or (home .. "/suites/targets/reference-ue.lua")
local outdir = arg[2] or (home .. "/vectors/captures")

local tgt = assert(target.load(tpath))
local prof = assert(profile.load(tgt.profile or "ts33246", home))
local fqdn = assert(tgt.bmsc and tgt.bmsc.fqdn or (tgt.harness and tgt.harness.fqdn), "target has no BM-SC FQDN")
local s = assert(tgt.subscribers and tgt.subscribers[1], "target has no subscriber")
local given = {}
for k, v in pairs(s) do
  given[k] = (k == "ks" or k == "rand" or k == "ks_naf" or k == "mrk" or k == "muk") and assert(hex.decode(v)) or v
end
local keys = assert(gba.keys(prof, given, fqdn))
local svc = assert(tgt.services and tgt.services[1], "target has no service")
local kdid = assert(hex.decode(svc.kdid))
local msks = {}
for i, k in ipairs(svc.msks) do
  msks[i] = { mskid = assert(hex.decode(k.mskid)), key = assert(hex.decode(k.key)), seql = k.seql, sequ = k.sequ }
end
assert(#msks >= 2, "the target's service needs two MSKs")

local BMSC, UE = "192.0.2.10", "198.51.100.20"
local MPORT, HPORT = prof.mikey.ports[1], prof.http.port
local T0 = 1767225600.0            -- 2026-01-01T00:00:00Z

--- A fixed "random" of n bytes: the capture must be the same on every run.
local function fixed(n, seed)
  local out = {}
  for i = 1, n do out[i] = string.char((seed * 37 + i * 11) % 256) end
  return table.concat(out)
end

local function delivery(counter, m, v, pull)
  local o = { csb_id = 0x10000000 + counter, counter = counter, rand = fixed(prof.mikey.rand_len, counter),
    idi = fqdn, idr = s.btid, kdid = kdid, mskid = m.mskid, msk = m.key, seql = m.seql, sequ = m.sequ, v = v }
  local t = pull and msg.solicited_pull(prof, o) or msg.msk_delivery(prof, o)
  return assert(mikey.protect(t, keys.muk))
end

local function verification(d)
  local v = msg.verification(prof, assert(mikey.decode(d)))
  return assert(mikey.vmac_sign(prof.mikey.v_mac_reading, assert(mikey.encode(v)), d, keys.muk))
end

--- One HTTP exchange with a Digest challenge: returns the four messages (request without
-- credentials, 401, request with them, answer).
local function exchange(kind, body, answer_ctype, answer_body, nonce)
  local tgtpath = bodies.target_of(prof, kind)
  local ctype = prof.http.requests[kind].media_type
  local host = BMSC .. ":" .. HPORT
  local r1 = http.request{ method = "POST", target = tgtpath, headers = { { "Host", host }, { "Content-Type", ctype } }, body = body }
  local ch = digest.challenge{ realm = fqdn, nonce = nonce, qop = prof.http.digest.qop, algorithm = prof.http.digest.algorithm }
  local a401 = http.response{ status = 401, headers = { { "WWW-Authenticate", ch } } }
  local auth = digest.authorization{ algorithm = prof.http.digest.algorithm, username = s.btid, realm = fqdn,
    password = keys.password, nonce = nonce, cnonce = "0a4f113b", nc = "00000001", qop = prof.http.digest.qop,
    method = "POST", uri = tgtpath, body = body }
  local r2 = http.request{ method = "POST", target = tgtpath,
    headers = { { "Host", host }, { "Content-Type", ctype }, { "Authorization", auth } }, body = body }
  local a200 = http.response{ status = 200, headers = { { "Content-Type", answer_ctype } }, body = answer_body }
  return r1, a401, r2, a200
end

--- The messages of one connection, alternately client and server, with their sequence numbers.
local function tcp_exchange(w, t, sport, parts)
  local seq_c, seq_s = 1, 1
  for i, p in ipairs(parts) do
    local client = i % 2 == 1
    local rec = client and { src = UE, sport = sport, dst = BMSC, dport = HPORT, seq = seq_c, ack = seq_s }
      or { src = BMSC, sport = HPORT, dst = UE, dport = sport, seq = seq_s, ack = seq_c }
    rec.payload, rec.time, rec.flags = p, t + (i - 1) * 0.002, 0x18
    assert(w:tcp(rec))
    if client then seq_c = seq_c + #p else seq_s = seq_s + #p end
  end
end

local function udp(w, t, from_bmsc, payload)
  assert(w:udp(from_bmsc and { src = BMSC, sport = MPORT, dst = UE, dport = MPORT, payload = payload, time = t }
    or { src = UE, sport = MPORT, dst = BMSC, dport = MPORT, payload = payload, time = t }))
end

os.execute("mkdir -p '" .. outdir:gsub("'", "'\\''") .. "'")
local path = outdir .. "/ue-key-update.pcap"
local w = assert(capture.create(path, capture.link.ETHERNET))
local ok = bodies.register_response(prof, { { service = svc.id, cause = "SUCCESS" } })
tcp_exchange(w, T0, 40001, { exchange("register", bodies.register(prof, { svc.id }, "register"),
  prof.http.responses.register, ok, "6a0c7f3e2b1d4c5a") })
local d1 = delivery(1, msks[1], 1)
udp(w, T0 + 0.020, true, d1)
udp(w, T0 + 0.030, false, verification(d1))
udp(w, T0 + 1.000, true, delivery(2, msks[2], 0, true))
local req = bodies.msk_request(prof, { { kdid = kdid, mskid = msks[2].mskid } })
local mok = bodies.msk_response(prof, { { kdid = kdid, mskid = msks[2].mskid, cause = "SUCCESS" } })
tcp_exchange(w, T0 + 1.500, 40002, { exchange("msk", req, prof.http.responses.msk, mok, "1f2e3d4c5b6a7988") })
local d3 = delivery(3, msks[2], 1)
udp(w, T0 + 1.520, true, d3)
udp(w, T0 + 1.530, false, verification(d3))
assert(w:close())
io.stdout:write("wrote ", path, "\n")
return 0
