-- The reference UE (reference/ue) as the implementation under test; the harness plays the
-- BM-SC at harness.ip:http_port, which the generated configuration points the UE at.
-- Faults: mbmsct run --target suites/targets/reference-ue.lua --var faults=no-leave
return {
  name = "reference-ue",
  role = "ue",
  profile = "ts33246",
  parallel = { port_stride = 100 },
  harness = { ip = "127.0.0.1", http_port = 18280, fqdn = "bmsc.example.org" },
  bmsc = { fqdn = "bmsc.example.org" },
  ue = { ip = "127.0.0.1", mikey_port = 12469, control_port = 19201, btid = "B-TID-0001@bsf.example.org" },
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
  control = {
    start = "{exe} lua {home}/reference/gen-conf.lua ue {target_path} out/reference-ue{worker}.conf " ..
            "{time_scale} {port_offset} {faults} && exec {home}/build/mbms-ue --conf out/reference-ue{worker}.conf",
    ready = { socket = "tcp:127.0.0.1:{ue.control_port}", line = "status" },
    status = { socket = "tcp:127.0.0.1:{ue.control_port}", line = "status" },
    join = { socket = "tcp:127.0.0.1:{ue.control_port}", line = "join {service}" },
    leave = { socket = "tcp:127.0.0.1:{ue.control_port}", line = "leave {service}" },
  },
}
