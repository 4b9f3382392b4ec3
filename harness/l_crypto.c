/* l_crypto: the mbms.crypto Lua module; byte strings in and out are Lua strings of raw bytes. */
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "crypto.h"
#include "lua_env.h"

/* Longest output a script may ask of prf, derive and random: far above any MIKEY key. */
#define MAX_OUT		65536
/* TS 33.220 B.2: a GBA KDF parameter's length must fit its 2-byte Li. */
#define MAX_GBA_PARAM	65535

static const char *const md_names[] = { "md5", "sha1", "sha256", NULL };
static const enum crypto_md md_ids[] = { CRYPTO_MD_MD5, CRYPTO_MD_SHA1, CRYPTO_MD_SHA256 };

/* RFC 3830 4.1.3/4.1.4 constants and the key lengths, exported as crypto.C. */
static const struct {
	const char *name;
	lua_Integer value;
} constants[] = {
	{ "MSG_ENC", CRYPTO_C_MSG_ENC },
	{ "MSG_AUTH", CRYPTO_C_MSG_AUTH },
	{ "MSG_SALT", CRYPTO_C_MSG_SALT },
	{ "TEK", CRYPTO_C_TEK },
	{ "TGK_AUTH", CRYPTO_C_TGK_AUTH },
	{ "TGK_ENC", CRYPTO_C_TGK_ENC },
	{ "TGK_SALT", CRYPTO_C_TGK_SALT },
	{ "ENC_KEY_LEN", CRYPTO_ENC_KEY_LEN },
	{ "AUTH_KEY_LEN", CRYPTO_AUTH_KEY_LEN },
	{ "SALT_LEN", CRYPTO_SALT_LEN },
};

/* A failure of the world (OpenSSL refused): nil and the message, as liolib returns them. */
static int
fail(lua_State *L, const struct err *e)
{
	luaL_pushfail(L);
	lua_pushstring(L, e->msg);
	return 2;
}

static const uint8_t *
check_bytes(lua_State *L, int arg, size_t *len)
{
	return (const uint8_t *)luaL_checklstring(L, arg, len);
}

/* A string argument of exactly n bytes (keys, IVs, salts). */
static const uint8_t *
check_fixed(lua_State *L, int arg, size_t n)
{
	size_t len;
	const uint8_t *p = check_bytes(L, arg, &len);

	if (len != n)
		luaL_argerror(L, arg, lua_pushfstring(L, "%d bytes expected, got %d", (int)n,
		    (int)len));
	return p;
}

/* A string argument handed to C as a NUL-terminated string, so it may not contain a NUL. */
static const char *
check_text(lua_State *L, int arg)
{
	size_t len;
	const char *s = luaL_checklstring(L, arg, &len);

	luaL_argcheck(L, strlen(s) == len, arg, "contains a NUL byte");
	return s;
}

static lua_Integer
check_range(lua_State *L, int arg, lua_Integer lo, lua_Integer hi)
{
	lua_Integer v = luaL_checkinteger(L, arg);

	if (v < lo || v > hi)
		luaL_argerror(L, arg, lua_pushfstring(L, "%I not in %I..%I", v, lo, hi));
	return v;
}

static uint32_t
check_u32(lua_State *L, int arg)
{
	return (uint32_t)check_range(L, arg, 0, 0xffffffff);
}

static enum crypto_md
check_md(lua_State *L, int arg)
{
	return md_ids[luaL_checkoption(L, arg, NULL, md_names)];
}

/*
 * The string arguments first..top, each at most max_len bytes, as pieces of one message, in a
 * userdata scratch that Lua owns (nothing to free if a later argument check raises). *n is
 * their number.
 */
static struct crypto_iov *
check_iovs(lua_State *L, int first, size_t max_len, size_t *n)
{
	int top = lua_gettop(L), i;
	struct crypto_iov *v;

	*n = top >= first ? (size_t)(top - first + 1) : 0;
	v = lua_newuserdatauv(L, (*n > 0 ? *n : 1) * sizeof(*v), 0);
	for (i = first; i <= top; i++) {
		v[i - first].p = check_bytes(L, i, &v[i - first].len);
		if (v[i - first].len > max_len)
			luaL_argerror(L, i, lua_pushfstring(L, "%I bytes, more than %I",
			    (lua_Integer)v[i - first].len, (lua_Integer)max_len));
	}
	return v;
}

/* prf(inkey, label, len): MIKEY-1 PRF (RFC 3830 4.1.2). */
static int
l_prf(lua_State *L)
{
	size_t klen, llen, n;
	const uint8_t *key = check_bytes(L, 1, &klen), *label = check_bytes(L, 2, &llen);
	struct err e;
	luaL_Buffer b;
	uint8_t *out;

	n = (size_t)check_range(L, 3, 1, MAX_OUT);
	luaL_argcheck(L, klen > 0, 1, "empty inkey");
	out = (uint8_t *)luaL_buffinitsize(L, &b, n);
	if (crypto_mikey_prf(key, klen, label, llen, out, n, &e) == -1)
		return fail(L, &e);
	luaL_pushresultsize(&b, n);
	return 1;
}

