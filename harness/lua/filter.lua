--- filter: the --filter expression language of `mbmsct run` and `mbmsct list`.
--
--   expr   := term { "or" term }
--   term   := factor { "and" factor }
--   factor := "not" factor | "(" expr ")" | atom
--   atom   := KEY ":" PATTERN | PATTERN
-- Keys: id, tag, req (requirement id), clause, role, kind (the file's folder). A bare PATTERN
-- matches the id. Patterns are globs: '*' any run, '?' one character; case-sensitive.
local M = {}

local function glob_to_pattern(g)
  local p = g:gsub("[%^%$%(%)%%%.%[%]%+%-]", "%%%0"):gsub("%*", ".*"):gsub("%?", ".")
  return "^" .. p .. "$"
end

local function tokenize(s)
  local toks, i = {}, 1
  while i <= #s do
    local c = s:sub(i, i)
    if c:match("%s") then i = i + 1
    elseif c == "(" or c == ")" then toks[#toks + 1] = c; i = i + 1
    else
      local j = i
      while j <= #s and not s:sub(j, j):match("[%s()]") do j = j + 1 end
      toks[#toks + 1] = s:sub(i, j - 1)
      i = j
    end
  end
  return toks
end

local KEYS = { id = true, tag = true, req = true, clause = true, role = true, kind = true }

local function field_values(sc, key)
  if key == "id" then return { sc.id }
  elseif key == "tag" then return sc.tags or {}
  elseif key == "req" then return sc.requirements or {}
  elseif key == "clause" then return { sc.clause }
  elseif key == "role" then return { sc.role }
  elseif key == "kind" then return { sc.kind }
  end
end

--- Compiles an expression; returns a predicate function(scenario) -> bool, or nil, message.
function M.compile(s)
  local toks, pos = tokenize(s), 1
  local function peek() return toks[pos] end
  local function take() pos = pos + 1; return toks[pos - 1] end
  local expr
  local function atom()
    local t = take()
    if t == nil then error("filter: expression ends early", 0) end
    if t == ")" or t == "and" or t == "or" then error("filter: unexpected '" .. t .. "'", 0) end
    if t:match("^%a+:$") then error("filter: '" .. t .. "' needs a pattern after the colon", 0) end
    local key, pat = t:match("^(%a+):(.+)$")
    if not key then key, pat = "id", t end
    if not KEYS[key] then error("filter: unknown key '" .. key .. "' (id, tag, req, clause, role, kind)", 0) end
    local lp = glob_to_pattern(pat)
    -- A clause pattern also matches sub-clauses: clause:6.3.2 selects 6.3.2.2.1.
    local prefix = key == "clause" and not pat:find("[*?]") and pat .. "."
    return function(sc)
      for _, v in ipairs(field_values(sc, key)) do
        if type(v) == "string" and (v:match(lp) or (prefix and v:sub(1, #prefix) == prefix)) then
          return true
        end
      end
      return false
    end
  end
  local function factor()
    local t = peek()
    if t == "not" then take(); local f = factor(); return function(sc) return not f(sc) end end
    if t == "(" then
      take()
      local e = expr()
      if take() ~= ")" then error("filter: missing ')'", 0) end
      return e
    end
    return atom()
  end
  local function term()
    local f = factor()
    while peek() == "and" do
      take()
      local a, b = f, factor()
      f = function(sc) return a(sc) and b(sc) end
    end
    return f
  end
  expr = function()
    local f = term()
    while peek() == "or" do
      take()
      local a, b = f, term()
      f = function(sc) return a(sc) or b(sc) end
    end
    return f
  end
  local ok, res = pcall(function()
    local e = expr()
    if pos <= #toks then error("filter: unexpected '" .. toks[pos] .. "'", 0) end
    return e
  end)
  if not ok then return nil, res end
  return res
end

return M
