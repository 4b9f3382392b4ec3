/*
 * l_http: the mbms.http Lua module — HTTP/1.1 messages written to bytes and read back.
 *
 *   http.request{method=, target=, headers={{"Host","x"},...}, body="", raw=false, version="1.1"}
 *                                 -> bytes
 *   http.response{status=, reason=, headers=, body="", raw=false, version="1.1"}  -> bytes
 *   http.parser("request"|"response" [, {max_header=, max_body=}])            -> parser
 *   http.reason(code)             -> the standard reason phrase | nil
 *
 * A parser is one userdata type with
 *   p:feed(bytes)   -> array of messages completed by these bytes | nil, msg, completed
 *   p:finish()      -> array of messages completed by the end of the stream | nil, msg, completed
 *   p:close()       -> true (also __close and __gc; using a closed parser raises)
 * A message is {method=, target= (requests) | status=, reason= (responses), version="1.1",
 * headers={{name, value},...} (original case, in order), header={lower-case name = value, last
 * wins}, trailers={{name, value},...}, body=, keep_alive=, chunked=, eof_body=, upgrade=}.
 *
 * As in liolib, misuse (wrong types, a malformed argument in non-raw mode, a closed parser)
 * raises; bytes that do not parse return nil, msg (with the messages completed before them).
 */
#include <lauxlib.h>
#include <lua.h>

#include <stdio.h>
#include <string.h>

#include "builder.h"
#include "http.h"
#include "lua_env.h"

#define PARSER_MT	"mbms.http.parser"

struct lparser {
	struct http_reader *r;
	enum http_kind kind;
};

/* --- writing ----------------------------------------------------------------------------- */

/* A builder owned by a userdata, so that a raising Lua call cannot leak its buffer. */
/*
 * Reads an optional string field of the table at index 1. Only real strings are taken: a
 * number converted in place would live on the stack alone, and the pointer must stay valid
 * after the pop because the table still holds the string.
 */
static const char *
opt_string(lua_State *L, const char *fn, const char *k, size_t *len)
{
	const char *s = NULL;
	size_t n = 0;
	int t = lua_getfield(L, 1, k);

	if (t == LUA_TSTRING)
		s = lua_tolstring(L, -1, &n);
	else if (t != LUA_TNIL)
		luaL_error(L, "%s: field '%s' must be a string, got %s", fn, k,
		    luaL_typename(L, -1));
	lua_pop(L, 1);
	if (len != NULL)
		*len = n;
	return s;
}

/* A text field that is handed to C as a C string: no NUL byte inside. */
static const char *
opt_text(lua_State *L, const char *fn, const char *k)
{
	size_t n;
	const char *s = opt_string(L, fn, k, &n);

	if (s != NULL && strlen(s) != n)
		luaL_error(L, "%s: field '%s' holds a NUL byte", fn, k);
	return s;
}

static int
opt_bool(lua_State *L, const char *fn, const char *k)
{
	int t = lua_getfield(L, 1, k), v;

	if (t != LUA_TNIL && t != LUA_TBOOLEAN)
		luaL_error(L, "%s: field '%s' must be a boolean, got %s", fn, k,
		    luaL_typename(L, -1));
	v = lua_toboolean(L, -1);
	lua_pop(L, 1);
	return v;
}

/* Reads headers={{name, value},...} into an array kept alive by a userdata left on the stack. */
static void
get_fields(lua_State *L, const char *fn, struct http_out *m)
{
	struct http_field *f;
	lua_Integer i, n;

	m->fields = NULL;
	m->nfields = 0;
	if (lua_getfield(L, 1, "headers") == LUA_TNIL) {
		lua_pop(L, 1);
		return;
	}
	if (!lua_istable(L, -1))
		luaL_error(L, "%s: field 'headers' must be an array of {name, value}, got %s", fn,
		    luaL_typename(L, -1));
	n = luaL_len(L, -1);
	f = lua_newuserdatauv(L, (size_t)(n > 0 ? n : 1) * sizeof(*f), 0);
	lua_insert(L, -2);
	for (i = 1; i <= n; i++) {
		if (lua_rawgeti(L, -1, i) != LUA_TTABLE)
			luaL_error(L, "%s: headers[%d] must be a table {name, value}, got %s", fn,
			    (int)i, luaL_typename(L, -1));
		if (lua_rawgeti(L, -1, 1) != LUA_TSTRING || lua_rawgeti(L, -2, 2) != LUA_TSTRING)
			luaL_error(L, "%s: headers[%d] must hold two strings {name, value}", fn,
			    (int)i);
		f[i - 1].name = lua_tolstring(L, -2, &f[i - 1].name_len);
		f[i - 1].value = lua_tolstring(L, -1, &f[i - 1].value_len);
		lua_pop(L, 3);
	}
	lua_pop(L, 1);
	m->fields = f;
	m->nfields = (size_t)n;
}

