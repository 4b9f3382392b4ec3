-- merge-junit.lua OUT IN...: one JUnit file from several (their <testsuite> elements under one
-- <testsuites> root with summed counts), for `make run`'s out/junit.xml.
local out = arg[1]
local parts, tests, failures, errors, time = {}, 0, 0, 0, 0
for i = 2, #arg do
  local f = assert(io.open(arg[i]))
  local text = f:read("a")
  f:close()
  local root = assert(text:match("<testsuites([^>]*)>"), arg[i] .. ": no <testsuites> root")
  tests = tests + tonumber(root:match('tests="(%d+)"') or 0)
  failures = failures + tonumber(root:match('failures="(%d+)"') or 0)
  errors = errors + tonumber(root:match('errors="(%d+)"') or 0)
  time = time + tonumber(root:match('time="([%d.]+)"') or 0)
  parts[#parts + 1] = assert(text:match("<testsuites[^>]*>\n(.*)</testsuites>"), arg[i] .. ": unterminated")
end
local f = assert(io.open(out, "w"))
f:write('<?xml version="1.0" encoding="UTF-8"?>\n')
f:write(string.format('<testsuites name="mbmsct" tests="%d" failures="%d" errors="%d" time="%.3f">\n',
  tests, failures, errors, time))
for _, p in ipairs(parts) do f:write(p) end
f:write("</testsuites>\n")
assert(f:close())
