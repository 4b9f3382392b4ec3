-- KU-MK-01..03 on the UE side: the verification message the UE sends parses under the
-- profile's rules (verification kind), its V payload MAC verifies under the MUK, and it names
-- the UE's own identity (IDr = its B-TID) and echoes the delivery's CSB ID and T.
local mbms = require("mbms")
local mikey = require("mbms.mikey")

return {
  id = "ue18-verification-wire",
  requirements = { "KU-MK-01", "KU-MK-02", "KU-MK-03", "KU-UE-06" },
  clause = "6.3.2.3.1",
  title = "the UE's verification message: well-formed, MAC valid, identities right",
  role = "bmsc",
  tags = { "mikey", "verification" },
  needs = { "join" },
  run = function(t)
    local bmsc = mbms.bmsc(t)
    local svc = mbms.service(t)
    local _, sub = bmsc:join(svc)
    local d = bmsc:push_msk(sub, { svc = svc, msk = svc.msks[svc.current], v = 1 })
    local _, ev = t:expect(bmsc.mikey, { { name = "verification", match = function(e) return e.msg and e.msg.type == 1 end } },
      { within = t.timer.T_delivery, describe = function(e) return e.what end })
    local viol, kind = mikey.validate(ev.bytes, t.profile.mikey, "verification")
    if #viol > 0 then
      t:fail{ kind = "field-mismatch", field = "KU-MK-01 verification", expected = "no profile violation",
        actual = table.concat(viol, "; "), bytes = ev.bytes }
    end
    local ok, err = mikey.vmac_verify(t.profile.mikey.v_mac_reading, ev.bytes, d, sub.keys.muk)
    if not ok then t:fail{ kind = "field-mismatch", field = "KU-MK-02 V payload MAC", expected = "valid", actual = err, bytes = ev.bytes } end
    local dm = assert(mikey.decode(d))
    t:expect_eq("CSB ID echoed", dm.csb_id, ev.msg.csb_id)
    local idr
    for _, p in ipairs(ev.msg.payloads) do if p.name == "ID" then idr = p.id_data end end
    t:expect_eq("KU-MK-03 IDr", sub.btid, idr)
  end,
}
