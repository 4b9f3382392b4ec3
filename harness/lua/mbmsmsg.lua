--- mbmsmsg: the MBMS MIKEY messages of the profile, as tables for mbms.mikey.
--
-- Each builder lays out payloads in the order the profile's `mikey.kinds` gives for that kind,
-- so a profile that corrects an assumed order [A] changes what is sent without code changes.
-- The tables returned go to mikey.protect(t, psk) (MSK/MTK deliveries, pulls) or
-- mikey.encode(t) (verification, error).
local M = {}

local function kind_of(prof, name)
  for _, k in ipairs(prof.mikey.kinds) do
    if k.name == name then return k end
  end
  error("profile " .. tostring(prof.name) .. " has no MIKEY message kind '" .. name .. "'", 3)
end

local function need(o, field, kind)
  local v = o[field]
  if v == nil then error(kind .. ": field '" .. field .. "' is required", 3) end
  return v
end

--- A rule of the profile's message kind; its absence is a profile error, never a default.
local function rule(k, field)
  local v = k[field]
  if v == nil then
    error("profile mikey.kinds[" .. k.name .. "]." .. field .. " is missing (needed to build the message)", 3)
  end
  return v
end

--- Key ID body: key ID type(8) | key ID len(16) | key ID [A: mikey.md §1].
function M.keyid_body(id_type, id)
  return string.pack(">I1s2", id_type, id)
end

--- Big-endian unsigned integer of n bytes.
function M.uint(v, n)
  return string.pack(">I" .. n, v)
end

--- Assembles payloads by the kind's order; `make` maps payload names to constructors, and
-- repeated names (ID, ID) take successive entries of a list.
local function assemble(prof, kname, hdr, make)
  local k = kind_of(prof, kname)
  local used, payloads = {}, {}
  for i, name in ipairs(k.order) do
    local c = make[name]
    if c == nil then error(kname .. ": no content for payload " .. name .. " of the profile order", 3) end
    if type(c) == "table" and c[1] ~= nil then
      used[name] = (used[name] or 0) + 1
      c = c[used[name]]
      if c == nil then error(kname .. ": profile order has more " .. name .. " payloads than given", 3) end
    end
    payloads[i] = c
  end
  hdr.payloads = payloads
  return hdr
end

local function header(prof, k, o)
  local mk = prof.mikey
  return {
    version = mk.version, type = k.data_type, v = o.v or k.v or 0, prf_func = mk.prf_func,
    csb_id = need(o, "csb_id", k.name), cs_count = mk.cs_count, cs_id_map_type = mk.cs_id_map_type,
  }
end

--- T (the kind's TS type, a counter) and RAND; RAND only when given, so that a kind whose
-- profile order names RAND without one given fails in assemble() with the payload named.
local function common(k, o, kname)
  local ts = rule(k, "ts_type")
  local len = ts == 2 and 4 or 8
  return {
    T = { name = "T", ts_type = ts, ts_value = M.uint(need(o, "counter", kname), len) },
    RAND = o.rand and { name = "RAND", rand = o.rand } or nil,
  }
end

--- MSK delivery (and, with no key, the solicited pull), BM-SC -> UE under the MUK.
-- o: csb_id, counter, rand, idi, idr, kdid, mskid, msk, seql, sequ, v
function M.msk_delivery(prof, o)
  local mk, kname = prof.mikey, o.pull and "solicited_pull" or "msk_delivery"
  local k = kind_of(prof, kname)
  local c = common(k, o, kname)
  local seqlen = mk.keyid.mtkid_len
  c.EXT = { name = "EXT", ext_type = mk.keyid_ext_type,
    ext_data = M.keyid_body(mk.keyid.msk_type, need(o, "kdid", kname) .. need(o, "mskid", kname)) }
  c.ID = {
    { name = "ID", id_type = mk.id_type, id_data = need(o, "idi", kname) },
    { name = "ID", id_type = mk.id_type, id_data = need(o, "idr", kname) },
  }
  local keys = {}
  if not o.pull then
    keys[1] = { type = rule(k, "key_type"), kv = rule(k, "key_kv"), key = need(o, "msk", kname),
      valid_from = M.uint(need(o, "seql", kname), seqlen),
      valid_to = M.uint(need(o, "sequ", kname), seqlen) }
  end
  c.KEMAC = { name = "KEMAC", encr_alg = rule(k, "encr_alg"), mac_alg = rule(k, "mac_alg"), keys = keys }
  return assemble(prof, kname, header(prof, k, o), c)
end

--- Solicited pull: an MSK delivery without key data naming the MSK to fetch [A].
function M.solicited_pull(prof, o)
  local p = {}
  for key, v in pairs(o) do p[key] = v end
  p.pull = true
  p.v = 0
  return M.msk_delivery(prof, p)
end

--- MTK delivery, BM-SC -> UEs on the bearer under the MSK.
-- o: csb_id, counter, rand, kdid, mskid, mtkid, mtk
function M.mtk_delivery(prof, o)
  local mk, kname = prof.mikey, "mtk_delivery"
  local k = kind_of(prof, kname)
  local c = common(k, o, kname)
  local idlen = mk.keyid.mtkid_len
  local mtkid = M.uint(need(o, "mtkid", kname), idlen)
  c.EXT = { name = "EXT", ext_type = mk.keyid_ext_type,
    ext_data = M.keyid_body(mk.keyid.mtk_type, need(o, "kdid", kname) .. need(o, "mskid", kname) .. mtkid) }
  c.KEMAC = { name = "KEMAC", encr_alg = rule(k, "encr_alg"), mac_alg = rule(k, "mac_alg"),
    keys = { { type = rule(k, "key_type"), kv = rule(k, "key_kv"), key = need(o, "mtk", kname), spi = mtkid } } }
  return assemble(prof, kname, header(prof, k, o), c)
end

--- Verification message answering a decoded delivery d; its V data is zero until
-- mikey.vmac_sign fills it.
function M.verification(prof, d)
  local kname = "verification"
  local k = kind_of(prof, kname)
  local t, ids = nil, {}
  for _, p in ipairs(d.payloads) do
    if p.name == "T" then t = p end
    if p.name == "ID" then ids[#ids + 1] = p end
  end
  if not t or #ids < 2 then error("verification: the delivery lacks T or IDi/IDr", 2) end
  local c = {
    T = { name = "T", ts_type = t.ts_type, ts_value = t.ts_value },
    ID = { { name = "ID", id_type = ids[2].id_type, id_data = ids[2].id_data } },
    V = { name = "V", auth_alg = rule(k, "auth_alg"), ver_data = string.rep("\0", 20) },
  }
  return assemble(prof, kname, header(prof, k, { csb_id = d.csb_id, v = 0 }), c)
end

--- Error message (RFC 3830 5.1.2): o: csb_id, counter, err_no.
function M.error(prof, o)
  local kname = "error"
  local k = kind_of(prof, kname)
  local c = common(k, o, kname)
  c.ERR = { name = "ERR", err_no = need(o, "err_no", kname), reserved = 0 }
  return assemble(prof, kname, header(prof, k, o), c)
end

return M
