-- xml.lua: mbms.xml from Lua — the spec bodies parsed, built and parsed again, find/find_all,
-- namespaces, hostile input returned as nil, msg, and misuse raising with the path at fault.
local xml = require("mbms.xml")

local check = require("check")
local eq, raises = check.eq, check.raises

local function fails(pattern, text, opts)
  local t, err = xml.parse(text, opts)
  if t ~= nil then error("expected parse failure '" .. pattern .. "' but it parsed", 2) end
  if not err:find(pattern, 1, true) then
    error("expected a parse error containing '" .. pattern .. "' vs actual '" .. err .. "'", 2)
  end
end

--- Deep equality of two node tables, naming the first difference.
local function same(a, b, path)
  path = path or "node"
  if type(a) ~= type(b) then error(path .. ": " .. type(a) .. " vs " .. type(b), 2) end
  if type(a) ~= "table" then
    if a ~= b then error(path .. ": " .. tostring(a) .. " vs " .. tostring(b), 2) end
    return
  end
  for k, v in pairs(a) do same(v, b[k], path .. "." .. tostring(k)) end
  for k in pairs(b) do
    if a[k] == nil then error(path .. "." .. tostring(k) .. ": missing on the left", 2) end
  end
end

-- The five default bodies of key-update.md §2.2.
local NS = "urn:3GPP:metadata:2005:MBMS:"
local bodies = {
  mbmsRegister = [[
<mbmsRegister xmlns="urn:3GPP:metadata:2005:MBMS:mbmsRegister">
  <serviceId>urn:example:mbms:svc1</serviceId>            <!-- one per user service -->
</mbmsRegister>]],
  mbmsRegisterResponse = [[
<mbmsRegisterResponse xmlns="urn:3GPP:metadata:2005:MBMS:mbmsRegisterResponse">
  <status serviceId="urn:example:mbms:svc1" code="200"/>
</mbmsRegisterResponse>]],
  mbmsDeregister = [[
<mbmsDeregister xmlns="urn:3GPP:metadata:2005:MBMS:mbmsDeregister">
  <serviceId>urn:example:mbms:svc1</serviceId>
</mbmsDeregister>                                          <!-- answered like a registration -->]],
  mskRequest = [[
<mskRequest xmlns="urn:3GPP:metadata:2005:MBMS:mskRequest">
  <msk keyDomainId="00f110" mskId="00010002"/>             <!-- hex, one per requested key -->
</mskRequest>]],
  mskResponse = [[
<mskResponse xmlns="urn:3GPP:metadata:2005:MBMS:mskResponse">
  <status keyDomainId="00f110" mskId="00010002" code="200"/>
</mskResponse>]],
}

