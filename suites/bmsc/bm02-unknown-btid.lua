-- KU-BM-02: Digest credentials with an unknown B-TID are refused with 401; nothing is delivered.
local P = require("procedures.bmsc")

return {
  id = "bm02-unknown-btid",
  requirements = { "KU-BM-02" },
  clause = "6.2.1",
  title = "registration with an unknown B-TID -> 401, no delivery",
  role = "ue",
  tags = { "auth" },
  run = function(t) P.bad_credentials(t, "unknown-btid") end,
}
