-- KU-BM-05 (rule 4): a key request naming an unknown kdid -> UNKNOWN_KEY and no MIKEY for it.
local P = require("procedures.bmsc")

return {
  id = "bm05-unknown-kdid",
  requirements = { "KU-BM-05" },
  clause = "6.3.2.2.1",
  title = "key request with an unknown kdid -> UNKNOWN_KEY, no delivery",
  role = "ue",
  tags = { "request", "cause" },
  run = function(t) P.unknown_key(t, "kdid") end,
}
