-- The reference BM-SC (reference/bmsc) as the implementation under test; the harness plays UEs.
-- Faults: mbmsct run --target suites/targets/reference-bmsc.lua --var faults=no-401
return {
  name = "reference-bmsc",
  role = "bmsc",
  profile = "ts33246",
  parallel = { port_stride = 100 },
  bmsc = { ip = "127.0.0.1", http_port = 18180, control_port = 19101, fqdn = "bmsc.example.org",
           verify_timeout = 1, verify_resend = 2 },
  -- Where the harness's UEs listen for MIKEY (the BM-SC pushes to the HTTP source address).
  harness = { ip = "127.0.0.1", ue_mikey_port = 12369 },
  services = {
    { id = "urn:example:mbms:svc1", kdid = "00f110",
      msks = { { mskid = "00010002", key = "00112233445566778899aabbccddeeff", seql = 1, sequ = 4095 },
               { mskid = "00010003", key = "ffeeddccbbaa99887766554433221100", seql = 4096, sequ = 8191 },
               { mskid = "00010004", key = "102132435465768798a9bacbdcedfe0f", seql = 8192, sequ = 12287 },
               { mskid = "00010005", key = "f0e1d2c3b4a5968778695a4b3c2d1e0f", seql = 12288, sequ = 16383 } } },
    { id = "urn:example:mbms:svc2", kdid = "00f110",
      msks = { { mskid = "00020001", key = "0f0e0d0c0b0a09080706050403020100", seql = 1, sequ = 65535 } } },
  },
  subscribers = {
    { btid = "B-TID-0001@bsf.example.org", impi = "001010123456789@ims.mnc001.mcc001.3gppnetwork.org",
      ks = "00112233445566778899aabbccddeeffffeeddccbbaa99887766554433221100",
      rand = "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf", entitled = { "urn:example:mbms:svc1" } },
    { btid = "B-TID-0002@bsf.example.org", impi = "001010123456790@ims.mnc001.mcc001.3gppnetwork.org",
      ks_naf = "cb94c8c05d2797a537c537519ba239da12b70fe1c95f836d2a4e77c0d0f4c047",
      entitled = { "urn:example:mbms:svc1", "urn:example:mbms:svc2" } },
    { btid = "B-TID-0003@bsf.example.org", impi = "001010123456791@ims.mnc001.mcc001.3gppnetwork.org",
      ks_naf = "1111111111111111111111111111111111111111111111111111111111111111", entitled = {} },
    { btid = "B-TID-0004@bsf.example.org", impi = "001010123456793@ims.mnc001.mcc001.3gppnetwork.org",
      ks_naf = "4444444444444444444444444444444444444444444444444444444444444444", entitled = { "urn:example:mbms:svc1" } },
    { btid = "B-TID-0005@bsf.example.org", impi = "001010123456794@ims.mnc001.mcc001.3gppnetwork.org",
      ks_naf = "5555555555555555555555555555555555555555555555555555555555555555", entitled = { "urn:example:mbms:svc1" } },
    { btid = "B-TID-0006@bsf.example.org", impi = "001010123456795@ims.mnc001.mcc001.3gppnetwork.org",
      ks_naf = "6666666666666666666666666666666666666666666666666666666666666666", entitled = { "urn:example:mbms:svc1" } },
    { btid = "B-TID-EXPIRED@bsf.example.org", impi = "001010123456792@ims.mnc001.mcc001.3gppnetwork.org",
      ks_naf = "2222222222222222222222222222222222222222222222222222222222222222",
      entitled = { "urn:example:mbms:svc1" }, expired = true },
  },
  control = {
    start = "{exe} lua {home}/reference/gen-conf.lua bmsc {target_path} out/reference-bmsc{worker}.conf " ..
            "{time_scale} {port_offset} {faults} && exec {home}/build/mbms-bmsc --conf out/reference-bmsc{worker}.conf",
    ready = { socket = "tcp:127.0.0.1:{bmsc.control_port}", line = "status" },
    status = { socket = "tcp:127.0.0.1:{bmsc.control_port}", line = "status" },
    rotate = { socket = "tcp:127.0.0.1:{bmsc.control_port}", line = "rotate {service}" },
    send_mtk = { socket = "tcp:127.0.0.1:{bmsc.control_port}", line = "mtk {service}" },
  },
}
