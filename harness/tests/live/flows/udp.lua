-- The live capture sees the MIKEY push the harness BM-SC sends to the harness UE, and the
-- scenario API finds it: t:expect_live, t:live_packets, t:expect_no_live.
local mbms = require("mbms")

return {
  id = "live-udp",
  requirements = { "KU-UE-06" },
  clause = "6.3.2.3.1",
  title = "live capture: a datagram on lo is seen and matched",
  role = "bmsc",
  tags = { "live" },
  timeout = 10,
  run = function(t)
    if not t:has_live() then t:error("live-udp needs --capture-iface") end
    local bmsc = mbms.bmsc(t)
    local ue = mbms.ue(t, "B-TID-0001@bsf.example.org", { mikey_port = t.target.ue.mikey_port })
    local svc = mbms.service(t)
    local sub = mbms.subscriber(t, "B-TID-0001@bsf.example.org")
    t:step("push an MSK; the live capture sees the datagram")
    local bytes = bmsc:push_msk(sub, { svc = svc, msk = svc.msks[1], v = 0 })
    local p = t:expect_live({ proto = "udp", dst = "127.0.0.1", dport = t.target.ue.mikey_port }, { within = 2 })
    t:expect_eq("live payload", bytes, p.payload)
    t:expect_eq("live packet seq", true, p.seq >= 1)
    t:expect(ue.mikey, { { name = "msk_delivery", match = function(e) return e.kind == "msk_delivery" end } },
      { within = 2 })
    t:step("the scenario's live packets")
    local all = t:live_packets({ proto = "udp", dport = t.target.ue.mikey_port })
    t:expect_eq("live udp packets to the UE", 1, #all)
    t:expect_eq("no such packet", 0, #t:live_packets({ proto = "udp", dport = 9 }))
    t:step("nothing else to the UE's port")
    t:expect_no_live({ proto = "udp", dport = t.target.ue.mikey_port }, 0.2)
  end,
}
