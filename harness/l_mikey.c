/*
 * l_mikey: the mbms.mikey Lua module — decode, encode, protect, unprotect, validate MIKEY
 * messages as Lua tables whose keys follow tshark's field names (without "mikey.").
 *
 * Error channels (as in liolib): a malformed argument raises; bytes that fail to decode or
 * verify return nil, message (and a kind where two kinds of failure exist).
 */
#include <lauxlib.h>
#include <lua.h>
#include <string.h>

#include "lua_env.h"
#include "mikey.h"
#include "mikey_rules.h"
#include "protect.h"

/*
 * Compiled profile rules (mikey.rules) with their own scratch message and violation list, so
 * that checking many messages allocates nothing. mbms.scan checks its argument against this
 * name and reads the rules, the first member.
 */
#define MIKEY_RULES_MT	"mbms.mikey.rules"

struct lrules {
	struct mikey_rules r;
	struct mikey_msg m;
	struct mikey_violations v;
};

/* Decoded messages are ~40 KB; they live in Lua-owned userdata, never on the C stack. */
static struct mikey_msg *
new_msg(lua_State *L)
{
	struct mikey_msg *m = lua_newuserdatauv(L, sizeof(*m), 0);

	memset(m, 0, sizeof(*m));
	return m;
}

static void
set_int(lua_State *L, const char *k, lua_Integer v)
{
	lua_pushinteger(L, v);
	lua_setfield(L, -2, k);
}

static void
set_str(lua_State *L, const char *k, const char *s)
{
	lua_pushstring(L, s);
	lua_setfield(L, -2, k);
}

static void
set_bytes(lua_State *L, const char *k, const struct mikey_bytes *b)
{
	lua_pushlstring(L, b->len ? (const char *)b->p : "", b->len);
	lua_setfield(L, -2, k);
}

static void
push_keys(lua_State *L, const struct mikey_kemac *k)
{
	size_t i;

	lua_createtable(L, (int)k->nkeys, 0);
	for (i = 0; i < k->nkeys; i++) {
		const struct mikey_keydata *kd = &k->keys[i];

		lua_createtable(L, 0, 7);
		set_int(L, "type", kd->type);
		set_int(L, "kv", kd->kv);
		set_bytes(L, "key", &kd->key);
		if (kd->type == 1 || kd->type == 3)
			set_bytes(L, "salt", &kd->salt);
		if (kd->kv == MIKEY_KV_SPI)
			set_bytes(L, "spi", &kd->spi);
		if (kd->kv == MIKEY_KV_INTERVAL) {
			set_bytes(L, "valid_from", &kd->valid_from);
			set_bytes(L, "valid_to", &kd->valid_to);
		}
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "keys");
}

