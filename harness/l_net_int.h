/*
 * l_net_int: what the two files of the mbms.net binding share (l_net.c: sockets and the module;
 * l_net_wait.c: poll, sleep, clocks). Private to them; the module exports only luaopen_mbms_net.
 */
#ifndef MBMS_L_NET_INT_H
#define MBMS_L_NET_INT_H

#include <lua.h>

#define NET_MT		"mbms.net.socket"

/* The two result channels (liolib's): nil (fail), msg; or true. Return the result count. */
int	lnet_pushfail(lua_State *L, const char *msg);
int	lnet_pushtrue(lua_State *L);

/* net.poll, net.sleep, net.now, net.wall (l_net_wait.c). */
int	lnet_poll(lua_State *L);
int	lnet_sleep(lua_State *L);
int	lnet_now(lua_State *L);
int	lnet_wall(lua_State *L);

#endif
