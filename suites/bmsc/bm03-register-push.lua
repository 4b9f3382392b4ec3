-- KU-BM-03: registration for an entitled service -> SUCCESS and a push of the current MSK.
local mbms = require("mbms")
local hex = require("mbms.hex")

return {
  id = "bm03-register-push",
  requirements = { "KU-BM-03", "KU-MK-01", "KU-MK-02", "KU-MK-03" },
  clause = "6.3.2.1A",
  title = "registration -> SUCCESS per service and the current MSK pushed over MIKEY",
  role = "ue",
  tags = { "register", "push" },
  run = function(t)
    local svc = mbms.service(t)
    local ue = mbms.ue(t, mbms.pick(t, { entitled = svc.id }))
    t:step("register")
    ue:expect_causes(ue:register({ svc.id }), { "SUCCESS" }, "registration")
    t:step("the current MSK is pushed, valid under the MUK")
    local ev = ue:expect_mikey("msk_delivery", t.timer.T_delivery)
    -- Which MSK is current depends on rotations earlier in the run; it must be one of the
    -- service's, and the key delivered must be that MSK's provisioned value.
    local cur = ue:msk_of(ev, svc)
    if not cur then
      t:fail{ kind = "field-mismatch", field = "pushed Key ID", expected = "an MSK of " .. svc.id,
        actual = hex.encode(ue:keyid_of(ev) or ""), bytes = ev.bytes }
    end
    t:expect_eq("MSK", hex.encode(cur.key), hex.encode(ue:key_of(ev).key))
    if ev.msg.v == 1 then ue:verify(ev) end
  end,
}
