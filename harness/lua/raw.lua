--- raw: the explicit builder for deliberately malformed bytes (STYLE.md 6).
--
-- mbms.mikey.encode only writes well-formed messages; a scenario that must send a lying length,
-- a truncated payload or a wrong next-payload byte writes it here, field by field, so that the
-- intent is visible in the scenario. Methods chain: raw.new():u8(1):u16(0xffff):bytes(x).
local M = {}
local Raw = {}
Raw.__index = Raw

--- A new empty builder.
function M.new()
  return setmetatable({ parts = {} }, Raw)
end

local function int(self, v, n, what)
  if math.type(v) ~= "integer" or v < 0 or v >= (1 << (8 * n)) then
    error(string.format("raw:%s: %s is not an unsigned %d-bit integer", what, tostring(v), 8 * n), 3)
  end
  self.parts[#self.parts + 1] = string.pack(">I" .. n, v)
  return self
end

--- Appends an unsigned integer of 1, 2, 4 or 8 bytes, big-endian.
function Raw:u8(v) return int(self, v, 1, "u8") end
function Raw:u16(v) return int(self, v, 2, "u16") end
function Raw:u32(v) return int(self, v, 4, "u32") end
function Raw:u64(v)
  if math.type(v) ~= "integer" then error("raw:u64: not an integer", 2) end
  self.parts[#self.parts + 1] = string.pack(">i8", v)
  return self
end

--- Appends bytes as they are.
function Raw:bytes(s)
  if type(s) ~= "string" then error("raw:bytes: a byte string is required", 2) end
  self.parts[#self.parts + 1] = s
  return self
end

--- Appends the bytes of hex text (spaces allowed).
function Raw:hex(h)
  local s = h:gsub("%s", "")
  if #s % 2 == 1 or s:find("%X") then error("raw:hex: bad hex text '" .. h .. "'", 2) end
  self.parts[#self.parts + 1] = (s:gsub("%x%x", function(x) return string.char(tonumber(x, 16)) end))
  return self
end

--- Appends a 1- or 2-byte length followed by what fill(b) writes; `lie` adds to the true
-- length (negative or positive) to make it wrong on purpose.
function Raw:len(width, fill, lie)
  local inner = M.new()
  fill(inner)
  local body = inner:tobytes()
  local n = #body + (lie or 0)
  int(self, n, width, "len")
  self.parts[#self.parts + 1] = body
  return self
end

--- The bytes written so far.
function Raw:tobytes()
  return table.concat(self.parts)
end

function Raw:__len() return #self:tobytes() end

--- Returns s with the bytes at 0-based offset replaced by rep (same total length).
function M.patch(s, offset, rep)
  if offset < 0 or offset + #rep > #s then
    error(string.format("raw.patch: %d bytes at offset %d outside a %d-byte message", #rep, offset, #s), 2)
  end
  return s:sub(1, offset) .. rep .. s:sub(offset + #rep + 1)
end

--- Returns the first n bytes of s.
function M.truncate(s, n)
  return s:sub(1, n)
end

--- Returns s with bit `bit` (0 = MSB of byte 0) inverted.
function M.flip(s, bit)
  local i = bit // 8
  if i >= #s then error("raw.flip: bit beyond the message", 2) end
  local b = s:byte(i + 1) ~ (0x80 >> (bit % 8))
  return s:sub(1, i) .. string.char(b) .. s:sub(i + 2)
end

return M
