/*
 * l_capture: the mbms.capture Lua module, capture files opened for reading or created for writing,
 * and live captures from an interface.
 *
 *   capture.open(path)            -> handle | nil, msg
 *   capture.create(path [, lt])   -> handle | nil, msg     (lt: LINKTYPE_* number, default RAW 101)
 *   capture.live(iface [, {filter=, snaplen=, buffer=}]) -> handle | nil, msg
 *   capture.link                  -> { NULL = 0, ETHERNET = 1, RAW = 101, ... }
 *
 * A handle is one userdata type, like liolib's FILE*: opened for reading it has
 *   h:next()      -> packet table | nil at the end | false, msg on a damaged record
 *   h:packets()   -> iterator over packet tables for a generic for; raises on a damaged record
 *   h:linktype()  -> number
 * and created for writing
 *   h:udp{src=, sport=, dst=, dport=, payload="", time=now}          -> true | nil, msg
 *   h:tcp{src=, sport=, dst=, dport=, seq=0, ack=0, flags=0x18, payload="", time=now}
 *   h:write(packet)  -> true | nil, msg   (a packet table as next() returns it: frame, time,
 *                                           wirelen; written as captured)
 *   h:linktype()  -> number
 * and opened live (immediate, non-blocking, not promiscuous; filter is a pcap-filter(7) BPF
 * expression)
 *   h:next()      -> packet table | nil when nothing is pending (never waits) | false, msg
 *   h:fd()        -> descriptor to poll for readability (net.poll takes it, so does sched)
 *   h:stats()     -> {received=, kernel_seen=, dropped=, if_dropped=} | nil, msg
 *   h:linktype()  -> number
 * and all have h:close() (writers return true | nil, msg when the flush failed).
 *
 * A packet table holds index, time (float seconds), linktype, caplen, wirelen, frame (the
 * captured bytes) and proto: "udp" or "tcp" with src, sport, dst, dport, payload,
 * payload_wire_len (and tcp_seq, tcp_ack, tcp_flags); "igmp" or "mld" with src, dst and
 * membership = {version=, type=, type_name=, group=, records = {{type=, action= "join" |
 * "leave" | "block" | "none", group=, nsrc=}, ...}, records_total=}; "other" with src and dst
 * when the frame is IP (fragment = true for an IP fragment) and payload when there is one; or
 * "malformed" with error naming the layer, field and offset, so that a reader can report and go
 * on. IP packets also carry ip_proto (the IPv4 protocol / last IPv6 next header).
 *
 * As in liolib, misuse (wrong types, a closed handle, a reader asked to write) raises, and
 * failures of the world return nil, msg.
 */
#include <lauxlib.h>
#include <lua.h>

#include <limits.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "capture.h"
#include "lua_env.h"
#include "mcast.h"
#include "pkt.h"

#define CAPTURE_MT	"mbms.capture"
#define TCP_PSH_ACK	0x18	/* the flags of an ordinary data segment */

struct lcap {
	struct capture_reader *r;
	struct capture_writer *w;
	struct capture_live *l;
	int writing;
	int live;
	int linktype;
};

static const struct {
	const char *name;
	int value;
} link_consts[] = {
	{ "NULL", PKT_LINK_NULL },
	{ "ETHERNET", PKT_LINK_ETHERNET },
	{ "RAW", PKT_LINK_RAW },
	{ "LOOP", PKT_LINK_LOOP },
	{ "LINUX_SLL", PKT_LINK_LINUX_SLL },
	{ "IPV4", PKT_LINK_IPV4 },
	{ "IPV6", PKT_LINK_IPV6 },
	{ "LINUX_SLL2", PKT_LINK_LINUX_SLL2 },
};

static int
isclosed(const struct lcap *h)
{
	return h->r == NULL && h->w == NULL && h->l == NULL;
}

/* Creates the handle closed, so that a failure while opening leaves nothing to release. */
static struct lcap *
newcap(lua_State *L, int writing)
{
	struct lcap *h = lua_newuserdatauv(L, sizeof(*h), 0);

	h->r = NULL;
	h->w = NULL;
	h->l = NULL;
	h->writing = writing;
	h->live = 0;
	h->linktype = -1;
	luaL_setmetatable(L, CAPTURE_MT);
	return h;
}

static struct lcap *
tocap(lua_State *L, int idx)
{
	struct lcap *h = luaL_checkudata(L, idx, CAPTURE_MT);

	if (isclosed(h))
		luaL_error(L, "attempt to use a closed capture");
	return h;
}

