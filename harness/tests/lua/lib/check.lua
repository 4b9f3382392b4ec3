--- check: the assertions the Lua tests share (each raises at its caller's line).
local M = {}

--- a must equal b; what names the value in the message.
function M.eq(a, b, what)
  if a ~= b then error(string.format("%s: expected %s vs actual %s", what, tostring(b), tostring(a)), 2) end
end

--- f(...) must raise an error whose text contains pattern (plain).
function M.raises(pattern, f, ...)
  local ok, err = pcall(f, ...)
  if ok then error("expected an error containing '" .. pattern .. "' but the call succeeded", 2) end
  if not tostring(err):find(pattern, 1, true) then
    error("expected an error containing '" .. pattern .. "' vs actual '" .. tostring(err) .. "'", 2)
  end
end

--- Some string of list must contain pattern (plain).
function M.has(list, pattern, what)
  for _, s in ipairs(list) do if s:find(pattern, 1, true) then return end end
  error(what .. ": no entry contains '" .. pattern .. "' in {" .. table.concat(list, " | ") .. "}", 2)
end

return M
