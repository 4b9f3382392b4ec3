-- KU-UE-11: a failed update while the UE holds a still-valid older key -> the UE does not
-- leave within the observation window and keeps accepting MTKs under the older key.
local mbms = require("mbms")

return {
  id = "ue11-older-key-stays",
  requirements = { "KU-UE-11" },
  clause = "6.3.2.2.1",
  title = "update rejected but a still-valid older key is held -> stays joined",
  role = "bmsc",
  tags = { "leave" },
  needs = { "join" },
  timeout = 90,
  run = function(t)
    local bmsc = mbms.bmsc(t)
    local svc = mbms.service(t)
    if #svc.msks < 2 then t:skip("n/a: the target's service has a single MSK") end
    local _, sub = bmsc:join(svc)
    local old = svc.msks[1]
    local d = bmsc:push_msk(sub, { svc = svc, msk = old, v = 1 })
    t:expect(bmsc.mikey, { bmsc:verification_of(d, sub) }, { within = t.timer.T_delivery })
    t:step("traffic under the held key: MTK inside its SEQl..SEQu")
    bmsc:send_mtk({ svc = svc, msk = old, mtkid = old.seql })
    t:step("notice for the next MSK; its request is rejected")
    bmsc:pull(sub, { svc = svc, mskid = svc.msks[2].mskid })
    local req = bmsc:expect_request("msk", t.timer.W_spread + t.timer.T_request)
    bmsc:answer_msk(req, "NOT_AVAILABLE")
    t:step("the UE stays: no deregistration within T_leave")
    t:expect_silence(bmsc.http, t.timer.T_leave, { kind = "unexpected",
      ignore = function(e) return e.kind == "msk" end, describe = function(e) return e.what end })
    t:step("and still takes MTKs under the older key without asking for keys")
    bmsc:send_mtk({ svc = svc, msk = old, mtkid = old.seql + 1 })
    t:expect_silence(bmsc.http, t.timer.T_request, { kind = "unexpected",
      ignore = function(e) return e.kind == "msk" and e.keys and e.keys[1] and e.keys[1].mskid == svc.msks[2].mskid end,
      describe = function(e) return e.what end })
  end,
}