static struct lcap *
toreader(lua_State *L)
{
	struct lcap *h = tocap(L, 1);

	if (h->writing)
		luaL_error(L, "capture created for writing cannot be read");
	return h;
}

static struct lcap *
tolive(lua_State *L)
{
	struct lcap *h = tocap(L, 1);

	if (!h->live)
		luaL_error(L, "capture is not a live capture");
	return h;
}

static struct lcap *
towriter(lua_State *L)
{
	struct lcap *h = tocap(L, 1);

	if (!h->writing)
		luaL_error(L, "capture opened for reading cannot be written");
	return h;
}

/* The one release: shared by __gc, __close and :close(), and harmless on a closed handle. */
static int
release(struct lcap *h, struct err *e)
{
	struct capture_writer *w = h->w;

	capture_close(h->r);
	capture_live_close(h->l);
	h->r = NULL;
	h->w = NULL;
	h->l = NULL;
	return capture_close_writer(w, e);
}

static int
pushfail(lua_State *L, const char *msg)
{
	luaL_pushfail(L);
	lua_pushstring(L, msg);
	return 2;
}

static int
l_open(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	struct lcap *h = newcap(L, 0);
	struct err e;

	if ((h->r = capture_open(path, &e)) == NULL)
		return pushfail(L, e.msg);
	h->linktype = capture_linktype(h->r);
	return 1;
}

static int
l_create(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	lua_Integer lt = luaL_optinteger(L, 2, PKT_LINK_RAW);
	struct lcap *h;
	struct err e;

	luaL_argcheck(L, lt >= 0 && lt <= INT_MAX, 2, "link type out of range");
	h = newcap(L, 1);
	if ((h->w = capture_create(path, (int)lt, &e)) == NULL)
		return pushfail(L, e.msg);
	h->linktype = (int)lt;
	return 1;
}

static lua_Integer
opt_field_int(lua_State *L, int t, const char *k, lua_Integer max)
{
	lua_Integer v = 0;
	int isint;

	if (lua_getfield(L, t, k) != LUA_TNIL) {
		v = lua_tointegerx(L, -1, &isint);
		if (!isint || lua_type(L, -1) != LUA_TNUMBER || v < 1 || v > max)
			luaL_error(L, "live: field '%s' must be an integer in 1..%I", k, max);
	}
	lua_pop(L, 1);
	return v;
}

static int
l_live(lua_State *L)
{
	const char *iface = luaL_checkstring(L, 1);
	struct capture_live_opts o;
	struct lcap *h;
	struct err e;

	memset(&o, 0, sizeof(o));
	if (!lua_isnoneornil(L, 2)) {
		luaL_checktype(L, 2, LUA_TTABLE);
		if (lua_getfield(L, 2, "filter") != LUA_TNIL && lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, "live: field 'filter' must be a string, got %s",
			    luaL_typename(L, -1));
		/* The string stays referenced by the options table while libpcap compiles it. */
		o.filter = lua_tostring(L, -1);
		lua_pop(L, 1);
		o.snaplen = (int)opt_field_int(L, 2, "snaplen", 262144);
		o.buffer_size = (int)opt_field_int(L, 2, "buffer", INT_MAX);
	}
	h = newcap(L, 0);
	h->live = 1;
	if ((h->l = capture_live_open(iface, &o, &e)) == NULL)
		return pushfail(L, e.msg);
	h->linktype = capture_live_linktype(h->l);
	return 1;
}

static void
setint(lua_State *L, const char *k, lua_Integer v)
{
	lua_pushinteger(L, v);
	lua_setfield(L, -2, k);
}

static void
setaddr(lua_State *L, const char *k, const struct pkt_addr *a)
{
	char s[64];

	pkt_addr_str(a, s, sizeof(s));
	lua_pushstring(L, s);
	lua_setfield(L, -2, k);
}

static const char *
proto_name(enum pkt_proto p)
{
	switch (p) {
	case PKT_PROTO_UDP:
		return "udp";
	case PKT_PROTO_TCP:
		return "tcp";
	default:
		return "other";
	}
}

