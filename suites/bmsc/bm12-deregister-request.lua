-- KU-BM-12: after deregistration, key requests get NOT_AUTHORIZED and nothing is pushed.
local P = require("procedures.bmsc")

return {
  id = "bm12-deregister-request",
  requirements = { "KU-BM-12" },
  clause = "6.3.2.1B",
  title = "after deregistration -> key requests NOT_AUTHORIZED, no pushes",
  role = "ue",
  tags = { "deregister" },
  run = function(t) P.after_deregistration(t, "request") end,
}