static void
push_payload(lua_State *L, const struct mikey_payload *p)
{
	const char *nm = mikey_name(mikey_payload_names, p->type);
	size_t i;

	lua_createtable(L, 0, 8);
	set_int(L, "payload", p->type);
	set_str(L, "name", nm != NULL ? nm : "unknown");
	set_int(L, "offset", (lua_Integer)p->offset);
	switch (p->type) {
	case MIKEY_PT_KEMAC:
		set_int(L, "encr_alg", p->u.kemac.encr_alg);
		set_int(L, "encr_len", (lua_Integer)p->u.kemac.encr.len);
		set_bytes(L, "encr_data", &p->u.kemac.encr);
		set_int(L, "mac_alg", p->u.kemac.mac_alg);
		set_bytes(L, "mac", &p->u.kemac.mac);
		if (p->u.kemac.keys_parsed)
			push_keys(L, &p->u.kemac);
		break;
	case MIKEY_PT_T:
		set_int(L, "ts_type", p->u.t.ts_type);
		set_bytes(L, "ts_value", &p->u.t.value);
		set_int(L, "ts", (lua_Integer)mikey_ts_u64(&p->u.t.value));
		break;
	case MIKEY_PT_ID:
		set_int(L, "id_type", p->u.id.id_type);
		set_bytes(L, "id_data", &p->u.id.data);
		break;
	case MIKEY_PT_IDR:
		set_int(L, "id_role", p->u.idr.role);
		set_int(L, "id_type", p->u.idr.id_type);
		set_bytes(L, "id_data", &p->u.idr.data);
		break;
	case MIKEY_PT_RAND:
		set_bytes(L, "rand", &p->u.rand.data);
		break;
	case MIKEY_PT_V:
		set_int(L, "auth_alg", p->u.v.auth_alg);
		set_bytes(L, "ver_data", &p->u.v.data);
		break;
	case MIKEY_PT_ERR:
		set_int(L, "err_no", p->u.err.code);
		set_int(L, "reserved", p->u.err.reserved);
		break;
	case MIKEY_PT_SP:
		set_int(L, "policy_no", p->u.sp.policy_no);
		set_int(L, "prot_type", p->u.sp.prot_type);
		lua_createtable(L, (int)p->u.sp.nparams, 0);
		for (i = 0; i < p->u.sp.nparams; i++) {
			lua_createtable(L, 0, 2);
			set_int(L, "type", p->u.sp.params[i].type);
			set_bytes(L, "value", &p->u.sp.params[i].value);
			lua_rawseti(L, -2, (lua_Integer)i + 1);
		}
		lua_setfield(L, -2, "params");
		break;
	case MIKEY_PT_GENEXT:
		set_int(L, "ext_type", p->u.ext.ext_type);
		set_bytes(L, "ext_data", &p->u.ext.data);
		break;
	}
}

static void
push_msg(lua_State *L, const struct mikey_msg *m)
{
	const struct mikey_hdr *h = &m->hdr;
	size_t i;

	lua_createtable(L, 0, 10);
	set_int(L, "version", h->version);
	set_int(L, "type", h->data_type);
	set_int(L, "v", h->v);
	set_int(L, "prf_func", h->prf);
	set_int(L, "csb_id", h->csb_id);
	set_int(L, "cs_count", h->cs_count);
	set_int(L, "cs_id_map_type", h->map_type);
	if (h->map_type == MIKEY_MAP_SRTP) {
		lua_createtable(L, h->cs_count, 0);
		for (i = 0; i < h->cs_count; i++) {
			lua_createtable(L, 0, 3);
			set_int(L, "policy_no", h->cs[i].policy_no);
			set_int(L, "ssrc", h->cs[i].ssrc);
			set_int(L, "roc", h->cs[i].roc);
			lua_rawseti(L, -2, (lua_Integer)i + 1);
		}
		lua_setfield(L, -2, "cs");
	}
	lua_createtable(L, (int)m->npayloads, 0);
	for (i = 0; i < m->npayloads; i++) {
		push_payload(L, &m->p[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "payloads");
}

/* Reading tables back: a missing or mistyped field raises naming the path of the field. */

typedef void (*each_fn)(lua_State *L, int t, const char *path, size_t i, void *ctx);

/*
 * Calls fn on each element of the array t[field], which must hold tables, at most max of them;
 * nil counts as empty when optional. Returns the count. Raises naming "<parent>.<field>[i]".
 */
static size_t
each_table(lua_State *L, int t, const char *parent, const char *field, size_t max,
    int optional, each_fn fn, void *ctx)
{
	char path[96];
	size_t i, n;

	lua_getfield(L, t, field);
	if (optional && lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return 0;
	}
	if (!lua_istable(L, -1))
		luaL_error(L, "%s.%s: expected a table, got %s", parent, field, luaL_typename(L, -1));
	n = (size_t)luaL_len(L, -1);
	if (n > max)
		luaL_error(L, "%s.%s: more than %d entries", parent, field, (int)max);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s.%s[%zu]", parent, field, i + 1);
		lua_rawgeti(L, -1, (lua_Integer)i + 1);
		if (!lua_istable(L, -1))
			luaL_error(L, "%s: expected a table, got %s", path, luaL_typename(L, -1));
		fn(L, lua_gettop(L), path, i, ctx);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return n;
}

static lua_Integer
get_int(lua_State *L, int t, const char *path, const char *k, lua_Integer lo, lua_Integer hi,
    int optional, lua_Integer dflt)
{
	lua_Integer v;
	int isnum;

	lua_getfield(L, t, k);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		if (!optional)
			luaL_error(L, "%s.%s: missing (an integer is required)", path, k);
		return dflt;
	}
	v = lua_tointegerx(L, -1, &isnum);
	if (!isnum)
		luaL_error(L, "%s.%s: expected an integer, got %s", path, k, luaL_typename(L, -1));
	lua_pop(L, 1);
	if (v < lo || v > hi)
		luaL_error(L, "%s.%s: %I out of range %I..%I", path, k, v, lo, hi);
	return v;
}

/* The returned view points into a string kept alive by the table at index t. */
static struct mikey_bytes
get_bytes(lua_State *L, int t, const char *path, const char *k, int optional)
{
	struct mikey_bytes b = { NULL, 0 };

	lua_getfield(L, t, k);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		if (!optional)
			luaL_error(L, "%s.%s: missing (a byte string is required)", path, k);
		return b;
	}
	if (lua_type(L, -1) != LUA_TSTRING)
		luaL_error(L, "%s.%s: expected a byte string, got %s", path, k,
		    luaL_typename(L, -1));
	b.p = (const uint8_t *)lua_tolstring(L, -1, &b.len);
	lua_pop(L, 1);
	return b;
}

