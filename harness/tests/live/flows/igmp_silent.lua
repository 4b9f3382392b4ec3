-- A UE that stays in the group: Bmsc:expect_leave must fail with no-response.
local mbms = require("mbms")

return {
  id = "live-igmp-silent",
  requirements = { "KU-UE-08" },
  clause = "6.3.2.2.1",
  title = "live capture: no IGMP leave within the window fails",
  role = "bmsc",
  tags = { "live", "igmp" },
  timeout = 10,
  run = function(t)
    local bmsc = mbms.bmsc(t)
    local svc = mbms.service(t)
    local ue = mbms.ue(t, "B-TID-0001@bsf.example.org", { mikey_port = t.target.ue.mikey_port })
    ue:join_group(svc)
    t:step("no leave comes")
    bmsc:expect_leave(svc, 0.5)
  end,
}
