-- KU-UE-02: a valid notice (solicited pull) naming an MSK the UE lacks -> a key request
-- naming that (Key Domain ID, MSK ID).
local mbms = require("mbms")
local hex = require("mbms.hex")

return {
  id = "ue02-notice",
  requirements = { "KU-UE-02" },
  clause = "6.3.2.2.4",
  title = "solicited pull for a missing MSK -> key request naming it",
  role = "bmsc",
  tags = { "notice", "request" },
  needs = { "join" },
  run = function(t)
    local bmsc = mbms.bmsc(t)
    local svc = mbms.service(t)
    if #svc.msks < 2 then t:skip("n/a: the target's service has a single MSK") end
    local sub = bmsc:join_with_key(svc)
    t:step("notice naming the next MSK")
    bmsc:pull(sub, { svc = svc, mskid = svc.msks[2].mskid })
    local req = bmsc:expect_request("msk", t.timer.W_spread + t.timer.T_request)
    t:expect_eq("requested keys", 1, #req.keys)
    t:expect_eq("requested Key Domain ID", hex.encode(svc.kdid), hex.encode(req.keys[1].kdid))
    t:expect_eq("requested MSK ID", hex.encode(svc.msks[2].mskid), hex.encode(req.keys[1].mskid))
    bmsc:answer_msk(req, "SUCCESS")
    bmsc:push_msk(sub, { svc = svc, msk = svc.msks[2], v = 0 })
  end,
}
