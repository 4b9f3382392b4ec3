-- KU-UE-17: an MTK message with an MTK ID not above the last accepted one, or outside the
-- MSK's SEQl..SEQu, is rejected, and no error message is sent back.
local mbms = require("mbms")

return {
  id = "ue17-mtk-rules",
  requirements = { "KU-UE-17" },
  clause = "6.3.3",
  title = "replayed or out-of-interval MTK IDs rejected silently",
  role = "bmsc",
  tags = { "mtk", "replay" },
  needs = { "join" },
  run = function(t)
    local bmsc = mbms.bmsc(t)
    local svc = mbms.service(t)
    local _, sub = bmsc:join(svc)
    local msk = svc.msks[svc.current]
    local d = bmsc:push_msk(sub, { svc = svc, msk = msk, v = 1 })
    t:expect(bmsc.mikey, { bmsc:verification_of(d, sub) }, { within = t.timer.T_delivery })
    t:step("a valid MTK, then a replay of its ID, an older ID and one beyond SEQu")
    bmsc:send_mtk({ svc = svc, msk = msk, mtkid = msk.seql + 5 })
    bmsc:send_mtk({ svc = svc, msk = msk, mtkid = msk.seql + 5 })
    bmsc:send_mtk({ svc = svc, msk = msk, mtkid = msk.seql + 2 })
    if msk.sequ < 0xffff then bmsc:send_mtk({ svc = svc, msk = msk, mtkid = msk.sequ + 1 }) end
    t:step("no MIKEY error message (nor anything else) comes back")
    t:expect_silence(bmsc.mikey, t.timer.T_delivery, { kind = "unexpected", describe = function(e) return e.what end })
    if t.target.control.status then
      local out = mbms.trigger(t, "status")
      local last = out:match('"last_mtk_id"%s*:%s*(%d+)') or out:match("mtk[_ ]?id[^%d]*(%d+)")
      if last then t:expect_eq("last accepted MTK ID", msk.seql + 5, tonumber(last)) end
    end
  end,
}
