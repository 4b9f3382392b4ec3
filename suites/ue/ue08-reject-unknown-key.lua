-- KU-UE-08 (rule 6): a key request rejected with UNKNOWN_KEY while no older key is held -> the UE leaves within T_leave.
local P = require("procedures.ue")

return {
  id = "ue08-reject-unknown-key",
  requirements = { "KU-UE-08" },
  clause = "6.3.2.2.1",
  title = "key request rejected with UNKNOWN_KEY, no older key -> leaves within T_leave",
  role = "bmsc",
  tags = { "leave" },
  needs = { "join" },
  run = function(t) P.leaves_after(t, "UNKNOWN_KEY") end,
}
