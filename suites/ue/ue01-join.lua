-- KU-UE-01: a UE joining a protected service with no key registers for it and stores the MSK
-- pushed after it, answering with a verification when V=1 (KU-UE-06).
local mbms = require("mbms")

return {
  id = "ue01-join",
  requirements = { "KU-UE-01", "KU-UE-06", "KU-UE-16" },
  clause = "6.3.2.1A",
  title = "join -> registration naming the service; pushed MSK stored and verified",
  role = "bmsc",
  tags = { "join", "push" },
  needs = { "join" },
  run = function(t)
    local bmsc = mbms.bmsc(t)
    local svc = mbms.service(t)
    local reg, sub = bmsc:join(svc)
    t:expect_eq("registration media type", t.profile.http.requests.register.media_type, reg.content_type)
    t:step("push the current MSK with V=1")
    local d = bmsc:push_msk(sub, { svc = svc, msk = svc.msks[svc.current], v = 1 })
    t:expect(bmsc.mikey, { bmsc:verification_of(d, sub) }, { within = t.timer.T_delivery,
      describe = function(e) return e.what end })
    t:step("MTKs under the stored MSK are taken without a new key request")
    local msk = svc.msks[svc.current]
    bmsc:send_mtk({ svc = svc, msk = msk, mtkid = msk.seql })
    t:expect_silence(bmsc.http, t.timer.T_request, { kind = "unexpected",
      describe = function(e) return e.what end })
  end,
}
