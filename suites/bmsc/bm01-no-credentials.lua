-- KU-BM-01: a request without credentials is challenged and gets no key material.
local mbms = require("mbms")

return {
  id = "bm01-no-credentials",
  requirements = { "KU-BM-01" },
  clause = "6.2.1.3",
  title = "request without credentials -> 401 with a Digest challenge, no MIKEY",
  role = "ue",
  tags = { "auth" },
  run = function(t)
    local svc = mbms.service(t)
    local ue = mbms.ue(t, mbms.pick(t, { entitled = svc.id }))
    t:step("register without answering the challenge")
    local ex = ue:register({ svc.id }, { auth = false })
    t:expect_eq("HTTP status", 401, ex.status, ex.status == 200 and "unexpected-accept" or "wrong-cause")
    local ch = ex.response.header["www-authenticate"] or ""
    t:expect_eq("challenge scheme", "digest", (ch:match("^%s*(%a+)") or ""):lower())
    t:step("no key material follows")
    ue:expect_no_mikey(t.timer.T_delivery)
    t:step("a key request without credentials is refused the same way")
    ex = ue:request_keys({ { kdid = svc.kdid, mskid = svc.msks[svc.current].mskid } }, { auth = false })
    t:expect_eq("HTTP status", 401, ex.status, ex.status == 200 and "unexpected-accept" or "wrong-cause")
    ue:expect_no_mikey(t.timer.T_delivery)
  end,
}
