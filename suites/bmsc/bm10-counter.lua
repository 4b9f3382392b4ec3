-- KU-BM-10: successive deliveries to one UE carry a strictly increasing TS counter per MUK.
local mbms = require("mbms")

return {
  id = "bm10-counter",
  requirements = { "KU-BM-10" },
  clause = "6.3.2.3.1",
  title = "successive MSK deliveries to one UE: TS counter strictly increasing",
  role = "ue",
  tags = { "mikey", "replay" },
  run = function(t)
    local svc = mbms.service(t)
    local ue = mbms.ue(t, mbms.pick(t, { entitled = svc.id }))
    ue:expect_causes(ue:register({ svc.id }), { "SUCCESS" }, "registration")
    local last = ue:expect_mikey("msk_delivery", t.timer.T_delivery)
    local cur = ue:msk_of(last, svc) or t:fail{ kind = "field-mismatch", field = "pushed Key ID", expected = "an MSK of " .. svc.id, actual = "another" }
    if last.msg.v == 0 then t:inconclusive("V=0 pushes: the key is held, no second delivery can be asked for") end
    local counters = { ue:counter_of(last) }
    -- Re-sends of an unverified delivery repeat its bytes (and counter); they are not new.
    local sent = { [last.bytes] = true }
    for i = 1, 3 do
      t:step("delivery " .. (i + 1))
      ue:expect_causes(ue:request_keys({ { kdid = svc.kdid, mskid = cur.mskid } }), { "SUCCESS" }, "key request")
      local _, ev = t:expect(ue.mikey, { { name = "msk_delivery", match = function(e) return e.kind == "msk_delivery" end } },
        { within = t.timer.T_delivery, ignore = function(e) return sent[e.bytes] end })
      sent[ev.bytes] = true
      ue:check_wire(ev)
      local c = ue:counter_of(ev)
      if c <= counters[#counters] then
        t:fail{ kind = "field-mismatch", field = "TS counter", expected = "> " .. counters[#counters],
          actual = c, bytes = ev.bytes }
      end
      counters[#counters + 1] = c
      t:log("counter %d", c)
    end
  end,
}
