--- mbmsct: the command line. main(args) returns the process exit status:
-- 0 success, 1 failures found (bad messages, failed tests), 2 usage or harness error.
local M = {}

local USAGE = [==[
usage: mbmsct <command> [options]

commands:
  decode [--json] [--psk HEX] [--validate] [--profile P] [--port N]... FILE|-
        Decode MIKEY messages from hex text (one message per line, '#' comments)
        or from a pcap/pcapng capture (UDP payloads on the profile's MIKEY ports,
        or on --port N). --json prints one JSON object per message (keys follow
        tshark's mikey.* field names). --psk verifies the KEMAC MAC and shows the
        decrypted key data. --validate checks each message against the profile's
        MBMS rules. Exit 1 if any message is malformed, fails its MAC or the rules.
  audit FILE|DIR... [--profile P] [--keys F] [--sut bmsc|ue] [--time-scale X]
        [--port N]... [--junit F] [--json F] [-q]
        Check captured traffic between a BM-SC and UEs passively, requirement by
        requirement (MIKEY well-formed and MAC-valid with --keys, counters, MTK IDs,
        deliveries vs answers, 401s, notice spreading, key requests, verifications,
        leaving after a failed update). --keys takes a target file (GBA material,
        MSKs); --sut judges one side and lists the other's deviations as stimuli.
        'mbmsct audit --help' has the details. Exit 1 on findings, 2 on bad input.
  lua FILE [ARGS...]
        Run a Lua tool script with the mbms.* modules (vector generators and other
        tooling; scenarios are run by the campaign runner, not by this).
  run --target FILE [--profile FILE] [--filter EXPR] [--junit F] [--json F]
      [-j N] [--time-scale X] [--seed S] [--repeat N] [--baseline F] [-v]
      [--suites DIR] [--budget N] [--var NAME=VALUE]... [--pcap-dir DIR]
      [--capture-iface IFACE [--capture-filter EXPR]]
        Run the scenarios for the target's role (the harness plays the other
        side). --filter selects by id glob, tag:, req:, clause:, role:, kind:
        with and/or/not and parentheses; --time-scale multiplies every profile
        timer; --baseline F lists expected non-pass verdicts (id = {verdict=,
        reason=}); --budget caps Lua instructions per scenario; -j N runs N
        worker processes, each with its own target instance and ports (the
        target must declare parallel = { port_stride = N }). --var sets a
        {NAME} placeholder of the target's commands (e.g. --var faults=no-401);
        {home}, {exe}, {target_path}, {time_scale}, {seed}, {worker} and
        {port_offset} are always set. --pcap-dir DIR writes DIR/<id>.pcap per
        scenario: every packet the harness sent and received (UDP, and TCP with
        synthesized sequence numbers), named in the JUnit system-out.
        --capture-iface IFACE also captures live on IFACE (libpcap; needs root
        or CAP_NET_RAW) during each scenario, so that what the SUT exchanges
        with others, an IGMP/MLD leave above all, is evidence too and
        scenarios can assert on it (profile leave.observable "igmp" or
        "either" needs it); with --pcap-dir the packets go to
        DIR/<id>.live.pcap, also named in the JUnit system-out. --capture-filter
        EXPR narrows it with a pcap-filter(7) expression, e.g. 'igmp or icmp6'
        (default: everything on IFACE). A capture that cannot start is an
        error of that scenario; the others still run.
        Exit 0 all pass (or as the baseline expects), 1 failures, 2 usage or
        harness errors.
  replay FILE --target T [--profile P] [--fresh] [--speed X | --topspeed]
      [--junit F] [--time-scale X] [--port-offset N] [--var NAME=VALUE]...
      [--map FROM=TO]... [--btid B] [-v]
        Replay a capture's packets of the side opposite the target's role toward
        the started target and match its replies against the captured ones;
        --fresh re-protects MIKEY with the target's keys. Prints packets sent,
        replies matched/differing/rejected and the rate ('replay --help').
  list [--json] [--filter EXPR] [--suites DIR]
        List the scenarios (id, role, requirements, title) without touching the
        network; broken scenario files are reported (exit 1).
  coverage [--json] [--strict] [--suites DIR]
        Each requirement of the catalog (suites/requirements.lua) with the
        scenarios that check it; --strict exits 1 if any is uncovered.
  help  Show this text.
  version
        Show the version.

Exit status: 0 success, 1 failures found, 2 usage or harness error.
]==]

M.VERSION = "0.1.0"

local function usage_error(msg)
  io.stderr:write("mbmsct: ", msg, "\n", "Try 'mbmsct help'.\n")
  return 2
end

function M.main(args)
  local cmd = args[1]
  local rest = table.move(args, 2, #args, 1, {})
  if cmd == nil or cmd == "help" or cmd == "--help" or cmd == "-h" then
    io.stdout:write(USAGE)
    return cmd == nil and 2 or 0
  elseif cmd == "version" or cmd == "--version" then
    io.stdout:write("mbmsct ", M.VERSION, "\n")
    return 0
  elseif cmd == "lua" then
    if not rest[1] then return usage_error("lua needs a script FILE") end
    local chunk, err = loadfile(rest[1])
    if not chunk then io.stderr:write("mbmsct: ", err, "\n"); return 2 end
    _G.arg = table.move(rest, 2, #rest, 1, { [0] = rest[1] })
    local ok, rc = pcall(chunk, table.unpack(_G.arg))
    if not ok then io.stderr:write("mbmsct: ", tostring(rc), "\n"); return 1 end
    return math.tointeger(rc) or 0
  elseif cmd == "run" then
    return require("runner").main(rest, usage_error, MBMSCT_HOME)
  elseif cmd == "replay" then
    return require("replay_cmd").main(rest, usage_error, MBMSCT_HOME)
  elseif cmd == "list" then
    return require("catalog_cmds").list(rest, usage_error, MBMSCT_HOME)
  elseif cmd == "coverage" then
    return require("catalog_cmds").coverage(rest, usage_error, MBMSCT_HOME)
  elseif cmd == "audit" then
    return require("audit").main(rest, usage_error, MBMSCT_HOME)
  elseif cmd == "decode" then
    return require("decode").main(rest, usage_error)
  end
  return usage_error("unknown command '" .. tostring(cmd) .. "'")
end

return M
