-- KU-UE-03: a notice whose TS counter is not above the last accepted one -> no key request.
local P = require("procedures.ue")

return {
  id = "ue03-replayed-notice",
  requirements = { "KU-UE-03" },
  clause = "6.3.2.2.4",
  title = "notice with a replayed counter -> no key request",
  role = "bmsc",
  tags = { "notice", "replay" },
  needs = { "join" },
  run = function(t) P.no_request_after_notice(t, "replay") end,
}