static void
key_at(lua_State *L, int kt, const char *kp, size_t i, void *ctx)
{
	struct mikey_keydata *kd = &((struct mikey_kemac *)ctx)->keys[i];

	kd->type = (uint8_t)get_int(L, kt, kp, "type", 0, 15, 0, 0);
	kd->kv = (uint8_t)get_int(L, kt, kp, "kv", 0, 15, 1, 0);
	kd->key = get_bytes(L, kt, kp, "key", 0);
	kd->salt = get_bytes(L, kt, kp, "salt", 1);
	kd->spi = get_bytes(L, kt, kp, "spi", 1);
	kd->valid_from = get_bytes(L, kt, kp, "valid_from", 1);
	kd->valid_to = get_bytes(L, kt, kp, "valid_to", 1);
}

static void
check_keys(lua_State *L, int t, const char *path, struct mikey_kemac *k)
{
	lua_getfield(L, t, "keys");
	k->keys_parsed = !lua_isnil(L, -1);
	lua_pop(L, 1);
	k->nkeys = each_table(L, t, path, "keys", MIKEY_MAX_KEYS, 1, key_at, k);
}

static void
sp_param_at(lua_State *L, int t, const char *path, size_t i, void *ctx)
{
	struct mikey_sp_param *sp = &((struct mikey_payload *)ctx)->u.sp.params[i];

	sp->type = (uint8_t)get_int(L, t, path, "type", 0, 255, 0, 0);
	sp->value = get_bytes(L, t, path, "value", 0);
}

