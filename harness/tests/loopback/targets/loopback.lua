-- Loopback self-test target: the harness plays both sides, so nothing is started. The ports
-- are not the profile's defaults, to show that addresses come from the target.
return {
  name = "loopback", role = "ue", profile = "ts33246",
  harness = { ip = "127.0.0.1", http_port = 18080, fqdn = "bmsc.example.org" },
  bmsc = { ip = "127.0.0.1", http_port = 18080, fqdn = "bmsc.example.org" },
  ue = { ip = "127.0.0.1", mikey_port = 12269 },
  services = {
    { id = "urn:example:mbms:svc1", kdid = "00f110",
      msks = { { mskid = "00010002", key = "00112233445566778899aabbccddeeff", seql = 1, sequ = 4095 },
               { mskid = "00010003", key = "ffeeddccbbaa99887766554433221100", seql = 4096, sequ = 8191 } } },
  },
  subscribers = {
    { btid = "B-TID-0001@bsf.example.org", impi = "001010123456789@ims.mnc001.mcc001.3gppnetwork.org",
      ks = "00112233445566778899aabbccddeeffffeeddccbbaa99887766554433221100",
      rand = "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf" },
  },
  control = {},
}