for root, text in pairs(bodies) do
  local t = assert(xml.parse(text))
  eq(t.name, root, root .. " name")
  eq(t.ns, NS .. root, root .. " ns")
  eq(t.prefix, nil, root .. " prefix")
  eq(t.text, "", root .. " text (white space only)")
  eq(#t.children, 1, root .. " children")
  eq(t.children[1].ns, NS .. root, root .. " child inherits the default namespace")
  -- parse -> build -> parse gives the same tree, indented or not.
  local built = xml.build(t)
  eq(built:sub(1, 39), '<?xml version="1.0" encoding="UTF-8"?>\n', root .. " declaration")
  same(t, assert(xml.parse(built)), root)
  same(t, assert(xml.parse(xml.build(t, { indent = false }))), root .. " (not indented)")
  eq(xml.build(assert(xml.parse(built))), built, root .. " build is stable")
end

-- Node shape: attrs in order, attr map, children, trimmed text.
local req = assert(xml.parse(bodies.mskRequest))
local msk = req.children[1]
eq(msk.name, "msk", "msk name")
eq(#msk.attrs, 2, "msk attrs")
eq(msk.attrs[1].name, "keyDomainId", "first attribute in document order")
eq(msk.attrs[1].value, "00f110", "first attribute value")
eq(msk.attrs[1].ns, nil, "unqualified attribute")
eq(msk.attrs[2].name, "mskId", "second attribute")
eq(msk.attr.keyDomainId, "00f110", "attr map")
eq(msk.attr.mskId, "00010002", "attr map")
eq(#msk.children, 0, "msk has no children")
local reg = assert(xml.parse(bodies.mbmsRegister))
eq(reg.children[1].text, "urn:example:mbms:svc1", "serviceId text")

-- find and find_all: below the node, document order, namespace optional ("" is none).
local resp = assert(xml.parse([[
<mskResponse xmlns="urn:3GPP:metadata:2005:MBMS:mskResponse" xmlns:x="urn:x">
  <status keyDomainId="00f110" mskId="00000001" code="200"/>
  <group><status keyDomainId="00f110" mskId="00000002" code="404"/></group>
  <x:status mskId="00000003"/>
  <status xmlns="" mskId="00000004"/>
</mskResponse>]]))
local all = xml.find_all(resp, "status")
eq(#all, 4, "find_all any namespace")
eq(all[2].attr.mskId, "00000002", "find_all is depth first in document order")
eq(#xml.find_all(resp, "status", NS .. "mskResponse"), 2, "find_all in the response namespace")
eq(xml.find(resp, "status", "urn:x").attr.mskId, "00000003", "find in urn:x")
eq(xml.find(resp, "status", "").attr.mskId, "00000004", "find in no namespace")
eq(xml.find(resp, "status").attr.code, "200", "find first")
eq(xml.find(resp, "mskResponse"), nil, "find looks below the node only")
eq(xml.find(resp, "nothing"), nil, "find: no match")
eq(#xml.find_all(resp, "nothing"), 0, "find_all: no match")
eq(xml.find(resp, "status", "urn:x").prefix, "x", "prefix as written")

-- Namespaced attributes and the xml prefix keep their namespace through a round trip.
local ns = assert(xml.parse([[<r xmlns:a="urn:a"><e a:k="1" k="2" xml:lang="en"/></r>]]))
local e = ns.children[1]
eq(e.attrs[1].ns, "urn:a", "attribute namespace")
eq(e.attr.k, "2", "attr map holds the unqualified k only")
eq(e.attr.lang, nil, "attr map leaves out qualified attributes")
eq(e.attrs[3].ns, "http://www.w3.org/XML/1998/namespace", "xml:lang namespace")
same(ns, assert(xml.parse(xml.build(ns))), "namespaced attributes")

-- Building from hand-written tables: attr map sorted, integers as text, text before children.
local built = xml.build({
  name = "mskRequest", ns = NS .. "mskRequest",
  children = {
    { name = "msk", ns = NS .. "mskRequest", attr = { mskId = "00010002", keyDomainId = "00f110" } },
    { name = "note", text = "a < b & c", attr = { n = 7 } },
  },
})
eq(built, '<?xml version="1.0" encoding="UTF-8"?>\n'
  .. '<mskRequest xmlns="urn:3GPP:metadata:2005:MBMS:mskRequest">\n'
  .. '  <msk keyDomainId="00f110" mskId="00010002"/>\n'
  .. '  <note xmlns="" n="7">a &lt; b &amp; c</note>\n'
  .. '</mskRequest>\n', "built request")
eq(xml.build({ name = "a", attrs = { { name = "z", value = "1" }, { name = "y", value = "2" } },
  attr = { x = "ignored" } }), '<?xml version="1.0" encoding="UTF-8"?>\n<a z="1" y="2"/>\n',
  "attrs wins over attr and keeps its order")
eq(xml.build({ name = "p", ns = "urn:p", prefix = "q", text = "t", children = { { name = "c", ns = "urn:p" } } },
  { indent = false }),
  '<?xml version="1.0" encoding="UTF-8"?>\n<q:p xmlns:q="urn:p">t<c xmlns="urn:p"/></q:p>\n',
  "prefix wish; an unprefixed child declares the default namespace")
eq(xml.build({ name = "a", attrs = { { name = "k", ns = "urn:k", value = "v" } } }),
  '<?xml version="1.0" encoding="UTF-8"?>\n<a xmlns:ns1="urn:k" ns1:k="v"/>\n',
  "generated attribute prefix")

-- Entities: decoded on the way in, escaped on the way out.
local ent = assert(xml.parse("<a v='&quot;&amp;&#x41;'>&lt;&#66;&gt;<![CDATA[<c>]]></a>"))
eq(ent.attr.v, '"&A', "attribute entities")
eq(ent.text, "<B><c>", "text entities and CDATA")
same(ent, assert(xml.parse(xml.build(ent))), "entities round trip")

-- Hostile and broken input: nil, "line L col C: message".
fails("DOCTYPE refused", '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>')
fails("DOCTYPE refused", '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><r>&b;</r>')
fails("line 3 col 5: Opening and ending tag mismatch", "<a>\n<b>\n</a>")
fails("line 1 col 1: Document is empty", "")
fails("Input is not proper UTF-8", "<a>\255</a>")
fails("Entity 'x' not defined", "<a>&x;</a>")
fails("Namespace prefix p on a is not defined", "<p:a/>")
fails("input of 10 bytes exceeds the size limit of 9 bytes", "<a>xxx</a>", { max_bytes = 9 })
fails("line 1 col 9: element depth 3 exceeds the limit of 2", "<a><b><c/></b></a>", { max_depth = 2 })
fails("line 1 col 4: start tag with 3 attributes exceeds the limit of 2", "<a><b x='1' y='2' z='3'/></a>",
  { max_attrs = 2 })
local many = {}
for i = 1, 257 do many[i] = string.format("a%d='%d'", i, i) end
fails("start tag with 257 attributes exceeds the limit of 256", "<a " .. table.concat(many, " ") .. "/>")
eq(#assert(xml.parse("<a " .. table.concat(many, " ") .. "/>", { max_attrs = 257 })).attrs, 257, "raised attribute limit")
local deep = string.rep("<e>", 65) .. string.rep("</e>", 65)
fails("element depth 65 exceeds the limit of 64", deep)
assert(xml.parse(deep, { max_depth = 65 }), "a raised depth limit")

-- Misuse raises, naming the argument or the path.
-- (The function name in "bad argument" messages depends on how the module was loaded.)
raises("bad argument #1 to", xml.parse, {})
raises("option 'max_depth' is 0, outside 1..256", xml.parse, "<a/>", { max_depth = 0 })
raises("option 'max_bytes' must be an integer", xml.parse, "<a/>", { max_bytes = "1" })
raises("xml.parse: unknown option max_size", xml.parse, "<a/>", { max_size = 1 })
raises("xml.build: unknown option pretty", xml.build, { name = "a" }, { pretty = true })
raises("(table expected, got string)", xml.build, "text")
raises("node.name: missing", xml.build, {})
raises("node.children[2].name: missing", xml.build, { name = "a", children = { { name = "b" }, {} } })
raises("node.children[1]: expected a table, got string", xml.build, { name = "a", children = { "b" } })
raises("node.name: expected a string, got number", xml.build, { name = 1 })
raises("node.name: 'a b' is not an XML name", xml.build, { name = "a b" })
raises("node.name: contains a NUL byte", xml.build, { name = "a\0b" })
raises("node.children[1].prefix: 'xmlns' is reserved",
  xml.build, { name = "a", children = { { name = "b", ns = "urn:b", prefix = "xmlns" } } })
raises("node.attrs[2]: attribute 'k' appears twice",
  xml.build, { name = "a", attrs = { { name = "k", value = "1" }, { name = "k", value = "2" } } })
raises("node.attrs[1].value: missing", xml.build, { name = "a", attrs = { { name = "k" } } })
raises("node.attrs[1].value: expected a string or an integer, got boolean",
  xml.build, { name = "a", attrs = { { name = "k", value = true } } })
raises("node.attr.k: expected a string or an integer, got table", xml.build, { name = "a", attr = { k = {} } })
raises("node.attr: keys must be strings, got number", xml.build, { name = "a", attr = { "x" } })
raises("node.text: character U+0001 at offset 1 is not allowed in XML 1.0", xml.build, { name = "a", text = "x\1" })
raises("node.children[1].text: byte 0xff at offset 0 is not UTF-8",
  xml.build, { name = "a", children = { { name = "b", text = "\255" } } })
raises("node.children: expected a table, got string", xml.build, { name = "a", children = "b" })
local cyc = { name = "a", children = {} }
cyc.children[1] = cyc
raises("elements nested deeper than 256 (a cycle?)", xml.build, cyc)
raises("elements nested deeper than 256 (a cycle?)", xml.find, cyc, "zzz")
raises("bad argument #1 to", xml.find, "x", "a")
raises("bad argument #2 to", xml.find_all, {}, nil)
raises("node.children[1]: expected a table, got number", xml.find, { children = { 1 } }, "a")

-- Many builds and parses leave nothing behind (the box is released every time).
for _ = 1, 200 do
  pcall(xml.build, { name = "a", children = { { name = "b" }, { name = "bad name" } } })
  xml.parse("<a><b/></a")
end
collectgarbage()