static void
check_payload(lua_State *L, int t, const char *path, struct mikey_payload *p)
{
	int type;

	lua_getfield(L, t, "payload");
	if (lua_isnil(L, -1)) {
		const char *nm;

		lua_getfield(L, t, "name");
		if ((nm = lua_tostring(L, -1)) == NULL)
			luaL_error(L, "%s: needs 'payload' (number) or 'name'", path);
		if ((type = mikey_value(mikey_payload_names, nm)) < 0)
			luaL_error(L, "%s.name: unknown payload name '%s'", path, nm);
		lua_pop(L, 1);
	} else
		type = (int)get_int(L, t, path, "payload", 0, 255, 0, 0);
	lua_pop(L, 1);
	p->type = (uint8_t)type;
	switch (type) {
	case MIKEY_PT_KEMAC:
		p->u.kemac.encr_alg = (uint8_t)get_int(L, t, path, "encr_alg", 0, 255, 1, 0);
		p->u.kemac.encr = get_bytes(L, t, path, "encr_data", 1);
		p->u.kemac.mac_alg = (uint8_t)get_int(L, t, path, "mac_alg", 0, 255, 1, 0);
		p->u.kemac.mac = get_bytes(L, t, path, "mac", 1);
		check_keys(L, t, path, &p->u.kemac);
		break;
	case MIKEY_PT_T:
		p->u.t.ts_type = (uint8_t)get_int(L, t, path, "ts_type", 0, 255, 0, 0);
		p->u.t.value = get_bytes(L, t, path, "ts_value", 0);
		break;
	case MIKEY_PT_ID:
		p->u.id.id_type = (uint8_t)get_int(L, t, path, "id_type", 0, 255, 0, 0);
		p->u.id.data = get_bytes(L, t, path, "id_data", 0);
		break;
	case MIKEY_PT_IDR:
		p->u.idr.role = (uint8_t)get_int(L, t, path, "id_role", 0, 255, 0, 0);
		p->u.idr.id_type = (uint8_t)get_int(L, t, path, "id_type", 0, 255, 0, 0);
		p->u.idr.data = get_bytes(L, t, path, "id_data", 0);
		break;
	case MIKEY_PT_RAND:
		p->u.rand.data = get_bytes(L, t, path, "rand", 0);
		break;
	case MIKEY_PT_V:
		p->u.v.auth_alg = (uint8_t)get_int(L, t, path, "auth_alg", 0, 255, 0, 0);
		p->u.v.data = get_bytes(L, t, path, "ver_data", 0);
		break;
	case MIKEY_PT_ERR:
		p->u.err.code = (uint8_t)get_int(L, t, path, "err_no", 0, 255, 0, 0);
		p->u.err.reserved = (uint16_t)get_int(L, t, path, "reserved", 0, 0xffff, 1, 0);
		break;
	case MIKEY_PT_SP:
		p->u.sp.policy_no = (uint8_t)get_int(L, t, path, "policy_no", 0, 255, 0, 0);
		p->u.sp.prot_type = (uint8_t)get_int(L, t, path, "prot_type", 0, 255, 0, 0);
		p->u.sp.nparams = each_table(L, t, path, "params", MIKEY_MAX_SP_PARAMS, 1,
		    sp_param_at, p);
		break;
	case MIKEY_PT_GENEXT:
		p->u.ext.ext_type = (uint8_t)get_int(L, t, path, "ext_type", 0, 255, 0, 0);
		p->u.ext.data = get_bytes(L, t, path, "ext_data", 0);
		break;
	default:
		luaL_error(L, "%s: payload type %d cannot be encoded (use mbms.raw for raw bytes)",
		    path, type);
	}
}

static void
cs_at(lua_State *L, int t, const char *path, size_t i, void *ctx)
{
	struct mikey_srtp_cs *cs = &((struct mikey_hdr *)ctx)->cs[i];

	cs->policy_no = (uint8_t)get_int(L, t, path, "policy_no", 0, 255, 0, 0);
	cs->ssrc = (uint32_t)get_int(L, t, path, "ssrc", 0, 0xffffffffLL, 0, 0);
	cs->roc = (uint32_t)get_int(L, t, path, "roc", 0, 0xffffffffLL, 0, 0);
}

static void
payload_at(lua_State *L, int t, const char *path, size_t i, void *ctx)
{
	check_payload(L, t, path, &((struct mikey_msg *)ctx)->p[i]);
}

