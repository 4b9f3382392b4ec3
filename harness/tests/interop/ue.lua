-- The reference UE of the loopback interop test (scripts/interop.lua): the UE half of a pair
-- with bmsc.lua. harness.ip:http_port is the BM-SC's HTTP address (bmsc.lua's bmsc.ip:http_port);
-- ue.mikey_port is bmsc.lua's harness.ue_mikey_port (pushes, deliveries, notices and MTKs).
-- The UE knows only svc1 (Key Domain 00f110), the service its subscriber is entitled to.
return {
  name = "interop-ue",
  role = "ue",
  profile = "ts33246",
  node = { seed = 1 },
  harness = { ip = "127.0.0.1", http_port = 28340 },
  bmsc = { fqdn = "bmsc.example.org" },
  ue = { ip = "127.0.0.1", mikey_port = 29340, control_port = 29341, btid = "B-TID-0001@bsf.example.org" },
  services = {
    { id = "urn:example:mbms:svc1", kdid = "00f110",
      msks = { { mskid = "00010002", key = "00112233445566778899aabbccddeeff", seql = 1, sequ = 4095 },
               { mskid = "00010003", key = "ffeeddccbbaa99887766554433221100", seql = 4096, sequ = 8191 } } },
  },
  subscribers = {
    { btid = "B-TID-0001@bsf.example.org", impi = "001010123456789@ims.mnc001.mcc001.3gppnetwork.org",
      ks = "00112233445566778899aabbccddeeffffeeddccbbaa99887766554433221100",
      rand = "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf", entitled = { "urn:example:mbms:svc1" } },
  },
}
