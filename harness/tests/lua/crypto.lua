-- crypto.lua: mbms.crypto against known answers, and its two error channels.
-- Values come from vectors/kat/*.txt (sources named there); any failure raises an error.
local crypto = require("mbms.crypto")

--- Bytes of a hex string (spaces ignored).
local function unhex(s)
  s = s:gsub("%s", "")
  assert(#s % 2 == 0, "odd hex length")
  return (s:gsub("%x%x", function (h) return string.char(tonumber(h, 16)) end))
end

--- Lower-case hex of a byte string.
local function tohex(s)
  return (s:gsub(".", function (c) return string.format("%02x", c:byte()) end))
end

--- Raises "<what>: expected X vs actual Y" when a byte string differs from the expected hex.
local function check_hex(what, got, want_hex)
  if type(got) ~= "string" or got ~= unhex(want_hex) then
    error(string.format("%s: expected %s vs actual %s", what, want_hex:lower(),
      type(got) == "string" and tohex(got) or tostring(got)), 2)
  end
end

local function check(what, cond)
  if not cond then error(what, 2) end
end

--- The call must raise (misuse) with a message containing pattern.
local function check_raises(what, pattern, f, ...)
  local ok, msg = pcall(f, ...)
  if ok then error(what .. ": expected an error, the call succeeded", 2) end
  if not tostring(msg):find(pattern, 1, true) then
    error(string.format("%s: expected an error with %q vs actual %q", what, pattern,
      tostring(msg)), 2)
  end
end

-- AES-CM: RFC 3711 B.2, three counter blocks from F0F1...FD0000; decryption is encryption.
local aes_key = unhex("2B7E151628AED2A6ABF7158809CF4F3C")
local aes_iv = unhex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000")
local ks = crypto.aes_cm(aes_key, aes_iv, string.rep("\0", 48))
check_hex("aes_cm RFC 3711 B.2", ks, "E03EAD0935C95E80E166B16DD92B4EB4"
  .. "D23513162B02D0F72A43A2FE4A5F97AB41E95B3BB0A2E8DD477901E4FCA894C0")
check_hex("aes_cm prefix", crypto.aes_cm(aes_key, aes_iv, string.rep("\0", 5)), "E03EAD0935")
check("aes_cm empty", crypto.aes_cm(aes_key, aes_iv, "") == "")
local text = "The MIKEY KEMAC key data, 41 bytes long!!"
check("aes_cm round trip", crypto.aes_cm(aes_key, aes_iv, crypto.aes_cm(aes_key, aes_iv, text)) == text)

-- HMAC: RFC 2202 cases 1 and 2, RFC 4231 case 1; data given in several pieces.
check_hex("hmac sha1 RFC 2202 1", crypto.hmac("sha1", string.rep("\x0b", 20), "Hi There"),
  "b617318655057264e28bc0b6fb378c8ef146be00")
check_hex("hmac sha1 RFC 2202 2 split", crypto.hmac("sha1", "Jefe", "what do ya", "",
  " want for nothing?"), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
check_hex("hmac sha256 RFC 4231 1", crypto.hmac("sha256", string.rep("\x0b", 20), "Hi", " There"),
  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
check_hex("hmac md5 RFC 2202 2", crypto.hmac("md5", "Jefe", "what do ya want for nothing?"),
  "750c783e6ab0b503eaa86e310a5db738")

-- Hashes: FIPS 180-2 "abc", RFC 1321 "".
check_hex("hash sha256", crypto.hash("sha256", "a", "bc"),
  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
check_hex("hash sha1", crypto.hash("sha1", "abc"), "a9993e364706816aba3e25717850c26c9cd0d89d")
check_hex("hash md5 empty", crypto.hash("md5"), "d41d8cd98f00b204e9800998ecf8427e")

-- MIKEY-1 PRF and message keys: mikey.md section 4.
local psk = unhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
local rand = unhex("00112233445566778899aabbccddeeff")
local csb = 0x01020304
check_hex("prf 40-byte inkey", crypto.prf(unhex("000102030405060708090a0b0c0d0e0f"
  .. "101112131415161718191a1b1c1d1e1f2021222324252627"), unhex("010203"), 20),
  "101a43eafa47c01f3c6c2fc84879e4f1e667f90f")
local k = crypto.msg_keys(psk, csb, rand)
check_hex("msg_keys enc", k.enc, "d310fbb571467acd70b125bcfdea6bf4")
check_hex("msg_keys auth", k.auth, "fa7572d5d4e78a10a7791317a67fa1c213b7a33d")
check_hex("msg_keys salt", k.salt, "ab4df59601be7868f1b5af84176c")
check_hex("derive auth", crypto.derive(psk, crypto.C.MSG_AUTH, nil, csb, rand, crypto.C.AUTH_KEY_LEN),
  "fa7572d5d4e78a10a7791317a67fa1c213b7a33d")
check_hex("prf enc label", crypto.prf(psk, unhex("150533e1ff01020304") .. rand, 16),
  "d310fbb571467acd70b125bcfdea6bf4")
check_hex("kemac_iv", crypto.kemac_iv(k.salt, csb, unhex("0000000000000007")),
  "ab4df49402ba7868f1b5af84176b0000")
-- TGK derivation (vectors/kat/mikey-tgk.txt): TEK with CS ID 1.
check_hex("derive TEK", crypto.derive(psk, crypto.C.TEK, 1, csb, rand, 16),
  "889fd99824561a6fe47a31fb68fbc2a7")
check("C.MSG_ENC", crypto.C.MSG_ENC == 0x150533E1 and crypto.C.SALT_LEN == 14)

-- GBA: Ks_NAF (vectors/kat/gba-kdf.txt) and the MRK of the default profile [A] (mrk.txt).
local gba_ks = unhex("00112233445566778899aabbccddeeffffeeddccbbaa99887766554433221100")
local gba_rand = unhex("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf")
local impi = "001010123456789@ims.mnc001.mcc001.3gppnetwork.org"
local naf_id = "bmsc.mnc001.mcc001.3gppnetwork.org" .. unhex("0100000001")
local ks_naf = crypto.ks_naf(gba_ks, "gba-me", gba_rand, impi, naf_id)
check_hex("ks_naf", ks_naf, "cb94c8c05d2797a537c537519ba239da12b70fe1c95f836d2a4e77c0d0f4c047")
check("gba_kdf = ks_naf", crypto.gba_kdf(gba_ks, 1, "gba-me", gba_rand, impi, naf_id) == ks_naf)
local mrk = crypto.gba_kdf(ks_naf, 0x01, "3gpp-mbms-mrk")
check_hex("mrk", mrk, "1bf6b5c07c38c08761bcc8acd2d3f96c5938d5ae4deb3665db9afa72e533b2ed")
check("mrk base64", crypto.base64(mrk) == "G/a1wHw4wIdhvMis0tP5bFk41a5N6zZl25r6cuUzsu0=")

-- base64: RFC 4648 section 10.
local b64 = { [""] = "", f = "Zg==", fo = "Zm8=", foo = "Zm9v", foob = "Zm9vYg==",
  fooba = "Zm9vYmE=", foobar = "Zm9vYmFy" }
for plain, coded in pairs(b64) do
  check("base64 " .. plain, crypto.base64(plain) == coded)
end

-- equal and random.
check("equal same", crypto.equal("abc", "abc") == true)
check("equal differ", crypto.equal("abc", "abd") == false)
check("equal lengths", crypto.equal("abc", "ab") == false)
local r1, r2 = crypto.random(32), crypto.random(32)
check("random length", #r1 == 32 and crypto.random(0) == "")
check("random differs", r1 ~= r2)

-- Misuse raises, naming the argument.
check_raises("prf key type", "bad argument #1", crypto.prf, {}, "x", 16)
check_raises("prf length 0", "bad argument #3", crypto.prf, "k", "x", 0)
check_raises("prf empty inkey", "empty inkey", crypto.prf, "", "x", 16)
check_raises("aes_cm short key", "16 bytes expected", crypto.aes_cm, "short", aes_iv, "x")
check_raises("aes_cm data type", "bad argument #3", crypto.aes_cm, aes_key, aes_iv, nil)
check_raises("hmac digest name", "invalid option", crypto.hmac, "sha512", "k", "x")
check_raises("hmac data type", "bad argument #4", crypto.hmac, "sha1", "k", "x", true)
check_raises("derive cs_id", "bad argument #3", crypto.derive, psk, crypto.C.TEK, 256, csb, rand, 16)
check_raises("derive csb_id", "bad argument #4", crypto.derive, psk, crypto.C.TEK, 0, -1, rand, 16)
check_raises("kemac_iv t64", "8 bytes expected", crypto.kemac_iv, k.salt, csb, "\0\0\0\7")
check_raises("gba_kdf fc", "bad argument #2", crypto.gba_kdf, gba_ks, 256, "x")
check_raises("gba_kdf long param", "65535", crypto.gba_kdf, gba_ks, 1, "x",
  string.rep("y", 65536))
check_raises("ks_naf NUL in IMPI", "NUL", crypto.ks_naf, gba_ks, "gba-me", gba_rand, "a\0b", naf_id)
check_raises("equal type", "bad argument #2", crypto.equal, "a", {})
check_raises("random negative", "bad argument #1", crypto.random, -1)