/* Fills m from the message table at index t (which must stay on the stack while m is used). */
static void
check_msg(lua_State *L, int t, struct mikey_msg *m)
{
	struct mikey_hdr *h = &m->hdr;

	luaL_checktype(L, t, LUA_TTABLE);
	h->version = (uint8_t)get_int(L, t, "msg", "version", 0, 255, 1, 1);
	h->data_type = (uint8_t)get_int(L, t, "msg", "type", 0, 255, 0, 0);
	h->v = (uint8_t)get_int(L, t, "msg", "v", 0, 1, 1, 0);
	h->prf = (uint8_t)get_int(L, t, "msg", "prf_func", 0, 127, 1, 0);
	h->csb_id = (uint32_t)get_int(L, t, "msg", "csb_id", 0, 0xffffffffLL, 0, 0);
	h->cs_count = (uint8_t)get_int(L, t, "msg", "cs_count", 0, 255, 1, 0);
	h->map_type = (uint8_t)get_int(L, t, "msg", "cs_id_map_type", 0, 255, 1, MIKEY_MAP_EMPTY);
	if (h->map_type == MIKEY_MAP_SRTP &&
	    each_table(L, t, "msg", "cs", MIKEY_MAX_CS, 0, cs_at, h) != h->cs_count)
		luaL_error(L, "msg.cs: needs cs_count (%d) entries", h->cs_count);
	/* Every string viewed stays referenced by the message table at t. */
	m->npayloads = each_table(L, t, "msg", "payloads", MIKEY_MAX_PAYLOADS, 0, payload_at, m);
}

static int
push_fail(lua_State *L, const char *msg, const char *kind)
{
	luaL_pushfail(L);
	lua_pushstring(L, msg);
	if (kind == NULL)
		return 2;
	lua_pushstring(L, kind);
	return 3;
}

/* mikey.decode(bytes) -> msg | nil, err */
static int
l_decode(lua_State *L)
{
	size_t len;
	const char *s = luaL_checklstring(L, 1, &len);
	struct mikey_msg *m = new_msg(L);
	struct err e;

	if (mikey_decode((const uint8_t *)s, len, m, &e) == -1)
		return push_fail(L, e.msg, NULL);
	push_msg(L, m);
	return 1;
}

/* Encodes the KEMAC key tables of m into encr data where no encr_data was given. */
static void
keys_to_encr(lua_State *L, struct mikey_msg *m)
{
	size_t i;
	struct err e;

	for (i = 0; i < m->npayloads; i++) {
		struct mikey_kemac *k = &m->p[i].u.kemac;
		struct bld *b;

		if (m->p[i].type != MIKEY_PT_KEMAC || k->encr.p != NULL || !k->keys_parsed)
			continue;
		b = lua_env_bld(L);	/* stays on the stack until the caller returns */
		if (mikey_encode_keys(k->keys, k->nkeys, b, &e) == -1)
			luaL_error(L, "msg.payloads[%d].keys: %s", (int)i + 1, e.msg);
		k->encr.p = b->buf;
		k->encr.len = b->len;
	}
}

/* mikey.encode(msg) -> bytes | nil, err */
static int
l_encode(lua_State *L)
{
	struct mikey_msg *m = new_msg(L);
	struct bld *b;
	struct err e;

	check_msg(L, 1, m);
	keys_to_encr(L, m);
	b = lua_env_bld(L);
	if (mikey_encode(m, b, &e) == -1)
		return push_fail(L, e.msg, NULL);
	lua_pushlstring(L, (const char *)b->buf, b->len);
	return 1;
}

/* mikey.protect(msg, psk) -> bytes | nil, err */
static int
l_protect(lua_State *L)
{
	size_t psk_len;
	const char *psk = luaL_checklstring(L, 2, &psk_len);
	struct mikey_msg *m = new_msg(L);
	struct bld *b;
	struct err e;

	check_msg(L, 1, m);
	b = lua_env_bld(L);
	if (protect_encode(m, (const uint8_t *)psk, psk_len, b, &e) == -1)
		return push_fail(L, e.msg, NULL);
	lua_pushlstring(L, (const char *)b->buf, b->len);
	return 1;
}

