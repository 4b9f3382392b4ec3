-- KU-UE-07: an MSK delivery with replayed counter is discarded: no verification message, and the key is not used.
local P = require("procedures.ue")

return {
  id = "ue07-replay",
  requirements = { "KU-UE-07" },
  clause = "6.3.2.3.1",
  title = "MSK delivery with replayed counter -> discarded, no verification, key not used",
  role = "bmsc",
  tags = { "mikey" },
  needs = { "join" },
  run = function(t) P.discards_delivery(t, "replay") end,
}
