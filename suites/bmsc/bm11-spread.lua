-- KU-BM-11: a key change with N >= 3 registered UEs -> every UE gets a notice (or push),
-- spread over W_spread: no tenth of the window holds more than max(1, ceil(N/5)) of them.
-- The UEs are emulated on distinct loopback addresses (127.0.0.11, .12, ...), since a BM-SC
-- answers a UE at the address its requests came from.
local mbms = require("mbms")

return {
  id = "bm11-spread",
  requirements = { "KU-BM-11" },
  clause = "6.3.2.2.4",
  title = "rotation with N registered UEs -> notices spread over W_spread",
  role = "ue",
  tags = { "notice", "spread" },
  needs = { "rotate" },
  timeout = 120,
  run = function(t)
    local svc = mbms.service(t)
    local btids = mbms.entitled(t, svc.id)
    if #btids < 3 then t:skip("n/a: the target declares fewer than 3 subscribers entitled to " .. svc.id) end
    if #btids > 10 then btids = { table.unpack(btids, 1, 10) } end
    local ues = {}
    for i, b in ipairs(btids) do
      local ue = mbms.ue(t, b, { ip = "127.0.0." .. (10 + i) })
      ues[i] = ue
      t:step("UE " .. i .. " registers")
      ue:expect_causes(ue:register({ svc.id }), { "SUCCESS" }, "registration " .. i)
      local push = ue:expect_mikey("msk_delivery", t.timer.T_delivery)
      if push.msg.v == 1 then ue:verify(push) end
    end
    t:sleep(0.2)
    t:step("rotate the service's key")
    local start = t.sched:now()
    mbms.trigger(t, "rotate", { service = svc.id })
    local W = t.timers.W_spread
    local at = {}
    for i, ue in ipairs(ues) do
      local _, ev = t:expect(ue.mikey, { { name = "notice", match = function(e)
          return e.kind == "solicited_pull" or e.kind == "msk_delivery" end } },
        { within = t.timer.W_spread + t.timer.T_delivery, describe = function(e) return e.what end })
      ue:check_wire(ev)
      at[i] = ev.time - start
    end
    -- Arrival times are taken when each event was queued (not when it was looked at).
    local bins, shown = {}, {}
    for i, x in ipairs(at) do
      local b = math.min(9, math.floor(x / (W / 10)))
      bins[b] = (bins[b] or 0) + 1
      shown[i] = string.format("%.3f", x)
    end
    local limit = math.max(1, math.ceil(#ues / 5))
    local worst = 0
    for _, n in pairs(bins) do worst = math.max(worst, n) end
    t:log("notice times (s after rotate): %s; W_spread %.3f; most in one tenth: %d (limit %d)",
      table.concat(shown, " "), W, worst, limit)
    if worst > limit then
      t:fail{ kind = "timing", field = "notices in one tenth of W_spread", expected = "at most " .. limit,
        actual = string.format("%d (times %s)", worst, table.concat(shown, " ")) }
    end
  end,
}
