-- net.lua: mbms.net from Lua — UDP echo and a TCP exchange driven by net.poll, the two error
-- channels (misuse raises, failures of the world return nil, msg), and deadlines on every wait.
local net = require("mbms.net")

local check = require("check")
local eq, raises = check.eq, check.raises

local DEADLINE = 5 -- seconds; reached only when something is broken

--- Polls the entries until entry `want` is ready, or fails at the deadline.
local function wait(entries, want)
  local stop = net.now() + DEADLINE
  while net.now() < stop do
    local ready = assert(net.poll(entries, stop - net.now()))
    for _, r in ipairs(ready) do
      if r.index == want then return r end
    end
  end
  error("no readiness on poll entry " .. want .. " within " .. DEADLINE .. " s", 2)
end

-- UDP echo: a client sends to a server that answers to whatever address the datagram came from.
local function udp_echo(ip)
  local server = assert(net.udp{ bind = ip, port = 0 })
  local client = assert(net.udp{ bind = ip })
  eq(server:kind(), "udp", "kind")
  local sip, sport = server:local_addr()
  eq(sip, ip, "server ip")
  assert(sport > 0, "server has an ephemeral port")
  local cip, cport = client:local_addr()
  eq(select(2, server:recv()), "again", "recv on an empty socket")

  local entries = { { server, "r" }, { client, "r" } }
  for i, msg in ipairs({ "ping", "", string.rep("\0\255", 5000) }) do
    eq(client:send(msg, sip, sport), true, "client send " .. i)
    wait(entries, 1)
    local data, from_ip, from_port, dst = server:recv()
    eq(data, msg, "server got " .. i)
    eq(from_ip, cip, "source ip")
    eq(from_port, cport, "source port")
    eq(dst, ip, "destination ip")
    eq(server:send(data:upper(), from_ip, from_port), true, "echo " .. i)
    wait(entries, 2)
    eq(client:recv(), msg:upper(), "echo received " .. i)
  end
  assert(tostring(server):find("udp socket", 1, true), "tostring")
  server:close()
  client:close()
  eq(tostring(server), "socket (closed)", "tostring after close")
end
udp_echo("127.0.0.1")
udp_echo("::1")

-- Multicast on lo (IPv4); IPv6 multicast over lo is not delivered by Linux, see test_net.c.
do
  local group = "239.255.42." .. (os.time() % 200 + 10)
  local rx = assert(net.udp{ bind = group, port = 0, reuse = true })
  local _, port = rx:local_addr()
  local tx = assert(net.udp{ bind = "127.0.0.1" })
  eq(tx:multicast_if("127.0.0.1"), true, "multicast_if")
  eq(tx:multicast_ttl(1), true, "multicast_ttl")
  eq(rx:join(group, "127.0.0.1"), true, "join")
  eq(tx:send("to the group", group, port), true, "send to group")
  wait({ { rx, "r" } }, 1)
  local data, src, _, dst = rx:recv()
  eq(data, "to the group", "multicast payload")
  eq(src, "127.0.0.1", "multicast source")
  eq(dst, group, "multicast destination")
  eq(rx:leave(group, "lo"), true, "leave")
  local ok, msg = rx:leave(group, "lo")
  eq(ok, nil, "second leave fails")
  assert(msg:find(group, 1, true), "leave failure names the group: " .. msg)
  ok, msg = rx:join("239.255.0.1", "nosuchif0")
  eq(ok, nil, "join on a missing interface")
  assert(msg:find("nosuchif0", 1, true), msg)
  raises("not a numeric", rx.join, rx, "not-an-address")
  raises("ttl outside", tx.multicast_ttl, tx, 256)
  rx:close()
  tx:close()
end

