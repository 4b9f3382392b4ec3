-- KU-UE-08 (rule 6): a key request rejected with SERVER_ERROR while no older key is held -> the UE leaves within T_leave.
local P = require("procedures.ue")

return {
  id = "ue08-reject-server-error",
  requirements = { "KU-UE-08" },
  clause = "6.3.2.2.1",
  title = "key request rejected with SERVER_ERROR, no older key -> leaves within T_leave",
  role = "bmsc",
  tags = { "leave" },
  needs = { "join" },
  run = function(t) P.leaves_after(t, "SERVER_ERROR") end,
}
