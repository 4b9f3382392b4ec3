-- KU-BM-05: a key request for an unknown key -> UNKNOWN_KEY and no MIKEY for it.
local mbms = require("mbms")

return {
  id = "bm05-unknown-key",
  requirements = { "KU-BM-05" },
  clause = "6.3.2.2.1",
  title = "key request for an unknown MSK ID -> UNKNOWN_KEY, no delivery",
  role = "ue",
  tags = { "request", "cause" },
  run = function(t)
    local svc = mbms.service(t)
    local ue = mbms.ue(t, mbms.pick(t, { entitled = svc.id }))
    local push = ue:join(svc)
    t:step("request an MSK ID no service has")
    local ex = ue:request_keys({ { kdid = svc.kdid, mskid = "\x7f\xee\x00\x99" } })
    ue:expect_causes(ex, { "UNKNOWN_KEY" }, "key request")
    t:step("no delivery follows")
    ue:expect_no_mikey(t.timer.T_delivery)
  end,
}