/* Adds proto "igmp"/"mld" and the membership table, or proto "malformed" with the error. */
static void
setmembership(lua_State *L, const struct pkt_info *in)
{
	struct mcast_msg m;
	struct err e;
	size_t i;

	switch (mcast_dissect(in->src.family, in->ip_proto, in->payload, in->payload_len, &m,
	    &e)) {
	case 0:
		return;
	case -1:
		lua_pushstring(L, "malformed");
		lua_setfield(L, -2, "proto");
		lua_pushstring(L, e.msg);
		lua_setfield(L, -2, "error");
		return;
	}
	lua_pushstring(L, m.family == 4 ? "igmp" : "mld");
	lua_setfield(L, -2, "proto");
	lua_createtable(L, 0, 6);
	setint(L, "version", m.version);
	setint(L, "type", m.type);
	lua_pushstring(L, m.type_name);
	lua_setfield(L, -2, "type_name");
	if (m.group.family != 0)
		setaddr(L, "group", &m.group);
	setint(L, "records_total", (lua_Integer)m.nrec_total);
	lua_createtable(L, (int)m.nrec, 0);
	for (i = 0; i < m.nrec; i++) {
		lua_createtable(L, 0, 4);
		setint(L, "type", m.rec[i].type);
		lua_pushstring(L, mcast_action_name(m.rec[i].action));
		lua_setfield(L, -2, "action");
		setaddr(L, "group", &m.rec[i].group);
		setint(L, "nsrc", m.rec[i].nsrc);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "records");
	lua_setfield(L, -2, "membership");
}

/* Pushes the table describing one packet; a frame pkt cannot dissect is data, not an error. */
static void
pushpacket(lua_State *L, const struct capture_pkt *p)
{
	struct pkt_info in;
	struct err e;

	lua_createtable(L, 0, 20);
	setint(L, "index", (lua_Integer)p->index);
	lua_pushnumber(L, (lua_Number)p->ts_sec + (lua_Number)p->ts_usec / 1e6);
	lua_setfield(L, -2, "time");
	setint(L, "linktype", p->linktype);
	setint(L, "caplen", (lua_Integer)p->caplen);
	setint(L, "wirelen", (lua_Integer)p->wirelen);
	lua_pushlstring(L, (const char *)p->data, p->caplen);
	lua_setfield(L, -2, "frame");
	if (pkt_dissect(p->linktype, p->data, p->caplen, p->wirelen, &in, &e) == -1) {
		lua_pushstring(L, "malformed");
		lua_setfield(L, -2, "proto");
		lua_pushstring(L, e.msg);
		lua_setfield(L, -2, "error");
		return;
	}
	lua_pushstring(L, proto_name(in.proto));
	lua_setfield(L, -2, "proto");
	if (in.src.family != 0) {
		setaddr(L, "src", &in.src);
		setaddr(L, "dst", &in.dst);
	}
	if (in.ip_fragment) {
		lua_pushboolean(L, 1);
		lua_setfield(L, -2, "fragment");
	}
	if (in.proto != PKT_PROTO_OTHER) {
		setint(L, "sport", in.src.port);
		setint(L, "dport", in.dst.port);
	}
	if (in.payload != NULL) {
		lua_pushlstring(L, (const char *)in.payload, in.payload_len);
		lua_setfield(L, -2, "payload");
		setint(L, "payload_wire_len", (lua_Integer)in.payload_wire_len);
	}
	if (in.proto == PKT_PROTO_TCP) {
		setint(L, "tcp_seq", in.tcp_seq);
		setint(L, "tcp_ack", in.tcp_ack);
		setint(L, "tcp_flags", in.tcp_flags);
	}
	if (in.ip_proto >= 0)
		setint(L, "ip_proto", in.ip_proto);
	if (in.proto == PKT_PROTO_OTHER && !in.ip_fragment && in.payload != NULL)
		setmembership(L, &in);
}

static int
m_next(lua_State *L)
{
	struct lcap *h = toreader(L);
	struct capture_pkt p;
	struct err e;
	int rc;

	rc = h->live ? capture_live_next(h->l, &p, &e) : capture_next(h->r, &p, &e);
	switch (rc) {
	case 1:
		pushpacket(L, &p);
		return 1;
	case 0:
		lua_pushnil(L);
		return 1;
	default:
		lua_pushboolean(L, 0);
		lua_pushstring(L, e.msg);
		return 2;
	}
}

static int
packets_iter(lua_State *L)
{
	struct lcap *h = luaL_checkudata(L, lua_upvalueindex(1), CAPTURE_MT);
	struct capture_pkt p;
	struct err e;

	if (isclosed(h))
		return luaL_error(L, "attempt to use a closed capture");
	switch (h->live ? capture_live_next(h->l, &p, &e) : capture_next(h->r, &p, &e)) {
	case 1:
		pushpacket(L, &p);
		return 1;
	case 0:
		lua_pushnil(L);
		return 1;
	default:
		/* A for loop cannot see a false, msg pair, so a damaged record raises (as io.lines). */
		return luaL_error(L, "%s", e.msg);
	}
}

