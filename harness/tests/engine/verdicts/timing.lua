return {
  id = "engine-timing", requirements = { "KU-MK-01" }, clause = "engine",
  title = "an answer before not_before is a timing failure", role = "bmsc",
  run = function(t)
    local q = t:queue("peer")
    q:push({ what = "early" })
    t:expect(q, { { name = "any", match = function() return true end } }, { within = 1, not_before = 0.5 })
  end,
}
