--- testctx: the `t` handed to a scenario's run(t) — steps, expectations, verdicts.
--
-- Verdicts (h2spec/tlsfuzzer style): pass; fail with a kind (wrong-cause, unexpected-accept,
-- no-response, timing, field-mismatch, unexpected); inconclusive (a precondition was not met);
-- skip (not applicable); error (harness, SUT crash, Lua error). Every failure has one shape
-- (STYLE.md 13): "<id> <file>:<line>: <step>: <field>: expected X vs actual Y".
local M = {}

local VERDICT = {}
M.VERDICT = VERDICT

M.FAIL_KINDS = {
  ["wrong-cause"] = true, ["unexpected-accept"] = true, ["no-response"] = true,
  ["timing"] = true, ["field-mismatch"] = true, ["unexpected"] = true,
}

--- True when v is a verdict raised by a scenario (not a Lua error).
function M.is_verdict(v) return getmetatable(v) == VERDICT end

local T = {}
T.__index = T

--- Creates the context of one scenario run.
-- o: scenario, sched, profile, target, seed, trace (array to append lines to)
function M.new(o)
  local t = setmetatable({
    scenario = o.scenario, sched = o.sched, profile = o.profile, target = o.target,
    seed = o.seed, trace = o.trace or {}, current_step = "(start)", started = o.sched:now(),
    until_ = o.until_ or (o.sched:now() + 3600), cleanups = {},
  }, T)
  -- Timers of the profile, scaled to wall seconds (key-update.md §2.6).
  t.timers = {}
  for k, v in pairs(o.profile.timers or {}) do t.timers[k] = o.sched:dur(v) end
  t.timer = o.profile.timers or {}
  -- A per-scenario random source: same seed, same scenario -> same choices.
  local state = o.seed
  for i = 1, #o.scenario.id do state = (state * 31 + o.scenario.id:byte(i)) % 2147483647 end
  t.rng_state = state == 0 and 1 or state
  return t
end

--- Deterministic pseudo-random integer in [lo, hi] (Park-Miller), seeded per scenario.
function T:random(lo, hi)
  self.rng_state = (self.rng_state * 48271) % 2147483647
  return lo + self.rng_state % (hi - lo + 1)
end

--- The scenario file's line currently executing (for failure messages).
function T:where()
  local src = "@" .. self.scenario.path
  for level = 2, 40 do
    local info = debug.getinfo(level, "Sl")
    if not info then break end
    if info.source == src then return self.scenario.path .. ":" .. info.currentline end
  end
  return self.scenario.path .. ":?"
end

local function stamp(self)
  return string.format("%8.3f", self.sched:now() - self.started)
end

