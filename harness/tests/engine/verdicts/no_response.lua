return {
  id = "engine-no-response", requirements = { "KU-MK-01" }, clause = "engine",
  title = "nothing within the window is no-response", role = "bmsc",
  run = function(t)
    local q = t:queue("peer")
    t:step("wait")
    t:expect(q, { { name = "SUCCESS", match = function() return true end } }, { within = 0.05 })
  end,
}
