-- gba_raw.lua: subscriber keys per the profile's derivation choice (against vectors/kat), and
-- the raw builder for deliberately malformed messages.
local gba = require("gba")
local raw = require("raw")
local hex = require("mbms.hex")
local mikey = require("mbms.mikey")
local profile = require("profile")

local check = require("check")
local eq = check.eq

local X = function(s) return assert(hex.decode(s)) end

local prof = assert(profile.load("ts33246"))
-- vectors/kat/gba-kdf.txt record 1 and vectors/kat/mrk.txt.
local sub = { impi = "001010123456789@ims.mnc001.mcc001.3gppnetwork.org", btid = "b",
  ks = X("00112233445566778899aabbccddeeffffeeddccbbaa99887766554433221100"),
  rand = X("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf") }
local k = assert(gba.keys(prof, sub, "bmsc.mnc001.mcc001.3gppnetwork.org"))
eq(hex.encode(k.ks_naf), "cb94c8c05d2797a537c537519ba239da12b70fe1c95f836d2a4e77c0d0f4c047", "Ks_NAF")
eq(hex.encode(k.mrk), "1bf6b5c07c38c08761bcc8acd2d3f96c5938d5ae4deb3665db9afa72e533b2ed", "MRK")
eq(k.password, "G/a1wHw4wIdhvMis0tP5bFk41a5N6zZl25r6cuUzsu0=", "Digest password")
eq(k.muk, k.ks_naf, "MUK = Ks_NAF by default")

-- The same subscriber given Ks_NAF directly.
local k2 = assert(gba.keys(prof, { ks_naf = k.ks_naf }, "ignored"))
eq(k2.mrk, k.mrk, "MRK from a provisioned Ks_NAF")

-- A profile that switches both keys to "provisioned" takes them from the target, and fails
-- clearly when they are missing; an unknown kind is an error, not a silent default.
local p2 = assert(profile.load("ts33246"))
p2.gba = { mrk = { kind = "provisioned" }, muk = { kind = "provisioned" }, password_encoding = "hex" }
local k3 = assert(gba.keys(p2, { mrk = "\1\2", muk = "\3" }, "x"))
eq(k3.password, "0102", "hex password"); eq(k3.muk, "\3", "provisioned MUK")
local ok, err = gba.keys(p2, { mrk = "\1" }, "x")
eq(ok, nil, "missing MUK"); assert(err:find("MUK: profile says provisioned"), err)
p2.gba.mrk = { kind = "magic" }
p2.gba.muk = { kind = "ks_naf" }
ok, err = gba.keys(p2, { ks_naf = "k" }, "x")
eq(ok, nil, "unknown kind"); assert(err:find("unknown derivation kind 'magic'"), err)
ok, err = gba.keys(prof, { btid = "b" }, "x")
eq(ok, nil, "no material"); assert(err:find("needs ks_naf"), err)

-- Raw builder: a lying KEMAC length that the decoder must reject with the offsets stated.
local b = raw.new():hex("01 00 01 00"):u32(1):u8(0):u8(1)   -- HDR, next = KEMAC, Empty map
  :u8(0):u8(0):len(2, function(i) i:bytes("abc") end, 10):u8(0)
local bytes = b:tobytes()
eq(#b, 18, "raw length")
ok, err = mikey.decode(bytes)
eq(ok, nil, "lying length rejected")
eq(err, "KEMAC: encr data len 13 exceeds remaining 4 at offset 14", "decoder message")
eq(hex.encode(raw.patch("\0\0\0\0", 1, "\255\255")), "00ffff00", "patch")
eq(hex.encode(raw.flip("\0\0", 15)), "0001", "flip")
eq(raw.truncate("abcdef", 2), "ab", "truncate")
ok = pcall(function() raw.new():u8(256) end)
eq(ok, false, "u8 range checked")
ok = pcall(raw.patch, "ab", 1, "xyz")
eq(ok, false, "patch bounds checked")