static int
m_packets(lua_State *L)
{
	toreader(L);
	lua_pushvalue(L, 1);
	lua_pushcclosure(L, packets_iter, 1);
	return 1;
}

static int
m_fd(lua_State *L)
{
	lua_pushinteger(L, capture_live_fd(tolive(L)->l));
	return 1;
}

static int
m_stats(lua_State *L)
{
	struct lcap *h = tolive(L);
	struct capture_live_stats st;
	struct err e;

	if (capture_live_stats(h->l, &st, &e) == -1)
		return pushfail(L, e.msg);
	lua_createtable(L, 0, 4);
	setint(L, "received", (lua_Integer)st.received);
	setint(L, "kernel_seen", (lua_Integer)st.kernel_seen);
	setint(L, "dropped", (lua_Integer)st.dropped);
	setint(L, "if_dropped", (lua_Integer)st.if_dropped);
	return 1;
}

static int
m_linktype(lua_State *L)
{
	lua_pushinteger(L, tocap(L, 1)->linktype);
	return 1;
}

static int
m_close(lua_State *L)
{
	struct lcap *h = tocap(L, 1);
	struct err e;

	if (release(h, &e) == -1)
		return pushfail(L, e.msg);
	lua_pushboolean(L, 1);
	return 1;
}

static int
mt_gc(lua_State *L)
{
	struct lcap *h = luaL_checkudata(L, 1, CAPTURE_MT);
	struct err e;

	(void)release(h, &e);
	return 0;
}

static int
mt_tostring(lua_State *L)
{
	struct lcap *h = luaL_checkudata(L, 1, CAPTURE_MT);
	const char *kind = h->live ? "live" : h->writing ? "writer" : "reader";

	if (isclosed(h))
		lua_pushfstring(L, "capture %s (closed)", kind);
	else
		lua_pushfstring(L, "capture %s (%p)", kind, (void *)h);
	return 1;
}

/* Field readers for the udp/tcp argument table: a wrong field is misuse and raises. */
static void
field_addr(lua_State *L, const char *m, const char *k, struct pkt_addr *a)
{
	const char *s;
	struct err e;

	if (lua_getfield(L, 2, k) != LUA_TSTRING)
		luaL_error(L, "%s: field '%s' must be an address string, got %s", m, k,
		    luaL_typename(L, -1));
	s = lua_tostring(L, -1);
	if (pkt_addr_parse(s, a, &e) == -1)
		luaL_error(L, "%s: field '%s': %s", m, k, e.msg);
	lua_pop(L, 1);
}

static lua_Integer
field_int(lua_State *L, const char *m, const char *k, lua_Integer dflt, int required,
    lua_Integer max)
{
	lua_Integer v;
	int isint;

	if (lua_getfield(L, 2, k) == LUA_TNIL && !required) {
		lua_pop(L, 1);
		return dflt;
	}
	v = lua_tointegerx(L, -1, &isint);
	if (!isint || lua_type(L, -1) != LUA_TNUMBER)
		luaL_error(L, "%s: field '%s' must be an integer, got %s", m, k,
		    luaL_typename(L, -1));
	if (v < 0 || v > max)
		luaL_error(L, "%s: field '%s' is %I, outside 0..%I", m, k, v, max);
	lua_pop(L, 1);
	return v;
}

/* Leaves the payload string on the stack so that the pointer stays valid. */
static const char *
field_payload(lua_State *L, const char *m, size_t *len)
{
	int t = lua_getfield(L, 2, "payload");

	if (t == LUA_TNIL) {
		*len = 0;
		return "";
	}
	if (t != LUA_TSTRING)
		luaL_error(L, "%s: field 'payload' must be a string, got %s", m,
		    luaL_typename(L, -1));
	return lua_tolstring(L, -1, len);
}

