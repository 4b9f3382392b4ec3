-- Expectations: an event pushed by a concurrent task is matched; silence holds; a wait with
-- nothing coming fails as no-response (checked by the next scenario).
return {
  id = "engine-expect", requirements = { "KU-MK-01" }, clause = "engine",
  title = "expect matches sets of outcomes; expect_silence", role = "bmsc",
  run = function(t)
    local q = t:queue("peer")
    t:spawn(function(tt)
      tt:sleep(0.05)
      q:push({ what = "noise" })
      q:push({ what = "answer", code = 404 })
    end)
    t:step("wait for the answer")
    local name, ev = t:expect(q, {
      { name = "UNKNOWN_KEY", match = function(e) return e.code == 404 end },
      { name = "NOT_AUTHORIZED", match = function(e) return e.code == 401 end },
    }, { within = 2, ignore = function(e) return e.what == "noise" end })
    t:expect_eq("outcome", "UNKNOWN_KEY", name)
    t:expect_eq("code", 404, ev.code)
    t:step("silence")
    t:expect_silence(q, 0.05)
  end,
}
