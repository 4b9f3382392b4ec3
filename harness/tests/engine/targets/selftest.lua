-- A target with nothing behind it: the engine self-tests need no SUT.
return { name = "selftest", role = "ue", profile = "ts33246", control = { status = "true" } }
