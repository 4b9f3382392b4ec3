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
