/*
 * l_net: the mbms.net Lua module — non-blocking UDP and TCP sockets, UNIX-domain stream
 * connections, one poll over them, clocks.
 *
 *   net.udp{bind="127.0.0.1", port=0, reuse=false}   -> socket | nil, msg
 *   net.listen{bind="127.0.0.1", port=0, backlog=16} -> socket | nil, msg
 *   net.connect(ip, port [, source_ip])              -> socket (connect under way) | nil, msg
 *   net.connect_unix(path)                           -> socket (connected, or under way while
 *                                                       the listener's backlog is full) | nil, msg
 *   net.poll({ {sock, "r"}, {sock, "w"}, {sock, "rw"}, ... }, timeout_seconds)
 *       -> { {index=i, readable=b, writable=b, hangup=b, error=b}, ... } for the ready entries,
 *          {} on timeout | nil, msg.  An entry's sock may also be a descriptor number.
 *   net.now() -> monotonic seconds   net.wall() -> Unix time   net.sleep(seconds) -> true
 *
 * A socket is one userdata type (like liolib's FILE*) in one of three kinds. A UDP socket has
 *   u:send(data, ip, port)    -> true | nil, "again" | nil, msg
 *   u:recv()                  -> data, src_ip, src_port, dst_ip or nil | nil, "again" | nil, msg
 *   u:send_batch(payloads, ip, port [, i [, j]])
 *                             -> number queued of payloads[i..j] (default 1..#payloads), in
 *                                order; fewer when the buffer filled (wait writable, resend the
 *                                rest) | nil, msg.   One sendmmsg per NET_BATCH_MAX datagrams.
 *   u:join(group [, iface]), u:leave(group [, iface]), u:multicast_if(iface),
 *   u:multicast_ttl(n)        -> true | nil, msg    (iface: a local address or an interface name)
 * a listener has
 *   l:accept()                -> socket, peer_ip, peer_port | nil, "again" | nil, msg
 * a TCP connection has
 *   c:connected()             -> true | nil, "again" | nil, msg
 *   c:send(data [, i])        -> bytes sent from data[i..] (may be fewer) | nil, "again" | nil, msg
 *   c:recv([max])             -> data | nil, "again" | nil, "closed" | nil, msg
 *   c:shutdown([how])         -> true | nil, msg    (how: "w" (default), "r", "rw")
 *   c:peer()                  -> ip, port
 * and all have s:local_addr() -> ip, port | nil, msg, s:fd(), s:kind() ("udp", "listener",
 * "tcp") and s:close().
 *
 * A connection made by net.connect_unix is a "tcp" socket too: it has every method of a TCP
 * connection. Its addresses are strings with port 0: c:peer() -> "unix:PATH", 0, and
 * c:local_addr() -> "unix:", 0 (a client's own end is unnamed). The path is used as given
 * (relative to the current directory unless absolute); one that is empty, holds a NUL or does
 * not fit in sun_path (107 bytes on Linux) is misuse. A path where nobody listens is a failure:
 * nil, "connect to unix:PATH: Connection refused" (or "No such file or directory").
 *
 * Nothing here waits but net.poll and net.sleep (l_net_wait.c), and both demand a timeout: every
 * wait in a test has a deadline. As in liolib, misuse (wrong types, bad address strings, a closed socket, a
 * method of another kind) raises; failures of the world return nil, msg.
 */
#include <lauxlib.h>
#include <lua.h>

#include <limits.h>
#include <string.h>
#include <sys/socket.h>

#include "l_net_int.h"
#include "lua_env.h"
#include "net.h"

#define UDP_MAX		65536		/* more than any UDP payload without jumbograms */
#define RECV_DEFAULT	65536
#define RECV_LIMIT	(16 * 1024 * 1024)
#define AGAIN		"again"
#define CLOSED		"closed"

static const char *const kind_names[] = { "?", "udp", "listener", "tcp" };

