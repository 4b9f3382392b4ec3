return { extend = "harness/tests/profiles/loop-b.lua" }
