-- A vendor profile: everything of ts33246, but other port, path, a cause code and MIKEY order.
return {
  extend = "ts33246",
  name = "vendor-x",
  http = { port = 9443, path = "/mbms/keys" },
  causes = { UNKNOWN_KEY = 410 },
  mikey = { ports = { 4000, 4001 } },
}
