return {
  id = "engine-pass", requirements = { "KU-MK-01" }, clause = "engine", title = "a passing scenario",
  role = "bmsc", tags = { "selftest" },
  run = function(t)
    t:step("compare")
    t:expect_eq("answer", 42, 6 * 7)
    t:log("checked %d", 42)
  end,
}
