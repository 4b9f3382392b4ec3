-- KU-BM-06: a key request from a UE not registered for the service -> NOT_AUTHORIZED.
local mbms = require("mbms")

return {
  id = "bm06-not-registered",
  requirements = { "KU-BM-06" },
  clause = "6.3.2.2.1",
  title = "key request without registration -> NOT_AUTHORIZED, no delivery",
  role = "ue",
  tags = { "request", "cause" },
  run = function(t)
    local svc = mbms.service(t)
    local ue = mbms.ue(t, mbms.pick(t, { entitled = svc.id }))
    t:step("request the current key without registering first")
    local ex = ue:request_keys({ { kdid = svc.kdid, mskid = svc.msks[svc.current].mskid } })
    ue:expect_causes(ex, { "NOT_AUTHORIZED" }, "key request")
    ue:expect_no_mikey(t.timer.T_delivery)
    t:step("a subscriber not entitled to the service cannot register for it")
    local other = mbms.ue(t, mbms.pick(t, { not_entitled = svc.id }), { mikey_port = 0 })
    ue:expect_causes(other:register({ svc.id }), { "NOT_AUTHORIZED" }, "registration")
    ue:expect_no_mikey(t.timer.T_delivery)
  end,
}
