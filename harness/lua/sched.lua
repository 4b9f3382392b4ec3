--- sched: the one event loop. Tasks are coroutines; every wait names a deadline; the loop
-- waits in net.poll for the earliest of socket readiness and deadlines (STYLE.md 14).
--
-- Inside a task, blocking-looking calls (S:readable, S:sleep, queue:pop) yield to the loop.
-- Time is scaled: every duration a scenario passes goes through S:dur(), so that
-- --time-scale 0.1 runs a 10 s window in 1 s.
local M = {}
local Sched = {}
Sched.__index = Sched

--- A new scheduler over the mbms.net module (net.poll, net.now), with a time scale.
function M.new(net, scale)
  return setmetatable({ net = net, scale = scale or 1, tasks = {}, nextid = 1 }, Sched)
end

function Sched:now() return self.net.now() end

--- A profile duration (seconds) as scaled wall time.
function Sched:dur(seconds) return seconds * self.scale end

--- Starts a task; hook(co) may install a budget. Returns the task record.
function Sched:spawn(fn, name, hook)
  local co = coroutine.create(fn)
  if hook then hook(co) end
  local task = { co = co, name = name or ("task" .. self.nextid), wait = { kind = "ready" } }
  self.nextid = self.nextid + 1
  self.tasks[#self.tasks + 1] = task
  return task
end

--- Waits until sock is readable ("r") or writable ("w"), or until the absolute deadline.
-- Returns true, or nil, "timeout".
function Sched:wait(sock, mode, deadline)
  assert(deadline, "sched: every wait needs a deadline")
  return coroutine.yield({ kind = "io", sock = sock, mode = mode or "r", deadline = deadline })
end

--- Sleeps for a scaled duration.
function Sched:sleep(seconds)
  return coroutine.yield({ kind = "sleep", deadline = self:now() + self:dur(seconds) })
end

--- Waits on a condition variable (see queue) until signalled or the deadline.
function Sched:wait_signal(cond, deadline)
  assert(deadline, "sched: every wait needs a deadline")
  return coroutine.yield({ kind = "cond", cond = cond, deadline = deadline })
end

--- Waits until any of the condition variables in the array conds is signalled, or the deadline
-- (an expectation watching a queue and the live capture at once).
function Sched:wait_any(conds, deadline)
  assert(deadline, "sched: every wait needs a deadline")
  local set = {}
  for _, c in ipairs(conds) do set[c] = true end
  return coroutine.yield({ kind = "cond", conds = set, deadline = deadline })
end

--- Wakes every task waiting on cond.
function Sched:signal(cond)
  for _, t in ipairs(self.tasks) do
    local w = t.wait
    if w.kind == "cond" and (w.cond == cond or (w.conds and w.conds[cond])) then
      t.wait = { kind = "ready", value = true }
    end
  end
end

local function resume(self, task, ...)
  local ok, req = coroutine.resume(task.co, ...)
  if not ok then
    task.done, task.err = true, req
    task.trace = debug.traceback(task.co, tostring(req))
    -- An error in a side task ends the run: a scenario must not pass over a broken peer.
    if not self.failed then self.failed = task end
  elseif coroutine.status(task.co) == "dead" then
    task.done, task.result = true, req
  else
    task.wait = req
  end
end

--- Runs the loop until `main` finishes or the absolute deadline passes. Other tasks are
-- abandoned then (their sockets are the caller's to close). Returns true, or nil and
-- "deadline" / the main task's error.
function Sched:run(main, deadline)
  while not main.done do
    if self.failed and self.failed ~= main then
      local f = self.failed
      return nil, f.err, "in task " .. f.name .. ": " .. tostring(f.trace)
    end
    local now = self:now()
    if now > deadline then return nil, "deadline" end
    -- Resume everything runnable or past its deadline.
    local progressed = false
    for _, t in ipairs(self.tasks) do
      if not t.done then
        local w = t.wait
        if w.kind == "ready" then
          progressed = true
          resume(self, t, w.value)
        elseif w.deadline and now >= w.deadline then
          progressed = true
          if w.kind == "sleep" then resume(self, t, true) else resume(self, t, nil, "timeout") end
        end
      end
    end
    -- Drop finished side tasks; keep main.
    local live = {}
    for _, t in ipairs(self.tasks) do
      if not t.done or t == main then live[#live + 1] = t end
    end
    self.tasks = live
    if not progressed and not main.done then
      local entries, owners, first = {}, {}, deadline
      for _, t in ipairs(self.tasks) do
        local w = t.wait
        if not t.done then
          if w.kind == "io" then
            -- A socket closed under a waiting task (by a cleanup, say) ends that wait. Anything
            -- with an fd() method can be waited on (sockets, live captures).
            local okfd, fd = pcall(w.sock.fd, w.sock)
            if okfd then
              entries[#entries + 1] = { fd, w.mode }
              owners[#entries] = t
            else
              t.wait = { kind = "ready", value = nil }
            end
          end
          if w.deadline and w.deadline < first then first = w.deadline end
        end
      end
      local timeout = math.max(0, first - self:now())
      local ready, err = self.net.poll(entries, timeout)
      if not ready then return nil, "poll: " .. tostring(err) end
      for _, r in ipairs(ready) do
        local t = owners[r.index]
        if t.wait.kind == "io" then t.wait = { kind = "ready", value = true } end
      end
    end
  end
  if main.err then return nil, main.err, main.trace end
  return true
end

--- A FIFO of events that tasks push to and pop from with deadlines.
function M.queue(S, name)
  local q = { items = {}, name = name, cond = {} }
  function q:push(ev)
    self.items[#self.items + 1] = ev
    S:signal(self.cond)
  end
  --- Pops the first event (optionally the first satisfying pred) before the deadline, or
  -- returns nil, "timeout".
  function q:pop(deadline, pred)
    while true do
      for i, ev in ipairs(self.items) do
        if not pred or pred(ev) then
          table.remove(self.items, i)
          return ev
        end
      end
      if S:now() >= deadline then return nil, "timeout" end
      S:wait_signal(self.cond, deadline)
    end
  end
  function q:peek_all() return self.items end
  return q
end

return M
