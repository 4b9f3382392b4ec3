-- KU-UE-03: a notice (solicited pull) whose MAC does not verify under the MUK -> no key request.
local P = require("procedures.ue")

return {
  id = "ue03-bad-mac-notice",
  requirements = { "KU-UE-03" },
  clause = "6.3.2.2.4",
  title = "notice with a bad MAC -> no key request",
  role = "bmsc",
  tags = { "notice", "mikey" },
  needs = { "join" },
  run = function(t) P.no_request_after_notice(t, "bad-mac") end,
}
