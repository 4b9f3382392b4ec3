-- With leave.observable "either", a deregistration counts as leaving even with the group joined.
local mbms = require("mbms")

return {
  id = "live-either-dereg",
  requirements = { "KU-UE-08" },
  clause = "6.3.2.1B",
  title = "live capture: with 'either' a deregistration is a leave",
  role = "bmsc",
  tags = { "live", "either" },
  timeout = 10,
  run = function(t)
    local bmsc = mbms.bmsc(t)
    local svc = mbms.service(t)
    local ue = mbms.ue(t, "B-TID-0001@bsf.example.org", { mikey_port = t.target.ue.mikey_port })
    ue:join_group(svc)
    t:step("UE deregisters")
    t:spawn(function() ue:deregister({ svc.id }) end)
    local how, ev = bmsc:expect_leave(svc, 3)
    t:expect_eq("observed as", "deregistration", how)
    t:expect_eq("deregistered service", svc.id, ev.services[1])
  end,
}
