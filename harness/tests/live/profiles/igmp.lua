-- The default profile, but a UE's leave is observed as its IGMP/MLD leave of the service group.
return { extend = "ts33246", name = "leave-igmp", leave = { observable = "igmp" } }
