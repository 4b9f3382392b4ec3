/*
 * lua_env: creation of the Lua 5.4 states mbmsct runs — standard libraries, the mbms.* C
 * modules registered in package.preload, and package.path pointing at harness/lua/.
 */
#ifndef MBMS_LUA_ENV_H
#define MBMS_LUA_ENV_H

#include <lauxlib.h>
#include <lua.h>

#include "builder.h"
#include "err.h"

/* The binding modules: each l_<x>.c exports only its luaopen_mbms_<x>. */
int	luaopen_mbms_mikey(lua_State *L);
int	luaopen_mbms_crypto(lua_State *L);
int	luaopen_mbms_hex(lua_State *L);
int	luaopen_mbms_capture(lua_State *L);
int	luaopen_mbms_net(lua_State *L);
int	luaopen_mbms_clock(lua_State *L);
int	luaopen_mbms_http(lua_State *L);
int	luaopen_mbms_digest(lua_State *L);
int	luaopen_mbms_xml(lua_State *L);
int	luaopen_mbms_scan(lua_State *L);

/*
 * Pushes a new userdata holding an empty builder and returns the builder. Its memory is freed by
 * __gc/__close even when Lua raises before the binding finishes: the one way bindings keep
 * output across calls that can raise (STYLE.md 8).
 */
struct bld *lua_env_bld(lua_State *L);

/*
 * The one metatable recipe of every binding (STYLE.md 2): registers name with the metamethods
 * of metas and an __index table holding meths.
 */
void	lua_env_createmeta(lua_State *L, const char *name, const luaL_Reg *metas,
	    const luaL_Reg *meths);

/*
 * Pushes the builder's bytes as a string and frees them; when rc is -1 raises msg instead (the
 * builder's userdata still frees it). Returns the number of results for a lua_CFunction.
 */
int	lua_env_push_bld(lua_State *L, struct bld *b, int rc, const char *msg);

/*
 * Returns a new state with the standard libraries and every mbms.* module loadable by require;
 * home is the project root (its harness/lua/ and suites/ are found from there).
 */
lua_State *lua_env_new(const char *home, struct err *e);

/*
 * Finds the project root: $MBMSCT_HOME if set, else the first ancestor of the running
 * executable's directory that holds harness/lua/mbmsct.lua.
 */
int	lua_env_home(char *out, size_t cap, struct err *e);

#endif