/* Creates the socket closed, so that a failure while opening leaves nothing to release. */
static struct net_sock *
newsock(lua_State *L)
{
	struct net_sock *s = lua_newuserdatauv(L, sizeof(*s), 0);

	net_sock_init(s);
	luaL_setmetatable(L, NET_MT);
	return s;
}

static struct net_sock *
tosock(lua_State *L, int idx)
{
	struct net_sock *s = luaL_checkudata(L, idx, NET_MT);

	if (!net_is_open(s))
		luaL_error(L, "attempt to use a closed socket");
	return s;
}

/* A method of another kind of socket is misuse: "accept: a udp socket is not a listener". */
static struct net_sock *
tokind(lua_State *L, enum net_kind kind, const char *method)
{
	struct net_sock *s = tosock(L, 1);

	if (s->kind != kind)
		luaL_error(L, "%s: a %s socket has no such method (it is for %s sockets)", method,
		    kind_names[s->kind], kind_names[kind]);
	return s;
}

/* The one release: shared by __gc, __close and :close(), and harmless on a closed socket. */
static void
release(struct net_sock *s)
{
	net_close(s);
}

int
lnet_pushfail(lua_State *L, const char *msg)
{
	luaL_pushfail(L);
	lua_pushstring(L, msg);
	return 2;
}

int
lnet_pushtrue(lua_State *L)
{
	lua_pushboolean(L, 1);
	return 1;
}

/* Pushes ip, port; returns 2. */
static int
pushaddr(lua_State *L, const struct net_addr *a)
{
	char ip[NET_IPSTR_MAX];

	lua_pushstring(L, net_addr_ip(a, ip, sizeof(ip)));
	lua_pushinteger(L, (lua_Integer)net_addr_port(a));
	return 2;
}

/* An address argument that does not parse is misuse and raises. */
static void
checkaddr(lua_State *L, int ipidx, int portidx, struct net_addr *a)
{
	const char *ip = luaL_checkstring(L, ipidx);
	lua_Integer port = portidx > 0 ? luaL_checkinteger(L, portidx) : 0;
	struct err e;

	luaL_argcheck(L, port >= 0 && port <= 65535, portidx, "port outside 0..65535");
	if (net_addr_set(a, ip, (unsigned int)port, &e) == -1)
		luaL_argerror(L, ipidx, e.msg);
}

/* ---------------------------------------------------------------------------------------- */
/* Option tables: an unknown or mistyped field is misuse.                                   */

static void
check_fields(lua_State *L, int idx, const char *fn, const char *const *known)
{
	const char *const *k;

	lua_pushnil(L);
	while (lua_next(L, idx) != 0) {
		lua_pop(L, 1);
		if (lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, "%s: option keys must be strings, got %s", fn,
			    luaL_typename(L, -1));
		for (k = known; *k != NULL; k++)
			if (strcmp(*k, lua_tostring(L, -1)) == 0)
				break;
		if (*k == NULL)
			luaL_error(L, "%s: unknown option '%s'", fn, lua_tostring(L, -1));
	}
}

static const char *
opt_string(lua_State *L, int idx, const char *fn, const char *k, const char *dflt)
{
	const char *v;

	if (lua_isnoneornil(L, idx))
		return dflt;
	if (lua_getfield(L, idx, k) == LUA_TNIL) {
		lua_pop(L, 1);
		return dflt;
	}
	if (lua_type(L, -1) != LUA_TSTRING)
		luaL_error(L, "%s: option '%s' must be a string, got %s", fn, k,
		    luaL_typename(L, -1));
	/* The option table still holds the string; the caller uses it before Lua runs again. */
	v = lua_tostring(L, -1);
	lua_pop(L, 1);
	return v;
}

