--- decode: `mbmsct decode` — MIKEY messages from hex text or captures, as a tree or JSON.
local mikey = require("mbms.mikey")
local hex = require("mbms.hex")
local json = require("json")
local profile = require("profile")

local M = {}

local PCAP_MAGICS = {
  ["\xa1\xb2\xc3\xd4"] = true, ["\xd4\xc3\xb2\xa1"] = true,
  ["\xa1\xb2\x3c\x4d"] = true, ["\x4d\x3c\xb2\xa1"] = true,
  ["\x0a\x0d\x0d\x0a"] = true,
}

local function H(s) return s and hex.encode(s) or nil end

local function printable(s)
  return s ~= nil and not s:find("[^\32-\126]")
end

--- The Key ID of an EXT payload, split by the profile's field lengths [A].
local function keyid_fields(p, prof)
  local m = prof.mikey
  if p.ext_type ~= m.keyid_ext_type then return nil end
  local kt, id = mikey.keyid(p.ext_data)
  if not kt then return { error = id } end
  local k = m.keyid or {}
  local f = { keyid_type = kt, keyid = id }
  local a, b = k.kdid_len or 3, k.mskid_len or 4
  if #id >= a + b then
    f.key_domain_id = id:sub(1, a)
    f.msk_id = id:sub(a + 1, a + b)
    if #id > a + b then f.mtk_id = id:sub(a + b + 1) end
  end
  return f
end

local function key_json(k)
  return json.object{
    { "type", k.type }, { "kv", k.kv }, { "key", H(k.key) }, { "salt", H(k.salt) },
    { "valid_from", H(k.valid_from) }, { "valid_to", H(k.valid_to) }, { "spi", H(k.spi) },
  }
end

