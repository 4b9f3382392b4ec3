-- KU-BM-12: after deregistration, a key rotation sends no notice to that UE.
local P = require("procedures.bmsc")

return {
  id = "bm12-deregister-rotation",
  requirements = { "KU-BM-12" },
  clause = "6.3.2.1B",
  title = "after deregistration -> no notice on key rotation",
  role = "ue",
  tags = { "deregister", "notice" },
  needs = { "rotate" },
  run = function(t) P.after_deregistration(t, "rotation") end,
}
