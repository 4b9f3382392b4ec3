-- KU-BM-01: a deregister request without credentials is challenged (401 Digest) and gets no key material.
local P = require("procedures.bmsc")

return {
  id = "bm01-no-credentials-deregister",
  requirements = { "KU-BM-01" },
  clause = "6.2.1.3",
  title = "deregister request without credentials -> 401 with a Digest challenge, no MIKEY",
  role = "ue",
  tags = { "auth" },
  run = function(t) P.no_credentials(t, "deregister") end,
}