static void
get_common(lua_State *L, const char *fn, struct http_out *m)
{
	m->version = opt_text(L, fn, "version");
	m->body = (const uint8_t *)opt_string(L, fn, "body", &m->body_len);
	m->raw = opt_bool(L, fn, "raw");
	get_fields(L, fn, m);
}

static int
l_request(lua_State *L)
{
	struct http_out m;
	struct bld *b;
	struct err e;

	luaL_checktype(L, 1, LUA_TTABLE);
	memset(&m, 0, sizeof(m));
	if ((m.method = opt_text(L, "request", "method")) == NULL)
		return luaL_error(L, "request: field 'method' is required");
	if ((m.target = opt_text(L, "request", "target")) == NULL)
		return luaL_error(L, "request: field 'target' is required");
	get_common(L, "request", &m);
	b = lua_env_bld(L);
	return lua_env_push_bld(L, b, http_write_request(b, &m, &e), e.msg);
}

static int
l_response(lua_State *L)
{
	struct http_out m;
	struct bld *b;
	struct err e;
	int isint;

	luaL_checktype(L, 1, LUA_TTABLE);
	memset(&m, 0, sizeof(m));
	if (lua_getfield(L, 1, "status") != LUA_TNUMBER)
		return luaL_error(L, "response: field 'status' must be an integer 0..999, got %s",
		    luaL_typename(L, -1));
	m.status = (int)lua_tointegerx(L, -1, &isint);
	if (!isint || lua_tointeger(L, -1) < 0 || lua_tointeger(L, -1) > 999)
		return luaL_error(L, "response: field 'status' must be an integer 0..999");
	lua_pop(L, 1);
	m.reason = opt_text(L, "response", "reason");
	get_common(L, "response", &m);
	b = lua_env_bld(L);
	return lua_env_push_bld(L, b, http_write_response(b, &m, &e), e.msg);
}

static int
l_reason(lua_State *L)
{
	const char *r = http_reason((int)luaL_checkinteger(L, 1));

	if (r == NULL)
		return 0;
	lua_pushstring(L, r);
	return 1;
}

/* --- reading ----------------------------------------------------------------------------- */

static struct lparser *
toparser(lua_State *L)
{
	struct lparser *p = luaL_checkudata(L, 1, PARSER_MT);

	if (p->r == NULL)
		luaL_error(L, "attempt to use a closed http parser");
	return p;
}

/* The one release: shared by __gc, __close and :close(), and harmless when closed. */
static void
release(struct lparser *p)
{
	http_reader_free(p->r);
	p->r = NULL;
}

static size_t
opt_limit(lua_State *L, const char *k, size_t dflt)
{
	lua_Integer v;
	int isint;

	if (lua_getfield(L, 2, k) == LUA_TNIL) {
		lua_pop(L, 1);
		return dflt;
	}
	v = lua_tointegerx(L, -1, &isint);
	if (lua_type(L, -1) != LUA_TNUMBER || !isint || v < 0)
		luaL_error(L, "parser: option '%s' must be a non-negative integer", k);
	lua_pop(L, 1);
	return (size_t)v;
}

static int
l_parser(lua_State *L)
{
	static const char *const kinds[] = { "request", "response", NULL };
	int kind = luaL_checkoption(L, 1, NULL, kinds);
	struct http_limits lim = { HTTP_DEFAULT_MAX_HEADER, HTTP_DEFAULT_MAX_BODY };
	struct lparser *p;
	struct err e;

	if (!lua_isnoneornil(L, 2)) {
		luaL_checktype(L, 2, LUA_TTABLE);
		lim.max_header = opt_limit(L, "max_header", lim.max_header);
		lim.max_body = opt_limit(L, "max_body", lim.max_body);
		if (lim.max_header == 0 || lim.max_header > HTTP_HEADER_CEILING)
			return luaL_error(L, "parser: max_header must be 1..%d",
			    HTTP_HEADER_CEILING);
	}
	/* Created closed, so that a failure below leaves nothing to release. */
	p = lua_newuserdatauv(L, sizeof(*p), 0);
	p->r = NULL;
	p->kind = kind == 0 ? HTTP_KIND_REQUEST : HTTP_KIND_RESPONSE;
	luaL_setmetatable(L, PARSER_MT);
	if ((p->r = http_reader_new(p->kind, &lim, &e)) == NULL)
		return luaL_error(L, "parser: %s", e.msg);
	return 1;
}

static void
set_str(lua_State *L, const char *k, const char *s, size_t n)
{
	lua_pushlstring(L, s, n);
	lua_setfield(L, -2, k);
}

static void
set_bool(lua_State *L, const char *k, int v)
{
	lua_pushboolean(L, v);
	lua_setfield(L, -2, k);
}

