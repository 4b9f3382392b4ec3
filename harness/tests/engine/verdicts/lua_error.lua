return {
  id = "engine-lua-error", requirements = { "KU-MK-01" }, clause = "engine",
  title = "a Lua error is a harness error", role = "bmsc",
  run = function(t) local x = nil; return x.field end,
}
