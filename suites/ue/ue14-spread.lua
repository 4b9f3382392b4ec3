-- KU-UE-14: requests triggered by notices follow after a random delay in [0, W_spread]: over
-- >= 10 notices the delays span >= 30 % of W_spread and at most half of them fall in its first
-- tenth (rule 3). The measured delays are printed with the verdict.
local mbms = require("mbms")

return {
  id = "ue14-spread",
  requirements = { "KU-UE-14" },
  clause = "6.3.2.2.4",
  title = "notice-triggered requests are spread over W_spread",
  role = "bmsc",
  tags = { "notice", "spread" },
  needs = { "join" },
  timeout = 400,
  run = function(t)
    local bmsc = mbms.bmsc(t)
    local svc = mbms.service(t)
    if #svc.msks < 2 then t:skip("n/a: the target's service has a single MSK") end
    local sub = bmsc:join_with_key(svc)
    local W = t.timer.W_spread
    local delays = {}
    local per = t.profile.retry.max_requests
    for i = 1, 10 do
      -- The retry limit counts requests per key per window [D]: keep within it.
      if i > 1 and (i - 1) % per == 0 then t:sleep(t.profile.retry.per_seconds) end
      t:step("notice " .. i)
      local sent = t:now()
      bmsc:pull(sub, { svc = svc, mskid = svc.msks[2].mskid })
      local req = bmsc:expect_request("msk", W + t.timer.T_request)
      delays[i] = t:now() - sent
      -- Keep the UE without the new key, but holding the old one: it stays and asks again.
      bmsc:answer_msk(req, "NOT_AVAILABLE")
    end
    table.sort(delays)
    local wall = t.timers.W_spread
    local first_tenth = 0
    for _, x in ipairs(delays) do if x < wall / 10 then first_tenth = first_tenth + 1 end end
    local span = delays[#delays] - delays[1]
    local shown = {}
    for i, x in ipairs(delays) do shown[i] = string.format("%.3f", x) end
    t:log("delays (s): %s; span %.3f of W_spread %.3f; %d in the first tenth", table.concat(shown, " "), span, wall, first_tenth)
    if span < 0.3 * wall then
      t:fail{ kind = "timing", field = "spread of request delays", expected = string.format(">= %.3f s", 0.3 * wall),
        actual = string.format("%.3f s (%s)", span, table.concat(shown, " ")) }
    end
    if first_tenth > #delays / 2 then
      t:fail{ kind = "timing", field = "requests in the first tenth of W_spread", expected = "at most half",
        actual = string.format("%d of %d (%s)", first_tenth, #delays, table.concat(shown, " ")) }
    end
  end,
}
