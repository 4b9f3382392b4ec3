-- KU-UE-10: a key request left unanswered, or SUCCESS with no delivery, while the UE holds no
-- older key -> the UE leaves within T_leave + T_request (rule 6).
local mbms = require("mbms")

return {
  id = "ue10-timeout-leave",
  requirements = { "KU-UE-10" },
  clause = "6.3.2.2.1",
  title = "unanswered request, or SUCCESS without delivery -> leaves",
  role = "bmsc",
  tags = { "leave" },
  needs = { "join" },
  timeout = 120,
  run = function(t)
    local window = t.timer.T_leave + t.timer.T_request + t.timer.T_delivery
    do
      local bmsc = mbms.bmsc(t)
      local svc = mbms.service(t)
      bmsc:join(svc)
      t:step("key request never answered")
      bmsc:expect_request("msk", t.timer.T_delivery + t.timer.T_request + t.timer.W_spread)
      local ev = bmsc:expect_request("deregister", window, { ignore = function(e) return e.kind == "msk" end })
      bmsc:answer_register(ev, "SUCCESS")
      bmsc:close()
    end
    do
      local bmsc = mbms.bmsc(t)
      local svc = mbms.service(t)
      bmsc:join(svc)
      t:step("key request answered SUCCESS, but no delivery follows")
      local req = bmsc:expect_request("msk", t.timer.T_delivery + t.timer.T_request + t.timer.W_spread)
      bmsc:answer_msk(req, "SUCCESS")
      local ev = bmsc:expect_request("deregister", window, { ignore = function(e) return e.kind == "msk" end })
      bmsc:answer_register(ev, "SUCCESS")
      bmsc:close()
    end
  end,
}
