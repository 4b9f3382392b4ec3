-- Live-capture self-test target: the harness plays both sides on lo (nothing is started), and
-- the service has a multicast group whose IGMP leave the live capture can see. Ports differ
-- from the loopback self-test's so that both can run at once.
return {
  name = "live", role = "ue", profile = "ts33246",
  harness = { ip = "127.0.0.1", http_port = 18480, fqdn = "bmsc.example.org" },
  bmsc = { ip = "127.0.0.1", http_port = 18480, fqdn = "bmsc.example.org" },
  ue = { ip = "127.0.0.1", mikey_port = 12569 },
  services = {
    { id = "urn:example:mbms:svc1", kdid = "00f110", group = "239.255.42.1",
      msks = { { mskid = "00010002", key = "00112233445566778899aabbccddeeff", seql = 1, sequ = 4095 } } },
  },
  subscribers = {
    { btid = "B-TID-0001@bsf.example.org", impi = "001010123456789@ims.mnc001.mcc001.3gppnetwork.org",
      ks = "00112233445566778899aabbccddeeffffeeddccbbaa99887766554433221100",
      rand = "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf", entitled = { "urn:example:mbms:svc1" } },
  },
  control = {},
}
