-- KU-BM-09: a mixed request — a key of the registered service and a key of a service the UE is
-- not registered for -> SUCCESS and NOT_AUTHORIZED, one delivery only.
local mbms = require("mbms")
local hex = require("mbms.hex")

return {
  id = "bm09-mixed-not-authorized",
  requirements = { "KU-BM-09", "KU-BM-06" },
  clause = "6.3.2.4",
  title = "mixed request SUCCESS + NOT_AUTHORIZED -> one status each, one delivery",
  role = "ue",
  tags = { "request", "mixed" },
  run = function(t)
    local svc = mbms.service(t)
    local other
    for _, s in ipairs(t.target.services or {}) do if s.id ~= svc.id then other = mbms.service(t, s.id) end end
    if not other then t:skip("n/a: the target declares a single service") end
    local ue = mbms.ue(t, mbms.pick(t, { entitled = svc.id }))
    local push = ue:join(svc, false)
    if push.msg.v == 0 then t:inconclusive("the BM-SC pushes with V=0, so the current key is already held") end
    local cur = ue:msk_of(push, svc)
    t:step("request the (unverified) current key and the other service's key")
    local ex = ue:request_keys({ { kdid = svc.kdid, mskid = cur.mskid }, { kdid = other.kdid, mskid = other.msks[1].mskid } })
    ue:expect_causes(ex, { "SUCCESS", "NOT_AUTHORIZED" }, "key request")
    local _, ev = t:expect(ue.mikey, { { name = "msk_delivery", match = function(e)
        return e.kind == "msk_delivery" and e.bytes ~= push.bytes end } },
      { within = t.timer.T_delivery, ignore = function(e) return e.bytes == push.bytes end })
    ue:check_wire(ev)
    t:expect_eq("delivered Key ID", hex.encode(svc.kdid .. cur.mskid), hex.encode(ue:keyid_of(ev)))
    ue:verify(ev)
    t:expect_silence(ue.mikey, t.timer.T_delivery, { kind = "unexpected-accept",
      ignore = function(e) return e.bytes == push.bytes or e.bytes == ev.bytes end,
      describe = function(e) return e.what end })
  end,
}
