/* l_hex: the mbms.hex Lua module — hex text to bytes and back. */
#include <lauxlib.h>
#include <lua.h>

#include "hex.h"
#include "lua_env.h"

/* hex.decode(text) -> bytes | nil, err (whitespace and ':' ignored) */
static int
l_decode(lua_State *L)
{
	size_t len;
	const char *s = luaL_checklstring(L, 1, &len);
	struct bld *b = lua_env_bld(L);
	struct err e;

	if (hex_decode(s, len, b, &e) == -1) {
		luaL_pushfail(L);
		lua_pushstring(L, e.msg);
		return 2;
	}
	lua_pushlstring(L, (const char *)b->buf, b->len);
	return 1;
}

/* hex.encode(bytes) -> lower-case hex text */
static int
l_encode(lua_State *L)
{
	size_t len;
	const char *s = luaL_checklstring(L, 1, &len);
	luaL_Buffer buf;
	char *out;

	out = luaL_buffinitsize(L, &buf, 2 * len + 1);
	hex_encode((const uint8_t *)s, len, out);
	luaL_pushresultsize(&buf, 2 * len);
	return 1;
}

static const luaL_Reg funcs[] = {
	{ "decode", l_decode },
	{ "encode", l_encode },
	{ NULL, NULL }
};

static const luaL_Reg meths[] = {
	{ NULL, NULL }
};

static const luaL_Reg metas[] = {
	{ NULL, NULL }
};

static void
createmeta(lua_State *L)
{
	lua_env_createmeta(L, "mbms.hex", metas, meths);
}

int
luaopen_mbms_hex(lua_State *L)
{
	luaL_newlib(L, funcs);
	createmeta(L);
	return 1;
}
