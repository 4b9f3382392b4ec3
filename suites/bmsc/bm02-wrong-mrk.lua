-- KU-BM-02: Digest credentials with a wrong MRK are refused with 401; nothing is delivered.
local P = require("procedures.bmsc")

return {
  id = "bm02-wrong-mrk",
  requirements = { "KU-BM-02" },
  clause = "6.2.1",
  title = "registration with a wrong MRK -> 401, no delivery",
  role = "ue",
  tags = { "auth" },
  run = function(t) P.bad_credentials(t, "wrong-mrk") end,
}