/* mikey.unprotect(bytes, psk) -> msg | nil, err, "malformed"|"mac" */
static int
l_unprotect(lua_State *L)
{
	size_t len, psk_len;
	const char *s = luaL_checklstring(L, 1, &len);
	const char *psk = luaL_checklstring(L, 2, &psk_len);
	struct mikey_msg *m = new_msg(L);
	struct bld *plain = lua_env_bld(L);
	struct err e;
	int rc;

	rc = protect_decode((const uint8_t *)s, len, (const uint8_t *)psk, psk_len, m, plain, &e);
	if (rc != PROTECT_OK)
		return push_fail(L, e.msg, rc == PROTECT_BAD_MAC ? "mac" : "malformed");
	push_msg(L, m);
	return 1;
}

static int
opt_rule(lua_State *L, int t, const char *path, const char *k)
{
	lua_Integer v;

	lua_getfield(L, t, k);
	if (lua_type(L, -1) == LUA_TBOOLEAN)
		v = lua_toboolean(L, -1);
	else {
		lua_pop(L, 1);
		return (int)get_int(L, t, path, k, 0, 0xffff, 1, -1);
	}
	lua_pop(L, 1);
	return (int)v;
}

static void
check_kind(lua_State *L, int t, const char *path, struct mikey_kind_rules *k)
{
	const char *nm;
	lua_Integer i, n;

	mikey_kind_rules_init(k);
	lua_getfield(L, t, "name");
	if ((nm = lua_tostring(L, -1)) == NULL || strlen(nm) >= sizeof(k->name))
		luaL_error(L, "%s.name: a name shorter than %d characters is required", path,
		    (int)sizeof(k->name));
	strcpy(k->name, nm);
	lua_pop(L, 1);
	k->data_type = opt_rule(L, t, path, "data_type");
	k->v = opt_rule(L, t, path, "v");
	k->keyid_type = opt_rule(L, t, path, "keyid_type");
	k->keyid_len = opt_rule(L, t, path, "keyid_len");
	k->ts_type = opt_rule(L, t, path, "ts_type");
	k->rand_len = opt_rule(L, t, path, "rand_len");
	k->id_type = opt_rule(L, t, path, "id_type");
	k->encr_alg = opt_rule(L, t, path, "encr_alg");
	k->mac_alg = opt_rule(L, t, path, "mac_alg");
	k->kemac_empty = opt_rule(L, t, path, "kemac_empty");
	k->nkeys = opt_rule(L, t, path, "nkeys");
	k->key_type = opt_rule(L, t, path, "key_type");
	k->key_kv = opt_rule(L, t, path, "key_kv");
	k->key_len = opt_rule(L, t, path, "key_len");
	k->auth_alg = opt_rule(L, t, path, "auth_alg");
	lua_getfield(L, t, "order");
	if (!lua_isnil(L, -1)) {
		luaL_checktype(L, -1, LUA_TTABLE);
		n = luaL_len(L, -1);
		if (n > MIKEY_RULES_MAX_ORDER)
			luaL_error(L, "%s.order: more than %d payloads", path,
			    MIKEY_RULES_MAX_ORDER);
		for (i = 1; i <= n; i++) {
			int v = -1;

			lua_rawgeti(L, -1, i);
			if (lua_type(L, -1) == LUA_TNUMBER)
				v = (int)lua_tointeger(L, -1);
			else if ((nm = lua_tostring(L, -1)) == NULL ||
			    (v = mikey_value(mikey_payload_names, nm)) < 0)
				luaL_error(L, "%s.order[%d]: unknown payload '%s'", path, (int)i,
				    nm ? nm : "?");
			k->order[i - 1] = (uint8_t)v;
			lua_pop(L, 1);
		}
		k->norder = (size_t)n;
	}
	lua_pop(L, 1);
}

static void
kind_at(lua_State *L, int t, const char *path, size_t i, void *ctx)
{
	check_kind(L, t, path, &((struct mikey_rules *)ctx)->kinds[i]);
}

