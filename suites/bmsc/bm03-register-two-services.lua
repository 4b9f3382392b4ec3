-- KU-BM-03 with two services in one registration: one SUCCESS status per service and a push of
-- each service's current MSK, both valid under the UE's MUK.
local mbms = require("mbms")
local hex = require("mbms.hex")

return {
  id = "bm03-register-two-services",
  requirements = { "KU-BM-03", "KU-MK-02" },
  clause = "6.3.2.1A",
  title = "registration naming two services -> two SUCCESS statuses and two pushes",
  role = "ue",
  tags = { "register", "push" },
  run = function(t)
    local services = {}
    for _, s in ipairs(t.target.services or {}) do services[#services + 1] = mbms.service(t, s.id) end
    if #services < 2 then t:skip("n/a: the target declares a single service") end
    local a, b = services[1], services[2]
    local btid
    for _, s in ipairs(t.target.subscribers) do
      local ent = {}
      for _, e in ipairs(s.entitled or {}) do ent[e] = true end
      if ent[a.id] and ent[b.id] and not s.expired then btid = s.btid end
    end
    if not btid then t:skip("n/a: no subscriber entitled to both " .. a.id .. " and " .. b.id) end
    local ue = mbms.ue(t, btid)
    t:step("register to both services at once")
    local ex = ue:register({ a.id, b.id })
    ue:expect_causes(ex, { "SUCCESS", "SUCCESS" }, "registration")
    t:step("one push per service")
    local seen = {}
    for _ = 1, 2 do
      local ev = ue:expect_mikey("msk_delivery", t.timer.T_delivery, { ignore = function(e) return seen[e.bytes] end })
      seen[ev.bytes] = true
      local m = ue:msk_of(ev, a) or ue:msk_of(ev, b)
      if not m then
        t:fail{ kind = "field-mismatch", field = "pushed Key ID", expected = "an MSK of either service",
          actual = hex.encode(ue:keyid_of(ev) or ""), bytes = ev.bytes }
      end
      t:expect_eq("MSK", hex.encode(m.key), hex.encode(ue:key_of(ev).key))
      seen[m.mskid] = true
      if ev.msg.v == 1 then ue:verify(ev) end
    end
  end,
}
