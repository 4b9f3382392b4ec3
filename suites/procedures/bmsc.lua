--- Procedures shared by the BM-SC suite (the harness plays UEs): one requirement's stimulus
-- and observation each, parametrized by the variant a scenario file names.
local mbms = require("mbms")

local P = {}

local function status_fail(t, what, want, ex)
  t:expect_eq(what .. ": HTTP status", want, ex.status, ex.status == 200 and "unexpected-accept" or "wrong-cause")
end

--- KU-BM-01: a request of `kind` ("register", "msk", "deregister") without credentials is
-- answered 401 with a Digest challenge, and no key material follows.
function P.no_credentials(t, kind)
  local svc = mbms.service(t)
  local ue = mbms.ue(t, mbms.pick(t, { entitled = svc.id }))
  if kind == "msk" or kind == "deregister" then ue:join(svc) end
  t:step(kind .. " request without answering the challenge")
  local ex
  if kind == "register" then ex = ue:register({ svc.id }, { auth = false })
  elseif kind == "deregister" then ex = ue:deregister({ svc.id }, { auth = false })
  else ex = ue:request_keys({ { kdid = svc.kdid, mskid = svc.msks[1].mskid } }, { auth = false }) end
  status_fail(t, kind, 401, ex)
  local ch = ex.response.header["www-authenticate"] or ""
  t:expect_eq("challenge scheme", "digest", (ch:match("^%s*(%a+)") or ""):lower())
  t:step("no key material follows")
  ue:expect_no_mikey(t.timer.T_delivery)
end

--- KU-BM-02: credentials refused with 401: mode "wrong-mrk", "unknown-btid", "expired-btid".
function P.bad_credentials(t, mode)
  local svc = mbms.service(t)
  local ue
  t:step(mode)
  local ex
  if mode == "expired-btid" then
    -- An expired identity answers with its own, correct MRK: only expiry can refuse it.
    ue = mbms.ue(t, mbms.pick(t, { expired = true }))
    ex = ue:register({ svc.id })
  else
    ue = mbms.ue(t, mbms.pick(t, { entitled = svc.id }))
    local creds = mode == "wrong-mrk" and { password = "d3JvbmcgcGFzc3dvcmQ=" } or { username = "B-TID-unknown@bsf.example.org" }
    ex = ue:register({ svc.id }, { credentials = creds })
  end
  status_fail(t, mode, 401, ex)
  ue:expect_no_mikey(t.timer.T_delivery)
end

--- KU-BM-07: a malformed key request is answered 400 (or BAD_REQUEST), nothing is delivered,
-- and the server goes on serving. case: "not-xml", "wrong-root", "wrong-namespace",
-- "empty-list", "wrong-media-type", "bad-hex".
function P.malformed(t, case)
  local svc = mbms.service(t)
  local ue = mbms.ue(t, mbms.pick(t, { entitled = svc.id }))
  ue:join(svc)
  local x = t.profile.xml.msk_request
  local good = mbms.bodies.msk_request(t.profile, { { kdid = svc.kdid, mskid = svc.msks[1].mskid } })
  local bodies = {
    ["not-xml"] = "<" .. x.root,
    ["wrong-root"] = '<?xml version="1.0"?><bogus xmlns="' .. x.ns .. '"/>',
    ["wrong-namespace"] = '<?xml version="1.0"?><' .. x.root .. ' xmlns="urn:example:not-mbms"><' .. x.item .. ' ' ..
      x.kdid_attr .. '="00f110" ' .. x.mskid_attr .. '="00010002"/></' .. x.root .. '>',
    ["empty-list"] = '<?xml version="1.0"?><' .. x.root .. ' xmlns="' .. x.ns .. '"/>',
    ["wrong-media-type"] = good,
    ["bad-hex"] = '<?xml version="1.0"?><' .. x.root .. ' xmlns="' .. x.ns .. '"><' .. x.item .. ' ' ..
      x.kdid_attr .. '="zz" ' .. x.mskid_attr .. '="00010002"/></' .. x.root .. '>',
  }
  t:step(case)
  local ex = ue:post("msk", bodies[case], { content_type = case == "wrong-media-type" and "text/plain" or nil })
  local bad = ex.status == 400 or (ex.status == 200 and ex.statuses and ex.statuses[1] and
    ex.statuses[1].cause == "BAD_REQUEST")
  if not bad then
    t:fail{ kind = ex.status == 200 and "unexpected-accept" or "wrong-cause", field = case,
      expected = "HTTP 400 or BAD_REQUEST", actual = "HTTP " .. tostring(ex.status) }
  end
  ue:expect_no_mikey(t.timer.T_delivery)
  t:step("the server still serves a good request")
  ue:expect_causes(ue:request_keys({ { kdid = svc.kdid, mskid = "\x7f\xee\x00\x98" } }), { "UNKNOWN_KEY" }, "key request")
