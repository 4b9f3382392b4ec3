/*
 * l_digest: the mbms.digest Lua module — HTTP Digest (RFC 7616 / RFC 2617) for both sides.
 *
 *   digest.challenge{realm=, nonce=, opaque=, qop="auth"|"auth-int"|"auth,auth-int"|nil,
 *                    algorithm="MD5"|"MD5-sess"|"SHA-256"|"SHA-256-sess"|nil, stale=, userhash=}
 *                                                   -> WWW-Authenticate value
 *   digest.parse(value)     -> {scheme=, params={name=value}, order={names}, quoted={name=true}}
 *                              (names in lower case) | nil, msg
 *   digest.compute{algorithm="MD5", username=, realm=, password=, nonce=, cnonce=, nc=, qop=,
 *                  method=, uri=, body=}                  -> response (lower-case hex)
 *   digest.authorization{...as compute, response=, opaque=, userhash=}
 *                                                   -> Authorization value
 *   digest.verify(parsed_or_params, {password=, method=, body=, realm=, nonce=, algorithm=,
 *                 username=, uri=, qop=, nc=, opaque=})  -> true | false, msg, check
 *   digest.nonce([n_bytes = 16])                          -> random hex
 *
 * The builders write whatever values they are given (wrong ones on purpose included); the
 * response is computed unless response= is given. Misuse (a missing or mistyped field, an
 * algorithm that cannot be computed) raises; a header that does not parse returns nil, msg and
 * credentials that do not verify return false, "<check>: expected X vs actual Y", "<check>".
 */
#include <lauxlib.h>
#include <lua.h>

#include <string.h>

#include "builder.h"
#include "digest.h"
#include "lua_env.h"

#define DIGEST_MT	"mbms.digest"

int	luaopen_mbms_digest(lua_State *L);

/* A builder owned by a userdata, so that a raising Lua call cannot leak its buffer. */
/*
 * An optional string field of the table at index t. Only real strings are taken (a number
 * converted in place would live on the stack alone); the table keeps the string alive after
 * the pop. Text fields must not hold NUL bytes, since C reads them as C strings.
 */
static const char *
field(lua_State *L, int t, const char *fn, const char *k, int text, size_t *len)
{
	const char *s = NULL;
	size_t n = 0;
	int type = lua_getfield(L, t, k);

	if (type == LUA_TSTRING)
		s = lua_tolstring(L, -1, &n);
	else if (type != LUA_TNIL)
		luaL_error(L, "%s: field '%s' must be a string, got %s", fn, k,
		    luaL_typename(L, -1));
	lua_pop(L, 1);
	if (s != NULL && text && strlen(s) != n)
		luaL_error(L, "%s: field '%s' holds a NUL byte", fn, k);
	if (len != NULL)
		*len = n;
	return s;
}

static const char *
text(lua_State *L, int t, const char *fn, const char *k)
{
	return field(L, t, fn, k, 1, NULL);
}

static int
flag(lua_State *L, int t, const char *fn, const char *k)
{
	int type = lua_getfield(L, t, k), v;

	if (type != LUA_TNIL && type != LUA_TBOOLEAN)
		luaL_error(L, "%s: field '%s' must be a boolean, got %s", fn, k,
		    luaL_typename(L, -1));
	v = lua_toboolean(L, -1);
	lua_pop(L, 1);
	return v;
}

static int
l_challenge(lua_State *L)
{
	struct digest_challenge c;
	struct bld *b;
	struct err e;

	luaL_checktype(L, 1, LUA_TTABLE);
	memset(&c, 0, sizeof(c));
	c.realm = text(L, 1, "challenge", "realm");
	c.nonce = text(L, 1, "challenge", "nonce");
	c.opaque = text(L, 1, "challenge", "opaque");
	c.qop = text(L, 1, "challenge", "qop");
	c.algorithm = text(L, 1, "challenge", "algorithm");
	c.stale = flag(L, 1, "challenge", "stale");
	c.userhash = flag(L, 1, "challenge", "userhash");
	if (c.realm == NULL || c.nonce == NULL)
		return luaL_error(L, "challenge: fields 'realm' and 'nonce' are required");
	b = lua_env_bld(L);
	return lua_env_push_bld(L, b, digest_challenge_write(b, &c, &e), e.msg);
}

