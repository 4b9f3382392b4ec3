return {
  id = "engine-budget", requirements = { "KU-MK-01" }, clause = "engine",
  title = "an endless loop is killed by the instruction budget", role = "bmsc",
  run = function(t) while true do end end,
}
