/*
 * net: socket addresses, what every socket shares (open, bind, close, its addresses), the one
 * poll(2) of mbmsct, and its clocks; UDP is in net_udp.c, streams in net_tcp.c.
 */

#include "net.h"
#include "net_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <math.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* Entries polled without a heap allocation; larger sets are rare (a scheduler's peers). */
#define POLL_STACK	64

/* Where sun_path starts: a UNIX-domain address no longer than this is unnamed. */
#define SUN_PATH_OFF	offsetof(struct sockaddr_un, sun_path)

/* ---------------------------------------------------------------------------------------- */
/* Addresses                                                                                */

int
net_addr_set(struct net_addr *a, const char *ip, unsigned int port, struct err *e)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->ss;
	char buf[NET_IPSTR_MAX];
	const char *pct;

	memset(a, 0, sizeof(*a));
	if (port > 65535)
		return err_setx(e, "port %u is outside 0..65535", port);
	if (ip == NULL || strlen(ip) >= sizeof(buf))
		return err_setx(e, "'%s' is not a numeric IPv4 or IPv6 address",
		    ip == NULL ? "(null)" : ip);
	if (strchr(ip, ':') == NULL) {
		if (inet_pton(AF_INET, ip, &sin->sin_addr) != 1)
			return err_setx(e, "'%s' is not a numeric IPv4 or IPv6 address", ip);
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		a->len = sizeof(*sin);
		return 0;
	}
	/* An IPv6 address may carry a zone: "fe80::1%lo" or "fe80::1%1". */
	strcpy(buf, ip);
	if ((pct = strchr(ip, '%')) != NULL) {
		const char *zone = pct + 1;
		char *end;
		unsigned long idx;

		buf[pct - ip] = '\0';
		if (*zone == '\0')
			return err_setx(e, "'%s': empty zone after '%%'", ip);
		idx = strtoul(zone, &end, 10);
		if (*end != '\0' || idx > UINT_MAX)
			idx = if_nametoindex(zone);
		if (idx == 0)
			return err_setx(e, "'%s': no interface named '%s'", ip, zone);
		sin6->sin6_scope_id = (uint32_t)idx;
	}
	if (inet_pton(AF_INET6, buf, &sin6->sin6_addr) != 1) {
		memset(a, 0, sizeof(*a));
		return err_setx(e, "'%s' is not a numeric IPv4 or IPv6 address", ip);
	}
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons((uint16_t)port);
	a->len = sizeof(*sin6);
	return 0;
}

int
net_addr_set_unix(struct net_addr *a, const char *path, struct err *e)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&a->ss;
	size_t n;

	memset(a, 0, sizeof(*a));
	if (path == NULL || *path == '\0')
		return err_setx(e, "a UNIX socket path must not be empty");
	/* The kernel wants the terminating NUL inside sun_path too (unix(7)). */
	if ((n = strlen(path)) >= sizeof(sun->sun_path))
		return err_setx(e, "UNIX socket path '%s' is %zu bytes long, more than the %zu "
		    "that fit in sun_path", path, n, sizeof(sun->sun_path) - 1);
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, n + 1);
	a->len = (socklen_t)(SUN_PATH_OFF + n + 1);
	return 0;
}

int
net_addr_family(const struct net_addr *a)
{
	return a->ss.ss_family;
}

unsigned int
net_addr_port(const struct net_addr *a)
{
	switch (a->ss.ss_family) {
	case AF_INET:
		return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
	case AF_INET6:
		return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
	default:
		return 0;
	}
}

/*
 * Writes "unix:PATH" for a pathname address, "unix:@NAME" for an abstract one (sun_path starting
 * with a NUL, as ss(8) shows it) and "unix:" for an unnamed one (a socket never bound).
 */
static void
unix_str(const struct net_addr *a, char *s, size_t cap)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)&a->ss;
	size_t n = a->len > SUN_PATH_OFF ? a->len - SUN_PATH_OFF : 0;

	/* A pathname's length may or may not count its NUL; %.*s stops at the NUL either way. */
	if (n > sizeof(sun->sun_path))
		n = sizeof(sun->sun_path);
	if (n == 0)
		snprintf(s, cap, "unix:");
	else if (sun->sun_path[0] == '\0')
		snprintf(s, cap, "unix:@%.*s", (int)(n - 1), sun->sun_path + 1);
	else
		snprintf(s, cap, "unix:%.*s", (int)n, sun->sun_path);
}

/* 0 for no address and for an unnamed UNIX-domain one: neither says which socket is meant. */
static int
addr_named(const struct net_addr *a)
{
	if (a->ss.ss_family == AF_UNIX)
		return a->len > SUN_PATH_OFF;
	return a->ss.ss_family != 0;
}

