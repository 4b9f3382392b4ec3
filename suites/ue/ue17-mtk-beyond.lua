-- KU-UE-17: an MTK message with an MTK ID beyond the MSK's SEQu is rejected, and no MIKEY error message is sent back.
local P = require("procedures.ue")

return {
  id = "ue17-mtk-beyond",
  requirements = { "KU-UE-17" },
  clause = "6.3.3",
  title = "MTK with an MTK ID beyond the MSK's SEQu -> rejected, no error message back",
  role = "bmsc",
  tags = { "mtk" },
  needs = { "join" },
  run = function(t) P.rejects_mtk(t, "beyond") end,
}
