-- KU-UE-10 (rule 6): a key request left unanswered, no older key -> the UE leaves within T_leave + T_request.
local P = require("procedures.ue")

return {
  id = "ue10-unanswered",
  requirements = { "KU-UE-10" },
  clause = "6.3.2.2.1",
  title = "key request never answered, no older key -> leaves",
  role = "bmsc",
  tags = { "leave" },
  needs = { "join" },
  run = function(t) P.leaves_after(t, "timeout") end,
}
