return {
  id = "engine-skip-needs", requirements = { "KU-MK-01" }, clause = "engine",
  title = "a scenario needing a missing trigger is skipped", role = "bmsc", needs = { "join" },
  run = function(t) t:fail("must not run") end,
}
