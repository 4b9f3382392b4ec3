-- KU-BM-12: after deregistration, no more pushes to that UE and key requests get NOT_AUTHORIZED.
local mbms = require("mbms")

return {
  id = "bm12-deregister",
  requirements = { "KU-BM-12" },
  clause = "6.3.2.1B",
  title = "after deregistration -> key requests NOT_AUTHORIZED, no pushes",
  role = "ue",
  tags = { "deregister" },
  run = function(t)
    local svc = mbms.service(t)
    local ue = mbms.ue(t, mbms.pick(t, { entitled = svc.id }))
    local push = ue:join(svc)
    t:step("deregister")
    ue:expect_causes(ue:deregister({ svc.id }), { "SUCCESS" }, "deregistration")
    t:step("a key request is now refused")
    local ex = ue:request_keys({ { kdid = svc.kdid, mskid = svc.msks[svc.current].mskid } })
    ue:expect_causes(ex, { "NOT_AUTHORIZED" }, "key request")
    ue:expect_no_mikey(t.timer.T_delivery)
  end,
}
