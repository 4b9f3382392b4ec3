/*
 * l_clock: the mbms.clock Lua module — the monotonic clock every deadline is measured on, the
 * wall clock for reports, and a bounded sleep for tools (scenarios sleep through t:sleep).
 */
#include <lauxlib.h>
#include <lua.h>

#include "lua_env.h"
#include "net.h"

/* clock.now() -> monotonic seconds (float) */
static int
l_now(lua_State *L)
{
	lua_pushnumber(L, net_now());
	return 1;
}

/* clock.wall() -> Unix time in seconds (float) */
static int
l_wall(lua_State *L)
{
	lua_pushnumber(L, net_wall());
	return 1;
}

/* clock.sleep(seconds) -> true | nil, msg; seconds must be finite and at most one day */
static int
l_sleep(lua_State *L)
{
	lua_Number s = luaL_checknumber(L, 1);
	struct err e;

	luaL_argcheck(L, s >= 0 && s <= 86400, 1, "seconds must be within 0..86400");
	if (net_sleep((int)(s * 1000 + 0.5), &e) == -1) {
		luaL_pushfail(L);
		lua_pushstring(L, e.msg);
		return 2;
	}
	lua_pushboolean(L, 1);
	return 1;
}

static const luaL_Reg funcs[] = {
	{ "now", l_now },
	{ "wall", l_wall },
	{ "sleep", l_sleep },
	{ NULL, NULL }
};

static const luaL_Reg meths[] = {
	{ NULL, NULL }
};

static const luaL_Reg metas[] = {
	{ NULL, NULL }
};

/* No userdata: the metatable exists only so that every binding has the same shape. */
static void
createmeta(lua_State *L)
{
	lua_env_createmeta(L, "mbms.clock", metas, meths);
}

int
luaopen_mbms_clock(lua_State *L)
{
	luaL_newlib(L, funcs);
	createmeta(L);
	return 1;
}
