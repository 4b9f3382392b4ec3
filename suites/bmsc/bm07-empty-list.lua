-- KU-BM-07 (rule 4): a malformed key request (empty-list) -> 400 or BAD_REQUEST, no MIKEY, and the server keeps serving.
local P = require("procedures.bmsc")

return {
  id = "bm07-empty-list",
  requirements = { "KU-BM-07" },
  clause = "6.3.2.2.1",
  title = "key request body: empty-list -> BAD_REQUEST / 400, no MIKEY, server serves on",
  role = "ue",
  tags = { "request", "robustness" },
  run = function(t) P.malformed(t, "empty-list") end,
}
