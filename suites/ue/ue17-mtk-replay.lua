-- KU-UE-17: an MTK message with the last accepted MTK ID again is rejected, and no MIKEY error message is sent back.
local P = require("procedures.ue")

return {
  id = "ue17-mtk-replay",
  requirements = { "KU-UE-17" },
  clause = "6.3.3",
  title = "MTK with the last accepted MTK ID again -> rejected, no error message back",
  role = "bmsc",
  tags = { "mtk" },
  needs = { "join" },
  run = function(t) P.rejects_mtk(t, "replay") end,
}
