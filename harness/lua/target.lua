--- target: how to reach and drive one implementation under test (suites/targets/*.lua).
--
-- A target file returns a table: name, role ("bmsc" or "ue": the SUT's role), profile (name
-- or path), addresses/ports, identities (services, msks, subscribers), and `control`: actions
-- start, stop, ready, and role triggers (join, leave, rotate, send_mtk, status, ...). Each
-- action is either a shell command string with {placeholders}, or a table
-- {socket = "tcp:HOST:PORT" | "unix:PATH", line = "join {service}"} sent to a control socket.
-- A SUT without a control interface omits triggers; scenarios that need one are skipped.
local M = {}

local FIELDS = { name = "string", role = "string", profile = "string", control = "table",
  description = "string", parallel = "table", harness = "table", bmsc = "table", ue = "table",
  services = "table", subscribers = "table" }

--- Loads a target file (data only: empty environment). Returns the table or nil, message.
function M.load(path)
  local chunk, err = loadfile(path, "t", {})
  if not chunk then return nil, err end
  local ok, t = pcall(chunk)
  if not ok then return nil, tostring(t) end
  if type(t) ~= "table" then return nil, path .. ": a target file must return a table" end
  for k, ty in pairs(FIELDS) do
    if t[k] ~= nil and type(t[k]) ~= ty then
      return nil, string.format("%s: field '%s' must be a %s", path, k, ty)
    end
  end
  if t.role ~= "bmsc" and t.role ~= "ue" then
    return nil, path .. ": role must be 'bmsc' or 'ue' (the role of the implementation under test)"
  end
  t.name = t.name or path:match("([^/]+)%.lua$")
  t.control = t.control or {}
  t.path = path
  return t
end

--- Fills {placeholders} from vars, then from the target table; an unknown one is an error.
function M.expand(s, vars, tgt)
  local missing
  local out = s:gsub("{([%w_%.]+)}", function(k)
    local v = vars and vars[k]
    if v == nil then
      v = tgt
      for part in k:gmatch("[^.]+") do v = type(v) == "table" and v[part] or nil end
    end
    if v == nil or type(v) == "table" then missing = missing or k; return "" end
    return tostring(v)
  end)
  if missing then return nil, "placeholder {" .. missing .. "} has no value" end
  return out
end

--- Whether the target can perform an action.
function M.can(tgt, action) return tgt.control[action] ~= nil end

local function shell_quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

--- Performs an action synchronously (not `start`). Returns ok, output-or-message.
-- `net` is mbms.net (for control sockets); `timeout` in wall seconds; `rec` (optional) sees
-- a control socket's bytes (see control_line).
function M.act(tgt, action, vars, net, timeout, rec)
  local a = tgt.control[action]
  if a == nil then return nil, "target has no '" .. action .. "' control" end
  if type(a) == "string" then
    local cmd, err = M.expand(a, vars, tgt)
    if not cmd then return nil, action .. ": " .. err end
    local p = io.popen("timeout " .. string.format("%.3f", timeout or 10) .. " sh -c " ..
      shell_quote(cmd) .. " 2>&1", "r")
    if not p then return nil, action .. ": cannot run the command" end
    local out = p:read("a")
    local ok, _, code = p:close()
    if not ok then return nil, string.format("%s: command exited %s: %s", action, tostring(code), out) end
    return true, out
  end
  if type(a) == "table" and a.socket and a.line then
    local line, err = M.expand(a.line, vars, tgt)
    if not line then return nil, action .. ": " .. err end
    local sock, serr = M.expand(a.socket, vars, tgt)
    if not sock then return nil, action .. ": " .. serr end
    return M.control_line(sock, line, net, timeout or 10, rec)
  end
  return nil, action .. ": an action is a command string or {socket=, line=}"
end

--- Sends one line to a control socket and reads the reply line. rec(out, bytes, conn), when
-- given, is called with each chunk sent (out = true) and received, for evidence captures.
function M.control_line(spec, line, net, timeout, rec)
  local host, port = spec:match("^tcp:([^:]+):(%d+)$")
  local path = spec:match("^unix:(.+)$")
  if not host and not path then
    return nil, "control socket '" .. spec .. "': expected tcp:HOST:PORT or unix:PATH"
  end
  local c, err
  if path then c, err = net.connect_unix(path) else c, err = net.connect(host, tonumber(port)) end
  if not c then return nil, err end
  local deadline = net.now() + timeout
  local function wait(mode)
    local left = deadline - net.now()
    if left <= 0 then return nil, "timeout" end
    local r = net.poll({ { c, mode } }, left)
    if not r or #r == 0 then return nil, "timeout" end
    return true
  end
  local ok, cerr = wait("w")
  if ok then ok, cerr = c:connected() end
  if not ok then c:close(); return nil, "control " .. spec .. ": " .. tostring(cerr) end
  local data = line .. "\n"
  while #data > 0 do
    local n, serr = c:send(data)
    if n then
      if rec then rec(true, data:sub(1, n), c) end
      data = data:sub(n + 1)
    elseif serr == "again" then if not wait("w") then c:close(); return nil, "control: send timeout" end
    else c:close(); return nil, "control: " .. serr end
  end
  local reply = ""
  while not reply:find("\n") do
    if not wait("r") then c:close(); return nil, "control: no reply within " .. timeout .. " s" end
    local d, rerr = c:recv(4096)
    if d then
      if rec then rec(false, d, c) end
      reply = reply .. d
    elseif rerr == "closed" then break
    elseif rerr ~= "again" then c:close(); return nil, "control: " .. rerr end
  end
  c:close()
  reply = reply:match("^([^\n]*)") or ""
  if reply:match("^ERR") then return nil, "control: " .. reply end
  return true, reply
end

--- Moves every port of the target (harness, bmsc, ue: fields ending in "port") and of the
-- profile by off: one instance per worker (`mbmsct run -j`, `--port-offset`).
function M.shift_ports(tgt, prof, off)
  for _, k in ipairs({ "harness", "bmsc", "ue" }) do
    for f, v in pairs(tgt[k] or {}) do
      if type(v) == "number" and f:match("port$") then tgt[k][f] = v + off end
    end
  end
  prof.http.port = prof.http.port + off
  for i, p in ipairs(prof.mikey.ports) do prof.mikey.ports[i] = p + off end
end

--- Starts the SUT (M.start) and waits, at most `wait` seconds (default 10), for its `ready`
-- probe. Returns handle, probe (a function: true | nil, message, also telling a dead process)
-- and why it never came up (nil when it did; the caller decides whether to go on); or nil,
-- message when it could not be started.
function M.start_ready(tgt, vars, net, logpath, wait)
  local handle, serr = M.start(tgt, vars, logpath)
  if not handle then return nil, serr end
  local function probe()
    if handle.pid and not M.alive(handle) then return nil, "target process exited (see " .. handle.log .. ")" end
    if tgt.control.ready then return M.act(tgt, "ready", vars, net, 5) end
    return true
  end
  local up, uerr = probe()
  local wait_until = net.now() + (wait or 10)
  while not up and net.now() < wait_until do
    net.sleep(0.1)
    up, uerr = probe()
  end
  return handle, probe, not up and uerr or nil
end

--- Starts the SUT in the background if the target has a start command; returns a handle.
function M.start(tgt, vars, logpath)
  local a = tgt.control.start
  if a == nil then return {} end
  if type(a) ~= "string" then return nil, "start: must be a shell command" end
  local cmd, err = M.expand(a, vars, tgt)
  if not cmd then return nil, "start: " .. err end
  -- The command's last step should `exec` the server, so that the pid recorded is the server's.
  local p = io.popen("sh -c " .. shell_quote(cmd) .. " > " .. shell_quote(logpath) ..
    " 2>&1 & echo $!", "r")
  local pid = p and tonumber(p:read("l"))
  if p then p:close() end
  if not pid then return nil, "start: could not start '" .. cmd .. "'" end
  return { pid = pid, log = logpath }
end

--- Whether a started process is still alive.
function M.alive(handle)
  if not handle.pid then return true end
  return os.execute("kill -0 " .. handle.pid .. " 2>/dev/null") == true
end

--- Stops the SUT: the stop action if any, then SIGTERM/SIGKILL to a started process.
function M.stop(tgt, handle, vars, net)
  if tgt.control.stop then M.act(tgt, "stop", vars, net, 5) end
  if handle and handle.pid then
    os.execute("kill " .. handle.pid .. " 2>/dev/null; sleep 0.2; kill -9 " .. handle.pid .. " 2>/dev/null")
  end
end

return M
