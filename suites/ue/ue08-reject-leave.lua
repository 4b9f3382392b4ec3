-- KU-UE-08: a key request rejected (any failure cause) while the UE holds no older key ->
-- the UE leaves the service within T_leave (rule 6).
local mbms = require("mbms")

local CAUSES = { "NOT_AUTHORIZED", "UNKNOWN_KEY", "BAD_REQUEST", "SERVER_ERROR" }

return {
  id = "ue08-reject-leave",
  requirements = { "KU-UE-08" },
  clause = "6.3.2.2.1",
  title = "key request rejected, no older key -> leaves within T_leave",
  role = "bmsc",
  tags = { "leave" },
  needs = { "join" },
  timeout = 120,
  run = function(t)
    for _, cause in ipairs(CAUSES) do
      local bmsc = mbms.bmsc(t)
      local svc = mbms.service(t)
      bmsc:join(svc)
      t:step("no push: the UE, joined without a key, asks for one; answer " .. cause)
      local req = bmsc:expect_request("msk", t.timer.T_delivery + t.timer.T_request + t.timer.W_spread)
      bmsc:answer_msk(req, cause)
      t:step("the UE leaves (deregistration) within T_leave")
      local ev = bmsc:expect_request("deregister", t.timer.T_leave, { on_timeout = "no-response",
        ignore = function(e) return e.kind == "msk" end })
      bmsc:answer_register(ev, "SUCCESS")
      t:expect_eq("left service", svc.id, ev.services[1])
      bmsc:close()
    end
  end,
}