--- Starts a named step of the procedure.
function T:step(name)
  self.current_step = name
  self.trace[#self.trace + 1] = stamp(self) .. " step: " .. name
end

--- Adds a line to the step trace.
function T:log(fmt, ...)
  self.trace[#self.trace + 1] = stamp(self) .. "   " .. string.format(fmt, ...)
end

local function raise(self, v)
  v.step = v.step or self.current_step
  v.where = v.where or self:where()
  v.elapsed = self.sched:now() - self.started
  error(setmetatable(v, VERDICT), 0)
end

--- Fails the scenario. f: {kind=, field=, expected=, actual=, message=, bytes=}.
function T:fail(f)
  if type(f) == "string" then f = { kind = "unexpected", message = f } end
  if not M.FAIL_KINDS[f.kind] then error("t:fail: unknown failure kind '" .. tostring(f.kind) .. "'", 2) end
  f.verdict = "fail"
  raise(self, f)
end

--- Not applicable to this target (e.g. it has no trigger this scenario needs).
function T:skip(reason) raise(self, { verdict = "skip", message = reason }) end

--- A precondition was not met; says nothing about conformance.
function T:inconclusive(reason) raise(self, { verdict = "inconclusive", message = reason }) end

--- A harness or environment error (not the SUT's fault as far as can be told).
function T:error(reason) raise(self, { verdict = "error", kind = "harness", message = reason }) end

--- Fails with field-mismatch unless expected == actual.
function T:expect_eq(field, expected, actual, kind)
  if expected ~= actual then
    self:fail{ kind = kind or "field-mismatch", field = field, expected = expected, actual = actual }
  end
end

--- Absolute deadline after a profile duration (scaled).
function T:deadline(seconds) return self.sched:now() + self.sched:dur(seconds) end

--- Monotonic seconds since the scenario started (wall time, not profile time).
function T:now() return self.sched:now() - self.started end

--- Sleeps a profile duration (scaled).
function T:sleep(seconds) return self.sched:sleep(seconds) end

--- Evidence (--pcap-dir): records a UDP datagram the harness sent or received, with the real
-- addresses and ports, into this scenario's capture. A no-op without a capture.
function T:capture_udp(src, sport, dst, dport, payload)
  if not self.capture then return end
  local ok, err = self.capture:udp{ src = src, sport = sport, dst = dst, dport = dport, payload = payload,
    time = self.sched.net.wall() }
  if not ok then self:log("capture: %s", tostring(err)) end
end

--- Evidence for TCP: `flow` is a table the caller keeps per connection with its addresses
-- (src, sport, dst, dport from the harness's side); sequence numbers are synthesized per
-- direction so that Wireshark reassembles the HTTP exchange. out: true when the harness sent.
function T:capture_tcp(flow, out, payload)
  if not self.capture or #payload == 0 then return end
  flow.seq_out, flow.seq_in = flow.seq_out or 1, flow.seq_in or 1
  local rec
  if out then
    rec = { src = flow.src, sport = flow.sport, dst = flow.dst, dport = flow.dport,
      seq = flow.seq_out, ack = flow.seq_in, payload = payload }
    flow.seq_out = (flow.seq_out + #payload) % 4294967296
  else
    rec = { src = flow.dst, sport = flow.dport, dst = flow.src, dport = flow.sport,
      seq = flow.seq_in, ack = flow.seq_out, payload = payload }
    flow.seq_in = (flow.seq_in + #payload) % 4294967296
  end
  rec.flags, rec.time = 0x18, self.sched.net.wall()
  local ok, err = self.capture:tcp(rec)
  if not ok then self:log("capture: %s", tostring(err)) end
end

--- Records a wire-format violation (KU-MK-*) seen in a message from the SUT. Violations do
-- not stop the scenario where they are seen (a background receiver may see them); the runner
-- turns the first one into a failure when the scenario would otherwise pass.
function T:wire_violation(field, actual, bytes)
  self.wire = self.wire or {}
  self.wire[#self.wire + 1] = { kind = "field-mismatch", field = field, expected = "conforming to the profile",
    actual = actual, bytes = bytes, step = self.current_step, where = self.scenario.path .. ":(received)" }
  self:log("wire: %s: %s", field, actual)
end

--- Registers fn to run when the scenario ends, whatever its verdict (sockets, processes).
function T:cleanup(fn) self.cleanups[#self.cleanups + 1] = fn end

--- Runs the registered cleanups, last first; errors in them are logged, not raised.
function T:run_cleanups()
  for i = #self.cleanups, 1, -1 do
    local ok, err = pcall(self.cleanups[i])
    if not ok then self:log("cleanup failed: %s", tostring(err)) end
  end
  self.cleanups = {}
end

--- A new event queue (see sched.queue) for peers of this scenario to push events to.
function T:queue(name)
  return require("sched").queue(self.sched, name)
end

--- Runs fn(t) as a concurrent task of this scenario.
function T:spawn(fn, name)
  return self.sched:spawn(function() return fn(self) end, name, self.hook)
end

--- Waits for an event on queue q that is one of the acceptable outcomes.
-- outcomes: array of {name=, match=function(ev) -> bool}, in order of preference.
-- opts: within (profile seconds, required), not_before (profile seconds), ignore(ev) -> bool,
--       describe(ev) -> string, on_timeout = failure kind (default "no-response"),
--       on_other = failure kind for an event matching no outcome (default "unexpected").
-- Returns the outcome name and the event; fails otherwise (early stop on the first event
-- that decides).
function T:expect(q, outcomes, opts)
  assert(opts and opts.within, "t:expect needs opts.within (every wait has a deadline)")
  local start = self.sched:now()
  local deadline = start + self.sched:dur(opts.within)
  local names = {}
  for i, o in ipairs(outcomes) do names[i] = o.name end
  local want = table.concat(names, " or ")
  while true do
    local ev = q:pop(deadline)
    -- Ignored events are consumed (and logged), so a later expectation does not see them.
    while ev and opts.ignore and opts.ignore(ev) do
      self:log("%s: ignored %s", q.name, opts.describe and opts.describe(ev) or tostring(ev.what or ev))
      ev = q:pop(deadline)
    end
    if not ev then
      self:fail{ kind = opts.on_timeout or "no-response", field = q.name, expected = want,
        actual = string.format("nothing within %.3f s", self.sched:dur(opts.within)) }
    end
    for _, o in ipairs(outcomes) do
      if o.match(ev) then
        local at = self.sched:now() - start
        if opts.not_before and at < self.sched:dur(opts.not_before) then
          self:fail{ kind = "timing", field = q.name .. " " .. o.name, bytes = ev.bytes,
            expected = string.format("not before %.3f s", self.sched:dur(opts.not_before)),
            actual = string.format("%.3f s", at) }
        end
        self:log("%s: %s after %.3f s", q.name, o.name, at)
        return o.name, ev
      end
    end
    self:fail{ kind = opts.on_other or "unexpected", field = q.name, expected = want,
      actual = opts.describe and opts.describe(ev) or tostring(ev.what or ev), bytes = ev.bytes }
  end
end

--- Fails if any (not ignored) event arrives on q within the profile duration.
-- opts: ignore(ev), kind (failure kind, default "unexpected"), describe(ev).
function T:expect_silence(q, seconds, opts)
  opts = opts or {}
  local deadline = self.sched:now() + self.sched:dur(seconds)
  local ev = q:pop(deadline)
  while ev and opts.ignore and opts.ignore(ev) do ev = q:pop(deadline) end
  if ev then
    self:fail{ kind = opts.kind or "unexpected", field = q.name,
      expected = string.format("silence for %.3f s", self.sched:dur(seconds)),
      actual = opts.describe and opts.describe(ev) or tostring(ev.what or ev), bytes = ev.bytes }
  end
  self:log("%s: silent for %.3f s", q.name, self.sched:dur(seconds))
end

-- Live capture (run --capture-iface) ---------------------------------------------------------
--
-- With a live capture the runner attaches the handle before the scenario starts (t.live); a
-- task of the scheduler drains it whenever its descriptor is readable, so packets are taken
-- while the scenario waits on anything. Each packet table is the one mbms.capture gives (proto
-- "udp", "tcp", "igmp", "mld", "other", "malformed"; src, dst, sport, dport, membership, ...)
-- plus seq (1, 2, ... in the scenario) and at (seconds since the scenario started).

--- Packets a scenario keeps for its assertions; older ones are dropped beyond this (the
-- evidence file keeps them all).
M.LIVE_KEEP = 20000

local SPEC_KEYS = { proto = true, src = true, dst = true, sport = true, dport = true, ip_proto = true,
  join = true, leave = true, block = true, group = true, match = true }

--- True when live packet p matches spec: equal proto, src, dst, sport, dport, ip_proto; join=,
-- leave=, block= (a group address, or true for any) for an IGMP/MLD record with that action;
-- group= for a membership message naming the group; match = function(p) -> bool.
function M.live_match(p, spec)
  for k, v in pairs(spec) do
    if not SPEC_KEYS[k] then error("live packet spec: unknown field '" .. tostring(k) .. "'", 3) end
  end
  for _, k in ipairs({ "proto", "src", "dst", "sport", "dport", "ip_proto" }) do
    if spec[k] ~= nil and p[k] ~= spec[k] then return false end
  end
  local m = p.membership
  for _, action in ipairs({ "join", "leave", "block" }) do
    local want = spec[action]
    if want ~= nil then
      local found = false
      for _, r in ipairs(m and m.records or {}) do
        if r.action == action and (want == true or r.group == want) then found = true end
      end
      if not found then return false end
    end
  end
  if spec.group ~= nil then
    local found = m ~= nil and m.group == spec.group
    for _, r in ipairs(m and m.records or {}) do found = found or r.group == spec.group end
    if not found then return false end
  end
  if spec.match and not spec.match(p) then return false end
  return true
end

--- A spec as text for failure messages: "proto=igmp leave=239.1.2.3".
function M.describe_spec(spec)
  local parts = {}
  for _, k in ipairs({ "proto", "src", "dst", "sport", "dport", "ip_proto", "join", "leave", "block", "group" }) do
    if spec[k] ~= nil then parts[#parts + 1] = k .. "=" .. tostring(spec[k]) end
  end
  if spec.match then parts[#parts + 1] = "match=(function)" end
  return #parts > 0 and table.concat(parts, " ") or "any packet"
end

--- A live packet as one line: "IGMPv3 membership report 0.0.0.0 -> 224.0.0.22: leave 239.1.2.3".
function M.describe_packet(p)
  if p.membership then
    local recs = {}
    for _, r in ipairs(p.membership.records) do recs[#recs + 1] = r.action .. " " .. r.group end
    return string.format("%s %s -> %s%s", p.membership.type_name, tostring(p.src), tostring(p.dst),
      #recs > 0 and (": " .. table.concat(recs, ", ")) or "")
  end
  if p.proto == "udp" or p.proto == "tcp" then
    return string.format("%s %s:%d -> %s:%d (%d bytes)", p.proto, p.src, p.sport, p.dst, p.dport,
      #(p.payload or ""))
  end
  if p.proto == "malformed" then return "malformed frame: " .. tostring(p.error) end
  return string.format("%s %s -> %s", p.proto, tostring(p.src or "?"), tostring(p.dst or "?"))
end

--- Attaches a live capture handle (mbms.capture.live) to this scenario, with an optional
-- writer for the evidence file, and starts the task that drains it. Called by the runner.
function T:live_attach(h, writer, iface)
  local live = { h = h, w = writer, iface = iface, packets = {}, first = 1, last = 0, consumed = 0,
    cond = {} }
  self.live = live
  self.sched:spawn(function()
    while not live.closed do
      if not self.sched:wait(h, "r", self.until_) then return end
      self:live_drain()
    end
  end, "live-capture")
end

--- Takes every pending live packet (never waits): into the evidence file, the scenario's
-- list, and to the expectations waiting for one. Returns how many were taken.
function T:live_drain()
  local live = self.live
  if not live or live.closed then return 0 end
  local n = 0
  while true do
    local p, err = live.h:next()
    if p == nil then break end
    if p == false then
      self:log("live capture on %s: %s", live.iface, tostring(err))
      break
    end
    n = n + 1
    if live.w then
      local ok, werr = live.w:write(p)
      if not ok then
        self:log("live capture: %s (no more packets written)", tostring(werr))
        pcall(live.w.close, live.w)
        live.w = nil
      end
    end
    live.last = live.last + 1
    p.seq, p.at = live.last, self.sched:now() - self.started
    live.packets[live.last] = p
    if live.last - live.first + 1 > M.LIVE_KEEP then
      live.packets[live.first] = nil
      live.first = live.first + 1
    end
  end
  if n > 0 then self.sched:signal(live.cond) end
  return n
end

--- Raises a harness error unless the run captures live (the scenario cannot decide otherwise).
function T:live_required(why)
  if not self.live then
    raise(self, { verdict = "error", kind = "capture", message = (why and (why .. ": ") or "") ..
      "this check observes live traffic; run with --capture-iface IFACE (e.g. --capture-iface lo)" })
  end
  return self.live
end

--- True when the run captures live (run --capture-iface).
function T:has_live() return self.live ~= nil end

--- The position after the last live packet seen so far (for opts.since of the calls below).
function T:live_mark()
  self:live_required()
  self:live_drain()
  return self.live.last
end

--- The first kept live packet after position since (a mark) matching spec, or nil. Drains first.
function T:live_first(spec, since)
  local live = self:live_required()
  self:live_drain()
  for i = math.max(live.first, (since or 0) + 1), live.last do
    local p = live.packets[i]
    if M.live_match(p, spec) then return p end
  end
  return nil
end

--- Every kept live packet of this scenario matching spec (see live_match), oldest first.
-- opts.since: only packets after that mark.
function T:live_packets(spec, opts)
  local live = self:live_required()
  self:live_drain()
  local out = {}
  for i = math.max(live.first, (opts and opts.since or 0) + 1), live.last do
    if M.live_match(live.packets[i], spec or {}) then out[#out + 1] = live.packets[i] end
  end
  return out
end

--- Waits for a live packet matching spec. opts: within (profile seconds, required), since (a
-- mark; default: after the packet the previous expect_live returned, so that like a queue a
-- packet that came before the call counts), describe (text for spec), on_timeout (failure
-- kind, default "no-response"). Returns the packet.
function T:expect_live(spec, opts)
  assert(opts and opts.within, "t:expect_live needs opts.within (every wait has a deadline)")
  local live = self:live_required()
  local start = self.sched:now()
  local deadline = start + self.sched:dur(opts.within)
  local since = opts.since or live.consumed
  local want = opts.describe or M.describe_spec(spec)
  while true do
    local p = self:live_first(spec, since)
    if p then
      live.consumed = math.max(live.consumed, p.seq)
      self:log("live %s: %s after %.3f s", live.iface, M.describe_packet(p), self.sched:now() - start)
      return p
    end
    if self.sched:now() >= deadline then
      self:fail{ kind = opts.on_timeout or "no-response", field = "live " .. live.iface, expected = want,
        actual = string.format("nothing within %.3f s (%d live packets seen)", self.sched:dur(opts.within),
          live.last) }
    end
    self.sched:wait_signal(live.cond, deadline)
  end
end

--- Fails if a live packet matching spec is seen within the profile duration: like
-- expect_silence on a queue, also one that came before the call and no expect_live took
-- (opts.since: only after that mark). opts: kind (default "unexpected"), describe.
function T:expect_no_live(spec, seconds, opts)
  opts = opts or {}
  local live = self:live_required()
  local since = opts.since or live.consumed
  local deadline = self.sched:now() + self.sched:dur(seconds)
  while true do
    local p = self:live_first(spec, since)
    if p then
      self:fail{ kind = opts.kind or "unexpected", field = "live " .. live.iface,
        expected = string.format("no %s for %.3f s", opts.describe or M.describe_spec(spec), self.sched:dur(seconds)),
        actual = M.describe_packet(p), bytes = p.frame }
    end
    if self.sched:now() >= deadline then break end
    self.sched:wait_signal(live.cond, deadline)
  end
  self:log("live %s: no %s for %.3f s", live.iface, opts.describe or M.describe_spec(spec), self.sched:dur(seconds))
end

--- Ends the live capture: takes what is pending, closes handle and evidence file, returns
-- the capture statistics (or nil, msg). Called by the runner.
function T:live_close()
  local live = self.live
  if not live or live.closed then return nil end
  self:live_drain()
  local st, serr = live.h:stats()
  live.closed = true
  pcall(live.h.close, live.h)
  if live.w then
    local ok, werr = live.w:close()
    if not ok then self.trace[#self.trace + 1] = "live capture: " .. tostring(werr) end
  end
  return st, serr
end

--- The one failure shape, plus a hex dump of the message concerned.
function M.format(id, v)
  local head
  if v.verdict == "fail" then
    head = string.format("%s %s: %s: %s: expected %s vs actual %s", id, v.where or "?", v.step or "?",
      v.field or v.kind, tostring(v.expected or v.message or "?"), tostring(v.actual or "?"))
    if v.message and v.expected then head = head .. " (" .. v.message .. ")" end
  else
    head = string.format("%s %s: %s: %s", id, v.where or "?", v.step or "?", tostring(v.message))
  end
  if v.bytes and #v.bytes > 0 then
    local lines = {}
    for off = 0, #v.bytes - 1, 16 do
      local chunk = v.bytes:sub(off + 1, off + 16)
      lines[#lines + 1] = string.format("  %04x  %s", off,
        (chunk:gsub(".", function(c) return string.format("%02x ", c:byte()) end)))
    end
    head = head .. "\n" .. table.concat(lines, "\n")
  end
  return head
end

return M
