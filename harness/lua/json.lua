--- json: a small JSON writer (no reader is needed: mbmsct only emits JSON).
-- Objects keep their key order: build them with json.object{ {"key", value}, ... }.
local M = {}

local OBJECT = {}
local ARRAY = {}

--- An ordered object from a list of {key, value} pairs (nil values are left out).
function M.object(pairs_list)
  return setmetatable({ items = pairs_list }, OBJECT)
end

--- An array (plain Lua tables without the marker are encoded as arrays too).
function M.array(list)
  return setmetatable({ items = list }, ARRAY)
end

local escapes = {
  ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
  ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t",
}

--- Escapes a Lua string as a JSON string; bytes that are not UTF-8 text become \u00XX.
function M.string(s)
  local out = s:gsub('[%c"\\\128-\255]', function(c)
    return escapes[c] or string.format("\\u%04x", c:byte())
  end)
  return '"' .. out .. '"'
end

local encode

local function encode_list(items, n)
  local parts = {}
  for i = 1, n do parts[i] = encode(items[i]) end
  return "[" .. table.concat(parts, ",") .. "]"
end

encode = function(v)
  local t = type(v)
  if t == "nil" then return "null"
  elseif t == "boolean" then return v and "true" or "false"
  elseif t == "number" then
    if math.type(v) == "integer" then return string.format("%d", v) end
    if v ~= v or v == math.huge or v == -math.huge then return "null" end
    return string.format("%.17g", v)
  elseif t == "string" then return M.string(v)
  elseif t == "table" then
    local mt = getmetatable(v)
    if mt == OBJECT then
      local parts = {}
      for _, kv in ipairs(v.items) do
        if kv[2] ~= nil then parts[#parts + 1] = M.string(kv[1]) .. ":" .. encode(kv[2]) end
      end
      return "{" .. table.concat(parts, ",") .. "}"
    elseif mt == ARRAY then
      return encode_list(v.items, #v.items)
    end
    return encode_list(v, #v)
  end
  error("json: cannot encode a " .. t)
end

M.encode = encode

return M