end

--- KU-BM-06: NOT_AUTHORIZED and no MIKEY: mode "not-registered" (key request without
-- registration), "not-entitled" (registration by a subscriber not entitled), "other-service"
-- (registered for one service, asking for another service's key).
function P.not_authorized(t, mode)
  local svc = mbms.service(t)
  t:step(mode)
  if mode == "not-entitled" then
    local ue = mbms.ue(t, mbms.pick(t, { not_entitled = svc.id }))
    ue:expect_causes(ue:register({ svc.id }), { "NOT_AUTHORIZED" }, "registration")
    ue:expect_no_mikey(t.timer.T_delivery)
    return
  end
  local ue = mbms.ue(t, mbms.pick(t, { entitled = svc.id }))
  local key = { kdid = svc.kdid, mskid = svc.msks[1].mskid }
  if mode == "other-service" then
    local other
    for _, s in ipairs(t.target.services) do if s.id ~= svc.id then other = mbms.service(t, s.id) end end
    if not other then t:skip("n/a: the target declares a single service") end
    ue:join(svc)
    key = { kdid = other.kdid, mskid = other.msks[1].mskid }
  end
  ue:expect_causes(ue:request_keys({ key }), { "NOT_AUTHORIZED" }, "key request")
  ue:expect_no_mikey(t.timer.T_delivery)
end

--- KU-BM-05: UNKNOWN_KEY and no MIKEY: mode "mskid" (unknown MSK ID) or "kdid" (unknown Key
-- Domain ID with a known MSK ID).
function P.unknown_key(t, mode)
  local svc = mbms.service(t)
  local ue = mbms.ue(t, mbms.pick(t, { entitled = svc.id }))
  ue:join(svc)
  t:step("request a key with an unknown " .. mode)
  local key = mode == "kdid" and { kdid = "\x09\x99\x99", mskid = svc.msks[1].mskid }
    or { kdid = svc.kdid, mskid = "\x7f\xee\x00\x99" }
  ue:expect_causes(ue:request_keys({ key }), { "UNKNOWN_KEY" }, "key request")
  ue:expect_no_mikey(t.timer.T_delivery)
end

--- KU-BM-12: after deregistration: mode "request" (key requests NOT_AUTHORIZED, no push) or
-- "rotation" (no notice reaches the deregistered UE when the key changes).
function P.after_deregistration(t, mode)
  local svc = mbms.service(t)
  local ue = mbms.ue(t, mbms.pick(t, { entitled = svc.id }))
  ue:join(svc)
  t:step("deregister")
  ue:expect_causes(ue:deregister({ svc.id }), { "SUCCESS" }, "deregistration")
  if mode == "request" then
    t:step("a key request is now refused")
    ue:expect_causes(ue:request_keys({ { kdid = svc.kdid, mskid = svc.msks[1].mskid } }), { "NOT_AUTHORIZED" }, "key request")
    ue:expect_no_mikey(t.timer.T_delivery)
  else
    t:step("rotate the key: the deregistered UE gets no notice")
    mbms.trigger(t, "rotate", { service = svc.id })
    ue:expect_no_mikey(t.timer.W_spread + t.timer.T_delivery)
  end
end

return P
