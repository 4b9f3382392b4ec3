-- KU-BM-07: malformed bodies (bad XML, wrong media type, empty list) -> BAD_REQUEST or HTTP
-- 400, no MIKEY, and the server keeps serving.
local mbms = require("mbms")

return {
  id = "bm07-malformed",
  requirements = { "KU-BM-07" },
  clause = "6.3.2.2.1",
  title = "malformed key requests -> BAD_REQUEST / 400, no MIKEY, server still serves",
  role = "ue",
  tags = { "request", "robustness" },
  run = function(t)
    local svc = mbms.service(t)
    local ue = mbms.ue(t, mbms.pick(t, { entitled = svc.id }))
    local push = ue:join(svc)
    local x = t.profile.xml.msk_request
    local cases = {
      { "not XML", "<mskRequest", nil },
      { "wrong root element", '<?xml version="1.0"?><bogus xmlns="' .. x.ns .. '"/>', nil },
      { "empty key list", '<?xml version="1.0"?><' .. x.root .. ' xmlns="' .. x.ns .. '"/>', nil },
      { "wrong media type", mbms.bodies.msk_request(t.profile, { { kdid = svc.kdid, mskid = svc.msks[1].mskid } }),
        "text/plain" },
    }
    for _, c in ipairs(cases) do
      t:step(c[1])
      local ex = ue:post("msk", c[2], { content_type = c[3] })
      local bad = ex.status == 400 or (ex.status == 200 and ex.statuses and ex.statuses[1] and
        ex.statuses[1].cause == "BAD_REQUEST")
      if not bad then
        t:fail{ kind = ex.status == 200 and "unexpected-accept" or "wrong-cause", field = c[1],
          expected = "HTTP 400 or BAD_REQUEST", actual = "HTTP " .. tostring(ex.status) }
      end
    end
    ue:expect_no_mikey(t.timer.T_delivery)
    t:step("the server still serves a good request")
    ue:expect_causes(ue:request_keys({ { kdid = svc.kdid, mskid = "\x7f\xee\x00\x98" } }), { "UNKNOWN_KEY" }, "key request")
  end,
}
