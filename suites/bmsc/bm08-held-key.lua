-- KU-BM-08: a request for a key the UE already holds, with no newer one -> NO_UPDATE_NEEDED
-- (or, with the profile switch held_key_answer = "redeliver", SUCCESS and the same key again).
local mbms = require("mbms")
local hex = require("mbms.hex")

return {
  id = "bm08-held-key",
  requirements = { "KU-BM-08" },
  clause = "6.3.2.2.1",
  title = "request for a held, current key -> NO_UPDATE_NEEDED (or re-delivery by profile)",
  role = "ue",
  tags = { "request", "cause" },
  run = function(t)
    local svc = mbms.service(t)
    local ue = mbms.ue(t, mbms.pick(t, { entitled = svc.id }))
    ue:expect_causes(ue:register({ svc.id }), { "SUCCESS" }, "registration")
    t:step("receive and acknowledge the pushed key, so the UE holds it")
    local push = ue:expect_mikey("msk_delivery", t.timer.T_delivery)
    local cur = ue:msk_of(push, svc) or t:fail{ kind = "field-mismatch", field = "pushed Key ID", expected = "an MSK of " .. svc.id, actual = "another" }
    if push.msg.v == 1 then ue:verify(push) end
    t:sleep(0.2)   -- let the BM-SC take in the verification
    t:step("request the same key again")
    local ex = ue:request_keys({ { kdid = svc.kdid, mskid = cur.mskid } })
    if t.profile.held_key_answer == "redeliver" then
      ue:expect_causes(ex, { "SUCCESS" }, "key request")
      local ev = ue:expect_mikey("msk_delivery", t.timer.T_delivery)
      t:expect_eq("MSK", hex.encode(cur.key), hex.encode(ue:key_of(ev).key))
    else
      ue:expect_causes(ex, { "NO_UPDATE_NEEDED" }, "key request")
      ue:expect_no_mikey(t.timer.T_delivery)
    end
  end,
}
