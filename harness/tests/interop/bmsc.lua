-- The reference BM-SC of the loopback interop test (scripts/interop.lua): the BM-SC half of a
-- pair with ue.lua. The UE's MIKEY port (harness.ue_mikey_port, also where MTKs go) is
-- ue.lua's ue.mikey_port; the HTTP address is ue.lua's harness.ip:http_port. The ports
-- (28340/28341 here, 29340/29341 for the UE) stay clear of suites/targets/* at every
-- worker/slot offset (those end in 01, 69 or 80), so the test can run beside campaigns.
--
-- Key Domain 00f110 carries two services. svc1 (the one the UE joins) has two MSKs: the one
-- pushed at the join and the one the test rotates to. svc2's MSK continues the Key Domain's MTK
-- numbering right after svc1's last SEQu (8192 > 8191), and the subscriber is not entitled to
-- (so never registered for) svc2: its MTK traffic makes the UE ask for a key the BM-SC refuses
-- (NOT_AUTHORIZED) while it holds no MSK covering the traffic — rule 6, leave.
return {
  name = "interop-bmsc",
  role = "bmsc",
  profile = "ts33246",
  node = { seed = 1 },
  bmsc = { ip = "127.0.0.1", http_port = 28340, control_port = 28341, fqdn = "bmsc.example.org",
           verify_timeout = 4, verify_resend = 2 },
  harness = { ip = "127.0.0.1", ue_mikey_port = 29340 },
  services = {
    { id = "urn:example:mbms:svc1", kdid = "00f110",
      msks = { { mskid = "00010002", key = "00112233445566778899aabbccddeeff", seql = 1, sequ = 4095 },
               { mskid = "00010003", key = "ffeeddccbbaa99887766554433221100", seql = 4096, sequ = 8191 } } },
    { id = "urn:example:mbms:svc2", kdid = "00f110",
      msks = { { mskid = "00020001", key = "0f0e0d0c0b0a09080706050403020100", seql = 8192, sequ = 12287 } } },
  },
  subscribers = {
    { btid = "B-TID-0001@bsf.example.org", impi = "001010123456789@ims.mnc001.mcc001.3gppnetwork.org",
      ks = "00112233445566778899aabbccddeeffffeeddccbbaa99887766554433221100",
      rand = "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf", entitled = { "urn:example:mbms:svc1" } },
  },
}
