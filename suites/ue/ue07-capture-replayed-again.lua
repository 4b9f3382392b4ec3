-- KU-UE-06, KU-UE-07: an MSK delivery taken from a capture of another network, freshened with
-- this session's keys (new RAND, counter past the last accepted, MAC under this MUK, IDi/IDr of
-- this session), is a valid delivery: verified and used. The very same bytes sent again are a
-- replay (counter not above the last accepted) and are discarded: no verification.
local replay = require("replay")
local ue = require("procedures.ue")

return {
  id = "ue07-capture-replayed-again",
  requirements = { "KU-UE-06", "KU-UE-07" },
  clause = "6.3.2.3.1",
  title = "captured MSK delivery freshened -> verified and used; the same bytes again -> discarded",
  role = "bmsc",
  tags = { "mikey", "replay" },
  needs = { "join" },
  run = function(t)
    local cap, idx, _, bmsc, svc = ue.captured_delivery(t)
    local nxt = svc.msks[2]
    t:step("replay the captured delivery of the next MSK, freshened")
    local st = replay.run(t, { cap = cap, bmsc = bmsc, fresh = true, topspeed = true, join = false, steps = { [idx] = true } })
    if st.errors > 0 then t:error("replay: " .. table.concat(st.notes, "; ")) end
    if st.sent ~= 1 or st.matched ~= 1 then
      t:fail{ kind = st.differing > 0 and "unexpected" or "no-response", field = "verification of the freshened delivery",
        expected = "a verification valid for it", actual = st.notes[1] or ("sent " .. st.sent), bytes = st.sent_bytes[idx] }
    end
    t:step("the delivered key is used: MTKs under it without a key request")
    bmsc:send_mtk({ svc = svc, msk = nxt, mtkid = nxt.seql })
    t:expect_silence(bmsc.http, t.timer.T_request, { kind = "unexpected", describe = function(e) return e.what end })
    t:step("the very same bytes again, verbatim: a replay, discarded")
    bmsc:send_mikey(st.sent_bytes[idx], "the freshened delivery again (verbatim)")
    t:expect_silence(bmsc.mikey, t.timer.T_delivery, { kind = "unexpected-accept", describe = function(e) return e.what end })
  end,
}
