--- replay_send: the half of the replay module (replay.lua) that talks to the network — raw
-- UDP senders, the sendmmsg top-speed path, waiting for and matching the SUT's replies, HTTP
-- connections replayed toward a BM-SC, and M.run, which plays a capture's plan as scenario
-- steps. replay.lua loads it into its module table; the pure parts stay there.
local mikey = require("mbms.mikey")
local crypto = require("mbms.crypto")
local hex = require("mbms.hex")
local http = require("mbms.http")
local bodies = require("bodies")

--- Adds the sending functions (M.run and its helpers) to the replay module M.
return function(M)
  -- Sending ------------------------------------------------------------------------------------

  --- Summary counters of a replay.
  local function new_stats()
    return { sent = 0, matched = 0, differing = 0, rejected = 0, unexpected = 0, errors = 0,
      send_time = 0, first_send = nil, last_send = nil, notes = {} }
  end

  local function note(st, t, fmt, ...)
    local line = string.format(fmt, ...)
    st.notes[#st.notes + 1] = line
    if t then t:log("replay: %s", line) end
  end

  --- Raw UDP senders, one per captured source endpoint: bound to that endpoint when this host
  -- can bind it (address and port), else to the harness address with the captured port, else
  -- to any port of the harness address.
  local function udp_sender(t, ctx, ip, port)
    local key = M.endpoint_str(ip, port)
    if ctx.senders[key] then return ctx.senders[key] end
    local net = t.sched.net
    local mip, mport = ctx.map_src(ip, port)
    local s
    for _, b in ipairs({ { mip, mport }, { ctx.harness_ip, port }, { ctx.harness_ip, 0 } }) do
      local ok, sock = pcall(net.udp, { bind = b[1], port = b[2] })
      if ok and sock then s = sock; break end
    end
    if not s then t:error("replay: cannot open a UDP socket on " .. ctx.harness_ip) end
    t:cleanup(function() pcall(s.close, s) end)
    ctx.senders[key] = s
    return s
  end

  --- Sends payloads[i..j] on sock to ip:port as fast as the socket takes them (sendmmsg),
  -- waiting for writability through the scheduler when its buffer fills.
  local function send_run(t, sock, payloads, ip, port, deadline)
    local i, j = 1, #payloads
    while i <= j do
      local n, err = sock:send_batch(payloads, ip, port, i, j)
      if not n then return nil, err end
      i = i + n
      if i <= j and not t.sched:wait(sock, "w", deadline) then return nil, "timeout sending" end
    end
    return true
  end

  --- The MIKEY bytes of a step as this replay sends them (verbatim, or freshened).
  local function bytes_of(t, ctx, step)
    if not ctx.fresh then return step.pkt.payload end
    local prof = t.profile
    local class = M.key_class(step.kind)
    local o = { prof = prof, rand = nil }
    if class == "muk" then
      local sub = ctx.sub()
      o.key, o.idi, o.idr = sub.keys.muk, ctx.fqdn, sub.btid
      o.keys = function(id) return ctx.key_by_id(id) end
      o.counter = ctx.next_counter("muk:" .. sub.btid)
    else
      local id = M.keyid_of(step.msg, prof)
      local mk = prof.mikey.keyid
      local k = id and ctx.key_by_id(id:sub(1, mk.kdid_len + mk.mskid_len))
      if not k then return nil, "KEMAC: no session MSK for the MTK message's Key ID " .. (id and hex.encode(id) or "(none)") end
      o.key = k.key
      o.keys = function() return { key = crypto.random(16), spi = id:sub(-mk.mtkid_len) } end
      o.old_key = k.key
      o.counter = ctx.next_counter("msk:" .. hex.encode(k.mskid))
    end
    return M.freshen(step.pkt.payload, o)
  end

  --- Waits for the SUT's reply a plan expects and classifies it: matched, differing (something
  -- else came), rejected (nothing came: e.g. no verification for a replayed delivery).
  local function await_reply(t, ctx, st, step)
    local b, u = ctx.bmsc, ctx.ue
    if step.proto == "udp" then
      local q = b and b.mikey or u.mikey
      local within = t.timer.T_delivery
      -- A notice from a BM-SC under test follows a key rotation, spread over W_spread.
      if step.kind == "solicited_pull" then within = within + t.timer.W_spread end
      local ev = q:pop(t:deadline(within))
      if not ev then
        st.rejected = st.rejected + 1
        note(st, t, "packet %d: expected %s, nothing within %.3f s (rejected)", step.index, step.kind, t.sched:dur(within))
        return "rejected"
      end
      local ok
      if b and step.kind == "verification" then
        local sent = step.answers and ctx.sent[step.answers]
        ok = sent and ev.msg and ev.msg.type == 1 and
          mikey.vmac_verify(t.profile.mikey.v_mac_reading, ev.bytes, sent, ctx.sub().keys.muk) == true
      else
        ok = ev.kind == step.kind
      end
      if ok then
        st.matched = st.matched + 1
        -- A delivery to the UE emulation: what a freshened verification answers.
        if u and ev.msg and ev.msg.type == 0 then ctx.delivered = ev end
        return "matched", ev
      end
      st.differing = st.differing + 1
      note(st, t, "packet %d: expected %s, got %s", step.index, step.kind, tostring(ev.what))
      return "differing", ev
    end
    -- An HTTP request from the UE under test (the harness is its BM-SC).
    local within = t.timer.T_request + t.timer.T_delivery + t.timer.W_spread
    local ev = b.http:pop(t:deadline(within))
    if not ev then
      st.rejected = st.rejected + 1
      note(st, t, "packet %d: expected a %s request, nothing within %.3f s", step.index, step.kind, t.sched:dur(within))
      return "rejected"
    end
    local ex = step.exchange
    local resp = ex.responses[#ex.responses]
    if resp then
      local ctype = resp.msg.header["content-type"]
      b:respond(ev, { status = resp.msg.status, body = resp.msg.body, content_type = ctype })
    end
    local why
    if ev.kind ~= step.kind then
      why = tostring(ev.what)
    elseif step.kind == "msk" then
      -- A key request names keys: the same (Key Domain ID, MSK ID) list as captured.
      local function list(keys)
        local out = {}
        for i, k in ipairs(keys or {}) do out[i] = hex.encode(k.kdid) .. "/" .. hex.encode(k.mskid) end
        return table.concat(out, ",")
      end
      local want = list(bodies.parse_msk_request(t.profile, ex.requests[#ex.requests].msg.body))
      if list(ev.keys) ~= want then why = "keys " .. list(ev.keys) .. " (captured " .. want .. ")" end
    end
    if not why then st.matched = st.matched + 1; return "matched", ev end
    st.differing = st.differing + 1
    note(st, t, "packet %d: expected a %s request, got %s", step.index, step.kind, why)
    return "differing", ev
  end

  --- Replays one captured HTTP connection toward the BM-SC under test: verbatim, its requests as
  -- captured over one new connection; fresh, each final request through the UE emulation (a new
  -- Digest answer). Statuses are compared with the captured ones.
  local function replay_http(t, ctx, st, step)
    local ex = step.exchange
    local bm = t.target.bmsc or {}
    local ip, port = ctx.map_dst(ex.client.dst, ex.client.dport)
    if ctx.fresh then
      local r = ex.requests[#ex.requests]
      local kind = bodies.request_kind(t.profile, r.msg.target)
      if not kind then
        st.errors = st.errors + 1
        note(st, t, "packet %d: HTTP request target %s names no key-update procedure", r.index, r.msg.target)
        return
      end
      local out = ctx.ue:post(kind, r.msg.body, { content_type = r.msg.header["content-type"] })
      st.sent = st.sent + 1
      local want = ex.responses[#ex.responses]
      if want and want.msg.status == out.status then st.matched = st.matched + 1
      else
        st.differing = st.differing + 1
        note(st, t, "packet %d: %s request: status %s, captured %s", r.index, kind, tostring(out.status),
          want and tostring(want.msg.status) or "none")
      end
      return
    end
    local conn, err = require("mbms").connect(t, ip or bm.ip, port or bm.http_port, t:deadline(t.timer.T_request),
      ctx.harness_ip)
    if not conn then
      st.errors = st.errors + 1
      note(st, t, "packet %d: connect: %s", ex.index, tostring(err))
      return
    end
    t:cleanup(function() conn:close() end)
    for i, r in ipairs(ex.requests) do
      local ok, serr = conn:send_all(r.bytes, t:deadline(t.timer.T_request))
      if not ok then
        st.errors = st.errors + 1
        note(st, t, "packet %d: HTTP send: %s", r.index, tostring(serr))
        break
      end
      st.sent = st.sent + 1
      local got, rerr = conn:read(t:deadline(t.timer.T_request))
      local want = ex.responses[i]
      if not got then
        st.rejected = st.rejected + 1
        note(st, t, "packet %d: %s %s: no response (%s), captured %s", r.index, r.msg.method, r.msg.target,
          tostring(rerr), want and tostring(want.msg.status) or "none")
        break
      elseif want and want.msg.status == got.status then
        st.matched = st.matched + 1
      else
        st.differing = st.differing + 1
        note(st, t, "packet %d: %s %s: status %d, captured %s", r.index, r.msg.method, r.msg.target, got.status,
          want and tostring(want.msg.status) or "none")
      end
    end
    conn:close()
  end

  --- Replays a capture as a scenario step sequence. o:
  --   cap       a collected capture (collect / capture)
  --   fresh     re-protect MIKEY with the session's keys (default: verbatim)
  --   speed     divide the captured spacing by this (default 1); topspeed: no spacing
  --   map       rewrite rules for captured destinations {["ip:port"] = "ip:port", ...} (default:
  --             every UDP destination -> the target's MIKEY endpoint, every TCP destination ->
  --             the target's HTTP endpoint); map_src the same for sources
  --   bmsc      an mbms.bmsc emulation to use (harness as BM-SC); created when a reply or a
  --             request of the UE is expected and none is given
  --   join      trigger the target's join before an expected registration (default true)
  --   steps     restrict the steps sent to these capture packet indices (a set)
  -- Returns the summary {sent=, matched=, differing=, rejected=, errors=, send_time=, rate=,
  -- requested_rate=, notes={...}, sent_bytes={[index]=bytes}}.
  function M.run(t, o)
    local mbms = require("mbms")
    local prof, tgt = t.profile, t.target
    local plays = tgt.role == "ue" and "bmsc" or "ue"
    local st = new_stats()
    local items = M.classify(o.cap, prof)
    for _, e in ipairs(o.cap.errors) do st.errors = st.errors + 1; note(st, t, "%s", e) end
    for _, w in ipairs(o.cap.warnings or {}) do note(st, t, "warning: %s", w) end
    local plan = M.plan(items, plays)
    if o.steps then
      -- Only the chosen steps are sent; the replies that answer a step left out are not awaited.
      local kept = {}
      for _, s in ipairs(plan) do
        if s.send and o.steps[s.index] then kept[#kept + 1] = s
        elseif not s.send and s.answers and o.steps[s.answers.index] then kept[#kept + 1] = s end
      end
      plan = kept
    end
    local harness = tgt.harness or {}
    local ctx = { fresh = o.fresh, senders = {}, sent = {}, harness_ip = harness.ip or "127.0.0.1" }
    -- Destinations: the SUT's endpoints.
    local rules = {}
    if plays == "bmsc" then
      local u = tgt.ue or {}
      rules["*"] = M.endpoint_str(u.ip or "127.0.0.1", u.mikey_port or prof.mikey.ports[1])
    else
      local bm = tgt.bmsc or {}
      rules["*"] = M.endpoint_str(bm.ip or "127.0.0.1", bm.http_port or prof.http.port)
    end
    for k, v in pairs(o.map or {}) do rules[k] = v end
    ctx.map_dst = M.mapper(rules)
    ctx.map_src = M.mapper(o.map_src or { ["*"] = ctx.harness_ip .. ":*" })
    ctx.fqdn = (tgt.bmsc and tgt.bmsc.fqdn) or harness.fqdn
    local counters = {}
    ctx.next_counter = function(key)
      if ctx.bmsc and ctx.bmsc.next_counter then return ctx.bmsc:next_counter(key) end
      local c = (counters[key] or (prof.mikey.counter_start - 1)) + 1
      counters[key] = c
      return c
    end
    local subscriber
    ctx.sub = function()
      if subscriber then return subscriber end
      local btid = o.btid or (tgt.ue and tgt.ue.btid) or (tgt.subscribers and tgt.subscribers[1] and tgt.subscribers[1].btid)
      subscriber = btid and mbms.subscriber(t, btid)
      if not subscriber then t:error("replay: the target declares no subscriber to take keys from") end
      return subscriber
    end
    ctx.key_by_id = function(id)
      for _, s in ipairs(tgt.services or {}) do
        local svc = mbms.service(t, s.id)
        for _, m in ipairs(svc.msks) do
          if svc.kdid .. m.mskid == id then return m end
        end
      end
    end
    -- The emulations, only when the plan has replies to match (a pure send needs none).
    local needs_peer = false
    for _, s in ipairs(plan) do if not s.send or s.proto == "http" then needs_peer = true end end
    if needs_peer and plays == "bmsc" then
      ctx.bmsc = o.bmsc or mbms.bmsc(t)
    elseif needs_peer then
      ctx.ue = o.ue or mbms.ue(t, o.btid or ctx.sub().btid)
    end
    local sends = {}
    for _, s in ipairs(plan) do if s.send then sends[#sends + 1] = s end end
    local offsets = M.schedule(sends, { speed = o.speed, topspeed = o.topspeed })
    local offset_of = {}
    for i, s in ipairs(sends) do offset_of[s] = offsets[i] end
    local net = t.sched.net
    local start = net.now()
    local joined = o.join == false
    local i = 1
    while i <= #plan do
      local s = plan[i]
      if not s.send then
        if plays == "ue" and s.kind == "solicited_pull" and tgt.control.rotate then
          -- What makes a BM-SC send a notice: the next key of the service.
          mbms.trigger(t, "rotate", { service = mbms.service(t).id })
        end
        if s.proto == "http" and s.kind == "register" and not joined and tgt.control.join then
          joined = true
          local svcs = bodies.parse_register(prof, s.exchange.requests[#s.exchange.requests].msg.body, "register")
          mbms.trigger(t, "join", { service = (svcs and svcs[1]) or mbms.service(t).id })
        end
        await_reply(t, ctx, st, s)
        i = i + 1
      else
        local due = start + offset_of[s]
        local wait = due - net.now()
        if wait > 0 then t.sched:sleep(wait / t.sched.scale) end
        if s.proto == "http" then
          st.first_send = st.first_send or net.now()
          replay_http(t, ctx, st, s)
          st.last_send = net.now()
          i = i + 1
        elseif ctx.fresh and ctx.ue and s.kind == "verification" then
          -- A verification is not freshened but made anew, answering the delivery received.
          if ctx.delivered then
            ctx.sent[s] = ctx.ue:verify(ctx.delivered)
            st.sent = st.sent + 1
          else
            st.errors = st.errors + 1
            note(st, t, "packet %d: verification: no delivery received to answer", s.index)
          end
          i = i + 1
        else
          -- A run of UDP steps with no reply awaited in between, to one destination from one
          -- source, goes out in batches when no spacing separates them.
          local run, payloads, names = { s }, {}, {}
          local sip, sport = s.pkt.src, s.pkt.sport
          local dip, dport = ctx.map_dst(s.pkt.dst, s.pkt.dport)
          local j = i + 1
          while j <= #plan and plan[j].send and plan[j].proto == "udp" and offset_of[plan[j]] <= offset_of[s] and
            plan[j].pkt.src == sip and plan[j].pkt.sport == sport do
            local ndip, ndport = ctx.map_dst(plan[j].pkt.dst, plan[j].pkt.dport)
            if ndip ~= dip or ndport ~= dport then break end
            run[#run + 1] = plan[j]
            j = j + 1
          end
          for k, r in ipairs(run) do
            local bytes, ferr = bytes_of(t, ctx, r)
            if not bytes then
              st.errors = st.errors + 1
              note(st, t, "packet %d: %s: cannot freshen: %s", r.index, r.kind, ferr)
            else
              payloads[#payloads + 1] = bytes
              names[#payloads] = string.format("%s %s (packet %d)", ctx.fresh and "freshened" or "verbatim", r.kind, r.index)
              ctx.sent[r] = bytes
            end
            run[k] = r
          end
          local t0 = net.now()
          st.first_send = st.first_send or t0
          if #payloads > 0 then
            if ctx.bmsc then
              -- Through the emulation's socket, so that the SUT's replies reach its queue.
              for k, p in ipairs(payloads) do ctx.bmsc:send_mikey(p, names[k]) end
            else
              local sock = ctx.ue and ctx.ue.udp or udp_sender(t, ctx, sip, sport)
              local ok, err = send_run(t, sock, payloads, dip, dport, t.until_)
              if not ok then t:error("replay: sending to " .. M.endpoint_str(dip, dport) .. ": " .. tostring(err)) end
              if not ctx.ue and t.capture and #payloads <= 64 then
                local lip, lport = sock:local_addr()
                for _, p in ipairs(payloads) do t:capture_udp(lip, lport, dip, dport, p) end
              end
            end
            st.sent = st.sent + #payloads
          end
          st.last_send = net.now()
          st.send_time = st.send_time + (st.last_send - t0)
          i = j
        end
      end
    end
    st.sends = #sends
    local span = (st.last_send or start) - (st.first_send or start)
    st.elapsed = span
    -- Achieved rate over the sending period; the requested one is the capture's, sped up.
    if st.sent > 1 and span > 0 then st.rate = (st.sent - 1) / span
    elseif st.sent > 0 then st.rate = math.huge end
    if not o.topspeed and #sends > 1 then
      local cspan = (offsets[#offsets] or 0) - (offsets[1] or 0)
      st.requested_rate = cspan > 0 and ((#sends - 1) / cspan) or math.huge
    end
    st.sent_bytes = {}
    for s, b in pairs(ctx.sent) do st.sent_bytes[s.index] = b end
    return st
  end
end
