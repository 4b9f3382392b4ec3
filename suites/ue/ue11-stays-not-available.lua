-- KU-UE-11 (rule 6 exception): the update fails (NOT_AVAILABLE) but the UE holds a still-valid older key -> it does not leave and keeps taking MTKs.
local P = require("procedures.ue")

return {
  id = "ue11-stays-not-available",
  requirements = { "KU-UE-11" },
  clause = "6.3.2.2.1",
  title = "update fails (NOT_AVAILABLE) while a still-valid older key is held -> stays joined",
  role = "bmsc",
  tags = { "leave" },
  needs = { "join" },
  timeout = 90,
  run = function(t) P.stays_after(t, "NOT_AVAILABLE") end,
}
