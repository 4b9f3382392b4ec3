-- capture.lua: mbms.capture from Lua — a capture written with create/udp/tcp, read back with
-- next() and packets(), malformed frames reported as data, and the two error channels.
local capture = require("mbms.capture")

local check = require("check")
local eq, raises = check.eq, check.raises

local path = os.tmpname()
local written = {
  { kind = "udp", src = "127.0.0.1", sport = 1000, dst = "127.0.0.2", dport = 2000,
    payload = "hello", time = 1700000000.25 },
  { kind = "tcp", src = "192.0.2.1", sport = 40000, dst = "192.0.2.2", dport = 80,
    seq = 0xfffffff0, ack = 7, flags = 0x12, payload = "", time = 1700000001.000001 },
  { kind = "udp", src = "2001:db8::1", sport = 2152, dst = "ff3e::1234", dport = 9000,
    payload = string.rep("\0\255", 300), time = 1700000002.999999 },
  { kind = "tcp", src = "::1", sport = 1, dst = "::2", dport = 2, payload = "x", time = 3.5 },
}

-- The body runs protected so that the temporary file goes whatever happens.
local function run()
  -- Writing: an Ethernet capture holding both families and both transports.
  eq(capture.link.RAW, 101, "capture.link.RAW")
  eq(capture.link.ETHERNET, 1, "capture.link.ETHERNET")
  local w = assert(capture.create(path, capture.link.ETHERNET))
  eq(w:linktype(), 1, "writer linktype")
  assert(tostring(w):find("capture writer", 1, true), "writer tostring")
  for _, p in ipairs(written) do
    local ok, err = (p.kind == "udp" and w.udp or w.tcp)(w, p)
    eq(ok, true, "write " .. p.kind .. " " .. tostring(err))
  end
  eq(w:close(), true, "writer close")
  assert(tostring(w):find("(closed)", 1, true), "closed writer tostring")

  -- Reading with next(): every field as written; time to the microsecond.
  local function check(pkt, i)
    local p = written[i]
    eq(pkt.index, i, "index")
    eq(pkt.linktype, 1, "linktype")
    eq(pkt.proto, p.kind, "proto of packet " .. i)
    eq(pkt.src, p.src, "src of packet " .. i)
    eq(pkt.dst, p.dst, "dst of packet " .. i)
    eq(pkt.sport, p.sport, "sport of packet " .. i)
    eq(pkt.dport, p.dport, "dport of packet " .. i)
    eq(pkt.payload, p.payload, "payload of packet " .. i)
    eq(pkt.payload_wire_len, #p.payload, "payload_wire_len of packet " .. i)
    eq(pkt.caplen, pkt.wirelen, "caplen = wirelen")
    eq(#pkt.frame, pkt.caplen, "frame length")
    eq(math.floor(pkt.time * 1e6 + 0.5), math.floor(p.time * 1e6 + 0.5), "time of packet " .. i)
    eq(pkt.error, nil, "error of packet " .. i)
    if p.kind == "tcp" then
      eq(pkt.tcp_seq, p.seq or 0, "tcp_seq")
      eq(pkt.tcp_ack, p.ack or 0, "tcp_ack")
      eq(pkt.tcp_flags, p.flags or 0x18, "tcp_flags (default PSH|ACK)")
    else
      eq(pkt.tcp_seq, nil, "no tcp_seq on udp")
    end
  end

  local r = assert(capture.open(path))
  eq(r:linktype(), 1, "reader linktype")
  for i = 1, #written do check(assert(r:next()), i) end
  eq(r:next(), nil, "end of capture")
  eq(r:next(), nil, "end stays the end")
  eq(r:close(), true, "reader close")

  -- Reading with packets(), the to-be-closed way.
  do
    local n = 0
    local r2 <close> = assert(capture.open(path))
    for pkt in r2:packets() do n = n + 1; check(pkt, n) end
    eq(n, #written, "packets() count")
  end

  -- The default link type is RAW; a missing time means now.
  local before = os.time()
  w = assert(capture.create(path))
  eq(w:linktype(), 101, "default link type")
  assert(w:udp{ src = "10.0.0.1", sport = 5, dst = "10.0.0.2", dport = 6 })
  assert(w:close())
  r = assert(capture.open(path))
  local pkt = assert(r:next())
  eq(pkt.payload, "", "absent payload is empty")
  eq(pkt.linktype, 101, "RAW read back")
  assert(pkt.time >= before - 1 and pkt.time <= os.time() + 1, "default time is now: " .. pkt.time)
  r:close()

  -- A frame the dissector refuses is data: proto "malformed" with the reason; reading goes on.
  -- The frame of an IPV4-link capture is patched after writing to claim IP version 5.
  w = assert(capture.create(path, capture.link.IPV4))
  assert(w:udp{ src = "10.0.0.1", sport = 5, dst = "10.0.0.2", dport = 6, payload = "ok", time = 1 })
  assert(w:close())
  do
    local f = assert(io.open(path, "rb")); local data = f:read("a"); f:close()
    -- Record one starts at 24 + 16: set its version nibble to 5.
    local at = 24 + 16 + 1
    data = data:sub(1, at - 1) .. string.char((data:byte(at) & 0x0f) | 0x50) .. data:sub(at + 1)
    f = assert(io.open(path, "wb")); f:write(data); f:close()
  end
  r = assert(capture.open(path))
  pkt = assert(r:next())
  eq(pkt.proto, "malformed", "malformed proto")
  assert(pkt.error:find("IPv4: version 5 is not 4 at offset 0", 1, true), "malformed error: " .. tostring(pkt.error))
  eq(pkt.caplen, 30, "malformed frame still has its length")
  eq(r:next(), nil, "after the malformed frame")
  r:close()

  -- A damaged record: next() gives false, msg; packets() raises the same message.
  w = assert(capture.create(path))
  for i = 1, 3 do assert(w:udp{ src = "10.0.0.1", sport = i, dst = "10.0.0.2", dport = 6, payload = "abcdef", time = i }) end
  assert(w:close())
  do
    local f = assert(io.open(path, "rb")); local data = f:read("a"); f:close()
    f = assert(io.open(path, "wb")); f:write(data:sub(1, #data - 3)); f:close()
  end
  r = assert(capture.open(path))
  assert(r:next()); assert(r:next())
  local ok, err = r:next()
  eq(ok, false, "damaged record")
  assert(err:find("packet 3: ", 1, true) and err:find("truncated", 1, true), "damaged message: " .. tostring(err))
  r:close()
  r = assert(capture.open(path))
  raises("packet 3: ", function () for _ in r:packets() do end end)
  r:close()

  -- Failures of the world: nil, msg.
  local none, msg = capture.open(path .. ".absent")
  eq(none, nil, "open of a missing file")
  assert(msg:find("No such file", 1, true), msg)
  none, msg = capture.create("/nonexistent-dir/x.pcap")
  eq(none, nil, "create in a missing directory")
  assert(msg:find("nonexistent-dir", 1, true), msg)
  do
    local f = assert(io.open(path, "wb")); f:write("not a capture at all, really not"); f:close()
  end
  none, msg = capture.open(path)
  eq(none, nil, "bad magic")
  assert(msg:find("unknown file format", 1, true), msg)
  w = assert(capture.create(path, capture.link.IPV4))
  ok, err = w:udp{ src = "::1", sport = 1, dst = "::2", dport = 2 }
  eq(ok, nil, "IPv6 on an IPV4 capture")
  assert(err:find("cannot carry IPv6", 1, true), err)
  ok, err = w:udp{ src = "10.0.0.1", sport = 1, dst = "10.0.0.2", dport = 2, payload = string.rep("x", 70000) }
  eq(ok, nil, "oversized payload")
  assert(err:find("does not fit", 1, true), err)
  w:close()

  -- Misuse raises.
  w = assert(capture.create(path))
  raises("field 'src' must be an address string", w.udp, w, { sport = 1, dst = "10.0.0.2", dport = 2 })
  raises("field 'dst'", w.udp, w, { src = "10.0.0.1", sport = 1, dst = "10.0.0.300", dport = 2 })
  raises("field 'sport' is 65536", w.udp, w, { src = "10.0.0.1", sport = 65536, dst = "10.0.0.2", dport = 2 })
  raises("field 'dport' must be an integer", w.udp, w, { src = "10.0.0.1", sport = 1, dst = "10.0.0.2", dport = 2.5 })
  raises("field 'payload' must be a string", w.udp, w, { src = "10.0.0.1", sport = 1, dst = "10.0.0.2", dport = 2, payload = 7 })
  raises("field 'time'", w.udp, w, { src = "10.0.0.1", sport = 1, dst = "10.0.0.2", dport = 2, time = -1 })
  raises("field 'flags'", w.tcp, w, { src = "10.0.0.1", sport = 1, dst = "10.0.0.2", dport = 2, flags = 256 })
  raises("field 'seq'", w.tcp, w, { src = "10.0.0.1", sport = 1, dst = "10.0.0.2", dport = 2, seq = -1 })
  raises("table expected", w.udp, w, "not a table")
  raises("cannot be read", w.next, w)
  raises("cannot be read", w.packets, w)
  raises("link type out of range", capture.create, path, -1)
  raises("number expected", capture.create, path, "RAW")
  assert(w:close())
  raises("closed capture", w.udp, w, { src = "10.0.0.1", sport = 1, dst = "10.0.0.2", dport = 2 })
  raises("closed capture", w.close, w)
  r = assert(capture.open(path))
  raises("cannot be written", r.udp, r, {})
  raises("cannot be written", r.tcp, r, {})
  local it = r:packets()
  r:close()
  raises("closed capture", r.next, r)
  raises("closed capture", it)
  raises("mbms.capture expected", r.next, {})
  raises("string expected", capture.open, nil)
end

local ok, err = pcall(run)
os.remove(path)
if not ok then error(err, 0) end