-- TCP: connect, accept, exchange both ways, half-close, end of stream.
local function tcp_exchange(ip)
  local l = assert(net.listen{ bind = ip, port = 0, backlog = 4 })
  eq(l:kind(), "listener", "listener kind")
  local lip, lport = l:local_addr()
  eq(lip, ip, "listener ip")
  eq(select(2, l:accept()), "again", "accept with nobody connecting")
  local c = assert(net.connect(ip, lport))
  eq(c:kind(), "tcp", "connection kind")
  wait({ { l, "r" } }, 1)
  local s, pip, pport = l:accept()
  assert(s, pip)
  local _, cport = c:local_addr()
  eq(pip, ip, "peer ip")
  eq(pport, cport, "peer port")
  wait({ { c, "w" } }, 1)
  eq(c:connected(), true, "connected")
  local rip, rport = c:peer()
  eq(rip, ip, "c:peer ip")
  eq(rport, lport, "c:peer port")

  eq(select(2, s:recv(10)), "again", "recv with nothing sent")
  eq(c:send("hello"), 5, "send")
  eq(c:send("xxhello", 3), 5, "send from an offset")
  local got = ""
  while #got < 10 do
    wait({ { s, "r" } }, 1)
    got = got .. assert(s:recv(100))
  end
  eq(got, "hellohello", "stream")
  eq(c:shutdown(), true, "shutdown")
  wait({ { s, "r" } }, 1)
  eq(select(2, s:recv()), "closed", "end of stream")
  eq(s:send("late"), 4, "the other half still writes")
  wait({ { c, "r" } }, 1)
  eq(c:recv(), "late", "half-closed read")
  s:close()
  wait({ { c, "r" } }, 1)
  eq(select(2, c:recv()), "closed", "eof after close")
  c:close()
  l:close()
end
tcp_exchange("127.0.0.1")
tcp_exchange("::1")