/* Reads a profile's `mikey` table into rules; raises naming the bad field. */
static void
check_rules(lua_State *L, int t, struct mikey_rules *r)
{
	luaL_checktype(L, t, LUA_TTABLE);
	mikey_rules_init(r);
	r->version = opt_rule(L, t, "mikey", "version");
	r->prf = opt_rule(L, t, "mikey", "prf_func");
	r->cs_count = opt_rule(L, t, "mikey", "cs_count");
	r->map_type = opt_rule(L, t, "mikey", "cs_id_map_type");
	r->keyid_ext_type = opt_rule(L, t, "mikey", "keyid_ext_type");
	r->nkinds = each_table(L, t, "mikey", "kinds", MIKEY_RULES_MAX_KINDS, 0, kind_at, r);
}

/* Decodes and checks bytes with compiled rules; pushes violations, kind | nil, err. */
static int
push_check(lua_State *L, const struct mikey_rules *r, struct mikey_msg *m,
    struct mikey_violations *v, const char *s, size_t len, const char *kind)
{
	struct err e;
	size_t i;

	if (mikey_decode((const uint8_t *)s, len, m, &e) == -1)
		return push_fail(L, e.msg, "malformed");
	mikey_validate(r, m, kind, v);
	lua_createtable(L, (int)v->n, 0);
	for (i = 0; i < v->n; i++) {
		lua_pushstring(L, v->msg[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	if (v->dropped > 0) {
		lua_pushfstring(L, "%d more violations not listed", (int)v->dropped);
		lua_rawseti(L, -2, (lua_Integer)v->n + 1);
	}
	if (v->kind != NULL)
		lua_pushstring(L, v->kind->name);
	else
		lua_pushnil(L);
	return 2;
}

/* mikey.validate(bytes, rules [, kind]) -> violations (array of strings), kind name | nil, err */
static int
l_validate(lua_State *L)
{
	size_t len;
	const char *s = luaL_checklstring(L, 1, &len);
	const char *kind = luaL_optstring(L, 3, NULL);
	struct mikey_rules *r = lua_newuserdatauv(L, sizeof(*r), 0);
	struct mikey_violations *v = lua_newuserdatauv(L, sizeof(*v), 0);
	struct mikey_msg *m = new_msg(L);

	check_rules(L, 2, r);
	return push_check(L, r, m, v, s, len, kind);
}

/*
 * mikey.rules(profile_mikey) -> rules: the profile's `mikey` table compiled once into the C
 * struct, for code that checks many messages (mbms.scan takes it). Raises on a bad field.
 * rules:check(bytes [, kind]) is mikey.validate without compiling the table each time.
 */
static int
l_rules(lua_State *L)
{
	struct lrules *lr = lua_newuserdatauv(L, sizeof(*lr), 0);

	luaL_setmetatable(L, MIKEY_RULES_MT);
	check_rules(L, 1, &lr->r);
	return 1;
}

static int
m_check(lua_State *L)
{
	struct lrules *lr = luaL_checkudata(L, 1, MIKEY_RULES_MT);
	size_t len;
	const char *s = luaL_checklstring(L, 2, &len);

	return push_check(L, &lr->r, &lr->m, &lr->v, s, len, luaL_optstring(L, 3, NULL));
}

/* mikey.keyid(ext_data) -> key id type, key id | nil, err */
static int
l_keyid(lua_State *L)
{
	struct mikey_bytes d, id;
	uint8_t type;
	struct err e;

	d.p = (const uint8_t *)luaL_checklstring(L, 1, &d.len);
	if (mikey_keyid_parse(&d, &type, &id, &e) == -1)
		return push_fail(L, e.msg, NULL);
	lua_pushinteger(L, type);
	lua_pushlstring(L, (const char *)id.p, id.len);
	return 2;
}

static enum protect_vmac_reading
check_reading(lua_State *L, int arg)
{
	const char *nm = luaL_checkstring(L, arg);
	int r = protect_vmac_reading(nm);

	if (r < 0)
		luaL_argerror(L, arg, "V-MAC reading must be 'mykey' or 'minisip'");
	return (enum protect_vmac_reading)r;
}

/* mikey.vmac_sign(reading, vmsg, delivery_bytes, psk) -> signed vmsg | nil, err */
static int
l_vmac_sign(lua_State *L)
{
	enum protect_vmac_reading rd = check_reading(L, 1);
	size_t vlen, dlen, pl;
	const char *v = luaL_checklstring(L, 2, &vlen);
	const char *d = luaL_checklstring(L, 3, &dlen);
	const char *psk = luaL_checklstring(L, 4, &pl);
	struct mikey_msg *dm = new_msg(L);
	struct bld *b = lua_env_bld(L);
	struct err e;

	if (mikey_decode((const uint8_t *)d, dlen, dm, &e) == -1) {
		err_prefix(&e, "delivery");
		return push_fail(L, e.msg, NULL);
	}
	bld_bytes(b, v, vlen);
	if (bld_finish(b, &e) == -1 ||
	    protect_vmac_sign(rd, b->buf, b->len, dm, (const uint8_t *)psk, pl, &e) == -1)
		return push_fail(L, e.msg, NULL);
	lua_pushlstring(L, (const char *)b->buf, b->len);
	return 1;
}

/* mikey.vmac_verify(reading, vmsg, delivery_bytes, psk) -> true | nil, err, kind */
static int
l_vmac_verify(lua_State *L)
{
	enum protect_vmac_reading rd = check_reading(L, 1);
	size_t vlen, dlen, pl;
	const char *v = luaL_checklstring(L, 2, &vlen);
	const char *d = luaL_checklstring(L, 3, &dlen);
	const char *psk = luaL_checklstring(L, 4, &pl);
	struct mikey_msg *dm = new_msg(L);
	struct err e;
	int rc;

	if (mikey_decode((const uint8_t *)d, dlen, dm, &e) == -1) {
		err_prefix(&e, "delivery");
		return push_fail(L, e.msg, "malformed");
	}
	rc = protect_vmac_verify(rd, (const uint8_t *)v, vlen, dm, (const uint8_t *)psk, pl, &e);
	if (rc != PROTECT_OK)
		return push_fail(L, e.msg, rc == PROTECT_BAD_MAC ? "mac" : "malformed");
	lua_pushboolean(L, 1);
	return 1;
}

/* mikey.name(table_name, value) -> name | nil: "payload", "ts", "encr", "mac", "id_type"... */
static int
l_name(lua_State *L)
{
	static const char *const which[] = { "payload", "data_type", "ts", "id_type", "encr",
		"mac", "key_type", "kv", "err", NULL };
	static const struct mikey_name *const tables[] = { mikey_payload_names,
		mikey_data_type_names, mikey_ts_names, mikey_id_type_names, mikey_encr_names,
		mikey_mac_names, mikey_key_type_names, mikey_kv_names, mikey_err_names };
	int t = luaL_checkoption(L, 1, NULL, which);
	const char *nm = mikey_name(tables[t], (int)luaL_checkinteger(L, 2));

	if (nm == NULL)
		return 0;
	lua_pushstring(L, nm);
	return 1;
}

static const luaL_Reg funcs[] = {
	{ "decode", l_decode },
	{ "rules", l_rules },
	{ "encode", l_encode },
	{ "protect", l_protect },
	{ "unprotect", l_unprotect },
	{ "validate", l_validate },
	{ "keyid", l_keyid },
	{ "vmac_sign", l_vmac_sign },
	{ "vmac_verify", l_vmac_verify },
	{ "name", l_name },
	{ NULL, NULL }
};

static const luaL_Reg meths[] = {
	{ "check", m_check },
	{ NULL, NULL }
};

static const luaL_Reg metas[] = {
	{ NULL, NULL }
};

static void
createmeta(lua_State *L)
{
	lua_env_createmeta(L, MIKEY_RULES_MT, metas, meths);
}

int
luaopen_mbms_mikey(lua_State *L)
{
	luaL_newlib(L, funcs);
	createmeta(L);
	return 1;
}
