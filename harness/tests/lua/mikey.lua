-- mikey.lua: mbms.mikey from Lua — building the profile's messages, protect/unprotect,
-- the validator (every violation reported), Key IDs, and the two error channels.
local mikey = require("mbms.mikey")
local hex = require("mbms.hex")
local profile = require("profile")
local msg = require("mbmsmsg")

local prof = assert(profile.load("ts33246"))
local rules = prof.mikey
local MUK = string.rep("\1", 32)
local RAND = string.rep("\7", 16)

local check = require("check")
local eq = check.eq

local function has(list, pattern, what)
  for _, s in ipairs(list) do if s:find(pattern, 1, true) then return end end
  error(what .. ": no violation containing '" .. pattern .. "' in {" .. table.concat(list, " | ") .. "}", 2)
end

local base = { csb_id = 42, counter = 3, rand = RAND, idi = "bmsc", idr = "btid", kdid = "\0\241\16",
  mskid = "\0\1\0\2", msk = string.rep("\170", 16), seql = 1, sequ = 100, v = 1 }

-- A conforming MSK delivery validates clean, as its kind.
local d = assert(mikey.protect(msg.msk_delivery(prof, base), MUK))
local viol, kind = mikey.validate(d, rules)
eq(#viol, 0, "conforming delivery: " .. table.concat(viol, "; "))
eq(kind, "msk_delivery", "inferred kind")

-- Pull, MTK, verification and error infer their kinds too.
local pull = assert(mikey.protect(msg.solicited_pull(prof, base), MUK))
viol, kind = mikey.validate(pull, rules)
eq(#viol, 0, "pull: " .. table.concat(viol, "; ")); eq(kind, "solicited_pull", "pull kind")
local mtk = assert(mikey.protect(msg.mtk_delivery(prof, { csb_id = 1, counter = 1, rand = RAND,
  kdid = base.kdid, mskid = base.mskid, mtkid = 9, mtk = string.rep("\1", 16) }), base.msk))
viol, kind = mikey.validate(mtk, rules)
eq(#viol, 0, "mtk: " .. table.concat(viol, "; ")); eq(kind, "mtk_delivery", "mtk kind")
local dm = assert(mikey.decode(d))
local ver = assert(mikey.vmac_sign("mykey", assert(mikey.encode(msg.verification(prof, dm))), d, MUK))
viol, kind = mikey.validate(ver, rules)
eq(#viol, 0, "verification: " .. table.concat(viol, "; ")); eq(kind, "verification", "verification kind")
assert(mikey.vmac_verify("mykey", ver, d, MUK))
local ok, err, why = mikey.vmac_verify("mykey", ver, d, string.rep("\2", 32))
eq(ok, nil, "wrong MUK"); eq(why, "mac", "wrong MUK kind")

-- Unprotect gives the key; a wrong key is "mac", garbage is "malformed".
local u = assert(mikey.unprotect(d, MUK))
eq(u.payloads[6].keys[1].key, base.msk, "delivered MSK")
eq(u.payloads[6].keys[1].valid_to, "\0\100", "SEQu")
ok, err, why = mikey.unprotect(d, string.rep("\2", 32))
eq(ok, nil, "bad key"); eq(why, "mac", "bad key kind"); assert(err:find("MAC mismatch"))
ok, err, why = mikey.unprotect("\1\0", MUK)
eq(why, "malformed", "garbage kind"); assert(err:find("HDR"))

-- A message breaking several rules reports all of them, not just the first.
local bad = msg.msk_delivery(prof, base)
bad.version = 2
bad.cs_id_map_type = 1
bad.prf_func = 1
bad.payloads[2], bad.payloads[3] = bad.payloads[3], bad.payloads[2]   -- T and RAND swapped
bad.payloads[4].id_type = 0                                           -- IDi as NAI
bad.payloads[6].keys[1].type = 2                                      -- TEK instead of TGK
viol = mikey.validate(assert(mikey.protect(bad, MUK)), rules)
has(viol, "HDR: version: expected 1 vs actual 2", "version")
has(viol, "HDR: PRF func: expected 0 vs actual 1", "prf")
has(viol, "payload order (msk_delivery): expected EXT,T,RAND,ID,ID,KEMAC vs actual EXT,RAND,T,ID,ID,KEMAC", "order")
has(viol, "ID: ID type: expected 1 vs actual 0", "id type")
assert(#viol >= 4, "several violations expected")
-- Key data is checked once decrypted; validate sees the encrypted form, so name the kind.
local nullenc = msg.msk_delivery(prof, base)
nullenc.payloads[6].encr_alg = 0
nullenc.payloads[6].keys[1].type = 2
viol = mikey.validate(assert(mikey.protect(nullenc, MUK)), rules, "msk_delivery")
has(viol, "KEMAC: encr alg: expected 1 vs actual 0", "null encryption")
has(viol, "KEYDATA 1: type: expected 0 vs actual 2", "key type")

-- A missing Key ID extension.
local nokey = msg.msk_delivery(prof, base)
table.remove(nokey.payloads, 1)
viol = mikey.validate(assert(mikey.protect(nokey, MUK)), rules, "msk_delivery")
has(viol, "EXT: Key ID extension (type 2) missing", "no key id")

-- Unknown kind name.
viol = mikey.validate(d, rules, "no_such_kind")
has(viol, "profile has no message kind named 'no_such_kind'", "unknown kind")

-- Key IDs.
local kt, id = mikey.keyid("\0\0\7" .. "\0\241\16\0\1\0\2")
eq(kt, 0, "key id type"); eq(hex.encode(id), "00f11000010002", "key id")
ok, err = mikey.keyid("\0\0\9abc")
eq(ok, nil, "short key id"); assert(err:find("exceeds"))

-- Encode/decode of a raw table round-trips; misuse raises with the field path.
local t = { type = 0, csb_id = 1, payloads = { { name = "RAND", rand = "xyz" } } }
local b = assert(mikey.encode(t))
eq(hex.encode(b), "01000b000000000100010003" .. "78797a", "minimal encoding")
ok, err = pcall(mikey.encode, { type = 0, csb_id = 1, payloads = { { name = "T", ts_type = "x" } } })
assert(not ok and err:find("msg.payloads%[1%].ts_type"), "misuse names the field: " .. tostring(err))
ok, err = pcall(mikey.encode, { type = 0, payloads = {} })
assert(not ok and err:find("msg.csb_id: missing"), "missing csb_id: " .. tostring(err))
ok, err = pcall(mikey.decode, {})
assert(not ok, "decode of a non-string raises")
local r, e2 = mikey.encode({ type = 0, csb_id = 1, payloads = { { name = "RAND", rand = string.rep("x", 300) } } })
eq(r, nil, "RAND too long"); assert(e2:find("255"), e2)
eq(mikey.name("payload", 1), "KEMAC", "name table")

-- Lua tables round-trip: decode -> encode gives the same bytes, also with an SRTP map and SP.
for _, name in ipairs({ "public-gortsplib-c", "public-onvif-get-parameter", "mbms-msk-delivery" }) do
  local f = assert(io.open("vectors/mikey/valid/" .. name .. ".hex"))
  local line = f:read("a"):match("\n(%x+)\n")
  f:close()
  local bytes = assert(hex.decode(line))
  local t = assert(mikey.decode(bytes))
  eq(hex.encode(assert(mikey.encode(t))), line, name .. " table round trip")
end
ok, err = pcall(mikey.encode, { type = 0, csb_id = 1, cs_id_map_type = 0, cs_count = 2,
  cs = { { policy_no = 0, ssrc = 1, roc = 0 } }, payloads = {} })
assert(not ok and err:find("msg.cs: needs cs_count"), "cs count checked: " .. tostring(err))
ok, err = pcall(mikey.encode, { type = 0, csb_id = 1, payloads = { 7 } })
assert(not ok and err:find("msg.payloads%[1%]: expected a table"), tostring(err))