static int
l_parse(lua_State *L)
{
	size_t len, i;
	const char *s = luaL_checklstring(L, 1, &len);
	struct digest_params *p = lua_newuserdatauv(L, sizeof(*p), 0);
	luaL_Buffer lb;
	struct err e;
	int t;

	if (digest_parse(s, len, p, &e) == -1) {
		luaL_pushfail(L);
		lua_pushstring(L, e.msg);
		return 2;
	}
	lua_createtable(L, 0, 4);
	t = lua_gettop(L);
	lua_pushstring(L, p->scheme);
	lua_setfield(L, t, "scheme");
	lua_createtable(L, 0, (int)p->n);	/* params */
	lua_createtable(L, (int)p->n, 0);	/* order */
	lua_createtable(L, 0, (int)p->n);	/* quoted */
	for (i = 0; i < p->n; i++) {
		const char *nm = p->p[i].name;

		/* Parameter names are case-insensitive (RFC 9110 11.2); Lua sees them lowered. */
		luaL_buffinit(L, &lb);
		for (; *nm != '\0'; nm++)
			luaL_addchar(&lb, *nm >= 'A' && *nm <= 'Z' ? (char)(*nm - 'A' + 'a') : *nm);
		luaL_pushresult(&lb);
		lua_pushvalue(L, -1);
		lua_rawseti(L, t + 2, (lua_Integer)i + 1);
		if (p->p[i].quoted) {
			lua_pushvalue(L, -1);
			lua_pushboolean(L, 1);
			lua_rawset(L, t + 3);
		}
		lua_pushlstring(L, p->p[i].value, p->p[i].value_len);
		lua_rawset(L, t + 1);
	}
	lua_setfield(L, t, "quoted");
	lua_setfield(L, t, "order");
	lua_setfield(L, t, "params");
	return 1;
}

/* Fills the computation input from the table at index 1 (compute and authorization). */
static void
get_input(lua_State *L, const char *fn, struct digest_input *in, const char **alg_name,
    const char **qop_name)
{
	memset(in, 0, sizeof(*in));
	*alg_name = text(L, 1, fn, "algorithm");
	*qop_name = text(L, 1, fn, "qop");
	in->username = text(L, 1, fn, "username");
	in->realm = text(L, 1, fn, "realm");
	in->password = text(L, 1, fn, "password");
	in->nonce = text(L, 1, fn, "nonce");
	in->cnonce = text(L, 1, fn, "cnonce");
	in->nc = text(L, 1, fn, "nc");
	in->method = text(L, 1, fn, "method");
	in->uri = text(L, 1, fn, "uri");
	in->body = (const uint8_t *)field(L, 1, fn, "body", 0, &in->body_len);
}

static int
l_compute(lua_State *L)
{
	char out[DIGEST_HEX_MAX + 1];
	const char *alg, *qop;
	struct digest_input in;
	struct err e;

	luaL_checktype(L, 1, LUA_TTABLE);
	get_input(L, "compute", &in, &alg, &qop);
	if (alg != NULL && digest_alg_parse(alg, &in.alg) == -1)
		return luaL_error(L, "compute: unknown algorithm '%s'", alg);
	if (qop != NULL && digest_qop_parse(qop, &in.qop) == -1)
		return luaL_error(L, "compute: qop must be 'auth' or 'auth-int', got '%s'", qop);
	if (digest_compute(&in, out, &e) == -1)
		return luaL_error(L, "compute: %s", e.msg);
	lua_pushstring(L, out);
	return 1;
}

static int
l_authorization(lua_State *L)
{
	struct digest_credentials c;
	struct digest_input in;
	struct bld *b;
	struct err e;

	luaL_checktype(L, 1, LUA_TTABLE);
	get_input(L, "authorization", &in, &c.algorithm, &c.qop);
	c.username = in.username;
	c.realm = in.realm;
	c.uri = in.uri;
	c.nonce = in.nonce;
	c.nc = in.nc;
	c.cnonce = in.cnonce;
	c.password = in.password;
	c.method = in.method;
	c.body = in.body;
	c.body_len = in.body_len;
	c.response = text(L, 1, "authorization", "response");
	c.opaque = text(L, 1, "authorization", "opaque");
	c.userhash = flag(L, 1, "authorization", "userhash");
	b = lua_env_bld(L);
	return lua_env_push_bld(L, b, digest_authorization_write(b, &c, &e), e.msg);
}

