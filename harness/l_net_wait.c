/*
 * l_net_wait: the waiting half of mbms.net (see l_net.c for the module's contract) — net.poll
 * over sockets and descriptors, net.sleep, and the clocks net.now and net.wall. Both waits
 * demand a timeout: every wait in a test has a deadline.
 */
#include <lauxlib.h>
#include <lua.h>

#include <limits.h>
#include <math.h>
#include <string.h>

#include "l_net_int.h"
#include "net.h"

/* Seconds to whole milliseconds, rounded up so that no wait ends before its deadline. */
static int
checkms(lua_State *L, int idx, const char *fn)
{
	lua_Number t;

	if (lua_isnoneornil(L, idx))
		luaL_error(L, "%s: a timeout in seconds is required (every wait has a deadline)",
		    fn);
	t = luaL_checknumber(L, idx);
	luaL_argcheck(L, t >= 0, idx, "timeout must be a non-negative number of seconds");
	t = ceil(t * 1000.0);
	return t >= (lua_Number)INT_MAX ? INT_MAX : (int)t;
}

static unsigned int
checkmode(lua_State *L, const char *mode, lua_Integer i)
{
	if (strcmp(mode, "r") == 0)
		return NET_POLL_READ;
	if (strcmp(mode, "w") == 0)
		return NET_POLL_WRITE;
	if (strcmp(mode, "rw") == 0 || strcmp(mode, "wr") == 0)
		return NET_POLL_READ | NET_POLL_WRITE;
	luaL_error(L, "poll: entry %I: mode '%s' is not \"r\", \"w\" or \"rw\"", i, mode);
	return 0;
}

static void
setbool(lua_State *L, const char *k, int v)
{
	lua_pushboolean(L, v != 0);
	lua_setfield(L, -2, k);
}

int
lnet_poll(lua_State *L)
{
	struct net_pollent *ents;
	lua_Integer n, i;
	struct err e;
	int ms, rc, out;

	luaL_checktype(L, 1, LUA_TTABLE);
	ms = checkms(L, 2, "poll");
	n = luaL_len(L, 1);
	luaL_argcheck(L, n >= 0 && n <= 65536, 1, "too many entries");
	/* The entries live in a Lua userdata, so a raise below leaks nothing. */
	ents = lua_newuserdatauv(L, (size_t)(n > 0 ? n : 1) * sizeof(*ents), 0);
	for (i = 1; i <= n; i++) {
		struct net_pollent *pe = &ents[i - 1];
		lua_Integer fd;
		int isint;

		if (lua_geti(L, 1, i) != LUA_TTABLE)
			luaL_error(L, "poll: entry %I must be a table {sock, mode}, got %s", i,
			    luaL_typename(L, -1));
		lua_geti(L, -1, 1);
		if (lua_type(L, -1) == LUA_TNUMBER) {
			fd = lua_tointegerx(L, -1, &isint);
			if (!isint || fd < 0 || fd > INT_MAX)
				luaL_error(L, "poll: entry %I: descriptor must be a non-negative "
				    "integer", i);
			pe->fd = (int)fd;
		} else {
			struct net_sock *s = luaL_testudata(L, -1, NET_MT);

			if (s == NULL)
				luaL_error(L, "poll: entry %I: expected a socket, got %s", i,
				    luaL_typename(L, -1));
			if (!net_is_open(s))
				luaL_error(L, "poll: entry %I: attempt to use a closed socket", i);
			pe->fd = s->fd;
		}
		if (lua_geti(L, -2, 2) != LUA_TSTRING)
			luaL_error(L, "poll: entry %I: mode must be \"r\", \"w\" or \"rw\", got %s",
			    i, luaL_typename(L, -1));
		pe->want = checkmode(L, lua_tostring(L, -1), i);
		pe->got = 0;
		lua_pop(L, 3);
	}
	if ((rc = net_poll(ents, (size_t)n, ms, &e)) == -1)
		return lnet_pushfail(L, e.msg);
	lua_createtable(L, rc, 0);
	out = 0;
	for (i = 1; i <= n; i++) {
		unsigned int got = ents[i - 1].got;

		if (got == 0)
			continue;
		lua_createtable(L, 0, 5);
		lua_pushinteger(L, i);
		lua_setfield(L, -2, "index");
		setbool(L, "readable", got & NET_POLL_READ);
		setbool(L, "writable", got & NET_POLL_WRITE);
		setbool(L, "hangup", got & NET_POLL_HUP);
		setbool(L, "error", got & NET_POLL_ERROR);
		lua_rawseti(L, -2, ++out);
	}
	return 1;
}

int
lnet_sleep(lua_State *L)
{
	int ms;
	struct err e;

	ms = checkms(L, 1, "sleep");
	if (net_sleep(ms, &e) == -1)
		return lnet_pushfail(L, e.msg);
	return lnet_pushtrue(L);
}

int
lnet_now(lua_State *L)
{
	lua_pushnumber(L, (lua_Number)net_now());
	return 1;
}

int
lnet_wall(lua_State *L)
{
	lua_pushnumber(L, (lua_Number)net_wall());
	return 1;
}
