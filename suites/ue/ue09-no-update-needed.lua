-- KU-UE-09 (rule 6): NO_UPDATE_NEEDED (no updated key necessary/available) without a still-valid older key -> the UE leaves.
local P = require("procedures.ue")

return {
  id = "ue09-no-update-needed",
  requirements = { "KU-UE-09" },
  clause = "6.3.2.2.1",
  title = "NO_UPDATE_NEEDED and no still-valid older key -> leaves within T_leave",
  role = "bmsc",
  tags = { "leave" },
  needs = { "join" },
  run = function(t) P.leaves_after(t, "NO_UPDATE_NEEDED") end,
}
