-- KU-UE-04: an MTK message under an MSK the UE lacks -> a key request for that MSK (missed
-- key update).
local mbms = require("mbms")
local hex = require("mbms.hex")

return {
  id = "ue04-missed-key",
  requirements = { "KU-UE-04" },
  clause = "6.3.2.2.3",
  title = "MTK under an unknown MSK -> key request for it",
  role = "bmsc",
  tags = { "mtk", "request" },
  needs = { "join" },
  run = function(t)
    local bmsc = mbms.bmsc(t)
    local svc = mbms.service(t)
    if #svc.msks < 2 then t:skip("n/a: the target's service has a single MSK") end
    local sub = bmsc:join_with_key(svc)
    t:step("MTK under the next MSK, which was never delivered")
    local m2 = svc.msks[2]
    bmsc:send_mtk({ svc = svc, msk = m2, mtkid = m2.seql })
    local req = bmsc:expect_request("msk", t.timer.W_spread + t.timer.T_request)
    t:expect_eq("requested MSK ID", hex.encode(m2.mskid), hex.encode(req.keys[1].mskid))
    bmsc:answer_msk(req, "SUCCESS")
    bmsc:push_msk(sub, { svc = svc, msk = m2, v = 0 })
  end,
}
