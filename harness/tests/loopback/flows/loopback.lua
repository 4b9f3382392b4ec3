-- The harness plays both sides of a full key update over real loopback sockets: registration
-- with a Digest challenge, MSK push with V=1, verification, a mixed key request, and a wrong
-- password refused. It checks the flows library against itself, so that suite failures point
-- at the implementation under test and not at the harness.
local mbms = require("mbms")
local hex = require("mbms.hex")

local BTID = "B-TID-0001@bsf.example.org"

return {
  id = "loopback-key-update",
  requirements = { "KU-BM-01", "KU-BM-03", "KU-UE-01", "KU-UE-06", "KU-BM-09", "KU-MK-02" },
  clause = "6.3.2",
  title = "harness BM-SC and harness UE run a key update end to end",
  role = "bmsc",
  tags = { "selftest", "loopback" },
  timeout = 20,
  run = function(t)
    local bmsc = mbms.bmsc(t)
    local ue = mbms.ue(t, BTID, { mikey_port = t.target.ue.mikey_port })
    local svc = mbms.service(t)
    local sub = mbms.subscriber(t, BTID)
    local results = t:queue("ue results")

    t:step("UE registers; BM-SC challenges, then sees the authenticated registration")
    t:spawn(function() results:push({ what = "register", r = ue:register({ svc.id }) }) end)
    local _, reg = t:expect(bmsc.http, { { name = "registration", match = function(e) return e.kind == "register" end } },
      { within = t.timer.T_request })
    t:expect_eq("registered service", svc.id, reg.services[1])
    t:expect_eq("authenticated B-TID", BTID, reg.sub.btid)
    t:expect_eq("media type", t.profile.http.requests.register.media_type, reg.content_type)
    local _, a = t:expect(bmsc.auth_events, { { name = "challenge", match = function(e) return e.why == "no credentials" end } },
      { within = 1 })
    bmsc:answer_register(reg, "SUCCESS")
    local _, done = t:expect(results, { { name = "register", match = function(e) return e.what == "register" end } },
      { within = t.timer.T_request })
    t:expect_eq("registration status", "SUCCESS", done.r.statuses[1].cause)
    t:expect_eq("challenge seen by the UE", 401, done.r.responses[1].status)

    t:step("BM-SC pushes the MSK with V=1; UE verifies it and answers")
    local delivery = bmsc:push_msk(sub, { svc = svc, msk = svc.msks[1], v = 1 })
    local _, m = t:expect(ue.mikey, { { name = "msk_delivery", match = function(e) return e.kind == "msk_delivery" end } },
      { within = t.timer.T_delivery })
    t:expect_eq("MAC under the MUK", true, m.mac_ok)
    t:expect_eq("profile violations", 0, #m.violations)
    local key = m.plain.payloads[#m.plain.payloads].keys[1]
    t:expect_eq("delivered MSK", hex.encode(svc.msks[1].key), hex.encode(key.key))
    ue:verify(m)
    t:expect(bmsc.mikey, { bmsc:verification_of(delivery, sub) }, { within = t.timer.T_delivery })

    t:step("mixed key request: one key delivered, one unknown")
    local unknown = { kdid = svc.kdid, mskid = "\0\9\0\9" }
    t:spawn(function()
      results:push({ what = "msk", r = ue:request_keys({ { kdid = svc.kdid, mskid = svc.msks[2].mskid }, unknown }) })
    end)
    local _, req = t:expect(bmsc.http, { { name = "key request", match = function(e) return e.kind == "msk" end } },
      { within = t.timer.T_request })
    t:expect_eq("keys requested", 2, #req.keys)
    bmsc:answer_msk(req, function(k) return k.mskid == unknown.mskid and "UNKNOWN_KEY" or "SUCCESS" end)
    local _, kr = t:expect(results, { { name = "msk", match = function(e) return e.what == "msk" end } },
      { within = t.timer.T_request })
    t:expect_eq("status 1", "SUCCESS", kr.r.statuses[1].cause)
    t:expect_eq("status 2", "UNKNOWN_KEY", kr.r.statuses[2].cause)
    t:expect_eq("status 2 names the key", hex.encode(unknown.mskid), hex.encode(kr.r.statuses[2].mskid))

    t:step("a wrong password is refused with 401 again")
    t:spawn(function()
      results:push({ what = "bad", r = ue:register({ svc.id }, { credentials = { password = "wrong" } }) })
    end)
    local _, bad = t:expect(results, { { name = "bad", match = function(e) return e.what == "bad" end } },
      { within = t.timer.T_request, ignore = function(e) return e.what ~= "bad" end })
    t:expect_eq("status after a wrong password", 401, bad.r.status)
    t:expect(bmsc.auth_events, { { name = "refused", match = function(e) return e.why:find("response") ~= nil end } },
      { within = 1, ignore = function(e) return e.why == "no credentials" end })
    t:expect_silence(bmsc.http, 0.05)
  end,
}