static lua_Integer
opt_int(lua_State *L, int idx, const char *fn, const char *k, lua_Integer dflt, lua_Integer min,
    lua_Integer max)
{
	lua_Integer v;
	int isint;

	if (lua_isnoneornil(L, idx))
		return dflt;
	if (lua_getfield(L, idx, k) == LUA_TNIL) {
		lua_pop(L, 1);
		return dflt;
	}
	v = lua_tointegerx(L, -1, &isint);
	if (!isint || lua_type(L, -1) != LUA_TNUMBER)
		luaL_error(L, "%s: option '%s' must be an integer, got %s", fn, k,
		    luaL_typename(L, -1));
	if (v < min || v > max)
		luaL_error(L, "%s: option '%s' is %I, outside %I..%I", fn, k, v, min, max);
	lua_pop(L, 1);
	return v;
}

static int
opt_bool(lua_State *L, int idx, const char *fn, const char *k)
{
	int t, v;

	if (lua_isnoneornil(L, idx))
		return 0;
	t = lua_getfield(L, idx, k);
	if (t != LUA_TNIL && t != LUA_TBOOLEAN)
		luaL_error(L, "%s: option '%s' must be a boolean, got %s", fn, k,
		    luaL_typename(L, -1));
	v = lua_toboolean(L, -1);
	lua_pop(L, 1);
	return v;
}

/* Reads {bind=, port=} into a; raises on a bad address. */
static void
opt_bind(lua_State *L, const char *fn, struct net_addr *a)
{
	lua_Integer port = opt_int(L, 1, fn, "port", 0, 0, 65535);
	const char *ip = opt_string(L, 1, fn, "bind", "127.0.0.1");
	struct err e;

	/* Parsed at once: nothing between here and opt_string can collect the string. */
	if (net_addr_set(a, ip, (unsigned int)port, &e) == -1)
		luaL_error(L, "%s: option 'bind': %s", fn, e.msg);
}

/* ---------------------------------------------------------------------------------------- */
/* Constructors                                                                             */

static int
l_udp(lua_State *L)
{
	static const char *const known[] = { "bind", "port", "reuse", NULL };
	struct net_sock *s;
	struct net_addr a;
	struct err e;
	int reuse;

	if (!lua_isnoneornil(L, 1)) {
		luaL_checktype(L, 1, LUA_TTABLE);
		check_fields(L, 1, "udp", known);
	}
	opt_bind(L, "udp", &a);
	reuse = opt_bool(L, 1, "udp", "reuse");
	s = newsock(L);
	if (net_udp_open(s, &a, reuse, &e) == -1)
		return lnet_pushfail(L, e.msg);
	return 1;
}

static int
l_listen(lua_State *L)
{
	static const char *const known[] = { "bind", "port", "backlog", NULL };
	struct net_sock *s;
	struct net_addr a;
	lua_Integer backlog;
	struct err e;

	if (!lua_isnoneornil(L, 1)) {
		luaL_checktype(L, 1, LUA_TTABLE);
		check_fields(L, 1, "listen", known);
	}
	opt_bind(L, "listen", &a);
	backlog = opt_int(L, 1, "listen", "backlog", 16, 1, SOMAXCONN > 4096 ? SOMAXCONN : 4096);
	s = newsock(L);
	if (net_listen(s, &a, (int)backlog, &e) == -1)
		return lnet_pushfail(L, e.msg);
	return 1;
}

static int
l_connect(lua_State *L)
{
	struct net_sock *s;
	struct net_addr a;
	struct err e;

	struct net_addr from;
	const char *bind = luaL_optstring(L, 3, NULL);

	checkaddr(L, 1, 2, &a);
	if (bind != NULL && net_addr_set(&from, bind, 0, &e) == -1)
		luaL_argerror(L, 3, e.msg);
	s = newsock(L);
	if (net_connect_from(s, &a, bind != NULL ? &from : NULL, &e) == -1)
		return lnet_pushfail(L, e.msg);
	return 1;
}

static int
l_connect_unix(lua_State *L)
{
	size_t len;
	const char *path = luaL_checklstring(L, 1, &len);
	struct net_sock *s;
	struct net_addr a;
	struct err e;

	/* A path the kernel cannot take is the caller's mistake, like a bad address string. */
	luaL_argcheck(L, strlen(path) == len, 1, "a UNIX socket path must not hold a NUL");
	if (net_addr_set_unix(&a, path, &e) == -1)
		luaL_argerror(L, 1, e.msg);
	s = newsock(L);
	if (net_connect(s, &a, &e) == -1)
		return lnet_pushfail(L, e.msg);
	return 1;
}

