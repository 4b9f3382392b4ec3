/* lua_env: builds the Lua states mbmsct runs, with the mbms.* modules and search paths. */
#include "lua_env.h"

#include <lauxlib.h>
#include <limits.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builder.h"

#define BLD_MT "mbms.bld"

static int
bld_release(lua_State *L)
{
	bld_free(luaL_checkudata(L, 1, BLD_MT));
	return 0;
}

struct bld *
lua_env_bld(lua_State *L)
{
	struct bld *b = lua_newuserdatauv(L, sizeof(*b), 0);

	bld_init(b);
	if (luaL_newmetatable(L, BLD_MT)) {
		lua_pushcfunction(L, bld_release);
		lua_setfield(L, -2, "__gc");
		lua_pushcfunction(L, bld_release);
		lua_setfield(L, -2, "__close");
	}
	lua_setmetatable(L, -2);
	return b;
}

void
lua_env_createmeta(lua_State *L, const char *name, const luaL_Reg *metas, const luaL_Reg *meths)
{
	luaL_newmetatable(L, name);
	luaL_setfuncs(L, metas, 0);
	lua_newtable(L);
	luaL_setfuncs(L, meths, 0);
	lua_setfield(L, -2, "__index");
	lua_pop(L, 1);
}

int
lua_env_push_bld(lua_State *L, struct bld *b, int rc, const char *msg)
{
	if (rc == -1)
		return luaL_error(L, "%s", msg);
	lua_pushlstring(L, b->len ? (const char *)b->buf : "", b->len);
	bld_free(b);
	return 1;
}

static const luaL_Reg modules[] = {
	{ "mbms.mikey", luaopen_mbms_mikey },
	{ "mbms.crypto", luaopen_mbms_crypto },
	{ "mbms.hex", luaopen_mbms_hex },
	{ "mbms.capture", luaopen_mbms_capture },
	{ "mbms.net", luaopen_mbms_net },
	{ "mbms.clock", luaopen_mbms_clock },
	{ "mbms.http", luaopen_mbms_http },
	{ "mbms.digest", luaopen_mbms_digest },
	{ "mbms.xml", luaopen_mbms_xml },
	{ "mbms.scan", luaopen_mbms_scan },
	{ NULL, NULL }
};

/* Runs in protected mode so that an allocation failure is an error, not an abort. */
static int
setup(lua_State *L)
{
	const char *home = lua_touserdata(L, 1);
	const luaL_Reg *m;

	luaL_openlibs(L);
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
	for (m = modules; m->name != NULL; m++) {
		lua_pushcfunction(L, m->func);
		lua_setfield(L, -2, m->name);
	}
	lua_pop(L, 1);
	lua_getglobal(L, "package");
	lua_pushfstring(L, "%s/harness/lua/?.lua;%s/harness/lua/?/init.lua", home, home);
	lua_setfield(L, -2, "path");
	/* C modules come only from preload: no shared objects are loaded from disk. */
	lua_pushliteral(L, "");
	lua_setfield(L, -2, "cpath");
	lua_pop(L, 1);
	lua_pushstring(L, home);
	lua_setglobal(L, "MBMSCT_HOME");
	return 0;
}

lua_State *
lua_env_new(const char *home, struct err *e)
{
	lua_State *L;

	if ((L = luaL_newstate()) == NULL) {
		err_setx(e, "cannot create a Lua state (out of memory)");
		return NULL;
	}
	lua_pushcfunction(L, setup);
	lua_pushlightuserdata(L, (void *)home);
	if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
		err_setx(e, "setting up Lua: %s", lua_tostring(L, -1));
		lua_close(L);
		return NULL;
	}
	return L;
}

static int
is_home(const char *dir)
{
	char probe[PATH_MAX];

	if ((size_t)snprintf(probe, sizeof(probe), "%s/harness/lua/mbmsct.lua", dir) >=
	    sizeof(probe))
		return 0;
	return access(probe, R_OK) == 0;
}

int
lua_env_home(char *out, size_t cap, struct err *e)
{
	char dir[PATH_MAX], *slash;
	const char *env = getenv("MBMSCT_HOME");
	ssize_t n;
	int up;

	if (env != NULL && *env != '\0') {
		if (!is_home(env))
			return err_setx(e, "MBMSCT_HOME=%s has no harness/lua/mbmsct.lua", env);
		if ((size_t)snprintf(out, cap, "%s", env) >= cap)
			return err_setx(e, "MBMSCT_HOME is too long");
		return 0;
	}
	if ((n = readlink("/proc/self/exe", dir, sizeof(dir) - 1)) < 0)
		return err_set(e, "cannot find the running executable (/proc/self/exe)");
	dir[n] = '\0';
	for (up = 0; up < 5; up++) {
		if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
			break;
		*slash = '\0';
		if (is_home(dir)) {
			if ((size_t)snprintf(out, cap, "%s", dir) >= cap)
				return err_setx(e, "install path is too long");
			return 0;
		}
	}
	return err_setx(e, "cannot find harness/lua/mbmsct.lua above the executable; "
	    "set MBMSCT_HOME to the mbmsct source tree");
}
