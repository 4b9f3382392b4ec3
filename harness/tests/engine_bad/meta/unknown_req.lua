return {
  id = "bad-req",
  requirements = { "KU-XX-99" },
  clause = "x", title = "unknown requirement", role = "bmsc",
  run = function() end,
}
