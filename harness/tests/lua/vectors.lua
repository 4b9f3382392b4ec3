-- vectors.lua: every valid vector decodes (with its PSK, when given) to the fields its file
-- states on the `# fields:` line. Field names not understood here are errors, so that a typo in
-- a vector file cannot silently weaken the check.
local mikey = require("mbms.mikey")
local hex = require("mbms.hex")
local H = hex.encode

local function first(m, name)
  for _, p in ipairs(m.payloads) do if p.name == name then return p end end
end

local function nth(m, name, n)
  local i = 0
  for _, p in ipairs(m.payloads) do
    if p.name == name then i = i + 1; if i == n then return p end end
  end
end

local function keyof(m)
  local k = first(m, "KEMAC")
  return k and k.keys and k.keys[1]
end

local checks = {
  version = function(m) return m.version end,
  type = function(m) return m.type end,
  v = function(m) return m.v end,
  prf_func = function(m) return m.prf_func end,
  csb_id = function(m) return string.format("0x%08x", m.csb_id) end,
  cs_count = function(m) return m.cs_count end,
  cs_id_map_type = function(m) return m.cs_id_map_type end,
  srtp_map = function(m)
    local t = {}
    for i, c in ipairs(m.cs or {}) do
      t[i] = string.format("policy=%d/ssrc=0x%08x/roc=%d", c.policy_no, c.ssrc, c.roc)
    end
    return table.concat(t, ";")
  end,
  payloads = function(m)
    local t = {}
    for i, p in ipairs(m.payloads) do t[i] = p.name end
    return table.concat(t, ",")
  end,
  ts_type = function(m) return first(m, "T").ts_type end,
  ts = function(m) return "0x" .. H(first(m, "T").ts_value) end,
  rand_len = function(m) return #first(m, "RAND").rand end,
  rand = function(m) return H(first(m, "RAND").rand) end,
  sp_policy = function(m) return first(m, "SP").policy_no end,
  sp_prot_type = function(m) return first(m, "SP").prot_type end,
  sp_params = function(m)
    local t = {}
    for i, q in ipairs(first(m, "SP").params) do t[i] = q.type .. ":" .. H(q.value) end
    return table.concat(t, ",")
  end,
  encr_alg = function(m) return first(m, "KEMAC").encr_alg end,
  encr_data_len = function(m) return first(m, "KEMAC").encr_len end,
  mac_alg = function(m) return first(m, "KEMAC").mac_alg end,
  key_data_type = function(m) return keyof(m).type end,
  kv = function(m) return keyof(m).kv end,
  key_len = function(m) return #keyof(m).key end,
  key = function(m) return H(keyof(m).key) end,
  spi = function(m) return H(keyof(m).spi) end,
  valid_from = function(m) return H(keyof(m).valid_from) end,
  valid_to = function(m) return H(keyof(m).valid_to) end,
  ext_type = function(m) return first(m, "EXT").ext_type end,
  keyid_type = function(m) return (mikey.keyid(first(m, "EXT").ext_data)) end,
  keyid = function(m) local _, id = mikey.keyid(first(m, "EXT").ext_data); return H(id) end,
  idi = function(m) return nth(m, "ID", 1).id_data end,
  idr = function(m)
    local n = 0
    for _, p in ipairs(m.payloads) do if p.name == "ID" then n = n + 1 end end
    return nth(m, "ID", n).id_data
  end,
  auth_alg = function(m) return first(m, "V").auth_alg end,
  err_no = function(m) return first(m, "ERR").err_no end,
}

local files = {}
local ls = assert(io.popen("ls vectors/mikey/valid/*.hex"))
for f in ls:lines() do files[#files + 1] = f end
ls:close()
assert(#files >= 10, "expected at least 10 valid vector files, found " .. #files)

local checked = 0
for _, path in ipairs(files) do
  local f = assert(io.open(path))
  local text = f:read("a")
  f:close()
  local fields = text:match("\n# fields: ([^\n]*)") or text:match("^# fields: ([^\n]*)")
  assert(fields, path .. ": no '# fields:' line")
  local psk = text:match("\n# psk: (%x+)")
  local line = text:match("\n(%x[%x ]*)\n")
  local bytes = assert(hex.decode(line))
  -- The PSK opens a KEMAC; a verification message's V is checked in test_protect instead.
  local m, err = mikey.decode(bytes)
  if m and psk and text:find("payloads=[%w,]*KEMAC") then
    m, err = mikey.unprotect(bytes, assert(hex.decode(psk)))
  end
  assert(m, path .. ": " .. tostring(err))
  for token in fields:gmatch("%S+") do
    local k, want = token:match("^([%w_]+)=(.*)$")
    assert(k, path .. ": fields token '" .. token .. "' is not name=value")
    local get = checks[k]
    assert(get, path .. ": fields line names '" .. k .. "', which this test cannot check")
    local ok, got = pcall(get, m)
    assert(ok, path .. ": " .. k .. ": " .. tostring(got))
    if tostring(got) ~= want then
      error(string.format("%s: %s: expected %s vs actual %s", path, k, want, tostring(got)))
    end
    checked = checked + 1
  end
end
assert(checked > 150, "too few fields checked: " .. checked)
