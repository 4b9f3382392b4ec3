--- bodies: the XML bodies of key-update.md §2.2, built and read through the profile's names.
--
-- Every element, attribute and namespace name comes from `profile.xml` ([A]); cause codes
-- from `profile.causes`. Key Domain IDs and MSK IDs travel as hex text [A].
local xml = require("mbms.xml")
local hex = require("mbms.hex")

local M = {}

--- The cause name of a code under the profile, or "CODE_<n>" when the profile has none.
function M.cause_of(prof, code)
  code = tonumber(code)
  for name, c in pairs(prof.causes) do
    if c == code then return name end
  end
  return "CODE_" .. tostring(code)
end

--- The code of a cause name; raises on a name the profile does not map (a scenario bug).
function M.code_of(prof, cause)
  local c = prof.causes[cause]
  if c == nil then error("profile " .. tostring(prof.name) .. " has no code for cause " .. tostring(cause), 2) end
  return c
end

--- Which procedure an HTTP request target names: "register", "deregister", "msk" or nil.
function M.request_kind(prof, target)
  local path, query = target:match("^([^?]*)%??(.*)$")
  if path ~= prof.http.path then return nil end
  for q in query:gmatch("[^&]+") do
    local k, v = q:match("^([^=]*)=(.*)$")
    if k == prof.http.query_param then
      for kind, r in pairs(prof.http.requests) do
        if r.query == v then return kind end
      end
    end
  end
  return nil
end

--- The request target for a procedure ("register", "deregister", "msk").
function M.target_of(prof, kind)
  return prof.http.path .. "?" .. prof.http.query_param .. "=" .. prof.http.requests[kind].query
end

local function el(name, ns, attrs, children, text)
  return { name = name, ns = ns, attr = attrs, children = children, text = text }
end

--- Registration or deregistration body naming services (array of service id strings).
function M.register(prof, services, kind)
  local x = prof.xml[kind == "deregister" and "deregister" or "register"]
  local ch = {}
  for i, s in ipairs(services) do ch[i] = el(x.service, x.ns, nil, nil, s) end
  return xml.build(el(x.root, x.ns, nil, ch))
end

--- MSK request body for keys {{kdid=bytes, mskid=bytes}, ...}.
function M.msk_request(prof, keys)
  local x = prof.xml.msk_request
  local ch = {}
  for i, k in ipairs(keys) do
    ch[i] = el(x.item, x.ns, { [x.kdid_attr] = hex.encode(k.kdid), [x.mskid_attr] = hex.encode(k.mskid) })
  end
  return xml.build(el(x.root, x.ns, nil, ch))
end

--- Registration response: statuses {{service=, cause=}}.
function M.register_response(prof, statuses)
  local x = prof.xml.register_response
  local ch = {}
  for i, s in ipairs(statuses) do
    ch[i] = el(x.status, x.ns, { [x.service_attr] = s.service, [x.code_attr] = tostring(M.code_of(prof, s.cause)) })
  end
  return xml.build(el(x.root, x.ns, nil, ch))
end

--- MSK response: statuses {{kdid=, mskid=, cause=}}.
function M.msk_response(prof, statuses)
  local x = prof.xml.msk_response
  local ch = {}
  for i, s in ipairs(statuses) do
    ch[i] = el(x.status, x.ns, { [x.kdid_attr] = hex.encode(s.kdid), [x.mskid_attr] = hex.encode(s.mskid),
      [x.code_attr] = tostring(M.code_of(prof, s.cause)) })
  end
  return xml.build(el(x.root, x.ns, nil, ch))
end

local function root_of(text, x, what)
  local doc, err = xml.parse(text or "")
  if not doc then return nil, what .. ": " .. err end
  if doc.name ~= x.root or doc.ns ~= x.ns then
    return nil, string.format("%s: root element {%s}%s, expected {%s}%s", what, tostring(doc.ns),
      tostring(doc.name), x.ns, x.root)
  end
  return doc
end

--- Services named by a (de)registration body; nil, message if it is not one.
function M.parse_register(prof, text, kind)
  local x = prof.xml[kind == "deregister" and "deregister" or "register"]
  local doc, err = root_of(text, x, kind or "register")
  if not doc then return nil, err end
  local out = {}
  for _, c in ipairs(doc.children or {}) do
    if c.name == x.service and c.text and c.text ~= "" then out[#out + 1] = c.text end
  end
  if #out == 0 then return nil, (kind or "register") .. ": names no service" end
  return out
end

local function hexattr(node, name, what)
  local v = node.attr and node.attr[name]
  if not v then return nil, what .. ": attribute " .. name .. " missing" end
  local b = hex.decode(v)
  if not b then return nil, what .. ": attribute " .. name .. " is not hex: " .. v end
  return b
end

--- Keys named by an MSK request body: {{kdid=, mskid=}}; nil, message if malformed/empty.
function M.parse_msk_request(prof, text)
  local x = prof.xml.msk_request
  local doc, err = root_of(text, x, "msk request")
  if not doc then return nil, err end
  local out = {}
  for _, c in ipairs(doc.children or {}) do
    if c.name == x.item then
      local kd, e1 = hexattr(c, x.kdid_attr, "msk request")
      if not kd then return nil, e1 end
      local mi, e2 = hexattr(c, x.mskid_attr, "msk request")
      if not mi then return nil, e2 end
      out[#out + 1] = { kdid = kd, mskid = mi }
    end
  end
  if #out == 0 then return nil, "msk request: names no key" end
  return out
end

local function statuses(prof, text, x, what, fields)
  local doc, err = root_of(text, x, what)
  if not doc then return nil, err end
  local out = {}
  for _, c in ipairs(doc.children or {}) do
    if c.name == x.status then
      local s = { code = tonumber(c.attr and c.attr[x.code_attr]) }
      if not s.code then return nil, what .. ": status without a numeric " .. x.code_attr end
      s.cause = M.cause_of(prof, s.code)
      for k, attr in pairs(fields) do
        local v = c.attr and c.attr[attr]
        if k ~= "service" and v then v = hex.decode(v) end
        s[k] = v
      end
      out[#out + 1] = s
    end
  end
  return out
end

--- Statuses of a registration response: {{service=, code=, cause=}}.
function M.parse_register_response(prof, text)
  local x = prof.xml.register_response
  return statuses(prof, text, x, "register response", { service = x.service_attr })
end

--- Statuses of an MSK response: {{kdid=, mskid=, code=, cause=}}.
function M.parse_msk_response(prof, text)
  local x = prof.xml.msk_response
  return statuses(prof, text, x, "msk response", { kdid = x.kdid_attr, mskid = x.mskid_attr })
end

return M
