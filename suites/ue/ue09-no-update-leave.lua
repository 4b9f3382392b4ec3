-- KU-UE-09: a key request answered NO_UPDATE_NEEDED or NOT_AVAILABLE while the UE holds no
-- still-valid older key -> the UE leaves within T_leave (rule 6).
local mbms = require("mbms")

return {
  id = "ue09-no-update-leave",
  requirements = { "KU-UE-09" },
  clause = "6.3.2.2.1",
  title = "NO_UPDATE_NEEDED / NOT_AVAILABLE and no valid older key -> leaves",
  role = "bmsc",
  tags = { "leave" },
  needs = { "join" },
  timeout = 90,
  run = function(t)
    for _, cause in ipairs({ "NO_UPDATE_NEEDED", "NOT_AVAILABLE" }) do
      local bmsc = mbms.bmsc(t)
      local svc = mbms.service(t)
      bmsc:join(svc)
      t:step("key request answered " .. cause)
      local req = bmsc:expect_request("msk", t.timer.T_delivery + t.timer.T_request + t.timer.W_spread)
      bmsc:answer_msk(req, cause)
      t:step("the UE leaves within T_leave")
      local ev = bmsc:expect_request("deregister", t.timer.T_leave, { ignore = function(e) return e.kind == "msk" end })
      bmsc:answer_register(ev, "SUCCESS")
      bmsc:close()
    end
  end,
}