/*
 * Builds a parameter set from a parse result ({scheme=, params=}) or a bare {name=value}
 * table. The set lives in a userdata left on the stack.
 */
static struct digest_params *
get_params(lua_State *L, int t)
{
	struct digest_params *p = lua_newuserdatauv(L, sizeof(*p), 0);
	const char *scheme = "Digest";
	struct err e;
	int pt = t;

	luaL_checktype(L, t, LUA_TTABLE);
	if (lua_getfield(L, t, "params") == LUA_TTABLE) {
		pt = lua_gettop(L);
		if (lua_getfield(L, t, "scheme") == LUA_TSTRING)
			scheme = lua_tostring(L, -1);
		if (digest_params_init(p, scheme, &e) == -1)
			luaL_error(L, "verify: %s", e.msg);
		lua_pop(L, 1);
	} else if (digest_params_init(p, scheme, &e) == -1)
		luaL_error(L, "verify: %s", e.msg);
	lua_pushnil(L);
	while (lua_next(L, pt) != 0) {
		size_t n;
		const char *v;

		if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, "verify: parameters must map strings to strings");
		v = lua_tolstring(L, -1, &n);
		if (digest_params_add(p, lua_tostring(L, -2), v, n, 1, &e) == -1)
			luaL_error(L, "verify: %s", e.msg);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);		/* the params field (or nil) */
	return p;
}

static int
l_verify(lua_State *L)
{
	struct digest_params *p = get_params(L, 1);
	struct digest_expect x;
	enum digest_check failed;
	struct err e;

	luaL_checktype(L, 2, LUA_TTABLE);
	memset(&x, 0, sizeof(x));
	x.password = text(L, 2, "verify", "password");
	x.method = text(L, 2, "verify", "method");
	x.body = (const uint8_t *)field(L, 2, "verify", "body", 0, &x.body_len);
	x.realm = text(L, 2, "verify", "realm");
	x.nonce = text(L, 2, "verify", "nonce");
	x.username = text(L, 2, "verify", "username");
	x.uri = text(L, 2, "verify", "uri");
	x.algorithm = text(L, 2, "verify", "algorithm");
	x.qop = text(L, 2, "verify", "qop");
	x.nc = text(L, 2, "verify", "nc");
	x.opaque = text(L, 2, "verify", "opaque");
	if (digest_verify(p, &x, &failed, &e) == 0) {
		lua_pushboolean(L, 1);
		return 1;
	}
	/* No failed check means the expectation itself was unusable: misuse. */
	if (failed == DIGEST_CHECK_NONE)
		return luaL_error(L, "verify: %s", e.msg);
	lua_pushboolean(L, 0);
	lua_pushstring(L, e.msg);
	lua_pushstring(L, digest_check_name(failed));
	return 3;
}

static int
l_nonce(lua_State *L)
{
	lua_Integer n = luaL_optinteger(L, 1, 16);
	char out[2 * 256 + 1];
	struct err e;

	luaL_argcheck(L, n >= 1 && n <= 256, 1, "nonce length must be 1..256 bytes");
	if (digest_nonce((size_t)n, out, &e) == -1) {
		luaL_pushfail(L);
		lua_pushstring(L, e.msg);
		return 2;
	}
	lua_pushstring(L, out);
	return 1;
}

static const luaL_Reg funcs[] = {
	{ "challenge", l_challenge },
	{ "parse", l_parse },
	{ "compute", l_compute },
	{ "authorization", l_authorization },
	{ "verify", l_verify },
	{ "nonce", l_nonce },
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
	lua_env_createmeta(L, DIGEST_MT, metas, meths);
}

int
luaopen_mbms_digest(lua_State *L)
{
	luaL_newlib(L, funcs);
	createmeta(L);
	return 1;
}