const char *
net_addr_ip(const struct net_addr *a, char *ip, size_t cap)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&a->ss;
	char name[IF_NAMESIZE];
	size_t n;

	if (cap == 0)
		return ip;
	ip[0] = '\0';
	switch (a->ss.ss_family) {
	case AF_INET:
		if (inet_ntop(AF_INET, &((const struct sockaddr_in *)&a->ss)->sin_addr, ip,
		    (socklen_t)cap) == NULL)
			snprintf(ip, cap, "?");
		break;
	case AF_INET6:
		if (inet_ntop(AF_INET6, &sin6->sin6_addr, ip, (socklen_t)cap) == NULL) {
			snprintf(ip, cap, "?");
			break;
		}
		if (sin6->sin6_scope_id != 0) {
			n = strlen(ip);
			if (if_indextoname(sin6->sin6_scope_id, name) != NULL)
				snprintf(ip + n, cap - n, "%%%s", name);
			else
				snprintf(ip + n, cap - n, "%%%u", (unsigned)sin6->sin6_scope_id);
		}
		break;
	case AF_UNIX:
		unix_str(a, ip, cap);
		break;
	default:
		snprintf(ip, cap, "(none)");
		break;
	}
	return ip;
}

const char *
net_addr_str(const struct net_addr *a, char *s, size_t cap)
{
	char ip[NET_IPSTR_MAX];

	net_addr_ip(a, ip, sizeof(ip));
	switch (a->ss.ss_family) {
	case AF_INET:
		snprintf(s, cap, "%s:%u", ip, net_addr_port(a));
		break;
	case AF_INET6:
		snprintf(s, cap, "[%s]:%u", ip, net_addr_port(a));
		break;
	default:
		snprintf(s, cap, "%s", ip);
		break;
	}
	return s;
}

/*
 * The address a message names: the peer if there is one, else the local address. A UNIX-domain
 * client is usually unnamed, so on the accepting side the local path is the one that says
 * which socket is meant.
 */
const char *
net_sock_str(const struct net_sock *s, char *buf, size_t cap)
{
	if (addr_named(&s->peer) || (s->peer.ss.ss_family != 0 && !addr_named(&s->local)))
		return net_addr_str(&s->peer, buf, cap);
	return net_addr_str(&s->local, buf, cap);
}

/* The protocol word of a stream socket's messages: "tcp", or "unix" for a UNIX-domain one. */
const char *
net_stream_word(const struct net_sock *s)
{
	return s->family == AF_UNIX ? "unix" : "tcp";
}

/* ---------------------------------------------------------------------------------------- */
/* Sockets                                                                                  */

void
net_sock_init(struct net_sock *s)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

void
net_close(struct net_sock *s)
{
	if (s->fd >= 0) {
		/*
		 * close(2) is not retried on EINTR: on Linux the descriptor is gone either way,
		 * and a retry could close one another thread just opened. Its errors say nothing
		 * about data on a socket, so there is nothing to report.
		 */
		(void)close(s->fd);
	}
	s->fd = -1;
}

int
net_is_open(const struct net_sock *s)
{
	return s->fd >= 0;
}

int
net_check_open(const struct net_sock *s, enum net_kind kind, const char *op, struct err *e)
{
	static const char *const kinds[] = { "?", "UDP socket", "TCP listener", "TCP connection" };

	if (s->fd < 0)
		return err_setx(e, "%s: the socket is closed", op);
	if (s->kind != kind)
		return err_setx(e, "%s: not possible on a %s", op,
		    s->family == AF_UNIX ? "UNIX stream connection" :
		    kinds[s->kind <= NET_TCP ? s->kind : 0]);
	return 0;
}

int
net_setopt(int fd, int level, int name, int val, const char *what, const struct net_addr *a,
    struct err *e)
{
	char as[NET_ADDRSTR_MAX];

	if (setsockopt(fd, level, name, &val, sizeof(val)) == -1)
		return err_set(e, "setsockopt %s on %s", what, net_addr_str(a, as, sizeof(as)));
	return 0;
}

