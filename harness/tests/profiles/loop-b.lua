return { extend = "harness/tests/profiles/loop-a.lua" }