/* ---------------------------------------------------------------------------------------- */
/* Methods of every kind                                                                    */

/* UDP sockets take (data, ip, port); TCP connections take (data [, i]). */
static int
m_send(lua_State *L)
{
	struct net_sock *s = tosock(L, 1);
	size_t len;
	const char *data = luaL_checklstring(L, 2, &len);
	struct net_addr to;
	lua_Integer from;
	struct err e;
	ssize_t n;

	if (s->kind == NET_UDP) {
		checkaddr(L, 3, 4, &to);
		switch (net_udp_send(s, data, len, &to, &e)) {
		case 0:
			return lnet_pushtrue(L);
		case NET_AGAIN:
			return lnet_pushfail(L, AGAIN);
		default:
			return lnet_pushfail(L, e.msg);
		}
	}
	s = tokind(L, NET_TCP, "send");
	from = luaL_optinteger(L, 3, 1);
	luaL_argcheck(L, from >= 1 && (size_t)from <= len + 1, 3, "start outside the data");
	n = net_send(s, data + from - 1, len - (size_t)(from - 1), &e);
	if (n == NET_AGAIN)
		return lnet_pushfail(L, AGAIN);
	if (n < 0)
		return lnet_pushfail(L, e.msg);
	lua_pushinteger(L, (lua_Integer)n);
	return 1;
}

/*
 * u:send_batch(payloads, ip, port [, i [, j]]): the fast path of a replay. Every entry of the
 * range is checked to be a string before anything is sent, so that misuse raises before the
 * first datagram leaves. The strings stay referenced by the table while the iovecs point at them.
 */
static int
m_send_batch(lua_State *L)
{
	struct net_sock *s = tokind(L, NET_UDP, "send_batch");
	struct iovec iov[NET_BATCH_MAX];
	lua_Integer i, j, k, total = 0;
	struct net_addr to;
	struct err e;
	size_t chunk, m;
	ssize_t r;

	luaL_checktype(L, 2, LUA_TTABLE);
	checkaddr(L, 3, 4, &to);
	i = luaL_optinteger(L, 5, 1);
	j = luaL_optinteger(L, 6, (lua_Integer)lua_rawlen(L, 2));
	luaL_argcheck(L, i >= 1, 5, "first index must be >= 1");
	for (k = i; k <= j; k++) {
		if (lua_rawgeti(L, 2, k) != LUA_TSTRING)
			luaL_error(L, "send_batch: payloads[%I] is %s, not a string", k,
			    luaL_typename(L, -1));
		lua_pop(L, 1);
	}
	for (k = i; k <= j; k += (lua_Integer)chunk) {
		chunk = (size_t)(j - k + 1) < NET_BATCH_MAX ? (size_t)(j - k + 1) : NET_BATCH_MAX;
		for (m = 0; m < chunk; m++) {
			size_t len;

			lua_rawgeti(L, 2, k + (lua_Integer)m);
			iov[m].iov_base = (void *)lua_tolstring(L, -1, &len);
			iov[m].iov_len = len;
			lua_pop(L, 1);
		}
		r = net_udp_send_batch(s, iov, chunk, &to, &e);
		if (r == NET_AGAIN)
			break;
		if (r < 0) {
			if (total > 0)
				break;
			return lnet_pushfail(L, e.msg);
		}
		total += r;
		if ((size_t)r < chunk)
			break;
	}
	lua_pushinteger(L, total);
	return 1;
}