-- A large send completes through partial writes and poll.
do
  local l = assert(net.listen{})
  local _, port = l:local_addr()
  local c = assert(net.connect("127.0.0.1", port))
  wait({ { l, "r" } }, 1)
  local s = assert(l:accept())
  local data = string.rep("0123456789abcdef", 256 * 1024) -- 4 MiB
  local pos, parts, received = 1, {}, 0
  local stop = net.now() + 30
  local partial = false
  while received < #data and net.now() < stop do
    local entries = { { s, "r" } }
    if pos <= #data then entries[2] = { c, "w" } end
    for _, r in ipairs(assert(net.poll(entries, 1))) do
      if r.index == 2 and r.writable then
        local n, err = c:send(data, pos)
        if n then
          if n < #data - pos + 1 then partial = true end
          pos = pos + n
        else
          eq(err, "again", "send error")
        end
      elseif r.index == 1 and r.readable then
        local chunk, err = s:recv(1 << 20)
        if chunk then
          parts[#parts + 1] = chunk
          received = received + #chunk
        else
          eq(err, "again", "recv error")
        end
      end
    end
  end
  eq(received, #data, "bytes received")
  assert(partial, "a 4 MiB send was expected to be partial at least once")
  assert(table.concat(parts) == data, "stream content differs")
  c:close(); s:close(); l:close()
end

-- Connecting to a port that is closed is an error, at once or once the attempt completes.
do
  local l = assert(net.listen{})
  local _, port = l:local_addr()
  l:close()
  local c, err = net.connect("127.0.0.1", port)
  if c then
    wait({ { c, "w" } }, 1)
    local ok
    ok, err = c:connected()
    eq(ok, nil, "connected to a closed port")
    c:close()
  end
  assert(err:find("127.0.0.1:" .. port, 1, true), "error names the address: " .. err)
end

-- UNIX-domain control sockets: no listener can be made from Lua, so only the failures are seen
-- here (test_net.c makes a listener and runs a whole exchange). They return nil, msg naming
-- the path; a path the kernel cannot take at all is misuse and raises.
do
  local missing = "/nonexistent-mbmsct-" .. os.time() .. "/ctl.sock"
  local c, err = net.connect_unix(missing)
  eq(c, nil, "connect to a missing path")
  assert(err:find("connect to unix:" .. missing, 1, true), "error names the path: " .. err)
  assert(err:find("No such file", 1, true), err)
  c, err = net.connect_unix("/dev/null")
  eq(c, nil, "connect to a file that is not a socket")
  assert(err:find("connect to unix:/dev/null: ", 1, true), "error names the path: " .. err)
  assert(err:find("refused", 1, true), err)

  raises("string expected", net.connect_unix)
  raises("string expected", net.connect_unix, {})
  raises("must not be empty", net.connect_unix, "")
  raises("must not hold a NUL", net.connect_unix, "/tmp/a\0b")
  raises("sun_path", net.connect_unix, "/" .. string.rep("p", 107))
  -- One byte shorter fits in sun_path: no longer misuse, just a path with nobody there.
  c, err = net.connect_unix("/" .. string.rep("p", 106))
  eq(c, nil, "longest path")
  assert(err:find("No such file", 1, true), err)
end

-- Failures of the world return nil, msg.
do
  local a = assert(net.udp{})
  local _, port = a:local_addr()
  local b, err = net.udp{ port = port }
  eq(b, nil, "bind to a port in use")
  assert(err:find("in use", 1, true), err)
  a:close()
end

-- Misuse raises.
do
  local u = assert(net.udp{ bind = "127.0.0.1" })
  local l = assert(net.listen{ bind = "::1" })
  raises("unknown option 'prot'", net.udp, { prot = 1 })
  raises("option 'port' is 70000", net.udp, { port = 70000 })
  raises("option 'bind'", net.listen, { bind = "localhost" })
  raises("option 'reuse' must be a boolean", net.udp, { reuse = 1 })
  raises("not a numeric", u.send, u, "x", "example.org", 1)
  raises("port outside", u.send, u, "x", "127.0.0.1", 65536)
  raises("no such method", u.accept, u)
  raises("no such method", l.recv, l)
  raises("no such method", u.connected, u)
  raises("max outside", function () local c = assert(net.connect("::1", select(2, l:local_addr()))); c:recv(0) end)

  -- poll demands a deadline and well-formed entries.
  raises("timeout in seconds is required", net.poll, { { u, "r" } })
  raises("timeout in seconds is required", net.poll, { { u, "r" } }, nil)
  raises("non-negative", net.poll, { { u, "r" } }, -1)
  raises("mode 'x'", net.poll, { { u, "x" } }, 0)
  raises("expected a socket", net.poll, { { "u", "r" } }, 0)
  raises("must be a table", net.poll, { u }, 0)
  raises("timeout in seconds is required", net.sleep)

  -- Poll timeouts: bounded from below only.
  local t0 = net.now()
  local ready = assert(net.poll({ { u, "r" } }, 0.05))
  eq(#ready, 0, "idle poll returns nothing")
  assert(net.now() - t0 >= 0.045, "poll returned before its timeout")
  t0 = net.now()
  eq(net.sleep(0.02), true, "sleep")
  assert(net.now() - t0 >= 0.019, "sleep returned early")
  assert(net.wall() > 1.6e9, "wall clock is Unix time")
  ready = assert(net.poll({ { u:fd(), "w" } }, 1))
  eq(#ready, 1, "a descriptor number can be polled")
  eq(ready[1].writable, true, "udp writable")

  -- A closed socket raises on every method, but closing by __close or __gc again is harmless.
  u:close()
  raises("attempt to use a closed socket", u.send, u, "x", "127.0.0.1", 1)
  raises("attempt to use a closed socket", u.recv, u)
  raises("attempt to use a closed socket", u.fd, u)
  raises("attempt to use a closed socket", u.close, u)
  raises("attempt to use a closed socket", net.poll, { { u, "r" } }, 0)
  do
    local v <close> = assert(net.udp{})
    v:close()
  end
  do
    local w <close> = assert(net.udp{})
  end
  l:close()
  collectgarbage()
end

-- A chosen source address: the listener sees the connection come from it.
do
  local l = assert(net.listen{ bind = "127.0.0.1", port = 0 })
  local _, p = l:local_addr()
  local c = assert(net.connect("127.0.0.1", p, "127.0.0.7"))
  assert(#net.poll({ { l, "r" } }, 2) == 1, "connection from a chosen source arrives")
  local a, ip = l:accept()
  assert(a and ip == "127.0.0.7", "peer address is the chosen source: " .. tostring(ip))
  a:close(); c:close(); l:close()
  assert(not pcall(net.connect, "127.0.0.1", p, "not-an-ip"), "a bad source address raises")
end
