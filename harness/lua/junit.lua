--- junit: the campaign's JUnit XML (valid against shared/junit/jenkins-junit.xsd).
--
-- One <testsuite> per scenario, because that schema allows <properties> only on testsuites
-- and each scenario carries its own (requirements, clause, profile, target, seed).
local M = {}

--- XML text escape; control characters other than tab/newline are replaced (XML 1.0 forbids
-- them) so that a peer's bytes in a message can never make the report invalid.
function M.escape(s)
  s = tostring(s)
  s = s:gsub("[\0-\8\11\12\14-\31\127]", function(c) return string.format("\\x%02x", c:byte()) end)
  -- Invalid UTF-8 would also make the file invalid: keep only well-formed sequences.
  if not utf8.len(s) then
    s = s:gsub("[\128-\255]", function(c) return string.format("\\x%02x", c:byte()) end)
  end
  return (s:gsub("[&<>\"']", { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;",
    ['"'] = "&quot;", ["'"] = "&apos;" }))
end

local function t3(x) return string.format("%.3f", x or 0) end

--- Writes results to path. run: {target=, profile=, seed=, results={...}}.
-- Each result: {scenario=, verdict=, kind=, message=, detail=, trace={...}, time=, repeat_index=}
function M.write(path, run)
  local f, err = io.open(path, "w")
  if not f then return nil, err end
  local E = M.escape
  local total, fails, errors, skipped, time = 0, 0, 0, 0, 0
  for _, r in ipairs(run.results) do
    total = total + 1
    time = time + (r.time or 0)
    if r.verdict == "fail" then fails = fails + 1
    elseif r.verdict == "error" then errors = errors + 1
    elseif r.verdict == "skip" or r.verdict == "inconclusive" then skipped = skipped + 1 end
  end
  f:write('<?xml version="1.0" encoding="UTF-8"?>\n')
  f:write(string.format('<testsuites name="mbmsct" tests="%d" failures="%d" errors="%d" time="%s">\n',
    total, fails, errors, t3(time)))
  for _, r in ipairs(run.results) do
    local sc = r.scenario
    local name = sc.id .. (r.repeat_index and ("#" .. r.repeat_index) or "") .. " " .. sc.title
    local classname = sc.role .. "." .. (sc.kind or "suite")
    f:write(string.format('  <testsuite name="%s" tests="1" failures="%d" errors="%d" skipped="%d" time="%s">\n',
      E(name), r.verdict == "fail" and 1 or 0, r.verdict == "error" and 1 or 0,
      (r.verdict == "skip" or r.verdict == "inconclusive") and 1 or 0, t3(r.time)))
    f:write('    <properties>\n')
    local props = {
      { "requirements", table.concat(sc.requirements, ",") }, { "clause", sc.clause },
      { "profile", run.profile }, { "target", run.target }, { "seed", tostring(run.seed) },
      { "verdict", r.verdict }, { "path", sc.path },
    }
    if r.capture then props[#props + 1] = { "capture", r.capture } end
    if r.live_capture then props[#props + 1] = { "live_capture", r.live_capture } end
    for _, p in ipairs(props) do
      f:write(string.format('      <property name="%s" value="%s"/>\n', E(p[1]), E(p[2] or "")))
    end
    f:write('    </properties>\n')
    f:write(string.format('    <testcase name="%s" classname="%s" time="%s" status="%s">\n',
      E(name), E(classname), t3(r.time), E(r.verdict)))
    if r.verdict == "skip" or r.verdict == "inconclusive" then
      f:write(string.format('      <skipped>%s</skipped>\n', E(r.verdict .. ": " .. (r.message or ""))))
    elseif r.verdict == "error" then
      f:write(string.format('      <error type="%s" message="%s">%s</error>\n', E(r.kind or "error"),
        E(r.message or ""), E(r.detail or "")))
    elseif r.verdict == "fail" then
      f:write(string.format('      <failure type="%s" message="%s">%s</failure>\n', E(r.kind or "fail"),
        E(r.message or ""), E(r.detail or "")))
    end
    local out = table.concat(r.trace or {}, "\n")
    if r.capture then out = out .. "\n[[ATTACHMENT|" .. r.capture .. "]]" end
    if r.live_capture then out = out .. "\n[[ATTACHMENT|" .. r.live_capture .. "]]" end
    f:write(string.format('      <system-out>%s</system-out>\n', E(out)))
    f:write('    </testcase>\n  </testsuite>\n')
  end
  f:write('</testsuites>\n')
  local ok, werr = f:close()
  if not ok then return nil, werr end
  return true
end

return M
