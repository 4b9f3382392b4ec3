return {
  id = "engine-unexpected", requirements = { "KU-MK-01" }, clause = "engine",
  title = "an event matching no outcome fails, naming it; bytes are dumped", role = "bmsc",
  run = function(t)
    local q = t:queue("peer")
    q:push({ what = "delivery of a key", bytes = "\1\0\0\0ABC" })
    t:expect(q, { { name = "rejection", match = function(e) return e.what == "reject" end } },
      { within = 1, on_other = "unexpected-accept" })
  end,
}
