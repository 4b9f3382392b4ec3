-- capture_live.lua: mbms.capture.live from Lua — a datagram on lo seen through the descriptor
-- and a filter, packets written as captured and read back, IGMP/MLD dissected into membership
-- tables, live packet specs matched, and the errors that name the interface and filter.
local capture = require("mbms.capture")
local net = require("mbms.net")
local testctx = require("testctx")

local check = require("check")
local eq = check.eq

local function unhex(h) return (h:gsub("%s", ""):gsub("..", function(x) return string.char(tonumber(x, 16)) end)) end

-- Live on lo through a filter; non-blocking next() and the descriptor the scheduler polls.
local h = assert(capture.live("lo", { filter = "udp and dst port 47621", snaplen = 2000 }))
eq(h:linktype(), capture.link.ETHERNET, "lo link type")
assert(tostring(h):find("capture live", 1, true), "tostring")
eq(h:next(), nil, "nothing pending")
local u = assert(net.udp{ bind = "127.0.0.1" })
assert(u:send("not this one", "127.0.0.1", 47622))
assert(u:send("live from lua", "127.0.0.1", 47621))
local p
local deadline = net.now() + 2
while not p and net.now() < deadline do
  net.poll({ { h:fd(), "r" } }, 0.1)
  p = h:next()
end
assert(p, "the datagram was captured")
eq(p.proto, "udp", "proto")
eq(p.payload, "live from lua", "payload")
eq(p.dport, 47621, "dport")
eq(p.ip_proto, 17, "ip_proto")
eq(p.index, 1, "index")
net.sleep(0.05)
eq(h:next(), nil, "the filter kept the other datagram out")
local st = assert(h:stats())
eq(st.received, 1, "stats.received")
eq(st.dropped, 0, "stats.dropped")

-- A live packet written as captured reads back the same.
local path = os.tmpname()
local w = assert(capture.create(path, h:linktype()))
eq(w:write(p), true, "write")
-- A crafted IGMPv2 leave and an MLDv2 leave (raw IPv4/IPv6 frames in an Ethernet file).
local eth = string.rep("\0", 12)
eq(w:write{ frame = eth .. "\8\0" .. unhex("46000020000040000102 0000c0a80001e0000002 94040000 17000000ef010203"),
  time = 1700000000.5 }, true, "write IGMPv2 leave")
eq(w:write{ frame = eth .. "\134\221" .. unhex("6000000000240001 fe800000000000000000000000000001" ..
  "ff020000000000000000000000000016 3a00050200000100 8f00000000000001 03000000ff3e0000000000000000000000001234"),
  time = 1700000001 }, true, "write MLDv2 leave")
-- Truncated IGMPv3 report: the record count promises more than the bytes hold.
eq(w:write{ frame = eth .. "\8\0" .. unhex("45000020000040000102 0000c0a80001e0000016 2200000000000002 04000000"),
  time = 1700000002 }, true, "write truncated report")
eq(w:close(), true, "close writer")
h:close()
assert(tostring(h):find("(closed)", 1, true), "closed")

local r = assert(capture.open(path))
local back = assert(r:next())
eq(back.frame, p.frame, "frame written as captured")
eq(back.wirelen, p.wirelen, "wire length")
local leave = assert(r:next())
eq(leave.proto, "igmp", "IGMP proto")
eq(leave.membership.type_name, "IGMPv2 leave group", "type name")
eq(leave.membership.records[1].action, "leave", "leave action")
eq(leave.membership.records[1].group, "239.1.2.3", "leave group")
assert(testctx.live_match(leave, { proto = "igmp", leave = "239.1.2.3" }), "spec matches the leave")
assert(testctx.live_match(leave, { leave = true, group = "239.1.2.3" }), "any-group leave")
assert(not testctx.live_match(leave, { join = "239.1.2.3" }), "a leave is no join")
assert(not testctx.live_match(leave, { leave = "239.9.9.9" }), "other group")
eq(testctx.describe_packet(leave), "IGMPv2 leave group 192.168.0.1 -> 224.0.0.2: leave 239.1.2.3", "describe")
local mld = assert(r:next())
eq(mld.proto, "mld", "MLD proto")
eq(mld.ip_proto, 58, "ICMPv6 after the hop-by-hop header")
eq(mld.membership.version, 2, "MLDv2")
eq(mld.membership.records[1].action, "leave", "MLDv2 TO_IN({}) is a leave")
eq(mld.membership.records[1].group, "ff3e::1234", "MLD group")
local bad = assert(r:next())
eq(bad.proto, "malformed", "truncated report")
eq(bad.error, "IGMPv3 report: record 1 of 2: header truncated: 4 of 8 bytes at offset 8", "error")
eq(r:next(), nil, "end")
r:close()
os.remove(path)
local ok, err = pcall(testctx.live_match, leave, { levae = "x" })
assert(not ok and err:find("unknown field 'levae'", 1, true), "a typo in a spec raises")

-- Errors: values naming the interface / filter; misuse raises.
local none, msg = capture.live("mbmsct-nosuch0")
eq(none, nil, "no such interface")
assert(msg:find("capture: mbmsct-nosuch0: ", 1, true) and msg:find("No such device", 1, true), msg)
none, msg = capture.live("lo", { filter = "udp and portt 5" })
eq(none, nil, "bad filter")
assert(msg:find("capture: lo: filter 'udp and portt 5': ", 1, true), msg)
ok, err = pcall(capture.live, "lo", { snaplen = 0 })
assert(not ok and err:find("snaplen", 1, true), "snaplen 0 is misuse")
local rpath = os.tmpname()
local rf = assert(capture.create(rpath))
ok, err = pcall(rf.fd, rf)
assert(not ok and err:find("not a live capture", 1, true), "fd of a writer raises")
rf:close()
os.remove(rpath)
