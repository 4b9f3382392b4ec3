-- KU-UE-11 (rule 6 exception): the update fails (timeout) but the UE holds a still-valid older key -> it does not leave and keeps taking MTKs.
local P = require("procedures.ue")

return {
  id = "ue11-stays-timeout",
  requirements = { "KU-UE-11" },
  clause = "6.3.2.2.1",
  title = "update fails (timeout) while a still-valid older key is held -> stays joined",
  role = "bmsc",
  tags = { "leave" },
  needs = { "join" },
  timeout = 90,
  run = function(t) P.stays_after(t, "timeout") end,
}
