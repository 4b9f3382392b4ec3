-- KU-BM-15: N concurrent UEs requesting keys -> every request answered, none lost, every
-- delivery valid. (A load requirement: the figures belong to the benchmark; this checks that
-- nothing is lost under a modest concurrent load.)
local mbms = require("mbms")

return {
  id = "bm15-concurrent",
  requirements = { "KU-BM-15" },
  clause = "6.3.2.2.1",
  title = "concurrent UEs -> every request answered, every delivery valid",
  role = "ue",
  tags = { "load" },
  timeout = 120,
  run = function(t)
    local svc = mbms.service(t)
    local btids = mbms.entitled(t, svc.id)
    if #btids < 2 then t:skip("n/a: fewer than 2 entitled subscribers") end
    local done = t:queue("done")
    local ues = {}
    for i, b in ipairs(btids) do ues[i] = mbms.ue(t, b, { ip = "127.0.0." .. (30 + i) }) end
    t:step(#ues .. " UEs register at once")
    for i, ue in ipairs(ues) do
      t:spawn(function()
        local ex = ue:register({ svc.id })
        done:push({ what = "registered", i = i, ex = ex })
      end, "ue" .. i)
    end
    for _ = 1, #ues do
      local _, ev = t:expect(done, { { name = "registered", match = function(e) return e.what == "registered" end } },
        { within = t.timer.T_request * 2 })
      ues[ev.i]:expect_causes(ev.ex, { "SUCCESS" }, "registration " .. ev.i)
    end
    t:step("every UE gets its valid push")
    for _, ue in ipairs(ues) do
      local push = ue:expect_mikey("msk_delivery", t.timer.T_delivery)
      if push.msg.v == 1 then ue:verify(push) end
    end
  end,
}
