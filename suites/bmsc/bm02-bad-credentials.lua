-- KU-BM-02: a wrong MRK, an unknown B-TID and an expired B-TID are all refused with 401.
local mbms = require("mbms")

return {
  id = "bm02-bad-credentials",
  requirements = { "KU-BM-02" },
  clause = "6.2.1",
  title = "wrong MRK, unknown or expired B-TID -> 401, no delivery",
  role = "ue",
  tags = { "auth" },
  run = function(t)
    local svc = mbms.service(t)
    local ue = mbms.ue(t, mbms.pick(t, { entitled = svc.id }))
    local function refused(what, creds)
      t:step(what)
      local ex = ue:register({ svc.id }, { credentials = creds })
      t:expect_eq(what .. ": HTTP status", 401, ex.status, ex.status == 200 and "unexpected-accept" or "wrong-cause")
    end
    refused("wrong MRK", { password = "d3JvbmcgcGFzc3dvcmQ=" })
    refused("unknown B-TID", { username = "B-TID-unknown@bsf.example.org" })
    -- An expired identity answers with its own (correct) MRK: only expiry can refuse it.
    local old = mbms.pick(t, { expired = true })
    local eue = mbms.ue(t, old, { mikey_port = 0 })
    t:step("expired B-TID")
    local ex = eue:register({ svc.id })
    t:expect_eq("expired B-TID: HTTP status", 401, ex.status, ex.status == 200 and "unexpected-accept" or "wrong-cause")
    t:step("no delivery to anyone")
    ue:expect_no_mikey(t.timer.T_delivery)
  end,
}
