-- fault-matrix.lua: the proof that the suite catches each fault of the reference
-- implementations (make faults). Runs the conformant reference BM-SC and UE (every scenario
-- must pass), then each fault of reference/README.md's fault tables; a fault is caught when at
-- least one scenario whose requirements include the violated requirement fails.
-- Usage: mbmsct lua scripts/fault-matrix.lua [--runs N] [--jobs N] [--time-scale X] [--only FAULT]
--          [--pcap-dir DIR] [--port-base N]
-- --pcap-dir keeps each campaign's evidence captures in DIR/<role>-<fault|conformant>/ and writes
-- DIR/caught.txt: one line "role fault requirement scenario,..." per fault (scripts/record-captures).
-- --port-base N shifts every slot's ports by N more (slot k uses offset k*1000 + N).
local runs, jobs, scale, only, pcap_dir, port_base = 1, 4, "0.05", nil, nil, 0
local i = 1
while i <= #arg do
  local a, v = arg[i], arg[i + 1]
  if a == "--runs" then runs = math.tointeger(tonumber(v)); i = i + 1
  elseif a == "--jobs" then jobs = math.tointeger(tonumber(v)); i = i + 1
  elseif a == "--time-scale" then scale = v; i = i + 1
  elseif a == "--only" then only = v; i = i + 1
  elseif a == "--pcap-dir" then pcap_dir = v; i = i + 1
  elseif a == "--port-base" then port_base = math.tointeger(tonumber(v)); i = i + 1
  else error("fault-matrix: unknown option " .. a) end
  i = i + 1
end
local exe = MBMSCT_EXE or "build/mbmsct"

