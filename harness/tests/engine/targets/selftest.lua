-- A target with nothing behind it: the engine self-tests need no SUT. It allows -j: workers
-- get ports 100 apart (nothing listens, but the mechanism is exercised).
return { name = "selftest", role = "ue", profile = "ts33246", control = { status = "true" },
  parallel = { port_stride = 100 } }
