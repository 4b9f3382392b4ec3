--- mbmsct: the command line. main(args) returns the process exit status:
-- 0 success, 1 failures found (bad messages, failed tests), 2 usage or harness error.
local M = {}

local USAGE = [[
usage: mbmsct <command> [options]

commands:
  decode [--json] [--psk HEX] [--validate] [--profile P] [--port N]... FILE|-
        Decode MIKEY messages from hex text (one message per line, '#' comments)
        or from a pcap/pcapng capture (UDP payloads on the profile's MIKEY ports,
        or on --port N). --json prints one JSON object per message (keys follow
        tshark's mikey.* field names). --psk verifies the KEMAC MAC and shows the
        decrypted key data. --validate checks each message against the profile's
        MBMS rules. Exit 1 if any message is malformed, fails its MAC or the rules.
  lua FILE [ARGS...]
        Run a Lua tool script with the mbms.* modules (vector generators and other
        tooling; scenarios are run by the campaign runner, not by this).
  help  Show this text.
  version
        Show the version.

Exit status: 0 success, 1 failures found, 2 usage or harness error.
]]

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
  elseif cmd == "decode" then
    return require("decode").main(rest, usage_error)
  end
  return usage_error("unknown command '" .. tostring(cmd) .. "'")
end

return M
