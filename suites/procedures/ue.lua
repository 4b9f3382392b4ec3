--- Procedures shared by the UE suite (the harness plays the BM-SC): each is one requirement's
-- stimulus and observation, parametrized by the variant a scenario file names.
local mbms = require("mbms")
local replay = require("replay")

local P = {}

--- The captured delivery of the target's second MSK (vectors/captures/ue-key-update.pcap) and
-- a joined UE holding the first: returns the capture, the delivery's index and item, the
-- BM-SC emulation, the service and the subscriber.
function P.captured_delivery(t)
  local cap, err = replay.capture("ue-key-update.pcap")
  if not cap then t:error("capture: " .. err) end
  local bmsc = mbms.bmsc(t)
  local svc = mbms.service(t)
  if #svc.msks < 2 then t:skip("n/a: the target's service has a single MSK") end
  local idx, item = replay.find(cap, t.profile, { kind = "msk_delivery", mskid = svc.msks[2].mskid })
  if not idx then t:error("the capture holds no delivery of the target's second MSK") end
  return cap, idx, item, bmsc, svc, bmsc:join_with_key(svc)
end

--- Joins the UE under test without giving it a key, lets it ask, and answers the request
-- with `answer`: a cause name, "timeout" (never answered) or "success-no-delivery".
-- Returns the BM-SC emulation and the service.
function P.fail_first_request(t, answer)
  local bmsc = mbms.bmsc(t)
  local svc = mbms.service(t)
  bmsc:join(svc)
  t:step("no push: the UE, joined without a key, asks for one; answer: " .. answer)
  local req = bmsc:expect_request("msk", t.timer.T_delivery + t.timer.T_request + t.timer.W_spread)
  if answer == "success-no-delivery" then
    bmsc:answer_msk(req, "SUCCESS")
  elseif answer ~= "timeout" then
    bmsc:answer_msk(req, answer)
  end
  return bmsc, svc
end

--- Rule 6 without an older key: after `answer`, the UE leaves within T_leave (+ T_request +
-- T_delivery when the failure is a silence it must first wait out), observed as the profile's
-- leave.observable says (deregistration, IGMP/MLD leave, or either).
function P.leaves_after(t, answer)
  local bmsc, svc = P.fail_first_request(t, answer)
  local window = t.timer.T_leave
  if answer == "timeout" or answer == "success-no-delivery" then
    window = window + t.timer.T_request + t.timer.T_delivery
  end
  t:step("the UE leaves within the window")
  bmsc:expect_leave(svc, window)
end

--- Rule 6 exception: holding a still-valid older key (MTK traffic inside its interval), the UE
-- does not leave after the update fails with `answer`, and keeps taking MTKs under it.
function P.stays_after(t, answer)
  local bmsc = mbms.bmsc(t)
  local svc = mbms.service(t)
  if #svc.msks < 2 then t:skip("n/a: the target's service has a single MSK") end
  local old = svc.msks[1]
  local sub = bmsc:join_with_key(svc, old)
  t:step("traffic under the held key")
  bmsc:send_mtk({ svc = svc, msk = old, mtkid = old.seql })
  t:step("notice for the next MSK; the update fails: " .. answer)
  bmsc:pull(sub, { svc = svc, mskid = svc.msks[2].mskid })
  local req = bmsc:expect_request("msk", t.timer.W_spread + t.timer.T_request)
  if answer == "success-no-delivery" then bmsc:answer_msk(req, "SUCCESS")
  elseif answer ~= "timeout" then bmsc:answer_msk(req, answer) end
  t:step("the UE stays: no leave")
  bmsc:expect_no_leave(svc, t.timer.T_leave + t.timer.T_request + t.timer.T_delivery)
  t:step("and takes MTKs under the older key without asking for keys")
  bmsc:send_mtk({ svc = svc, msk = old, mtkid = old.seql + 1 })
  t:expect_silence(bmsc.http, t.timer.T_request, { kind = "unexpected",
    ignore = function(e) return e.kind == "msk" and e.keys and e.keys[1] and e.keys[1].mskid == svc.msks[2].mskid end,
    describe = function(e) return e.what end })
