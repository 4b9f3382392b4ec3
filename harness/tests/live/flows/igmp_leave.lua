-- The harness UE joins the service's multicast group and leaves it; the kernel announces both
-- with IGMP on lo, and Bmsc:expect_leave (profile leave.observable "igmp" or "either") sees it.
local mbms = require("mbms")

return {
  id = "live-igmp-leave",
  requirements = { "KU-UE-08" },
  clause = "6.3.2.2.1",
  title = "live capture: an IGMP leave of the service group is a leave",
  role = "bmsc",
  tags = { "live", "igmp" },
  timeout = 10,
  run = function(t)
    local bmsc = mbms.bmsc(t)
    local svc = mbms.service(t)
    local ue = mbms.ue(t, "B-TID-0001@bsf.example.org", { mikey_port = t.target.ue.mikey_port })
    t:step("UE joins the group: an IGMP report joins it")
    ue:join_group(svc)
    local j = t:expect_live({ proto = "igmp", join = svc.group }, { within = 2 })
    t:log("join: %s", j.membership.type_name)
    t:step("joined, the UE does not leave")
    bmsc:expect_no_leave(svc, 0.3)
    t:step("UE leaves the group")
    ue:leave_group(svc)
    local how, p = bmsc:expect_leave(svc, 3)
    t:expect_eq("observed as", "igmp", how)
    t:expect_eq("leave group", svc.group, p.membership.records[1].group)
  end,
}
