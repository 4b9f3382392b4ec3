/* main: the mbmsct command — a C host that hands the command line to harness/lua/mbmsct.lua. */
#include <lauxlib.h>
#include <limits.h>
#include <lua.h>
#include <stdio.h>

#include "err.h"
#include "lua_env.h"

/* Adds a traceback to errors that escape the Lua side: those are harness bugs. */
static int
traceback(lua_State *L)
{
	const char *msg = lua_tostring(L, 1);

	luaL_traceback(L, L, msg != NULL ? msg : "(error object is not a string)", 1);
	return 1;
}

/* The protected main: require the CLI module and call its main(args) -> exit status. */
static int
pmain(lua_State *L)
{
	int argc = (int)lua_tointeger(L, 1);
	char **argv = lua_touserdata(L, 2);
	int i;

	/* Parallel runs start workers with the same executable (a sanitizer build included). */
	lua_pushstring(L, argv[0]);
	lua_setglobal(L, "MBMSCT_EXE");
	lua_getglobal(L, "require");
	lua_pushliteral(L, "mbmsct");
	lua_call(L, 1, 1);
	lua_getfield(L, -1, "main");
	lua_createtable(L, argc, 0);
	for (i = 1; i < argc; i++) {
		lua_pushstring(L, argv[i]);
		lua_rawseti(L, -2, i);
	}
	lua_call(L, 1, 1);
	return 1;
}

int
main(int argc, char **argv)
{
	char home[PATH_MAX];
	struct err e;
	lua_State *L;
	int status = 2;

	if (lua_env_home(home, sizeof(home), &e) == -1) {
		fprintf(stderr, "mbmsct: %s\n", e.msg);
		return 2;
	}
	if ((L = lua_env_new(home, &e)) == NULL) {
		fprintf(stderr, "mbmsct: %s\n", e.msg);
		return 2;
	}
	lua_pushcfunction(L, traceback);
	lua_pushcfunction(L, pmain);
	lua_pushinteger(L, argc);
	lua_pushlightuserdata(L, argv);
	if (lua_pcall(L, 2, 1, 1) != LUA_OK)
		fprintf(stderr, "mbmsct: internal error: %s\n", lua_tostring(L, -1));
	else
		status = (int)luaL_optinteger(L, -1, 0);
	lua_close(L);
	return status;
}
