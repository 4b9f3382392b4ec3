-- profile.lua: `extend` merges records key by key and replaces arrays whole; cycles, missing
-- files and code in profiles are reported, not crashed on.
local profile = require("profile")

local p = assert(profile.load("harness/tests/profiles/vendor-x.lua"))
assert(p.name == "vendor-x", "own name")
assert(p.http.port == 9443 and p.http.path == "/mbms/keys", "overridden HTTP fields")
assert(p.http.query_param == "requesttype", "inherited HTTP field kept")
assert(p.http.requests.msk.media_type == "application/mbms-msk+xml", "nested record inherited")
assert(p.causes.UNKNOWN_KEY == 410 and p.causes.SUCCESS == 200, "cause map merged")
assert(#p.mikey.ports == 2 and p.mikey.ports[1] == 4000, "array replaced whole")
assert(p.mikey.keyid_ext_type == 2 and #p.mikey.kinds == 5, "MIKEY rules inherited")

local ok, err = profile.load("harness/tests/profiles/loop-a.lua")
assert(not ok and err:find("cycle"), "cycle reported: " .. tostring(err))
ok, err = profile.load("no-such-profile")
assert(not ok and err:find("no%-such%-profile"), "missing profile named: " .. tostring(err))
-- Profiles are data: no library is reachable from them.
local tmp = os.tmpname()
local f = assert(io.open(tmp, "w"))
f:write("return { name = os.getenv('HOME') }\n")
f:close()
ok, err = profile.load(tmp)
os.remove(tmp)
assert(not ok and err:find("os"), "code in a profile fails: " .. tostring(err))

-- mbms.clock: monotonic time advances across a bounded sleep; misuse raises.
local clock = require("mbms.clock")
local t0 = clock.now()
assert(clock.sleep(0.01))
assert(clock.now() - t0 >= 0.009, "monotonic clock advances over a sleep")
assert(clock.wall() > 1.7e9, "wall clock is Unix time")
assert(not pcall(clock.sleep, -1), "negative sleep raises")
