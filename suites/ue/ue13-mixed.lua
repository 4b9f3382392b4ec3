-- KU-UE-13: a mixed answer (one key SUCCESS, another rejected) -> the UE stores the delivered
-- key and acts on the rejected one alone (it stays, holding the delivered key).
local mbms = require("mbms")

return {
  id = "ue13-mixed",
  requirements = { "KU-UE-13" },
  clause = "6.3.2.4",
  title = "mixed answer -> delivered key stored, rejected one handled alone",
  role = "bmsc",
  tags = { "mixed" },
  needs = { "join" },
  run = function(t)
    local bmsc = mbms.bmsc(t)
    local svc = mbms.service(t)
    if #svc.msks < 2 then t:skip("n/a: the target's service has a single MSK") end
    local _, sub = bmsc:join(svc)
    local m1, m2 = svc.msks[1], svc.msks[2]
    t:step("MTKs under two MSKs the UE lacks make it ask for both")
    bmsc:send_mtk({ svc = svc, msk = m1, mtkid = m1.seql })
    bmsc:send_mtk({ svc = svc, msk = m2, mtkid = m2.seql })
    local wanted, answered = {}, 0
    local deadline_window = t.timer.T_delivery + t.timer.T_request + t.timer.W_spread
    -- One request naming both, or two requests: answer m1 SUCCESS (and deliver), m2 rejected.
    while answered < 2 do
      local req = bmsc:expect_request("msk", deadline_window)
      bmsc:answer_msk(req, function(k) return k.mskid == m1.mskid and "SUCCESS" or "NOT_AVAILABLE" end)
      for _, k in ipairs(req.keys) do
        if not wanted[k.mskid] then wanted[k.mskid] = true; answered = answered + 1 end
        if k.mskid == m1.mskid then
          local d = bmsc:push_msk(sub, { svc = svc, msk = m1, v = 1 })
          t:expect(bmsc.mikey, { bmsc:verification_of(d, sub) }, { within = t.timer.T_delivery })
        end
      end
    end
    t:step("holding the delivered key, the UE does not leave")
    bmsc:expect_no_leave(svc, t.timer.T_leave)
  end,
}
