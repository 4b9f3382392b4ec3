-- KU-UE-12: the older key has expired for the traffic (the MTK IDs now sent lie beyond its
-- SEQu) and the update fails -> the UE leaves (rule 6). Reading [D]: the MTK ID named in the
-- Key ID of an MTK message for the service tells where the traffic is, also when that MTK
-- message is under the MSK the UE lacks (the missed-key-update trigger itself).
local mbms = require("mbms")

return {
  id = "ue12-expired-older-key",
  requirements = { "KU-UE-12" },
  clause = "6.3.2.2.3",
  title = "older key no longer covers the traffic and the update fails -> leaves",
  role = "bmsc",
  tags = { "leave" },
  needs = { "join" },
  run = function(t)
    local bmsc = mbms.bmsc(t)
    local svc = mbms.service(t)
    if #svc.msks < 2 then t:skip("n/a: the target's service has a single MSK") end
    local m1, m2 = svc.msks[1], svc.msks[2]
    if m2.seql <= m1.sequ then t:skip("n/a: the second MSK's interval overlaps the first's") end
    local _, sub = bmsc:join(svc)
    local d = bmsc:push_msk(sub, { svc = svc, msk = m1, v = 1 })
    t:expect(bmsc.mikey, { bmsc:verification_of(d, sub) }, { within = t.timer.T_delivery })
    bmsc:send_mtk({ svc = svc, msk = m1, mtkid = m1.sequ })
    t:step("traffic moves to the next MSK's interval, beyond the held key's SEQu")
    bmsc:send_mtk({ svc = svc, msk = m2, mtkid = m2.seql })
    local req = bmsc:expect_request("msk", t.timer.W_spread + t.timer.T_request)
    bmsc:answer_msk(req, "NOT_AVAILABLE")
    t:step("the UE leaves within T_leave")
    bmsc:expect_leave(svc, t.timer.T_leave)
  end,
}
