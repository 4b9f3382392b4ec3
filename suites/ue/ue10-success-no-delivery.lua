-- KU-UE-10 (rule 6): SUCCESS not followed by a valid delivery within T_delivery, no older key -> the UE leaves.
local P = require("procedures.ue")

return {
  id = "ue10-success-no-delivery",
  requirements = { "KU-UE-10" },
  clause = "6.3.2.2.1",
  title = "SUCCESS but no delivery follows, no older key -> leaves",
  role = "bmsc",
  tags = { "leave" },
  needs = { "join" },
  run = function(t) P.leaves_after(t, "success-no-delivery") end,
}
