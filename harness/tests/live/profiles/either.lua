-- The default profile, but a deregistration or an IGMP/MLD leave counts as leaving.
return { extend = "ts33246", name = "leave-either", leave = { observable = "either" } }
