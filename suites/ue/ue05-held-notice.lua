-- KU-UE-05 (rule 2a): a notice naming an MSK the UE already holds -> no key request.
local P = require("procedures.ue")

return {
  id = "ue05-held-notice",
  requirements = { "KU-UE-05" },
  clause = "6.3.2.2.4",
  title = "notice naming an MSK the UE holds -> no key request",
  role = "bmsc",
  tags = { "notice" },
  needs = { "join" },
  run = function(t) P.no_request_after_notice(t, "held") end,
}