static void
push_fields(lua_State *L, const struct http_header *h, size_t n)
{
	size_t i;

	lua_createtable(L, (int)n, 0);
	for (i = 0; i < n; i++) {
		lua_createtable(L, 2, 0);
		lua_pushlstring(L, h[i].name, h[i].name_len);
		lua_rawseti(L, -2, 1);
		lua_pushlstring(L, h[i].value, h[i].value_len);
		lua_rawseti(L, -2, 2);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
}

/* header = {lower-case name = value}: later fields overwrite earlier ones. */
static void
push_header_map(lua_State *L, const struct http_header *h, size_t n)
{
	luaL_Buffer lb;
	size_t i, j;

	lua_createtable(L, 0, (int)n);
	for (i = 0; i < n; i++) {
		luaL_buffinit(L, &lb);
		for (j = 0; j < h[i].name_len; j++) {
			char c = h[i].name[j];

			luaL_addchar(&lb, c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c);
		}
		luaL_pushresult(&lb);
		lua_pushlstring(L, h[i].value, h[i].value_len);
		lua_rawset(L, -3);
	}
}

static void
push_msg(lua_State *L, const struct http_msg *m)
{
	size_t nh = m->nheaders - m->ntrailers;
	char version[32];

	lua_createtable(L, 0, 14);
	if (m->request) {
		set_str(L, "method", m->method, strlen(m->method));
		set_str(L, "target", m->target, strlen(m->target));
	} else {
		lua_pushinteger(L, m->status);
		lua_setfield(L, -2, "status");
		set_str(L, "reason", m->reason, strlen(m->reason));
	}
	snprintf(version, sizeof(version), "%u.%u", m->major, m->minor);
	set_str(L, "version", version, strlen(version));
	push_fields(L, m->headers, nh);
	lua_setfield(L, -2, "headers");
	push_header_map(L, m->headers, nh);
	lua_setfield(L, -2, "header");
	push_fields(L, m->headers + nh, m->ntrailers);
	lua_setfield(L, -2, "trailers");
	set_str(L, "body", (const char *)m->body, m->body_len);
	set_bool(L, "keep_alive", m->keep_alive);
	set_bool(L, "chunked", m->chunked);
	set_bool(L, "eof_body", m->eof_body);
	set_bool(L, "upgrade", m->upgrade);
}

/*
 * Moves every queued message into a new array. Each is popped only after its table is built,
 * so a raising Lua call leaves it with the reader, which __gc frees.
 */
static void
push_ready(lua_State *L, struct http_reader *r)
{
	const struct http_msg *m;
	lua_Integer i = 0;

	lua_newtable(L);
	while ((m = http_reader_peek(r)) != NULL) {
		push_msg(L, m);
		lua_rawseti(L, -2, ++i);
		http_reader_pop(r);
	}
}

static int
result(lua_State *L, struct http_reader *r, int rc, const char *msg)
{
	if (rc == -1) {
		luaL_pushfail(L);
		lua_pushstring(L, msg);
		push_ready(L, r);
		return 3;
	}
	push_ready(L, r);
	return 1;
}

static int
m_feed(lua_State *L)
{
	struct lparser *p = toparser(L);
	size_t n;
	const char *s = luaL_checklstring(L, 2, &n);
	struct err e;

	return result(L, p->r, http_reader_feed(p->r, (const uint8_t *)s, n, &e), e.msg);
}

static int
m_finish(lua_State *L)
{
	struct lparser *p = toparser(L);
	struct err e;

	return result(L, p->r, http_reader_finish(p->r, &e), e.msg);
}

static int
m_close(lua_State *L)
{
	release(toparser(L));
	lua_pushboolean(L, 1);
	return 1;
}

static int
mt_gc(lua_State *L)
{
	release(luaL_checkudata(L, 1, PARSER_MT));
	return 0;
}

static int
mt_tostring(lua_State *L)
{
	struct lparser *p = luaL_checkudata(L, 1, PARSER_MT);
	const char *kind = p->kind == HTTP_KIND_REQUEST ? "request" : "response";

	if (p->r == NULL)
		lua_pushfstring(L, "http %s parser (closed)", kind);
	else
		lua_pushfstring(L, "http %s parser (%p)", kind, (void *)p);
	return 1;
}

static const luaL_Reg funcs[] = {
	{ "request", l_request },
	{ "response", l_response },
	{ "parser", l_parser },
	{ "reason", l_reason },
	{ NULL, NULL }
};

static const luaL_Reg meths[] = {
	{ "feed", m_feed },
	{ "finish", m_finish },
	{ "close", m_close },
	{ NULL, NULL }
};

static const luaL_Reg metas[] = {
	{ "__index", NULL },		/* set to the method table by createmeta */
	{ "__gc", mt_gc },
	{ "__close", mt_gc },
	{ "__tostring", mt_tostring },
	{ NULL, NULL }
};

static void
createmeta(lua_State *L)
{
	lua_env_createmeta(L, PARSER_MT, metas, meths);
}

int
luaopen_mbms_http(lua_State *L)
{
	luaL_newlib(L, funcs);
	createmeta(L);
	return 1;
}
