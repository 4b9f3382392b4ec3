return {
  requirements = { "KU-MK-01" }, clause = "x", title = "no id", role = "bmsc",
  run = function() end,
}
