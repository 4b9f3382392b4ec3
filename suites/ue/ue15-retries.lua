-- KU-UE-15: repeated failures -> retries bounded by the profile's limit (at most
-- retry.max_requests requests per key per retry.per_seconds).
local mbms = require("mbms")

return {
  id = "ue15-retries",
  requirements = { "KU-UE-15" },
  clause = "6.3.2.2.1",
  title = "repeated failures -> bounded retries",
  role = "bmsc",
  tags = { "request", "retry" },
  needs = { "join" },
  timeout = 200,
  run = function(t)
    local bmsc = mbms.bmsc(t)
    local svc = mbms.service(t)
    if #svc.msks < 2 then t:skip("n/a: the target's service has a single MSK") end
    local sub = bmsc:join_with_key(svc)
    local limit, window = t.profile.retry.max_requests, t.profile.retry.per_seconds
    t:step("every request for the next key fails; notices keep coming")
    local count, start = 0, t:now()
    while t:now() - start < t.sched:dur(window) do
      bmsc:pull(sub, { svc = svc, mskid = svc.msks[2].mskid })
      local ev = bmsc.http:pop(t.sched:now() + t.sched:dur(t.timer.W_spread + t.timer.T_request))
      if ev and ev.kind == "msk" then
        count = count + 1
        bmsc:answer_msk(ev, "SERVER_ERROR")
      end
    end
    t:log("%d requests for one key within %.3f s (limit %d)", count, t.sched:dur(window), limit)
    if count > limit then
      t:fail{ kind = "unexpected", field = "requests per key per window", expected = "at most " .. limit, actual = count }
    end
  end,
}
