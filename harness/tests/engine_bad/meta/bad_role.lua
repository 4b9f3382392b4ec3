return {
  id = "bad-role", requirements = { "KU-MK-01" }, clause = "x", title = "bad role",
  role = "server",
  run = function() end,
}
