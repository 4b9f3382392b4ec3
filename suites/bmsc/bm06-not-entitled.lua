-- KU-BM-06 (rule 4): registration by a subscriber not entitled -> NOT_AUTHORIZED and no MIKEY.
local P = require("procedures.bmsc")

return {
  id = "bm06-not-entitled",
  requirements = { "KU-BM-06" },
  clause = "6.3.2.2.1",
  title = "registration by a subscriber not entitled -> NOT_AUTHORIZED, no delivery",
  role = "ue",
  tags = { "request", "cause" },
  run = function(t) P.not_authorized(t, "not-entitled") end,
}
