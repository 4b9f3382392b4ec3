-- http_digest.lua: mbms.http and mbms.digest from Lua — messages written byte for byte and read
-- back in any split, the RFC 7616 3.9.1 MD5 example, verify() naming the failing check, and both
-- error channels (misuse raises; bad bytes give nil, msg). Any failure raises an error.
local http = require("mbms.http")
local digest = require("mbms.digest")

local function check(what, cond)
  if not cond then error(what, 2) end
end

--- Raises "<what>: expected X vs actual Y" when got ~= want.
local function check_eq(what, got, want)
  if got ~= want then
    error(string.format("%s: expected %q vs actual %q", what, tostring(want), tostring(got)), 2)
  end
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

--- The call must return nil, msg (a failure of the world) with msg containing pattern.
local function check_fails(what, pattern, v, msg)
  if v ~= nil then error(what .. ": expected nil, msg, got a value", 2) end
  if not tostring(msg):find(pattern, 1, true) then
    error(string.format("%s: expected a message with %q vs actual %q", what, pattern,
      tostring(msg)), 2)
  end
end

--- A canonical text of parsed messages, so that two parses can be compared.
local function dump(msgs)
  local out = {}
  for _, m in ipairs(msgs) do
    out[#out + 1] = string.format("%s %s %s %s %s ka=%s eof=%s ch=%s",
      m.method or "-", m.target or "-", tostring(m.status), m.reason or "-", m.version,
      tostring(m.keep_alive), tostring(m.eof_body), tostring(m.chunked))
    for _, h in ipairs(m.headers) do out[#out + 1] = h[1] .. "=" .. h[2] end
    out[#out + 1] = "body=" .. m.body
  end
  return table.concat(out, "\n")
end

--- Parses a whole stream cut at the given offsets; returns the dump (or "error: msg").
local function parse_cut(kind, s, cuts)
  local p <close> = http.parser(kind)
  local all, from = {}, 1
  cuts[#cuts + 1] = #s
  for _, to in ipairs(cuts) do
    local got, msg = p:feed(s:sub(from, to))
    if not got then return "error: " .. msg end
    for _, m in ipairs(got) do all[#all + 1] = m end
    from = to + 1
  end
  local got, msg = p:finish()
  if not got then return "error: " .. msg end
  for _, m in ipairs(got) do all[#all + 1] = m end
  return dump(all)
end

-- Writer, byte for byte.
local req = http.request{method = "POST", target = "/keymanagement?requesttype=register",
  headers = {{"Host", "bmsc"}, {"Content-Type", "application/mbms-register+xml"}},
  body = "<mbmsRegister/>"}
check_eq("request bytes", req, "POST /keymanagement?requesttype=register HTTP/1.1\r\n" ..
  "Host: bmsc\r\nContent-Type: application/mbms-register+xml\r\nContent-Length: 15\r\n\r\n" ..
  "<mbmsRegister/>")
check_eq("response bytes", http.response{status = 401, headers = {{"WWW-Authenticate", "x"}}},
  "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: x\r\nContent-Length: 0\r\n\r\n")
check_eq("raw bytes", http.request{method = "GET", target = "/", raw = true,
  headers = {{"Content-Length", "1"}, {"Content-Length", "1"}}, body = "x"},
  "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx")
check_eq("reason", http.reason(503), "Service Unavailable")
check_eq("no reason", http.reason(299), nil)

-- Reader: pipelined requests, any split gives the same messages.
local stream = req .. "GET /x HTTP/1.1\r\nHost: bmsc\r\nTransfer-Encoding: chunked\r\n\r\n" ..
  "2\r\nab\r\n0\r\n\r\n"
local whole = parse_cut("request", stream, {})
check("pipelined parse", not whole:find("^error"))
for i = 1, #stream - 1 do
  check_eq("split at " .. i, parse_cut("request", stream, {i}), whole)
end
local p = http.parser("request")
local msgs = assert(p:feed(stream))
check_eq("two messages", #msgs, 2)
check_eq("method", msgs[1].method, "POST")
check_eq("target", msgs[1].target, "/keymanagement?requesttype=register")
check_eq("version", msgs[1].version, "1.1")
check_eq("header order", msgs[1].headers[2][1], "Content-Type")
check_eq("header map", msgs[1].header["content-type"], "application/mbms-register+xml")
check_eq("body", msgs[1].body, "<mbmsRegister/>")
check_eq("keep-alive", msgs[1].keep_alive, true)
check_eq("chunked body", msgs[2].body, "ab")
check_eq("chunked", msgs[2].chunked, true)
check_eq("nothing at the end", #assert(p:finish()), 0)
p:close()
check_raises("closed parser", "closed http parser", p.feed, p, "x")

-- A response whose body runs to the end of the connection.
p = http.parser("response")
check_eq("not yet complete", #assert(p:feed("HTTP/1.1 200 OK\r\n\r\nabc")), 0)
msgs = assert(p:finish())
check_eq("EOF body", msgs[1].body, "abc")
check_eq("eof_body", msgs[1].eof_body, true)
check_eq("status", msgs[1].status, 200)

-- Bad bytes: nil, msg, and the messages completed before them.
p = http.parser("request")
local none, msg, done = p:feed("GET / HTTP/1.1\r\n\r\nPOST / HTTP/1.1\r\nContent-Length: 1\r\n" ..
  "Content-Length: 1\r\n\r\nx")
check_fails("duplicate Content-Length", "duplicate Content-Length", none, msg)
check_eq("completed before the error", #done, 1)
check_fails("sticky", "duplicate Content-Length", p:feed("GET / HTTP/1.1\r\n\r\n"))
p = http.parser("response")
assert(p:feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab"))
check_fails("truncated", "HPE_INVALID_EOF_STATE", p:finish())
p = http.parser("request", {max_header = 32, max_body = 4})
check_fails("max_header", "exceeds max_header (32 bytes)",
  p:feed("GET / HTTP/1.1\r\nX: " .. string.rep("a", 40) .. "\r\n\r\n"))
p = http.parser("request", {max_body = 4})
check_fails("max_body", "exceeds max_body (4 bytes)",
  p:feed("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n"))
check_fails("bad method", "HPE_INVALID_METHOD", http.parser("request"):feed("G@T / HTTP/1.1\r\n"))

-- Misuse raises.
check_raises("no method", "field 'method' is required", http.request, {target = "/"})
check_raises("bad method", "is not a token", http.request, {method = "G T", target = "/"})
check_raises("header shape", "headers[1]", http.request,
  {method = "GET", target = "/", headers = {"Host: x"}})
check_raises("status", "status", http.response, {status = "200"})
check_raises("kind", "invalid option", http.parser, "both")
check_raises("limit", "max_header must be", http.parser, "request", {max_header = 0})
check_raises("feed type", "string expected", http.parser("request").feed,
  http.parser("request"), {})

-- Digest: RFC 7616 3.9.1, MD5.
local rfc = {algorithm = "MD5", username = "Mufasa", realm = "http-auth@example.org",
  password = "Circle of Life", nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
  cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", nc = "00000001", qop = "auth",
  method = "GET", uri = "/dir/index.html",
  opaque = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"}
check_eq("RFC 7616 MD5", digest.compute(rfc), "8ca523f5e9506fed4657c9700eebdbec")
rfc.algorithm = "SHA-256"
check_eq("RFC 7616 SHA-256", digest.compute(rfc),
  "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1")
rfc.algorithm = "MD5"
local auth = digest.authorization(rfc)
check_eq("authorization", auth, 'Digest username="Mufasa", realm="http-auth@example.org", ' ..
  'uri="/dir/index.html", algorithm=MD5, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", ' ..
  'nc=00000001, cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop=auth, ' ..
  'response="8ca523f5e9506fed4657c9700eebdbec", ' ..
  'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"')
local parsed = assert(digest.parse(auth))
check_eq("scheme", parsed.scheme, "Digest")
check_eq("order", table.concat(parsed.order, ","),
  "username,realm,uri,algorithm,nonce,nc,cnonce,qop,response,opaque")
check_eq("quoted", parsed.quoted.nc, nil)
check_eq("quoted realm", parsed.quoted.realm, true)
local expect = {password = "Circle of Life", method = "GET", realm = "http-auth@example.org",
  nonce = rfc.nonce, algorithm = "MD5", username = "Mufasa", uri = "/dir/index.html",
  qop = "auth", nc = "00000001"}
check_eq("verify", digest.verify(parsed, expect), true)
check_eq("verify bare params", digest.verify(parsed.params, expect), true)

-- Wrong values on purpose: the builder writes them, verify names the check.
local wrong = {nc = "00000002", uri = "/other", realm = "other", response = "00"}
for field, value in pairs(wrong) do
  local t = {}
  for k, v in pairs(rfc) do t[k] = v end
  t[field] = value
  local ok, why, which = digest.verify(assert(digest.parse(digest.authorization(t))), expect)
  check_eq("verify " .. field, ok, false)
  check_eq("check named for " .. field, which, field)
  check(field .. ": message " .. why, why:find("expected", 1, true) ~= nil)
end
local bad_pw = {}
for k, v in pairs(expect) do bad_pw[k] = v end
bad_pw.password = "Circle Of Life"
local ok, why, which = digest.verify(parsed, bad_pw)
check_eq("wrong password", ok, false)
check_eq("wrong password check", which, "response")
check("wrong password message", why:find("vs actual 8ca523f5e9506fed4657c9700eebdbec", 1,
  true) ~= nil)

-- Challenge, nonce, and a whole exchange through both modules.
local nonce = digest.nonce(16)
check("nonce", #nonce == 32 and nonce:match("^%x+$") ~= nil)
local ch = digest.challenge{realm = "bmsc", nonce = nonce, qop = "auth,auth-int",
  algorithm = "SHA-256", opaque = "o", stale = true}
check_eq("challenge", ch, 'Digest realm="bmsc", qop="auth,auth-int", algorithm=SHA-256, ' ..
  'nonce="' .. nonce .. '", opaque="o", stale=true')
local c = assert(digest.parse(ch)).params
local body = "<mskRequest/>"
local wire = http.request{method = "POST", target = "/keymanagement?requesttype=msk-request",
  headers = {{"Host", "bmsc"}, {"Authorization", digest.authorization{algorithm = c.algorithm,
    username = "B-TID@bsf", realm = c.realm, password = "MRK==", nonce = c.nonce,
    cnonce = digest.nonce(8), nc = "00000001", qop = "auth-int", method = "POST",
    uri = "/keymanagement?requesttype=msk-request", body = body, opaque = c.opaque}}},
  body = body}
local m = assert(http.parser("request"):feed(wire))[1]
local cred = assert(digest.parse(m.header.authorization))
local x = {password = "MRK==", method = m.method, body = m.body, realm = "bmsc", nonce = nonce,
  algorithm = "SHA-256", uri = m.target, qop = "auth,auth-int", opaque = "o"}
check_eq("exchange verifies", digest.verify(cred, x), true)
x.body = "<mskRequest />"
check_eq("auth-int covers the body", select(3, digest.verify(cred, x)), "response")

-- Malformed headers: nil, msg naming the byte.
check_fails("no value", "expected '=' after 'realm' at byte 12", digest.parse("Digest realm"))
check_fails("unterminated", "unterminated quoted string", digest.parse('Digest realm="x'))
check_fails("duplicate", "duplicate parameter", digest.parse('Digest a=1, A=2'))

-- Misuse raises.
check_raises("unknown algorithm", "unknown algorithm 'SHA-1'", digest.compute,
  {algorithm = "SHA-1"})
check_raises("bad qop", "qop must be", digest.compute, {qop = "auth-conf"})
check_raises("missing inputs", "are all needed", digest.compute, {username = "u"})
check_raises("challenge needs a nonce", "'realm' and 'nonce' are required", digest.challenge,
  {realm = "r"})
check_raises("type", "field 'nc' must be a string", digest.compute, {nc = 1})
check_raises("no password", "password, method, realm and nonce", digest.verify, parsed, {})
check_raises("nonce size", "1..256", digest.nonce, 0)
check_raises("NUL in text", "holds a NUL byte", digest.challenge, {realm = "a\0b", nonce = "n"})
