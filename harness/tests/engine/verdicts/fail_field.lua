return {
  id = "engine-fail-field", requirements = { "KU-MK-01" }, clause = "engine",
  title = "a field mismatch fails with file:line", role = "bmsc",
  run = function(t)
    t:step("compare cause")
    t:expect_eq("cause", "UNKNOWN_KEY", "NOT_AUTHORIZED", "wrong-cause")
  end,
}
