-- KU-BM-04: a key request for the current key of a registered service -> SUCCESS and a
-- delivery that verifies under the UE's MUK (MAC, IDs, counter).
local mbms = require("mbms")
local hex = require("mbms.hex")

return {
  id = "bm04-key-request",
  requirements = { "KU-BM-04", "KU-MK-01", "KU-MK-02", "KU-MK-03" },
  clause = "6.3.2.2.1",
  title = "key request for a current key -> SUCCESS and a valid MSK delivery",
  role = "ue",
  tags = { "request" },
  run = function(t)
    local svc = mbms.service(t)
    local ue = mbms.ue(t, mbms.pick(t, { entitled = svc.id }))
    ue:expect_causes(ue:register({ svc.id }), { "SUCCESS" }, "registration")
    -- The push is left unverified, so with V=1 the UE does not hold the key yet.
    local push = ue:expect_mikey("msk_delivery", t.timer.T_delivery)
    local cur = ue:msk_of(push, svc) or t:fail{ kind = "field-mismatch", field = "pushed Key ID", expected = "an MSK of " .. svc.id, actual = "another" }
    if push.msg.v == 0 then
      t:inconclusive("the BM-SC pushes with V=0, so the UE holds the key at once; a request would be NO_UPDATE_NEEDED")
    end
    t:step("request the current key")
    local ex = ue:request_keys({ { kdid = svc.kdid, mskid = cur.mskid } })
    ue:expect_causes(ex, { "SUCCESS" }, "key request")
    t:step("a delivery of that key follows (re-sends of the push do not count)")
    local _, ev = t:expect(ue.mikey, { { name = "msk_delivery", match = function(e)
        return e.kind == "msk_delivery" and e.bytes ~= push.bytes end } },
      { within = t.timer.T_delivery, ignore = function(e) return e.bytes == push.bytes end })
    ue:check_wire(ev)
    t:expect_eq("Key ID", hex.encode(svc.kdid .. cur.mskid), hex.encode(ue:keyid_of(ev)))
    t:expect_eq("MSK", hex.encode(cur.key), hex.encode(ue:key_of(ev).key))
    if ev.msg.v == 1 then ue:verify(ev) end
  end,
}
