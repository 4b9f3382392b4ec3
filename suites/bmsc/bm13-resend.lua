-- KU-BM-13 (informational): an MSK delivery with V=1 and no verification is re-sent at most
-- the profile's count.
local mbms = require("mbms")

return {
  id = "bm13-resend",
  requirements = { "KU-BM-13" },
  clause = "6.3.2.3.1",
  title = "V=1 delivery never verified -> bounded re-sends",
  role = "ue",
  tags = { "mikey", "verification" },
  run = function(t)
    local svc = mbms.service(t)
    local ue = mbms.ue(t, mbms.pick(t, { entitled = svc.id }))
    ue:expect_causes(ue:register({ svc.id }), { "SUCCESS" }, "registration")
    local push = ue:expect_mikey("msk_delivery", t.timer.T_delivery)
    if push.msg.v == 0 then t:inconclusive("the BM-SC pushes with V=0: no verification is expected") end
    t:step("never verify; count the copies")
    local limit = (t.target.bmsc and t.target.bmsc.verify_resend) or 2
    local copies = 0
    local window = t.timer.T_delivery * (limit + 2)
    local deadline = t:deadline(window)
    while true do
      local left = (deadline - t.sched:now()) / t.sched.scale
      if left <= 0 then break end
      local ev = ue.mikey:pop(t.sched:now() + t.sched:dur(left))
      if not ev then break end
      if ev.bytes == push.bytes or ev.kind == "msk_delivery" then copies = copies + 1 end
    end
    t:log("%d re-sends within %.1f s (limit %d)", copies, window, limit)
    if copies > limit then
      t:fail{ kind = "unexpected", field = "re-sends", expected = "at most " .. limit, actual = copies }
    end
  end,
}
