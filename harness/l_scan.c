/*
 * l_scan: the mbms.scan Lua module — a capture read as audit events (scan.h).
 *
 *   scan.open(path, cfg)   -> handle | nil, msg
 *     cfg = { rules = mikey.rules(profile.mikey), ports = { 2269, ... },
 *             fast_kind = "mtk_delivery", kdid_len = 3, mskid_len = 4, mtkid_len = 2 }
 *
 *   h:next()       -> event | nil at the end | fail (nil), msg when the file cannot be read on
 *   h:add_key(msk, key [, seql, sequ])   make an MSK (Key Domain ID || MSK ID) known
 *   h:mtk_latest(kdid)  -> msk, mtkid, time | nil
 *   h:findings()   -> array of { req, index, time, text }, total count
 *   h:stats()      -> { packets, mikey, fast, http, errors, tcp_segments, mcast, other, first_time,
 *                       last_time }
 *   h:close()
 *
 *   scan.stream()  -> stream: one direction of a TCP connection put back in order (tcpflow.h)
 *     st:segment(seq, flags, payload) -> the bytes now in order (maybe "") | nil, msg once a
 *                                         segment is lost for good (flags: the TCP header's)
 *     st:ended()     -> true after the FIN was reached in order, or an RST
 *
 * An event has type "mikey" | "mtk" | "http" | "error", index (packet number), time, and
 * src, sport, dst, dport when it has addresses; "mikey" has payload and either error (it does
 * not decode) or kind (when the profile's kinds tell), violations ("; "-joined, "" for none),
 * csb_id, v, counter (T), idi and idr (the first two ID/IDR payloads), keyid; "mtk" has
 * payload, msk and
 * mtkid; "http" has flow, request (boolean), method and target or status and reason, headers
 * (lower-case names -> value; the last of repeated fields), body; "error" has msg (and flow);
 * "mcast" has group and action ("join" | "leave"), src being the member.
 */
#include <lauxlib.h>
#include <lua.h>

#include <string.h>

#include "lua_env.h"
#include "mikey_rules.h"
#include "scan.h"
#include "tcpflow.h"

#define SCAN_MT		"mbms.scan"
#define STREAM_MT	"mbms.scan.stream"
#define RULES_MT	"mbms.mikey.rules"

struct lscan {
	struct scan *s;
};

static struct lscan *
check(lua_State *L)
{
	struct lscan *h = luaL_checkudata(L, 1, SCAN_MT);

	if (h->s == NULL)
		luaL_error(L, "attempt to use a closed scan");
	return h;
}

static size_t
opt_len(lua_State *L, int t, const char *k, size_t max)
{
	lua_Integer v;

	lua_getfield(L, t, k);
	v = luaL_optinteger(L, -1, 0);
	lua_pop(L, 1);
	if (v < 0 || (size_t)v > max)
		luaL_error(L, "cfg.%s: %d is out of range 0..%d", k, (int)v, (int)max);
	return (size_t)v;
}