/* derive(key, constant, cs_id or nil, csb_id, rand, len): RFC 3830 4.1.3 (nil: 4.1.4). */
static int
l_derive(lua_State *L)
{
	size_t klen, rlen, n;
	const uint8_t *key = check_bytes(L, 1, &klen), *rand;
	uint32_t constant = check_u32(L, 2), csb_id;
	int cs_id = lua_isnoneornil(L, 3) ? -1 : (int)check_range(L, 3, 0, 255);
	struct err e;
	luaL_Buffer b;
	uint8_t *out;

	csb_id = check_u32(L, 4);
	rand = check_bytes(L, 5, &rlen);
	n = (size_t)check_range(L, 6, 1, MAX_OUT);
	luaL_argcheck(L, klen > 0, 1, "empty key");
	out = (uint8_t *)luaL_buffinitsize(L, &b, n);
	if (crypto_mikey_derive(key, klen, constant, cs_id, csb_id, rand, rlen, out, n, &e) == -1)
		return fail(L, &e);
	luaL_pushresultsize(&b, n);
	return 1;
}

/* msg_keys(psk, csb_id, rand) -> {enc =, auth =, salt =}. */
static int
l_msg_keys(lua_State *L)
{
	size_t plen, rlen;
	const uint8_t *psk = check_bytes(L, 1, &plen), *rand;
	uint32_t csb_id = check_u32(L, 2);
	struct crypto_msg_keys k;
	struct err e;

	rand = check_bytes(L, 3, &rlen);
	luaL_argcheck(L, plen > 0, 1, "empty PSK");
	if (crypto_mikey_msg_keys(psk, plen, csb_id, rand, rlen, &k, &e) == -1)
		return fail(L, &e);
	lua_createtable(L, 0, 3);
	lua_pushlstring(L, (const char *)k.enc, sizeof(k.enc));
	lua_setfield(L, -2, "enc");
	lua_pushlstring(L, (const char *)k.auth, sizeof(k.auth));
	lua_setfield(L, -2, "auth");
	lua_pushlstring(L, (const char *)k.salt, sizeof(k.salt));
	lua_setfield(L, -2, "salt");
	return 1;
}

/* kemac_iv(salt, csb_id, t64): t64 is the T value as 8 big-endian bytes (RFC 3830 4.2.3). */
static int
l_kemac_iv(lua_State *L)
{
	const uint8_t *salt = check_fixed(L, 1, CRYPTO_SALT_LEN), *t;
	uint32_t csb_id = check_u32(L, 2);
	uint64_t t64 = 0;
	uint8_t iv[16];
	int i;

	t = check_fixed(L, 3, 8);
	for (i = 0; i < 8; i++)
		t64 = t64 << 8 | t[i];
	crypto_kemac_iv(salt, csb_id, t64, iv);
	lua_pushlstring(L, (const char *)iv, sizeof(iv));
	return 1;
}

/* aes_cm(key, iv, data): AES-CM-128 encryption, which is also its decryption. */
static int
l_aes_cm(lua_State *L)
{
	const uint8_t *key = check_fixed(L, 1, 16), *iv = check_fixed(L, 2, 16), *in;
	struct err e;
	luaL_Buffer b;
	uint8_t *out;
	size_t n;

	in = check_bytes(L, 3, &n);
	out = (uint8_t *)luaL_buffinitsize(L, &b, n);
	if (crypto_aes_cm(key, iv, in, out, n, &e) == -1)
		return fail(L, &e);
	luaL_pushresultsize(&b, n);
	return 1;
}

/* hmac(md, key, data...): HMAC of the concatenated data strings. */
static int
l_hmac(lua_State *L)
{
	enum crypto_md md = check_md(L, 1);
	uint8_t out[CRYPTO_MAX_MD];
	const struct crypto_iov *v;
	const uint8_t *key;
	size_t klen, n;
	struct err e;

	key = check_bytes(L, 2, &klen);
	v = check_iovs(L, 3, (size_t)-1, &n);
	if (crypto_hmac(md, key, klen, v, n, out, &e) == -1)
		return fail(L, &e);
	lua_pushlstring(L, (const char *)out, crypto_md_len(md));
	return 1;
}

/* hash(md, data...): digest of the concatenated data strings. */
static int
l_hash(lua_State *L)
{
	enum crypto_md md = check_md(L, 1);
	uint8_t out[CRYPTO_MAX_MD];
	const struct crypto_iov *v;
	struct err e;
	size_t n;

	v = check_iovs(L, 2, (size_t)-1, &n);
	if (crypto_hash(md, v, n, out, &e) == -1)
		return fail(L, &e);
	lua_pushlstring(L, (const char *)out, crypto_md_len(md));
	return 1;
}