/* Opens a non-blocking socket of the address's family and binds it; fd or -1. */
int
net_open_bound(int type, const struct net_addr *bind_to, int reuse, const char *what, struct err *e)
{
	char as[NET_ADDRSTR_MAX];
	int fam = bind_to->ss.ss_family, fd;

	net_addr_str(bind_to, as, sizeof(as));
	if (fam == AF_UNIX)
		return err_setx(e, "%s: cannot bind to %s: UNIX-domain sockets are only connected "
		    "to", what, as);
	if (fam != AF_INET && fam != AF_INET6)
		return err_setx(e, "%s: no address to bind to", what);
	if ((fd = socket(fam, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
		return err_set(e, "%s socket for %s", what, as);
	if (reuse && net_setopt(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR", bind_to, e) == -1)
		goto fail;
	if (bind(fd, (const struct sockaddr *)&bind_to->ss, bind_to->len) == -1) {
		err_set(e, "bind %s %s", what, as);
		goto fail;
	}
	return fd;
fail:
	(void)close(fd);
	return -1;
}

int
net_fill_local(struct net_sock *s, const char *what, struct err *e)
{
	char as[NET_ADDRSTR_MAX];

	s->local.len = sizeof(s->local.ss);
	if (getsockname(s->fd, (struct sockaddr *)&s->local.ss, &s->local.len) == -1) {
		err_set(e, "getsockname of %s %s", what, net_sock_str(s, as, sizeof(as)));
		memset(&s->local, 0, sizeof(s->local));
		return -1;
	}
	return 0;
}

int
net_local_addr(const struct net_sock *s, struct net_addr *a, struct err *e)
{
	char as[NET_ADDRSTR_MAX];

	memset(a, 0, sizeof(*a));
	if (s->fd < 0)
		return err_setx(e, "local address: the socket is closed");
	a->len = sizeof(a->ss);
	if (getsockname(s->fd, (struct sockaddr *)&a->ss, &a->len) == -1)
		return err_set(e, "getsockname of %s", net_sock_str(s, as, sizeof(as)));
	return 0;
}

int
net_peer_addr(const struct net_sock *s, struct net_addr *a, struct err *e)
{
	char as[NET_ADDRSTR_MAX];

	memset(a, 0, sizeof(*a));
	if (s->fd < 0)
		return err_setx(e, "peer address: the socket is closed");
	a->len = sizeof(a->ss);
	if (getpeername(s->fd, (struct sockaddr *)&a->ss, &a->len) == -1)
		return err_set(e, "getpeername of %s", net_sock_str(s, as, sizeof(as)));
	return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Waiting and clocks                                                                       */

static double
clock_seconds(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double
net_now(void)
{
	return clock_seconds(CLOCK_MONOTONIC);
}

double
net_wall(void)
{
	return clock_seconds(CLOCK_REALTIME);
}

int
net_poll(struct net_pollent *ents, size_t n, int timeout_ms, struct err *e)
{
	struct pollfd stackfds[POLL_STACK], *pfd = stackfds;
	double deadline, left;
	size_t i;
	int rc, wait_ms = timeout_ms;

	if (timeout_ms < 0)
		return err_setx(e, "poll: timeout %d ms is negative (every wait has a deadline)",
		    timeout_ms);
	if (n > POLL_STACK && (pfd = calloc(n, sizeof(*pfd))) == NULL)
		return err_set(e, "poll: %zu descriptors", n);
	for (i = 0; i < n; i++) {
		pfd[i].fd = ents[i].fd;
		pfd[i].events = 0;
		pfd[i].revents = 0;
		if (ents[i].want & NET_POLL_READ)
			pfd[i].events |= POLLIN;
		if (ents[i].want & NET_POLL_WRITE)
			pfd[i].events |= POLLOUT;
		ents[i].got = 0;
	}
	deadline = net_now() + timeout_ms / 1000.0;
	for (;;) {
		rc = poll(n > 0 ? pfd : NULL, (nfds_t)n, wait_ms);
		if (rc >= 0 || errno != EINTR)
			break;
		/* Interrupted: wait again for what is left, rounded up so as never to end early. */
		left = deadline - net_now();
		wait_ms = left > 0 ? (int)ceil(left * 1000.0) : 0;
	}
	if (rc == -1) {
		err_set(e, "poll of %zu descriptors", n);
	} else {
		for (i = 0; i < n; i++) {
			short r = pfd[i].revents;

			if (r & (POLLIN | POLLPRI))
				ents[i].got |= NET_POLL_READ;
			if (r & POLLOUT)
				ents[i].got |= NET_POLL_WRITE;
			if (r & POLLHUP)
				ents[i].got |= NET_POLL_HUP;
			if (r & (POLLERR | POLLNVAL))
				ents[i].got |= NET_POLL_ERROR;
		}
	}
	if (pfd != stackfds)
		free(pfd);
	return rc;
}

int
net_sleep(int ms, struct err *e)
{
	double deadline = net_now() + ms / 1000.0, left;

	if (ms < 0)
		return err_setx(e, "sleep: %d ms is negative", ms);
	/* poll() with no descriptors only returns at its timeout, but the clock is the judge. */
	while ((left = deadline - net_now()) > 0)
		if (net_poll(NULL, 0, (int)ceil(left * 1000.0), e) == -1)
			return -1;
	return 0;
}
