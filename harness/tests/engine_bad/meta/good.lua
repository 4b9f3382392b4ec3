return {
  id = "good-one", requirements = { "KU-MK-01" }, clause = "x", title = "fine", role = "bmsc",
  run = function() end,
}