local function payload_json(p, prof)
  local f = { { "payload", p.payload }, { "name", p.name } }
  local function add(k, v) f[#f + 1] = { k, v } end
  if p.name == "KEMAC" then
    add("encr_alg", p.encr_alg); add("encr_len", p.encr_len); add("encr_data", H(p.encr_data))
    add("mac_alg", p.mac_alg); add("mac", H(p.mac))
    if p.keys then
      local ks = {}
      for i, k in ipairs(p.keys) do ks[i] = key_json(k) end
      add("keys", json.array(ks))
    end
  elseif p.name == "T" then
    add("ts_type", p.ts_type); add("ts_value", H(p.ts_value))
    if p.ts_type == 2 then add("counter", p.ts) end
  elseif p.name == "ID" or p.name == "IDR" then
    add("id_role", p.id_role); add("id_type", p.id_type)
    add("id_data", p.id_data); add("id_data_hex", H(p.id_data))
  elseif p.name == "RAND" then
    add("rand_len", #p.rand); add("rand", H(p.rand))
  elseif p.name == "V" then
    add("auth_alg", p.auth_alg); add("ver_data", H(p.ver_data))
  elseif p.name == "ERR" then
    add("err_no", p.err_no); add("err_name", mikey.name("err", p.err_no))
  elseif p.name == "SP" then
    add("policy_no", p.policy_no); add("prot_type", p.prot_type)
    local ps = {}
    for i, q in ipairs(p.params) do
      ps[i] = json.object{ { "type", q.type }, { "value", H(q.value) } }
    end
    add("params", json.array(ps))
  elseif p.name == "EXT" then
    add("ext_type", p.ext_type); add("ext_data", H(p.ext_data))
    local k = keyid_fields(p, prof)
    if k and k.error then add("keyid_error", k.error)
    elseif k then
      add("keyid_type", k.keyid_type); add("keyid", H(k.keyid))
      add("key_domain_id", H(k.key_domain_id)); add("msk_id", H(k.msk_id))
      add("mtk_id", H(k.mtk_id))
    end
  end
  return json.object(f)
end

local function msg_json(where, m, extra, prof)
  local ps = {}
  for i, p in ipairs(m.payloads) do ps[i] = payload_json(p, prof) end
  local f = {
    { "source", where },
    { "version", m.version }, { "type", m.type }, { "v", m.v }, { "prf_func", m.prf_func },
    { "csb_id", string.format("0x%08x", m.csb_id) }, { "cs_count", m.cs_count },
    { "cs_id_map_type", m.cs_id_map_type },
  }
  if m.cs then
    local cs = {}
    for i, c in ipairs(m.cs) do
      cs[i] = json.object{ { "policy_no", c.policy_no }, { "ssrc", string.format("0x%08x", c.ssrc) },
        { "roc", c.roc } }
    end
    f[#f + 1] = { "cs", json.array(cs) }
  end
  f[#f + 1] = { "payloads", json.array(ps) }
  for _, kv in ipairs(extra) do f[#f + 1] = kv end
  return json.encode(json.object(f))
end

local function named(tbl, v)
  local n = mikey.name(tbl, v)
  return n and string.format("%s (%d)", n, v) or string.format("unknown (%d)", v)
end

local function tree_payload(out, p, prof)
  local line
  if p.name == "KEMAC" then
    line = string.format("%s, encr data %d bytes, %s, MAC %s", named("encr", p.encr_alg),
      p.encr_len, named("mac", p.mac_alg), #p.mac > 0 and H(p.mac) or "none")
  elseif p.name == "T" then
    line = string.format("%s %s", named("ts", p.ts_type), H(p.ts_value))
    if p.ts_type == 2 then line = line .. string.format(" (counter %d)", p.ts) end
  elseif p.name == "ID" or p.name == "IDR" then
    line = (p.id_role and string.format("role %d, ", p.id_role) or "") ..
      named("id_type", p.id_type) .. " " ..
      (printable(p.id_data) and string.format("%q", p.id_data) or H(p.id_data))
  elseif p.name == "RAND" then
    line = string.format("%d bytes %s", #p.rand, H(p.rand))
  elseif p.name == "V" then
    line = string.format("%s %s", named("mac", p.auth_alg), H(p.ver_data))
  elseif p.name == "ERR" then
    line = named("err", p.err_no)
  elseif p.name == "SP" then
    line = string.format("policy %d, prot type %d, %d params", p.policy_no, p.prot_type, #p.params)
  elseif p.name == "EXT" then
    line = string.format("type %d, %d bytes %s", p.ext_type, #p.ext_data, H(p.ext_data))
    local k = keyid_fields(p, prof)
    if k and k.error then line = line .. " [Key ID: " .. k.error .. "]"
    elseif k then
      line = line .. string.format(" [Key ID type %d: %s]", k.keyid_type, H(k.keyid))
    end
  end
  out[#out + 1] = string.format("  %s (%d) @%d: %s", p.name, p.payload, p.offset, line or "")
  if p.name == "KEMAC" and p.keys then
    for i, k in ipairs(p.keys) do
      local s = string.format("    KEYDATA %d: %s, KV %s, key %s", i, named("key_type", k.type),
        named("kv", k.kv), H(k.key))
      if k.salt then s = s .. ", salt " .. H(k.salt) end
      if k.spi then s = s .. ", SPI " .. H(k.spi) end
      if k.valid_from then s = s .. ", valid " .. H(k.valid_from) .. ".." .. H(k.valid_to) end
      out[#out + 1] = s
    end
  elseif p.name == "KEMAC" and p.encr_len > 0 then
    out[#out + 1] = "    (key data encrypted; give --psk to read it)"
  end
end

local function msg_tree(where, m, extra, prof)
  local out = {}
  out[1] = string.format("%s: MIKEY version %d, %s, V=%d, PRF %d, CSB ID 0x%08x, #CS %d, map type %d",
    where, m.version, named("data_type", m.type), m.v, m.prf_func, m.csb_id, m.cs_count,
    m.cs_id_map_type)
  for _, c in ipairs(m.cs or {}) do
    out[#out + 1] = string.format("  CS policy %d SSRC 0x%08x ROC %d", c.policy_no, c.ssrc, c.roc)
  end
  for _, p in ipairs(m.payloads) do tree_payload(out, p, prof) end
  for _, kv in ipairs(extra) do
    local v = kv[2]
    if type(v) == "table" then v = #v == 0 and "none" or table.concat(v, "; ") end
    out[#out + 1] = string.format("  %s: %s", kv[1], tostring(v))
  end
  return table.concat(out, "\n")
end

local function parse_args(args, usage_error)
  local o = { ports = {} }
  local i = 1
  while i <= #args do
    local a = args[i]
    if a == "--json" then o.json = true
    elseif a == "--validate" then o.validate = true
    elseif a == "--psk" or a == "--profile" or a == "--port" then
      local v = args[i + 1]
      if v == nil then return nil, usage_error(a .. " needs a value") end
      i = i + 1
      if a == "--psk" then
        local k, err = hex.decode(v)
        if not k or #k == 0 then return nil, usage_error("--psk: " .. (err or "empty key")) end
        o.psk = k
      elseif a == "--profile" then o.profile = v
      else
        local n = tonumber(v)
        if not n or n ~= math.floor(n) or n < 1 or n > 65535 then
          return nil, usage_error("--port: '" .. v .. "' is not a port number")
        end
        o.ports[#o.ports + 1] = math.tointeger(n)
      end
    elseif a == "-" or a:sub(1, 1) ~= "-" then
      if o.file then return nil, usage_error("only one input file") end
      o.file = a
    else
      return nil, usage_error("unknown option '" .. a .. "'")
    end
    i = i + 1
  end
  if not o.file then return nil, usage_error("decode needs an input FILE or '-'") end
  return o
end

--- Yields (where, bytes) for each message of a hex text.
local function hex_messages(text, emit, fail)
  local n = 0
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do
    n = n + 1
    local s = line:gsub("#.*$", ""):gsub("^%s+", ""):gsub("%s+$", "")
    if s ~= "" then
      local bytes, err = hex.decode(s)
      if bytes then emit("line " .. n, bytes) else fail("line " .. n, err) end
    end
  end
end

local function capture_messages(path, ports, emit, fail)
  local capture = require("mbms.capture")
  local r, err = capture.open(path)
  if not r then return nil, err end
  local want = {}
  for _, p in ipairs(ports) do want[p] = true end
  while true do
    local pkt, perr = r:next()
    if pkt == nil then break end
    if pkt == false then fail("capture", perr); break end
    local where = "packet " .. pkt.index
    if pkt.proto == "malformed" then
      if pkt.dport and (want[pkt.dport] or want[pkt.sport]) then fail(where, pkt.error) end
    elseif pkt.proto == "udp" and (want[pkt.dport] or want[pkt.sport]) then
      if pkt.payload_wire_len and pkt.payload_wire_len > #pkt.payload then
        fail(where, string.format("UDP payload cut by the capture's snap length (%d of %d bytes)",
          #pkt.payload, pkt.payload_wire_len))
      else
        emit(where, pkt.payload)
      end
    end
  end
  r:close()
  return true
end

--- Reads the input: returns its bytes, or a path for captures that libpcap should open.
local function read_input(file)
  local data, err
  if file == "-" then
    data = io.stdin:read("a")
    if not data then return nil, "cannot read standard input" end
  else
    local f
    f, err = io.open(file, "rb")
    if not f then return nil, err end
    data = f:read("a")
    f:close()
  end
  return data
end

function M.main(args, usage_error)
  local o = parse_args(args, usage_error)
  if not o then return 2 end
  local prof, perr = profile.load(o.profile or "ts33246")
  if not prof then io.stderr:write("mbmsct: profile: ", perr, "\n"); return 2 end
  if #o.ports == 0 then o.ports = prof.mikey.ports end

  local bad, good = 0, 0
  local function fail(where, msg)
    bad = bad + 1
    io.stderr:write(string.format("%s: %s\n", where, msg))
  end
  local function emit(where, bytes)
    local m, err = mikey.decode(bytes)
    if not m then return fail(where, err) end
    local extra = {}
    if o.psk then
      local um, uerr, kind = mikey.unprotect(bytes, o.psk)
      if um then
        m = um
        extra[#extra + 1] = { "mac_ok", true }
      else
        extra[#extra + 1] = { "mac_ok", false }
        extra[#extra + 1] = { "error", uerr }
        fail(where, (kind == "mac" and "" or "with --psk: ") .. uerr)
      end
    end
    if o.validate then
      local viol, kind = mikey.validate(bytes, prof.mikey)
      extra[#extra + 1] = { "kind", kind }
      extra[#extra + 1] = { "violations", viol }
      if #viol > 0 then
        fail(where, string.format("%d profile violation(s): %s", #viol, table.concat(viol, "; ")))
      end
    end
    good = good + 1
    if o.json then
      io.stdout:write(msg_json(where, m, extra, prof), "\n")
    else
      io.stdout:write(msg_tree(where, m, extra, prof), "\n")
    end
  end

  local data, err = read_input(o.file)
  if not data then io.stderr:write("mbmsct: ", err, "\n"); return 2 end
  if PCAP_MAGICS[data:sub(1, 4)] then
    local path, tmp = o.file, nil
    if o.file == "-" then
      -- libpcap reads files; a capture piped in is spooled to a private temporary file.
      tmp = os.tmpname()
      local f = assert(io.open(tmp, "wb"))
      f:write(data); f:close()
      path = tmp
    end
    local ok, cerr = capture_messages(path, o.ports, emit, fail)
    if tmp then os.remove(tmp) end
    if not ok then io.stderr:write("mbmsct: ", cerr, "\n"); return 2 end
  else
    if data:find("[^%g%s]") then
      io.stderr:write("mbmsct: ", o.file, ": neither hex text nor a pcap/pcapng capture\n")
      return 2
    end
    hex_messages(data, emit, fail)
  end
  if good == 0 and bad == 0 then io.stderr:write("mbmsct: no MIKEY message found\n") end
  return bad > 0 and 1 or 0
end

return M
