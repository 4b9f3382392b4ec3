-- KU-BM-10 across message kinds: the push after registration and the notice of a key change
-- share one TS counter per MUK, strictly increasing.
local mbms = require("mbms")

return {
  id = "bm10-counter-notice",
  requirements = { "KU-BM-10" },
  clause = "6.3.2.3.1",
  title = "push then rotation notice to one UE: TS counter strictly increasing",
  role = "ue",
  tags = { "mikey", "replay", "notice" },
  needs = { "rotate" },
  run = function(t)
    local svc = mbms.service(t)
    local ue = mbms.ue(t, mbms.pick(t, { entitled = svc.id }))
    local push = ue:join(svc)
    t:step("rotate the key; the notice (or push) to this UE")
    mbms.trigger(t, "rotate", { service = svc.id })
    local _, ev = t:expect(ue.mikey, { { name = "notice", match = function(e)
        return e.kind == "solicited_pull" or e.kind == "msk_delivery" end } },
      { within = t.timer.W_spread + t.timer.T_delivery, ignore = function(e) return e.bytes == push.bytes end,
        describe = function(e) return e.what end })
    ue:check_wire(ev)
    local a, b = ue:counter_of(push), ue:counter_of(ev)
    if b <= a then
      t:fail{ kind = "field-mismatch", field = "TS counter of the notice", expected = "> " .. a, actual = b, bytes = ev.bytes }
    end
  end,
}