static void
field_time(lua_State *L, const char *m, int64_t *sec, int32_t *usec)
{
	struct timespec now;
	lua_Number t, whole;
	int64_t us;

	if (lua_getfield(L, 2, "time") == LUA_TNIL) {
		lua_pop(L, 1);
		clock_gettime(CLOCK_REALTIME, &now);
		*sec = now.tv_sec;
		*usec = (int32_t)(now.tv_nsec / 1000);
		return;
	}
	if (lua_type(L, -1) != LUA_TNUMBER)
		luaL_error(L, "%s: field 'time' must be a number, got %s", m, luaL_typename(L, -1));
	t = lua_tonumber(L, -1);
	if (!(t >= 0 && t < 4294967296.0))
		luaL_error(L, "%s: field 'time' is %f, outside the pcap range", m, (double)t);
	lua_pop(L, 1);
	whole = floor(t);
	us = (int64_t)floor((t - whole) * 1e6 + 0.5);
	*sec = (int64_t)whole;
	if (us >= 1000000) {
		(*sec)++;
		us -= 1000000;
	}
	*usec = (int32_t)us;
}

static int
write_segment(lua_State *L, int tcp)
{
	const char *m = tcp ? "tcp" : "udp";
	struct lcap *h = towriter(L);
	struct pkt_addr src, dst;
	lua_Integer seq = 0, ack = 0, flags = 0;
	const char *payload;
	int64_t sec;
	int32_t usec;
	size_t len;
	struct err e;
	int rc;

	luaL_checktype(L, 2, LUA_TTABLE);
	field_addr(L, m, "src", &src);
	field_addr(L, m, "dst", &dst);
	src.port = (uint16_t)field_int(L, m, "sport", 0, 1, 0xffff);
	dst.port = (uint16_t)field_int(L, m, "dport", 0, 1, 0xffff);
	if (tcp) {
		seq = field_int(L, m, "seq", 0, 0, 0xffffffff);
		ack = field_int(L, m, "ack", 0, 0, 0xffffffff);
		flags = field_int(L, m, "flags", TCP_PSH_ACK, 0, 0xff);
	}
	field_time(L, m, &sec, &usec);
	payload = field_payload(L, m, &len);
	if (tcp)
		rc = capture_write_tcp(h->w, sec, usec, &src, &dst, (uint32_t)seq, (uint32_t)ack,
		    (uint8_t)flags, (const uint8_t *)payload, len, &e);
	else
		rc = capture_write_udp(h->w, sec, usec, &src, &dst, (const uint8_t *)payload,
		    len, &e);
	if (rc == -1)
		return pushfail(L, e.msg);
	lua_pushboolean(L, 1);
	return 1;
}

/* Writes a packet table (frame, time, optional wirelen) as it was captured. */
static int
m_write(lua_State *L)
{
	struct lcap *h = towriter(L);
	struct capture_pkt p;
	lua_Integer wl;
	size_t len;
	struct err e;

	luaL_checktype(L, 2, LUA_TTABLE);
	memset(&p, 0, sizeof(p));
	if (lua_getfield(L, 2, "frame") != LUA_TSTRING)
		return luaL_error(L, "write: field 'frame' must be a string, got %s",
		    luaL_typename(L, -1));
	/* The frame string stays on the stack while it is written. */
	p.data = (const uint8_t *)lua_tolstring(L, -1, &len);
	p.caplen = p.wirelen = len;
	field_time(L, "write", &p.ts_sec, &p.ts_usec);
	wl = field_int(L, "write", "wirelen", (lua_Integer)len, 0, 0xffffffff);
	if ((size_t)wl > len)
		p.wirelen = (size_t)wl;
	if (capture_write_pkt(h->w, &p, &e) == -1)
		return pushfail(L, e.msg);
	lua_pushboolean(L, 1);
	return 1;
}

static int
m_udp(lua_State *L)
{
	return write_segment(L, 0);
}

static int
m_tcp(lua_State *L)
{
	return write_segment(L, 1);
}

static const luaL_Reg funcs[] = {
	{ "open", l_open },
	{ "create", l_create },
	{ "live", l_live },
	{ NULL, NULL }
};

static const luaL_Reg meths[] = {
	{ "next", m_next },
	{ "packets", m_packets },
	{ "linktype", m_linktype },
	{ "udp", m_udp },
	{ "tcp", m_tcp },
	{ "write", m_write },
	{ "fd", m_fd },
	{ "stats", m_stats },
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
	lua_env_createmeta(L, CAPTURE_MT, metas, meths);
}

int
luaopen_mbms_capture(lua_State *L)
{
	size_t i;

	luaL_newlib(L, funcs);
	lua_createtable(L, 0, (int)(sizeof(link_consts) / sizeof(link_consts[0])));
	for (i = 0; i < sizeof(link_consts) / sizeof(link_consts[0]); i++)
		setint(L, link_consts[i].name, link_consts[i].value);
	lua_setfield(L, -2, "link");
	createmeta(L);
	return 1;
}