end

--- No key request after a notice: mode "held" (names the MSK the UE holds), "bad-mac" (wrong
-- MUK) or "replay" (a counter already used).
function P.no_request_after_notice(t, mode)
  local bmsc = mbms.bmsc(t)
  local svc = mbms.service(t)
  if mode ~= "held" and #svc.msks < 2 then t:skip("n/a: the target's service has a single MSK") end
  local sub = bmsc:join_with_key(svc)
  t:step("notice: " .. mode)
  if mode == "held" then
    bmsc:pull(sub, { svc = svc, mskid = svc.msks[1].mskid })
  elseif mode == "bad-mac" then
    bmsc:pull(sub, { svc = svc, mskid = svc.msks[2].mskid, muk = string.rep("\x5a", 32) })
  else
    bmsc:pull(sub, { svc = svc, mskid = svc.msks[2].mskid, counter = t.profile.mikey.counter_start })
  end
  t:expect_silence(bmsc.http, t.timer.W_spread + t.timer.T_request, { kind = "unexpected",
    describe = function(e) return e.what end })
end

--- A delivery that must be discarded (no verification, key not used): mode "bad-mac",
-- "replay" or "wrong-idr".
function P.discards_delivery(t, mode)
  local bmsc = mbms.bmsc(t)
  local svc = mbms.service(t)
  if #svc.msks < 2 then t:skip("n/a: the target's service has a single MSK") end
  local sub = bmsc:join_with_key(svc)
  local nxt = svc.msks[2]
  t:step("delivery of the next MSK: " .. mode)
  local o = { svc = svc, msk = nxt, v = 1 }
  if mode == "bad-mac" then o.muk = string.rep("\x5a", 32)
  elseif mode == "replay" then o.counter = t.profile.mikey.counter_start
  else o.idr = "B-TID-someone-else@bsf.example.org" end
  bmsc:push_msk(sub, o)
  t:expect_silence(bmsc.mikey, t.timer.T_delivery, { kind = "unexpected-accept", describe = function(e) return e.what end })
  t:step("the discarded key is not used: MTKs under it make the UE ask for it")
  bmsc:send_mtk({ svc = svc, msk = nxt, mtkid = nxt.seql })
  local req = bmsc:expect_request("msk", t.timer.W_spread + t.timer.T_request, { on_timeout = "unexpected-accept" })
  bmsc:answer_msk(req, "SUCCESS")
  bmsc:push_msk(sub, { svc = svc, msk = nxt, v = 0 })
end

--- An MTK message the UE must reject silently: mode "replay" (the last accepted ID again),
-- "older" (an ID below it) or "beyond" (an ID past the MSK's SEQu).
function P.rejects_mtk(t, mode)
  local bmsc = mbms.bmsc(t)
  local svc = mbms.service(t)
  local msk = svc.msks[1]
  bmsc:join_with_key(svc, msk)
  bmsc:send_mtk({ svc = svc, msk = msk, mtkid = msk.seql + 5 })
  t:step("MTK: " .. mode)
  local id = mode == "replay" and msk.seql + 5 or mode == "older" and msk.seql + 2 or msk.sequ + 1
  if mode == "beyond" and msk.sequ >= 0xffff then t:skip("n/a: the MSK's interval ends at the last MTK ID") end
  bmsc:send_mtk({ svc = svc, msk = msk, mtkid = id })
  t:step("no MIKEY error message (nor anything else) comes back")
  t:expect_silence(bmsc.mikey, t.timer.T_delivery, { kind = "unexpected", describe = function(e) return e.what end })
  if t.target.control.status then
    local out = mbms.trigger(t, "status")
    local last = out:match('"last_mtk_id"%s*:%s*(%d+)') or out:match('"last_mtkid"%s*:%s*(%d+)')
    if last then t:expect_eq("last accepted MTK ID", msk.seql + 5, tonumber(last)) end
  end
end

return P
