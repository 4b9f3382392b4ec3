-- KU-BM-09: a mixed request -> one status per item, deliveries only for the successful items.
local mbms = require("mbms")
local hex = require("mbms.hex")

return {
  id = "bm09-mixed",
  requirements = { "KU-BM-09", "KU-BM-05" },
  clause = "6.3.2.4",
  title = "mixed key request -> one status per item, delivery only for SUCCESS",
  role = "ue",
  tags = { "request", "mixed" },
  run = function(t)
    local svc = mbms.service(t)
    local ue = mbms.ue(t, mbms.pick(t, { entitled = svc.id }))
    ue:expect_causes(ue:register({ svc.id }), { "SUCCESS" }, "registration")
    local push = ue:expect_mikey("msk_delivery", t.timer.T_delivery)
    local cur = ue:msk_of(push, svc) or t:fail{ kind = "field-mismatch", field = "pushed Key ID", expected = "an MSK of " .. svc.id, actual = "another" }
    if push.msg.v == 0 then
      t:inconclusive("the BM-SC pushes with V=0, so the current key is already held")
    end
    t:step("request the (unverified) current key and an unknown one together")
    local unknown = "\x7f\xee\x00\x97"
    local ex = ue:request_keys({ { kdid = svc.kdid, mskid = unknown }, { kdid = svc.kdid, mskid = cur.mskid } })
    ue:expect_causes(ex, { "UNKNOWN_KEY", "SUCCESS" }, "key request")
    t:expect_eq("status 1 names its key", hex.encode(unknown), hex.encode(ex.statuses[1].mskid or ""))
    t:expect_eq("status 2 names its key", hex.encode(cur.mskid), hex.encode(ex.statuses[2].mskid or ""))
    t:step("exactly one delivery, for the successful item")
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
