-- KU-BM-06 (rule 4): request for another service's key -> NOT_AUTHORIZED and no MIKEY.
local P = require("procedures.bmsc")

return {
  id = "bm06-other-service",
  requirements = { "KU-BM-06" },
  clause = "6.3.2.2.1",
  title = "request for another service's key -> NOT_AUTHORIZED, no delivery",
  role = "ue",
  tags = { "request", "cause" },
  run = function(t) P.not_authorized(t, "other-service") end,
}
