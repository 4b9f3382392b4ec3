/*
 * test_lua: runs every .lua file of harness/tests/lua/ in a fresh state from lua_env_new; a script
 * fails by raising an error. Also checks lua_env itself.
 */
#include <dirent.h>
#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lua_env.h"
#include "testutil.h"

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
test_scripts(void)
{
	char home[4096], path[4600], *names[128];
	size_t n = 0, i;
	struct dirent *de;
	struct err e;
	DIR *d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(home, sizeof(home)));
	snprintf(path, sizeof(path), "%s/harness/tests/lua", home);
	d = opendir(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((de = readdir(d)) != NULL && n < 128) {
		size_t l = strlen(de->d_name);

		if (l > 4 && strcmp(de->d_name + l - 4, ".lua") == 0)
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp);
	CU_ASSERT_TRUE(n >= 2);
	for (i = 0; i < n; i++) {
		lua_State *L = lua_env_new(home, &e);
		int rc;

		CU_ASSERT_PTR_NOT_NULL_FATAL(L);
		/* The assertions the scripts share live in harness/tests/lua/lib/. */
		lua_getglobal(L, "package");
		lua_pushfstring(L, "%s/harness/tests/lua/lib/?.lua;", home);
		lua_getfield(L, -2, "path");
		lua_concat(L, 2);
		lua_setfield(L, -2, "path");
		lua_pop(L, 1);
		snprintf(path, sizeof(path), "%s/harness/tests/lua/%s", home, names[i]);
		rc = luaL_dofile(L, path);
		if (rc != LUA_OK)
			fprintf(stderr, "\nLua test %s failed: %s\n", names[i], lua_tostring(L, -1));
		else
			fprintf(stderr, "\n  lua: %s passed", names[i]);
		CU_ASSERT_EQUAL(rc, LUA_OK);
		lua_close(L);
		free(names[i]);
	}
}

/* C modules are preloaded; nothing is loaded from cpath, and a missing module is an error. */
static void
test_env(void)
{
	char home[4096];
	struct err e;
	lua_State *L;

	CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(home, sizeof(home)));
	L = lua_env_new(home, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(L);
	CU_ASSERT_EQUAL(luaL_dostring(L, "return require('mbms.mikey').decode ~= nil"), LUA_OK);
	CU_ASSERT_TRUE(lua_toboolean(L, -1));
	CU_ASSERT_EQUAL(luaL_dostring(L, "return package.cpath"), LUA_OK);
	CU_ASSERT_STRING_EQUAL(lua_tostring(L, -1), "");
	CU_ASSERT_NOT_EQUAL(luaL_dostring(L, "require('mbms.nonexistent')"), LUA_OK);
	lua_close(L);
}

static void
test_home(void)
{
	char out[4096], cwd[4096];
	struct err e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof(cwd)));
	setenv("MBMSCT_HOME", cwd, 1);
	CU_ASSERT_EQUAL(lua_env_home(out, sizeof(out), &e), 0);
	CU_ASSERT_STRING_EQUAL(out, cwd);
	setenv("MBMSCT_HOME", "/nonexistent-mbmsct", 1);
	CU_ASSERT_EQUAL(lua_env_home(out, sizeof(out), &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "MBMSCT_HOME"));
	unsetenv("MBMSCT_HOME");
}

int
test_lua_register(void)
{
	static const struct tu_test tests[] = {
		{ "lua_env preloads modules, no cpath", test_env },
		{ "lua_env_home honours MBMSCT_HOME", test_home },
		{ "harness/tests/lua/*.lua scripts", test_scripts },
		{ NULL, NULL }
	};

	return tu_register("lua", tests);
}
