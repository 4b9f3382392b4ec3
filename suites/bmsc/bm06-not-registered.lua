-- KU-BM-06 (rule 4): key request without registration -> NOT_AUTHORIZED and no MIKEY.
local P = require("procedures.bmsc")

return {
  id = "bm06-not-registered",
  requirements = { "KU-BM-06" },
  clause = "6.3.2.2.1",
  title = "key request without registration -> NOT_AUTHORIZED, no delivery",
  role = "ue",
  tags = { "request", "cause" },
  run = function(t) P.not_authorized(t, "not-registered") end,
}
