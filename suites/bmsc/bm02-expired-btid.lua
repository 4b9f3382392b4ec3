-- KU-BM-02: Digest credentials with an expired B-TID are refused with 401; nothing is delivered.
local P = require("procedures.bmsc")

return {
  id = "bm02-expired-btid",
  requirements = { "KU-BM-02" },
  clause = "6.2.1",
  title = "registration with an expired B-TID -> 401, no delivery",
  role = "ue",
  tags = { "auth" },
  run = function(t) P.bad_credentials(t, "expired-btid") end,
}
