return {
  id = "engine-inconclusive", requirements = { "KU-MK-01" }, clause = "engine",
  title = "a precondition not met", role = "bmsc",
  run = function(t) t:inconclusive("the SUT holds no key yet") end,
}