static int
recv_udp(lua_State *L, struct net_sock *s)
{
	struct net_addr src, dst;
	luaL_Buffer b;
	struct err e;
	char *p;
	ssize_t n;

	p = luaL_buffinitsize(L, &b, UDP_MAX);
	n = net_udp_recv(s, p, UDP_MAX, &src, &dst, &e);
	if (n == NET_AGAIN)
		return lnet_pushfail(L, AGAIN);
	if (n < 0)
		return lnet_pushfail(L, e.msg);
	luaL_pushresultsize(&b, (size_t)n);
	pushaddr(L, &src);
	if (net_addr_family(&dst) != 0) {
		char ip[NET_IPSTR_MAX];

		lua_pushstring(L, net_addr_ip(&dst, ip, sizeof(ip)));
	} else {
		lua_pushnil(L);
	}
	return 4;
}

static int
m_recv(lua_State *L)
{
	struct net_sock *s = tosock(L, 1);
	lua_Integer max;
	luaL_Buffer b;
	struct err e;
	char *p;
	ssize_t n;

	if (s->kind == NET_UDP)
		return recv_udp(L, s);
	s = tokind(L, NET_TCP, "recv");
	max = luaL_optinteger(L, 2, RECV_DEFAULT);
	luaL_argcheck(L, max >= 1 && max <= RECV_LIMIT, 2, "max outside 1..16777216");
	p = luaL_buffinitsize(L, &b, (size_t)max);
	n = net_recv(s, p, (size_t)max, &e);
	switch (n) {
	case NET_AGAIN:
		return lnet_pushfail(L, AGAIN);
	case NET_EOF:
		return lnet_pushfail(L, CLOSED);
	case -1:
		return lnet_pushfail(L, e.msg);
	default:
		luaL_pushresultsize(&b, (size_t)n);
		return 1;
	}
}

static int
m_local_addr(lua_State *L)
{
	struct net_sock *s = tosock(L, 1);
	struct net_addr a;
	struct err e;

	if (net_local_addr(s, &a, &e) == -1)
		return lnet_pushfail(L, e.msg);
	return pushaddr(L, &a);
}

static int
m_fd(lua_State *L)
{
	lua_pushinteger(L, tosock(L, 1)->fd);
	return 1;
}

static int
m_kind(lua_State *L)
{
	lua_pushstring(L, kind_names[tosock(L, 1)->kind]);
	return 1;
}

static int
m_close(lua_State *L)
{
	release(tosock(L, 1));
	return lnet_pushtrue(L);
}

/* ---------------------------------------------------------------------------------------- */
/* UDP methods                                                                              */

static int
membership(lua_State *L, int join)
{
	const char *m = join ? "join" : "leave";
	struct net_sock *s = tokind(L, NET_UDP, m);
	const char *iface = luaL_optstring(L, 3, NULL);
	struct net_addr g;
	struct err e;
	int rc;

	checkaddr(L, 2, 0, &g);
	rc = join ? net_udp_join(s, lua_tostring(L, 2), iface, &e) :
	    net_udp_leave(s, lua_tostring(L, 2), iface, &e);
	if (rc == -1)
		return lnet_pushfail(L, e.msg);
	return lnet_pushtrue(L);
}

static int
m_join(lua_State *L)
{
	return membership(L, 1);
}

static int
m_leave(lua_State *L)
{
	return membership(L, 0);
}

static int
m_multicast_if(lua_State *L)
{
	struct net_sock *s = tokind(L, NET_UDP, "multicast_if");
	const char *iface = luaL_checkstring(L, 2);
	struct err e;

	if (net_udp_multicast_if(s, iface, &e) == -1)
		return lnet_pushfail(L, e.msg);
	return lnet_pushtrue(L);
}

static int
m_multicast_ttl(lua_State *L)
{
	struct net_sock *s = tokind(L, NET_UDP, "multicast_ttl");
	lua_Integer ttl = luaL_checkinteger(L, 2);
	struct err e;

	luaL_argcheck(L, ttl >= 0 && ttl <= 255, 2, "ttl outside 0..255");
	if (net_udp_multicast_ttl(s, (int)ttl, &e) == -1)
		return lnet_pushfail(L, e.msg);
	return lnet_pushtrue(L);
}