-- The fault tables: "## mbms-bmsc" / "## mbms-ue" sections, rows "| `fault` | KU-.. | ... |".
local faults = {}
local section
for line in io.lines("reference/README.md") do
  local s = line:match("^##%s+mbms%-(%a+)")
  if s then section = s end
  local name, req = line:match("^|%s*`?([%w%-]+)`?%s*|%s*(KU%-%u%u%-%d%d)")
  if name and section and (not only or only == name) then
    faults[#faults + 1] = { name = name, req = req, role = section }
  end
end
assert(#faults > 0 or only, "fault-matrix: no fault rows found in reference/README.md")

local tmp = os.tmpname()
os.remove(tmp)
os.execute("mkdir -p " .. tmp)

-- Starts one campaign in the background; returns the job record.
local run_dir = tmp
local function start(role, fault, slot)
  local job = { role = role, fault = fault, json = string.format("%s/%s-%s.jsonl", run_dir, role, fault or "none"),
    log = string.format("%s/%s-%s.log", run_dir, role, fault or "none") }
  local pcap = pcap_dir and string.format("--pcap-dir %s/%s-%s", pcap_dir, role, fault or "conformant") or ""
  local cmd = string.format("%s run --target suites/targets/reference-%s.lua --time-scale %s --seed 1 " ..
    "--port-offset %d --worker %d --json %s %s %s > %s 2>&1; echo $? > %s.rc",
    -- Slots are 1000 ports apart: both targets' port sets (100 apart) fit in one slot.
    exe, role, scale, slot * 1000 + port_base, slot, job.json, fault and ("--var faults=" .. fault) or "", pcap,
    job.log, job.json)
  os.execute("(" .. cmd .. ") &")
  return job
end

local function finished(job)
  local f = io.open(job.json .. ".rc")
  if not f then return false end
  job.rc = tonumber(f:read("a"))
  f:close()
  return job.rc ~= nil
end

local function results(job)
  local out = {}
  local f = io.open(job.json)
  if not f then return out end
  for line in f:lines() do
    local reqs = line:match('"requirements":%[([^%]]*)%]') or ""
    out[#out + 1] = { id = line:match('"id":"([^"]+)"'), verdict = line:match('"verdict":"([^"]+)"'),
      reqs = reqs }
  end
  f:close()
  return out
end

local function run_all(list)
  local pending, running, done, free = {}, {}, {}, {}
  for _, j in ipairs(list) do pending[#pending + 1] = j end
  for k = 1, jobs do free[#free + 1] = k end
  while #pending > 0 or #running > 0 do
    -- A slot (ports and worker name) is reused only once its campaign has finished.
    while #free > 0 and #pending > 0 do
      local j = table.remove(pending, 1)
      local slot = table.remove(free, 1)
      running[#running + 1] = start(j.role, j.fault, slot)
      running[#running].slot = slot
    end
    local still = {}
    for _, job in ipairs(running) do
      if finished(job) then done[#done + 1] = job; free[#free + 1] = job.slot else still[#still + 1] = job end
    end
    running = still
    if #running > 0 then os.execute("sleep 0.2") end
  end
  return done
end

local bad = 0
local answers = {}
for r = 1, runs do
  -- Each run writes its own files: a result of an earlier run must never stand in for one.
  run_dir = string.format("%s/run%d", tmp, r)
  os.execute("mkdir -p " .. run_dir)
  local list = { { role = "bmsc" }, { role = "ue" } }
  for _, f in ipairs(faults) do list[#list + 1] = { role = f.role, fault = f.name } end
  local done = run_all(list)
  local by = {}
  for _, job in ipairs(done) do by[job.role .. "/" .. tostring(job.fault)] = job end
  print(string.format("run %d/%d", r, runs))
  for _, role in ipairs({ "bmsc", "ue" }) do
    local job = by[role .. "/nil"]
    local res = results(job)
    local failing = {}
    for _, x in ipairs(res) do
      if x.verdict ~= "pass" and x.verdict ~= "skip" then failing[#failing + 1] = x.id .. " (" .. x.verdict .. ")" end
    end
    local ok = job.rc == 0 and #failing == 0 and #res > 0
    if not ok then bad = bad + 1 end
    print(string.format("  %-28s %-5s %d scenarios%s", "conformant " .. role, ok and "ok" or "FAIL", #res,
      #failing > 0 and (": " .. table.concat(failing, ", ")) or (job.rc ~= 0 and (" (exit " .. tostring(job.rc) .. ", see " .. job.log .. ")") or "")))
  end
  print(string.format("  %-28s %-9s %s", "fault", "violates", "failing scenarios naming it"))
  for _, f in ipairs(faults) do
    local job = by[f.role .. "/" .. f.name]
    local hits = {}
    for _, x in ipairs(results(job)) do
      if x.verdict == "fail" and x.reqs:find('"' .. f.req .. '"', 1, true) then hits[#hits + 1] = x.id end
    end
    if pcap_dir and r == runs then
      local cf = assert(io.open(pcap_dir .. "/caught.txt", "a"))
      cf:write(string.format("%s %s %s %s\n", f.role, f.name, f.req, table.concat(hits, ",")))
      cf:close()
    end
    local key = f.role .. "/" .. f.name
    answers[key] = answers[key] or {}
    answers[key][r] = #hits > 0
    if #hits == 0 then bad = bad + 1 end
    print(string.format("  %-28s %-9s %s", f.role .. ":" .. f.name, f.req,
      #hits > 0 and table.concat(hits, ", ") or ("UNDETECTED (see " .. job.log .. ")")))
  end
end
-- Stability: the same answer on every run.
for key, a in pairs(answers) do
  for r = 2, runs do
    if a[r] ~= a[1] then print("FLAKY: " .. key .. " changed its answer between runs"); bad = bad + 1; break end
  end
end
if bad == 0 then os.execute("rm -rf " .. tmp) end
print(string.format("fault matrix: %d faults x %d run(s): %s", #faults, runs, bad == 0 and "all caught, conformant builds pass" or (bad .. " problem(s)")))
return bad == 0 and 0 or 1
