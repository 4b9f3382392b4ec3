-- KU-UE-07: an MSK delivery with a bad MAC or a TS counter not above the last accepted one is
-- discarded: no verification, and the key is not used.
local mbms = require("mbms")

return {
  id = "ue07-bad-delivery",
  requirements = { "KU-UE-07" },
  clause = "6.3.2.3.1",
  title = "delivery with bad MAC or replayed counter -> discarded, no verification",
  role = "bmsc",
  tags = { "mikey", "replay" },
  needs = { "join" },
  run = function(t)
    local bmsc = mbms.bmsc(t)
    local svc = mbms.service(t)
    local sub = bmsc:join_with_key(svc)
    local target = svc.msks[2] or svc.msks[1]
    t:step("delivery under a wrong MUK (bad MAC)")
    bmsc:push_msk(sub, { svc = svc, msk = target, v = 1, muk = string.rep("\x5a", 32) })
    t:expect_silence(bmsc.mikey, t.timer.T_delivery, { kind = "unexpected-accept", describe = function(e) return e.what end })
    t:step("replay: a valid delivery with a counter already used")
    bmsc:push_msk(sub, { svc = svc, msk = target, v = 1, counter = t.profile.mikey.counter_start })
    t:expect_silence(bmsc.mikey, t.timer.T_delivery, { kind = "unexpected-accept", describe = function(e) return e.what end })
  end,
}