static void
read_cfg(lua_State *L, int t, struct scan_config *c)
{
	const char *fk;
	lua_Integer i, n;

	luaL_checktype(L, t, LUA_TTABLE);
	memset(c, 0, sizeof(*c));
	lua_getfield(L, t, "rules");
	c->rules = *(struct mikey_rules *)luaL_checkudata(L, -1, RULES_MT);
	lua_pop(L, 1);
	lua_getfield(L, t, "ports");
	luaL_checktype(L, -1, LUA_TTABLE);
	n = luaL_len(L, -1);
	if (n > SCAN_MAX_PORTS)
		luaL_error(L, "cfg.ports: more than %d ports", SCAN_MAX_PORTS);
	for (i = 1; i <= n; i++) {
		lua_Integer p;

		lua_rawgeti(L, -1, i);
		p = luaL_checkinteger(L, -1);
		if (p < 1 || p > 65535)
			luaL_error(L, "cfg.ports[%d]: %d is not a port", (int)i, (int)p);
		c->mikey_ports[c->nports++] = (uint16_t)p;
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	lua_getfield(L, t, "fast_kind");
	fk = luaL_optstring(L, -1, "");
	if (strlen(fk) >= sizeof(c->fast_kind))
		luaL_error(L, "cfg.fast_kind: name too long");
	strcpy(c->fast_kind, fk);
	lua_pop(L, 1);
	c->kdid_len = opt_len(L, t, "kdid_len", 16);
	c->mskid_len = opt_len(L, t, "mskid_len", 16);
	c->mtkid_len = opt_len(L, t, "mtkid_len", 4);
}

static int
l_open(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	struct lscan *h;
	struct scan_config *c = lua_newuserdatauv(L, sizeof(*c), 0);
	struct err e;

	read_cfg(L, 2, c);
	h = lua_newuserdatauv(L, sizeof(*h), 0);
	h->s = NULL;
	luaL_setmetatable(L, SCAN_MT);
	if ((h->s = scan_open(path, c, &e)) == NULL) {
		luaL_pushfail(L);
		lua_pushstring(L, e.msg);
		return 2;
	}
	return 1;
}

static void
set_str(lua_State *L, const char *k, const char *v)
{
	lua_pushstring(L, v);
	lua_setfield(L, -2, k);
}

static void
set_int(lua_State *L, const char *k, lua_Integer v)
{
	lua_pushinteger(L, v);
	lua_setfield(L, -2, k);
}

static void
set_addr(lua_State *L, const char *k, const char *kp, const struct pkt_addr *a)
{
	char buf[64];

	pkt_addr_str(a, buf, sizeof(buf));
	set_str(L, k, buf);
	set_int(L, kp, a->port);
}

static void
push_http(lua_State *L, const struct http_msg *m)
{
	size_t i, j;
	char name[128];

	lua_pushboolean(L, m->request);
	lua_setfield(L, -2, "request");
	if (m->request) {
		set_str(L, "method", m->method);
		set_str(L, "target", m->target);
	} else {
		set_int(L, "status", m->status);
		set_str(L, "reason", m->reason);
	}
	lua_createtable(L, 0, (int)m->nheaders);
	for (i = 0; i < m->nheaders; i++) {
		const struct http_header *hd = &m->headers[i];

		for (j = 0; j < hd->name_len && j + 1 < sizeof(name); j++) {
			char ch = hd->name[j];

			name[j] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
		}
		name[j] = '\0';
		lua_pushlstring(L, hd->value, hd->value_len);
		lua_setfield(L, -2, name);
	}
	lua_setfield(L, -2, "headers");
	lua_pushlstring(L, (const char *)m->body, m->body_len);
	lua_setfield(L, -2, "body");
}

static void
set_bytes(lua_State *L, const char *k, const struct mikey_bytes *b)
{
	lua_pushlstring(L, b->len ? (const char *)b->p : "", b->len);
	lua_setfield(L, -2, k);
}

/* The fields scan.c read of a MIKEY message (see the header comment). */
static void
push_mikey(lua_State *L, const struct scan_event *ev)
{
	if (!ev->decoded) {
		set_str(L, "error", ev->msg);
		return;
	}
	if (ev->kind != NULL)
		set_str(L, "kind", ev->kind);
	set_str(L, "violations", ev->viol);
	set_int(L, "csb_id", ev->csb_id);
	set_int(L, "v", ev->v);
	if (ev->has_counter)
		set_int(L, "counter", (lua_Integer)ev->counter);
	if (ev->nids > 0)
		set_bytes(L, "idi", &ev->ids[0]);
	if (ev->nids > 1)
		set_bytes(L, "idr", &ev->ids[1]);
	if (ev->has_keyid)
		set_bytes(L, "keyid", &ev->keyid);
}

static const char *const type_names[] = { "mikey", "mtk", "http", "error", "mcast" };

static int
l_next(lua_State *L)
{
	struct lscan *h = check(L);
	struct scan_event ev;
	struct err e;
	int rc = scan_next(h->s, &ev, &e);

	if (rc == -1) {
		luaL_pushfail(L);
		lua_pushstring(L, e.msg);
		return 2;
	}
	if (rc == 0) {
		lua_pushnil(L);
		return 1;
	}
	lua_createtable(L, 0, 12);
	set_str(L, "type", type_names[ev.type]);
	set_int(L, "index", (lua_Integer)ev.index);
	lua_pushnumber(L, ev.time);
	lua_setfield(L, -2, "time");
	if (ev.has_addr) {
		set_addr(L, "src", "sport", &ev.src);
		set_addr(L, "dst", "dport", &ev.dst);
	}
	if (ev.flow != 0)
		set_int(L, "flow", ev.flow);
	switch (ev.type) {
	case SCAN_EV_MTK:
		lua_pushlstring(L, (const char *)ev.msk, ev.msk_len);
		lua_setfield(L, -2, "msk");
		set_int(L, "mtkid", ev.mtkid);
		/* FALLTHROUGH */
	case SCAN_EV_MIKEY:
		lua_pushlstring(L, (const char *)ev.payload, ev.payload_len);
		lua_setfield(L, -2, "payload");
		if (ev.type == SCAN_EV_MIKEY)
			push_mikey(L, &ev);
		break;
	case SCAN_EV_HTTP:
		push_http(L, ev.http);
		break;
	case SCAN_EV_ERROR:
		set_str(L, "msg", ev.msg);
		break;
	case SCAN_EV_MCAST: {
		char g[64];

		pkt_addr_str(&ev.group, g, sizeof(g));
		set_str(L, "group", g);
		set_str(L, "action", ev.action);
		break;
	}
	}
	return 1;
}

static int
l_add_key(lua_State *L)
{
	struct lscan *h = check(L);
	size_t ml, kl;
	const char *msk = luaL_checklstring(L, 2, &ml);
	const char *key = luaL_checklstring(L, 3, &kl);
	lua_Integer seql = luaL_optinteger(L, 4, 0), sequ = luaL_optinteger(L, 5, 0);
	struct err e;

	luaL_argcheck(L, seql >= 0 && seql <= 0xffffffffLL, 4, "SEQl out of range");
	luaL_argcheck(L, sequ >= 0 && sequ <= 0xffffffffLL, 5, "SEQu out of range");
	if (scan_add_key(h->s, (const uint8_t *)msk, ml, (const uint8_t *)key, kl,
	    (uint32_t)seql, (uint32_t)sequ, &e) == -1)
		return luaL_error(L, "%s", e.msg);
	return 0;
}

static int
l_mtk_latest(lua_State *L)
{
	struct lscan *h = check(L);
	size_t kl;
	const char *kdid = luaL_checklstring(L, 2, &kl);
	const uint8_t *msk;
	size_t ml;
	uint32_t mtkid;
	double t;

	if (!scan_mtk_latest(h->s, (const uint8_t *)kdid, kl, &msk, &ml, &mtkid, &t)) {
		lua_pushnil(L);
		return 1;
	}
	lua_pushlstring(L, (const char *)msk, ml);
	lua_pushinteger(L, mtkid);
	lua_pushnumber(L, t);
	return 3;
}

static int
l_findings(lua_State *L)
{
	struct lscan *h = check(L);
	size_t n, i;
	const struct scan_finding *f = scan_findings(h->s, &n);

	lua_createtable(L, (int)n, 0);
	for (i = 0; i < n; i++) {
		lua_createtable(L, 0, 4);
		set_str(L, "req", f[i].req);
		set_int(L, "index", (lua_Integer)f[i].index);
		lua_pushnumber(L, f[i].time);
		lua_setfield(L, -2, "time");
		set_str(L, "text", f[i].text);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_pushinteger(L, (lua_Integer)scan_findings_total(h->s));
	return 2;
}

static int
l_stats(lua_State *L)
{
	struct lscan *h = check(L);
	struct scan_stats st;

	scan_get_stats(h->s, &st);
	lua_createtable(L, 0, 7);
	set_int(L, "packets", (lua_Integer)st.packets);
	set_int(L, "mikey", (lua_Integer)st.mikey);
	set_int(L, "fast", (lua_Integer)st.fast);
	set_int(L, "http", (lua_Integer)st.http);
	set_int(L, "errors", (lua_Integer)st.errors);
	set_int(L, "tcp_segments", (lua_Integer)st.tcp_segments);
	set_int(L, "mcast", (lua_Integer)st.mcast);
	set_int(L, "other", (lua_Integer)st.other);
	lua_pushnumber(L, st.first_time);
	lua_setfield(L, -2, "first_time");
	lua_pushnumber(L, st.last_time);
	lua_setfield(L, -2, "last_time");
	return 1;
}

static int
l_close(lua_State *L)
{
	struct lscan *h = luaL_checkudata(L, 1, SCAN_MT);

	scan_free(h->s);
	h->s = NULL;
	return 0;
}

/* ---- streams ----------------------------------------------------------------------------- */

static int
l_stream(lua_State *L)
{
	struct tcpflow *f = lua_newuserdatauv(L, sizeof(*f), 0);

	tcpflow_init(f);
	luaL_setmetatable(L, STREAM_MT);
	return 1;
}

static int
collect(void *ctx, const uint8_t *p, size_t n, struct err *e)
{
	(void)e;
	bld_bytes(ctx, p, n);
	return 0;
}

static int
st_segment(lua_State *L)
{
	struct tcpflow *f = luaL_checkudata(L, 1, STREAM_MT);
	lua_Integer seq = luaL_checkinteger(L, 2), fl = luaL_checkinteger(L, 3);
	size_t n;
	const char *payload = luaL_optlstring(L, 4, "", &n);
	unsigned int flags = 0;
	struct bld *b = lua_env_bld(L);
	struct err e;

	luaL_argcheck(L, seq >= 0 && seq <= 0xffffffffLL, 2, "sequence number out of range");
	if (fl & 0x01)
		flags |= TCPFLOW_FIN;
	if (fl & 0x02)
		flags |= TCPFLOW_SYN;
	if (fl & 0x04)
		flags |= TCPFLOW_RST;
	if (tcpflow_segment(f, (uint32_t)seq, flags, (const uint8_t *)payload, n, collect, b,
	    &e) == -1) {
		luaL_pushfail(L);
		lua_pushstring(L, e.msg);
		return 2;
	}
	return lua_env_push_bld(L, b, bld_ok(b) ? 0 : -1, "out of memory reassembling TCP");
}

static int
st_ended(lua_State *L)
{
	struct tcpflow *f = luaL_checkudata(L, 1, STREAM_MT);

	lua_pushboolean(L, f->ended);
	return 1;
}

static int
st_gc(lua_State *L)
{
	tcpflow_free(luaL_checkudata(L, 1, STREAM_MT));
	return 0;
}

static const luaL_Reg stream_meths[] = {
	{ "segment", st_segment },
	{ "ended", st_ended },
	{ NULL, NULL }
};

static const luaL_Reg stream_metas[] = {
	{ "__gc", st_gc },
	{ "__close", st_gc },
	{ NULL, NULL }
};

static const luaL_Reg funcs[] = {
	{ "open", l_open },
	{ "stream", l_stream },
	{ NULL, NULL }
};

static const luaL_Reg meths[] = {
	{ "next", l_next },
	{ "add_key", l_add_key },
	{ "mtk_latest", l_mtk_latest },
	{ "findings", l_findings },
	{ "stats", l_stats },
	{ "close", l_close },
	{ NULL, NULL }
};

static const luaL_Reg metas[] = {
	{ "__gc", l_close },
	{ "__close", l_close },
	{ NULL, NULL }
};

static void
createmeta(lua_State *L)
{
	lua_env_createmeta(L, SCAN_MT, metas, meths);
	lua_env_createmeta(L, STREAM_MT, stream_metas, stream_meths);
}

int
luaopen_mbms_scan(lua_State *L)
{
	luaL_newlib(L, funcs);
	createmeta(L);
	return 1;
}
