-- KU-UE-06: with V=0 the UE stores the delivered MSK and returns no verification message;
-- later MTK messages under it are accepted without a new key request.
local mbms = require("mbms")

return {
  id = "ue06-v0-store",
  requirements = { "KU-UE-06" },
  clause = "6.3.2.3.1",
  title = "delivery with V=0 -> stored, no verification, MTKs accepted without request",
  role = "bmsc",
  tags = { "push", "verification" },
  needs = { "join" },
  run = function(t)
    local bmsc = mbms.bmsc(t)
    local svc = mbms.service(t)
    local _, sub = bmsc:join(svc)
    local msk = svc.msks[svc.current]
    t:step("push with V=0")
    bmsc:push_msk(sub, { svc = svc, msk = msk, v = 0 })
    t:expect_silence(bmsc.mikey, t.timer.T_delivery, { kind = "unexpected", describe = function(e) return e.what end })
    t:step("MTKs under it need no key request")
    bmsc:send_mtk({ svc = svc, msk = msk, mtkid = msk.seql })
    bmsc:send_mtk({ svc = svc, msk = msk, mtkid = msk.seql + 1 })
    t:expect_silence(bmsc.http, t.timer.T_request + t.timer.W_spread, { kind = "unexpected",
      describe = function(e) return e.what end })
  end,
}