/* ---------------------------------------------------------------------------------------- */
/* Listener and connection methods                                                          */

static int
m_accept(lua_State *L)
{
	struct net_sock *l = tokind(L, NET_LISTENER, "accept");
	struct net_sock *c = newsock(L);
	struct err e;

	switch (net_accept(l, c, &e)) {
	case 0:
		return 1 + pushaddr(L, &c->peer);
	case NET_AGAIN:
		return lnet_pushfail(L, AGAIN);
	default:
		return lnet_pushfail(L, e.msg);
	}
}

static int
m_connected(lua_State *L)
{
	struct net_sock *s = tokind(L, NET_TCP, "connected");
	struct err e;

	switch (net_connected(s, &e)) {
	case 1:
		return lnet_pushtrue(L);
	case NET_AGAIN:
		return lnet_pushfail(L, AGAIN);
	default:
		return lnet_pushfail(L, e.msg);
	}
}

static int
m_shutdown(lua_State *L)
{
	static const char *const hows[] = { "w", "r", "rw", NULL };
	static const int howv[] = { SHUT_WR, SHUT_RD, SHUT_RDWR };
	struct net_sock *s = tokind(L, NET_TCP, "shutdown");
	int how = luaL_checkoption(L, 2, "w", hows);
	struct err e;

	if (net_shutdown(s, howv[how], &e) == -1)
		return lnet_pushfail(L, e.msg);
	return lnet_pushtrue(L);
}

static int
m_peer(lua_State *L)
{
	return pushaddr(L, &tokind(L, NET_TCP, "peer")->peer);
}

/* ---------------------------------------------------------------------------------------- */
/* Metamethods                                                                              */

static int
mt_gc(lua_State *L)
{
	release(luaL_checkudata(L, 1, NET_MT));
	return 0;
}

static int
mt_tostring(lua_State *L)
{
	struct net_sock *s = luaL_checkudata(L, 1, NET_MT);
	char a[NET_ADDRSTR_MAX], b[NET_ADDRSTR_MAX];

	if (!net_is_open(s))
		lua_pushliteral(L, "socket (closed)");
	else if (s->kind == NET_TCP && s->family == AF_UNIX)
		/* The local end of a UNIX-domain client is unnamed: only the path says anything. */
		lua_pushfstring(L, "unix socket -> %s", net_addr_str(&s->peer, b, sizeof(b)));
	else if (s->kind == NET_TCP)
		lua_pushfstring(L, "tcp socket %s -> %s", net_addr_str(&s->local, a, sizeof(a)),
		    net_addr_str(&s->peer, b, sizeof(b)));
	else
		lua_pushfstring(L, "%s socket %s", kind_names[s->kind],
		    net_addr_str(&s->local, a, sizeof(a)));
	return 1;
}

static const luaL_Reg funcs[] = {
	{ "udp", l_udp },
	{ "listen", l_listen },
	{ "connect", l_connect },
	{ "connect_unix", l_connect_unix },
	{ "poll", lnet_poll },
	{ "sleep", lnet_sleep },
	{ "now", lnet_now },
	{ "wall", lnet_wall },
	{ NULL, NULL }
};

static const luaL_Reg meths[] = {
	{ "send", m_send },
	{ "send_batch", m_send_batch },
	{ "recv", m_recv },
	{ "join", m_join },
	{ "leave", m_leave },
	{ "multicast_if", m_multicast_if },
	{ "multicast_ttl", m_multicast_ttl },
	{ "accept", m_accept },
	{ "connected", m_connected },
	{ "shutdown", m_shutdown },
	{ "peer", m_peer },
	{ "local_addr", m_local_addr },
	{ "fd", m_fd },
	{ "kind", m_kind },
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
	lua_env_createmeta(L, NET_MT, metas, meths);
}

int
luaopen_mbms_net(lua_State *L)
{
	luaL_newlib(L, funcs);
	createmeta(L);
	return 1;
}
