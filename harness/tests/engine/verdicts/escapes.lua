-- Every escape from the sandbox must fail; the scenario passes only if all are refused.
return {
  id = "engine-sandbox", requirements = { "KU-MK-01" }, clause = "engine",
  title = "sandbox refuses os.execute, io, load, debug, foreign modules, string metatable", role = "bmsc",
  run = function(t)
    local function refused(name, f)
      local ok = pcall(f)
      t:expect_eq(name .. " refused", false, ok)
    end
    refused("os.execute", function() return os.execute("true") end)
    refused("io.popen", function() return io.popen("true") end)
    refused("io.open", function() return io.open("/etc/passwd") end)
    refused("load", function() return load("return 1")() end)
    refused("loadfile", function() return loadfile("/etc/passwd") end)
    refused("dofile", function() return dofile("/etc/passwd") end)
    refused("debug", function() return debug.sethook() end)
    refused("package", function() return package.loaded end)
    refused("require mbms.net", function() return require("mbms.net") end)
    refused("string metatable", function() getmetatable("").__index.rep = nil end)
    refused("module patch", function() require("mbms.mikey").decode = nil end)
    refused("collectgarbage", function() return collectgarbage() end)
    refused("string.dump", function() return string.dump(print) end)
    t:expect_eq("allowed module", "function", type(require("mbms.hex").encode))
  end,
}
