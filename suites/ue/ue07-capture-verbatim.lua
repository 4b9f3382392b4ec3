-- KU-UE-07: a captured MSK delivery replayed verbatim, once the UE has accepted its counter under
-- the MUK, is discarded: no verification, and the key is not used (MTKs under it make the UE
-- ask for it). The capture is this subscriber's (MAC valid under its MUK, its IDi/IDr), so its
-- counter is the only thing wrong with it.
local mbms = require("mbms")
local mikey = require("mbms.mikey")
local replay = require("replay")
local ue = require("procedures.ue")

return {
  id = "ue07-capture-verbatim",
  requirements = { "KU-UE-07" },
  clause = "6.3.2.3.1",
  title = "captured MSK delivery replayed verbatim -> discarded, no verification, key not used",
  role = "bmsc",
  tags = { "mikey", "replay" },
  needs = { "join" },
  run = function(t)
    local cap, idx, item, bmsc, svc, sub = ue.captured_delivery(t)
    local nxt = svc.msks[2]
    -- Precondition: the captured bytes would be valid here but for their counter.
    if not mikey.unprotect(item.pkt.payload, sub.keys.muk) then
      t:inconclusive("the captured delivery is not protected with this subscriber's MUK")
    end
    local ids = {}
    for _, p in ipairs(item.msg.payloads) do if p.name == "ID" then ids[#ids + 1] = p.id_data end end
    if ids[1] ~= mbms.fqdn(t) or ids[2] ~= sub.btid then
      t:inconclusive("the captured delivery names IDi/IDr " .. tostring(ids[1]) .. " / " .. tostring(ids[2]))
    end
    local captured = replay.counter_of(item.msg)
    t:step("the UE accepts counter " .. captured .. " under the MUK (a delivery of the held key)")
    local key = "muk:" .. sub.btid
    local c = bmsc:next_counter(key)
    if c < captured then c = captured; bmsc.counters[key] = c end
    local d = bmsc:push_msk(sub, { svc = svc, msk = svc.msks[1], v = 1, counter = c })
    t:expect(bmsc.mikey, { bmsc:verification_of(d, sub) }, { within = t.timer.T_delivery,
      describe = function(e) return e.what end })
    t:step("replay the captured delivery of the next MSK verbatim (counter " .. captured .. ")")
    local st = replay.run(t, { cap = cap, bmsc = bmsc, topspeed = true, join = false, steps = { [idx] = true } })
    if st.errors > 0 then t:error("replay: " .. table.concat(st.notes, "; ")) end
    t:expect_eq("replayed packets", 1, st.sent)
    if st.matched > 0 or st.differing > 0 then
      t:fail{ kind = "unexpected-accept", field = "mikey", expected = "no verification (counter " .. captured ..
        " is not above the last accepted " .. c .. ")", actual = st.matched > 0 and "a verification" or st.notes[1],
        bytes = item.pkt.payload }
    end
    t:step("the discarded key is not used: MTKs under it make the UE ask for it")
    bmsc:send_mtk({ svc = svc, msk = nxt, mtkid = nxt.seql })
    local req = bmsc:expect_request("msk", t.timer.W_spread + t.timer.T_request, { on_timeout = "unexpected-accept" })
    bmsc:answer_msk(req, "SUCCESS")
    bmsc:push_msk(sub, { svc = svc, msk = nxt, v = 0 })
  end,
}
