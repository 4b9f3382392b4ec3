-- KU-UE-05: a notice naming an MSK the UE already holds -> no key request. KU-UE-03: a
-- notice with a bad MAC or a replayed counter -> no key request.
local mbms = require("mbms")

return {
  id = "ue05-no-request",
  requirements = { "KU-UE-05", "KU-UE-03" },
  clause = "6.3.2.2.4",
  title = "notice for a held MSK, bad-MAC notice, replayed notice -> no key request",
  role = "bmsc",
  tags = { "notice" },
  needs = { "join" },
  run = function(t)
    local bmsc = mbms.bmsc(t)
    local svc = mbms.service(t)
    local sub = bmsc:join_with_key(svc)
    t:step("notice naming the MSK the UE holds")
    bmsc:pull(sub, { svc = svc, mskid = svc.msks[1].mskid })
    t:expect_silence(bmsc.http, t.timer.W_spread + t.timer.T_request, { describe = function(e) return e.what end })
    if #svc.msks >= 2 then
      t:step("notice with a bad MAC (wrong MUK) naming a missing MSK")
      bmsc:pull(sub, { svc = svc, mskid = svc.msks[2].mskid, muk = string.rep("\x5a", 32) })
      t:expect_silence(bmsc.http, t.timer.W_spread + t.timer.T_request, { describe = function(e) return e.what end })
      t:step("replayed notice (counter already used) naming a missing MSK")
      bmsc:pull(sub, { svc = svc, mskid = svc.msks[2].mskid, counter = 1 })
      t:expect_silence(bmsc.http, t.timer.W_spread + t.timer.T_request, { describe = function(e) return e.what end })
    end
  end,
}
