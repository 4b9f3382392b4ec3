-- KU-UE-16: challenged with HTTP 401, the UE answers with Digest username = its B-TID and a
-- response correct under its MRK (the BM-SC emulation verifies it; a wrong one is refused).
local mbms = require("mbms")

return {
  id = "ue16-digest",
  requirements = { "KU-UE-16" },
  clause = "6.2.1.3",
  title = "401 challenge -> Digest answer with the B-TID and a response valid under the MRK",
  role = "bmsc",
  tags = { "auth" },
  needs = { "join" },
  run = function(t)
    local bmsc = mbms.bmsc(t)
    local svc = mbms.service(t)
    t:step("UE joins; its first request is challenged")
    mbms.trigger(t, "join", { service = svc.id })
    t:expect(bmsc.auth_events, { { name = "challenge", match = function(e) return e.why == "no credentials" end } },
      { within = t.timer.T_request, describe = function(e) return e.what end })
    t:step("the answer carries the UE's B-TID and verifies under its MRK")
    local _, reg = t:expect(bmsc.http, { { name = "authenticated registration", match = function(e) return e.kind == "register" end } },
      { within = t.timer.T_request, describe = function(e) return e.what end })
    t:expect_eq("Digest username", t.target.ue and t.target.ue.btid or reg.sub.btid, reg.sub.btid)
    local refused = bmsc.auth_events:peek_all()
    for _, e in ipairs(refused) do
      if e.why ~= "no credentials" then
        t:fail{ kind = "field-mismatch", field = "Digest answer", expected = "valid credentials", actual = e.why }
      end
    end
    bmsc:answer_register(reg, "SUCCESS")
  end,
}
