return {
  id = "bad-syntax", requirements = { "KU-MK-01" },
  clause = "x" title = "missing comma",
}
