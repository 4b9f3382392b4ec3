--- gba: a subscriber's MBMS keys from provisioned GBA material, the way the profile says.
--
-- key-update.md §2.1: no BSF runs on the wire; each identity is provisioned as
-- {impi, btid, ks, rand} (Ks = CK || IK) or {btid, ks_naf}, or with mrk/muk given directly.
-- Which derivation turns Ks_NAF into MRK and MUK is profile data ([A]: TS 33.246 Annex F was
-- not available), so the choice is made here from `profile.gba`, never in C.
local crypto = require("mbms.crypto")

local M = {}

--- NAF_Id = BM-SC FQDN || Ua security protocol identifier [V: TS 33.220 H.3].
function M.naf_id(prof, fqdn)
  return fqdn .. prof.gba.ua_protocol_id
end

--- Ks_(ext)_NAF of a subscriber: given directly, or KDF(Ks, p0, RAND, IMPI, NAF_Id).
function M.ks_naf(prof, sub, fqdn)
  if sub.ks_naf then return sub.ks_naf end
  if not (sub.ks and sub.rand and sub.impi) then
    return nil, "subscriber " .. tostring(sub.btid or sub.impi) .. ": needs ks_naf, or ks + rand + impi"
  end
  return crypto.ks_naf(sub.ks, prof.gba.ks_naf_p0, sub.rand, sub.impi, M.naf_id(prof, fqdn))
end

--- One key (MRK or MUK) by its profile rule: {kind = "kdf"|"ks_naf"|"provisioned", ...}.
local function derive(rule, what, ks_naf, given)
  if rule.kind == "provisioned" then
    if not given then return nil, what .. ": profile says provisioned, but the target gives none" end
    return given
  elseif rule.kind == "ks_naf" then
    return ks_naf
  elseif rule.kind == "kdf" then
    if type(rule.fc) ~= "number" or type(rule.p0) ~= "string" then
      return nil, what .. ": kdf rule needs fc (number) and p0 (string)"
    end
    return crypto.gba_kdf(ks_naf, rule.fc, rule.p0)
  end
  return nil, what .. ": unknown derivation kind '" .. tostring(rule.kind) .. "'"
end

--- The subscriber's keys: {ks_naf, mrk, muk, password}; or nil, message.
-- A key the subscriber table already holds (mrk, muk) wins over derivation only when the
-- profile rule is "provisioned", so that a profile cannot be silently bypassed.
function M.keys(prof, sub, fqdn)
  local g = prof.gba
  local ks_naf, err
  if g.mrk.kind ~= "provisioned" or g.muk.kind ~= "provisioned" then
    ks_naf, err = M.ks_naf(prof, sub, fqdn)
    if not ks_naf then return nil, err end
  end
  local mrk, merr = derive(g.mrk, "MRK", ks_naf, sub.mrk)
  if not mrk then return nil, merr end
  local muk, uerr = derive(g.muk, "MUK", ks_naf, sub.muk)
  if not muk then return nil, uerr end
  local password
  if g.password_encoding == "base64" then password = crypto.base64(mrk)
  elseif g.password_encoding == "hex" then password = (mrk:gsub(".", function(c) return string.format("%02x", c:byte()) end))
  elseif g.password_encoding == "raw" then password = mrk
  else return nil, "gba.password_encoding: unknown '" .. tostring(g.password_encoding) .. "'" end
  return { ks_naf = ks_naf, mrk = mrk, muk = muk, password = password }
end

return M
