return {
  id = "good-one", requirements = { "KU-MK-01" }, clause = "x", title = "duplicate id", role = "bmsc",
  run = function() end,
}