/* equal(a, b): constant-time comparison of two equally long strings; false if lengths differ. */
static int
l_equal(lua_State *L)
{
	size_t la, lb;
	const uint8_t *a = check_bytes(L, 1, &la), *b = check_bytes(L, 2, &lb);

	lua_pushboolean(L, la == lb && crypto_equal(a, b, la));
	return 1;
}

/* random(n): n cryptographically strong random bytes. */
static int
l_random(lua_State *L)
{
	size_t n = (size_t)check_range(L, 1, 0, MAX_OUT);
	struct err e;
	luaL_Buffer b;
	uint8_t *out;

	out = (uint8_t *)luaL_buffinitsize(L, &b, n);
	if (crypto_random(out, n, &e) == -1)
		return fail(L, &e);
	luaL_pushresultsize(&b, n);
	return 1;
}

/* gba_kdf(key, fc, p0, p1, ...): TS 33.220 B.2. */
static int
l_gba_kdf(lua_State *L)
{
	size_t klen, n;
	const uint8_t *key = check_bytes(L, 1, &klen);
	uint8_t fc = (uint8_t)check_range(L, 2, 0, 255), out[CRYPTO_SHA256_LEN];
	const struct crypto_iov *v;
	struct err e;

	v = check_iovs(L, 3, MAX_GBA_PARAM, &n);
	if (crypto_gba_kdf(key, klen, fc, v, n, out, &e) == -1)
		return fail(L, &e);
	lua_pushlstring(L, (const char *)out, sizeof(out));
	return 1;
}

/* ks_naf(ks, p0, rand, impi, naf_id): Ks_(ext)_NAF of TS 33.220 B.3 ("gba-me" or "gba-u"). */
static int
l_ks_naf(lua_State *L)
{
	size_t klen, rlen, nlen;
	const uint8_t *ks = check_bytes(L, 1, &klen), *rand, *naf_id;
	const char *p0 = check_text(L, 2), *impi;
	uint8_t out[CRYPTO_SHA256_LEN];
	struct err e;

	rand = check_bytes(L, 3, &rlen);
	impi = check_text(L, 4);
	naf_id = check_bytes(L, 5, &nlen);
	luaL_argcheck(L, strlen(p0) <= MAX_GBA_PARAM, 2, "longer than 65535 bytes");
	luaL_argcheck(L, rlen <= MAX_GBA_PARAM, 3, "longer than 65535 bytes");
	luaL_argcheck(L, strlen(impi) <= MAX_GBA_PARAM, 4, "longer than 65535 bytes");
	luaL_argcheck(L, nlen <= MAX_GBA_PARAM, 5, "longer than 65535 bytes");
	if (crypto_ks_naf(ks, klen, p0, rand, rlen, impi, naf_id, nlen, out, &e) == -1)
		return fail(L, &e);
	lua_pushlstring(L, (const char *)out, sizeof(out));
	return 1;
}

/* base64(bytes): RFC 4648 base64 with padding. */
static int
l_base64(lua_State *L)
{
	size_t n, len;
	const uint8_t *in = check_bytes(L, 1, &n);
	luaL_Buffer b;
	char *out;

	out = luaL_buffinitsize(L, &b, 4 * ((n + 2) / 3) + 1);
	len = crypto_base64(in, n, out);
	luaL_pushresultsize(&b, len);
	return 1;
}

static const luaL_Reg funcs[] = {
	{ "prf", l_prf },
	{ "derive", l_derive },
	{ "msg_keys", l_msg_keys },
	{ "kemac_iv", l_kemac_iv },
	{ "aes_cm", l_aes_cm },
	{ "hmac", l_hmac },
	{ "hash", l_hash },
	{ "equal", l_equal },
	{ "random", l_random },
	{ "gba_kdf", l_gba_kdf },
	{ "ks_naf", l_ks_naf },
	{ "base64", l_base64 },
	{ NULL, NULL }
};

/* The module has no userdata; the empty tables keep the shape every binding file shares. */
static const luaL_Reg meths[] = {
	{ NULL, NULL }
};

static const luaL_Reg metas[] = {
	{ NULL, NULL }
};

static void
createmeta(lua_State *L)
{
	lua_env_createmeta(L, "mbms.crypto", metas, meths);
}

int
luaopen_mbms_crypto(lua_State *L)
{
	size_t i;

	createmeta(L);
	luaL_newlib(L, funcs);
	lua_createtable(L, 0, (int)(sizeof(constants) / sizeof(constants[0])));
	for (i = 0; i < sizeof(constants) / sizeof(constants[0]); i++) {
		lua_pushinteger(L, constants[i].value);
		lua_setfield(L, -2, constants[i].name);
	}
	lua_setfield(L, -2, "C");
	return 1;
}
