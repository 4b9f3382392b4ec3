return {
  id = "bad-typo", requirements = { "KU-MK-01" }, clause = "x", title = "typo", role = "bmsc",
  requirement = { "KU-MK-02" },
  run = function() end,
}
