/*
 * net: non-blocking UDP/TCP sockets on IPv4 and IPv6 and UNIX-domain stream connections, the one
 * poll(2) of mbmsct, and its clocks.
 */

/* struct in6_pktinfo (RFC 3542) and accept4() are declared by glibc only under _GNU_SOURCE. */
#define _GNU_SOURCE

#include "net.h"

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
static const char *
sock_str(const struct net_sock *s, char *buf, size_t cap)
{
	if (addr_named(&s->peer) || (s->peer.ss.ss_family != 0 && !addr_named(&s->local)))
		return net_addr_str(&s->peer, buf, cap);
	return net_addr_str(&s->local, buf, cap);
}

/* The protocol word of a stream socket's messages: "tcp", or "unix" for a UNIX-domain one. */
static const char *
stream_word(const struct net_sock *s)
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

static int
check_open(const struct net_sock *s, enum net_kind kind, const char *op, struct err *e)
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

static int
setopt(int fd, int level, int name, int val, const char *what, const struct net_addr *a,
    struct err *e)
{
	char as[NET_ADDRSTR_MAX];

	if (setsockopt(fd, level, name, &val, sizeof(val)) == -1)
		return err_set(e, "setsockopt %s on %s", what, net_addr_str(a, as, sizeof(as)));
	return 0;
}

/* Opens a non-blocking socket of the address's family and binds it; fd or -1. */
static int
open_bound(int type, const struct net_addr *bind_to, int reuse, const char *what, struct err *e)
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
	if (reuse && setopt(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR", bind_to, e) == -1)
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

static int
fill_local(struct net_sock *s, const char *what, struct err *e)
{
	char as[NET_ADDRSTR_MAX];

	s->local.len = sizeof(s->local.ss);
	if (getsockname(s->fd, (struct sockaddr *)&s->local.ss, &s->local.len) == -1) {
		err_set(e, "getsockname of %s %s", what, sock_str(s, as, sizeof(as)));
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
		return err_set(e, "getsockname of %s", sock_str(s, as, sizeof(as)));
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
		return err_set(e, "getpeername of %s", sock_str(s, as, sizeof(as)));
	return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* UDP                                                                                      */

int
net_udp_open(struct net_sock *s, const struct net_addr *bind_to, int reuse, struct err *e)
{
	int fd, v6 = bind_to->ss.ss_family == AF_INET6;

	if (s->fd >= 0)
		return err_setx(e, "udp open: the socket is already open");
	if ((fd = open_bound(SOCK_DGRAM, bind_to, reuse, "udp", e)) == -1)
		return -1;
	s->fd = fd;
	s->kind = NET_UDP;
	s->family = bind_to->ss.ss_family;
	s->connected = 0;
	memset(&s->peer, 0, sizeof(s->peer));
	if (v6) {
		if (setopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO", bind_to,
		    e) == -1 || setopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 1,
		    "IPV6_MULTICAST_LOOP", bind_to, e) == -1)
			goto fail;
		/* IPV6_MULTICAST_ALL exists from Linux 4.20; older kernels keep the default. */
		if (setopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, 0, "IPV6_MULTICAST_ALL",
		    bind_to, e) == -1 && errno != ENOPROTOOPT)
			goto fail;
	} else {
		if (setopt(fd, IPPROTO_IP, IP_PKTINFO, 1, "IP_PKTINFO", bind_to, e) == -1 ||
		    setopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 1, "IP_MULTICAST_LOOP", bind_to,
		    e) == -1)
			goto fail;
		/*
		 * By default Linux hands a socket bound to a group or the wildcard every group any
		 * socket joined on the host; a test needs "joined" to mean this socket joined.
		 */
		if (setopt(fd, IPPROTO_IP, IP_MULTICAST_ALL, 0, "IP_MULTICAST_ALL", bind_to,
		    e) == -1)
			goto fail;
	}
	if (fill_local(s, "udp", e) == -1)
		goto fail;
	return 0;
fail:
	net_close(s);
	return -1;
}

int
net_udp_send(struct net_sock *s, const void *buf, size_t len, const struct net_addr *to,
    struct err *e)
{
	char as[NET_ADDRSTR_MAX];
	ssize_t n;

	if (check_open(s, NET_UDP, "udp send", e) == -1)
		return -1;
	do
		n = sendto(s->fd, buf, len, MSG_NOSIGNAL, (const struct sockaddr *)&to->ss,
		    to->len);
	while (n == -1 && errno == EINTR);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return NET_AGAIN;
		return err_set(e, "udp send of %zu bytes to %s", len,
		    net_addr_str(to, as, sizeof(as)));
	}
	if ((size_t)n != len)
		return err_setx(e, "udp send to %s: %zd of %zu bytes sent",
		    net_addr_str(to, as, sizeof(as)), n, len);
	return 0;
}

/* Reads the destination address of a datagram from its IP_PKTINFO / IPV6_PKTINFO message. */
static void
pktinfo_dst(struct msghdr *mh, struct net_addr *dst)
{
	struct cmsghdr *c;

	memset(dst, 0, sizeof(*dst));
	for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&dst->ss;
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			sin->sin_family = AF_INET;
			/* ipi_addr is the header's destination (the group for multicast). */
			sin->sin_addr = pi.ipi_addr;
			dst->len = sizeof(*sin);
			return;
		}
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&dst->ss;
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			sin6->sin6_family = AF_INET6;
			sin6->sin6_addr = pi.ipi6_addr;
			/* A zone is meaningful only for link-scoped addresses. */
			if (IN6_IS_ADDR_LINKLOCAL(&pi.ipi6_addr) ||
			    IN6_IS_ADDR_MC_LINKLOCAL(&pi.ipi6_addr))
				sin6->sin6_scope_id = pi.ipi6_ifindex;
			dst->len = sizeof(*sin6);
			return;
		}
	}
}

ssize_t
net_udp_recv(struct net_sock *s, void *buf, size_t cap, struct net_addr *src,
    struct net_addr *dst, struct err *e)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
		    CMSG_SPACE(sizeof(struct in_pktinfo))];
	} ctl;
	char as[NET_ADDRSTR_MAX], from[NET_ADDRSTR_MAX];
	struct iovec iov;
	struct msghdr mh;
	ssize_t n;

	memset(src, 0, sizeof(*src));
	if (dst != NULL)
		memset(dst, 0, sizeof(*dst));
	if (check_open(s, NET_UDP, "udp recv", e) == -1)
		return -1;
	iov.iov_base = buf;
	iov.iov_len = cap;
	memset(&mh, 0, sizeof(mh));
	mh.msg_name = &src->ss;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	do {
		mh.msg_namelen = sizeof(src->ss);
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		/* MSG_TRUNC makes the kernel return the real length of a datagram too long. */
		n = recvmsg(s->fd, &mh, MSG_TRUNC);
	} while (n == -1 && errno == EINTR);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return NET_AGAIN;
		return err_set(e, "udp recv on %s", net_addr_str(&s->local, as, sizeof(as)));
	}
	src->len = mh.msg_namelen;
	if ((mh.msg_flags & MSG_TRUNC) || (size_t)n > cap)
		return err_setx(e, "udp recv on %s: a datagram of %zd bytes from %s was cut to "
		    "%zu", net_addr_str(&s->local, as, sizeof(as)), n,
		    net_addr_str(src, from, sizeof(from)), cap);
	if (dst != NULL)
		pktinfo_dst(&mh, dst);
	return n;
}

/*
 * Resolves the interface argument of the multicast calls: NULL (the kernel chooses), a local
 * address, or a name. For IPv4 an address is given to the kernel as is (*v4); for IPv6 it is
 * turned into an index by finding the interface that holds it.
 */
static int
iface_resolve(int family, const char *iface, unsigned int *index, struct in_addr *v4,
    struct err *e)
{
	struct net_addr a;
	struct err ignored;
	struct ifaddrs *ifs, *i;

	*index = 0;
	v4->s_addr = htonl(INADDR_ANY);
	if (iface == NULL)
		return 0;
	if (net_addr_set(&a, iface, 0, &ignored) == -1) {
		if ((*index = if_nametoindex(iface)) == 0)
			return err_set(e, "interface '%s'", iface);
		return 0;
	}
	if (a.ss.ss_family != family)
		return err_setx(e, "interface address %s is not of the socket's family (%s)",
		    iface, family == AF_INET ? "IPv4" : "IPv6");
	if (family == AF_INET) {
		*v4 = ((struct sockaddr_in *)&a.ss)->sin_addr;
		return 0;
	}
	if (getifaddrs(&ifs) == -1)
		return err_set(e, "getifaddrs looking for %s", iface);
	for (i = ifs; i != NULL; i = i->ifa_next) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)i->ifa_addr;

		if (sin6 == NULL || sin6->sin6_family != AF_INET6)
			continue;
		if (memcmp(&sin6->sin6_addr, &((struct sockaddr_in6 *)&a.ss)->sin6_addr,
		    sizeof(struct in6_addr)) == 0) {
			*index = if_nametoindex(i->ifa_name);
			break;
		}
	}
	freeifaddrs(ifs);
	if (*index == 0)
		return err_setx(e, "no interface holds the address %s", iface);
	return 0;
}

static int
membership(struct net_sock *s, const char *group, const char *iface, int join, struct err *e)
{
	const char *op = join ? "join" : "leave";
	const char *on = iface != NULL ? iface : "the default interface";
	struct net_addr g;
	struct ip_mreqn mr;
	struct ipv6_mreq mr6;
	struct in_addr v4;
	unsigned int idx;

	if (check_open(s, NET_UDP, join ? "multicast join" : "multicast leave", e) == -1)
		return -1;
	if (net_addr_set(&g, group, 0, e) == -1)
		return err_prefix(e, "multicast %s", op);
	if (g.ss.ss_family != s->family)
		return err_setx(e, "multicast %s of %s: the group is not of the socket's family",
		    op, group);
	if (iface_resolve(s->family, iface, &idx, &v4, e) == -1)
		return err_prefix(e, "multicast %s of %s", op, group);
	if (s->family == AF_INET) {
		memset(&mr, 0, sizeof(mr));
		mr.imr_multiaddr = ((struct sockaddr_in *)&g.ss)->sin_addr;
		if (!IN_MULTICAST(ntohl(mr.imr_multiaddr.s_addr)))
			return err_setx(e, "multicast %s: %s is not a multicast address", op,
			    group);
		mr.imr_address = v4;
		mr.imr_ifindex = (int)idx;
		if (setsockopt(s->fd, IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP,
		    &mr, sizeof(mr)) == -1)
			return err_set(e, "multicast %s of %s on %s", op, group, on);
		return 0;
	}
	memset(&mr6, 0, sizeof(mr6));
	mr6.ipv6mr_multiaddr = ((struct sockaddr_in6 *)&g.ss)->sin6_addr;
	if (!IN6_IS_ADDR_MULTICAST(&mr6.ipv6mr_multiaddr))
		return err_setx(e, "multicast %s: %s is not a multicast address", op, group);
	/* A zone on the group ("ff12::1%lo") names the interface when iface does not. */
	mr6.ipv6mr_interface = idx != 0 ? idx : ((struct sockaddr_in6 *)&g.ss)->sin6_scope_id;
	if (setsockopt(s->fd, IPPROTO_IPV6, join ? IPV6_ADD_MEMBERSHIP : IPV6_DROP_MEMBERSHIP,
	    &mr6, sizeof(mr6)) == -1)
		return err_set(e, "multicast %s of %s on %s", op, group, on);
	return 0;
}

int
net_udp_join(struct net_sock *s, const char *group, const char *iface, struct err *e)
{
	return membership(s, group, iface, 1, e);
}

int
net_udp_leave(struct net_sock *s, const char *group, const char *iface, struct err *e)
{
	return membership(s, group, iface, 0, e);
}

int
net_udp_multicast_if(struct net_sock *s, const char *iface, struct err *e)
{
	struct in_addr v4;
	unsigned int idx;

	if (check_open(s, NET_UDP, "multicast interface", e) == -1)
		return -1;
	if (iface_resolve(s->family, iface, &idx, &v4, e) == -1)
		return err_prefix(e, "multicast interface");
	if (s->family == AF_INET) {
		struct ip_mreqn mr;

		memset(&mr, 0, sizeof(mr));
		mr.imr_address = v4;
		mr.imr_ifindex = (int)idx;
		if (setsockopt(s->fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)) == -1)
			return err_set(e, "setsockopt IP_MULTICAST_IF %s",
			    iface != NULL ? iface : "(any)");
		return 0;
	}
	if (setsockopt(s->fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &(int){ (int)idx },
	    sizeof(int)) == -1)
		return err_set(e, "setsockopt IPV6_MULTICAST_IF %s",
		    iface != NULL ? iface : "(any)");
	return 0;
}

int
net_udp_multicast_ttl(struct net_sock *s, int ttl, struct err *e)
{
	if (check_open(s, NET_UDP, "multicast ttl", e) == -1)
		return -1;
	if (ttl < 0 || ttl > 255)
		return err_setx(e, "multicast ttl %d is outside 0..255", ttl);
	if (s->family == AF_INET)
		return setopt(s->fd, IPPROTO_IP, IP_MULTICAST_TTL, ttl, "IP_MULTICAST_TTL",
		    &s->local, e);
	return setopt(s->fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, ttl, "IPV6_MULTICAST_HOPS",
	    &s->local, e);
}

/* ---------------------------------------------------------------------------------------- */
/* TCP                                                                                      */

int
net_listen(struct net_sock *s, const struct net_addr *bind_to, int backlog, struct err *e)
{
	char as[NET_ADDRSTR_MAX];
	int fd;

	if (s->fd >= 0)
		return err_setx(e, "tcp listen: the socket is already open");
	if (backlog < 1)
		return err_setx(e, "tcp listen on %s: backlog %d is not positive",
		    net_addr_str(bind_to, as, sizeof(as)), backlog);
	if ((fd = open_bound(SOCK_STREAM, bind_to, 1, "tcp", e)) == -1)
		return -1;
	if (listen(fd, backlog) == -1) {
		err_set(e, "listen on %s", net_addr_str(bind_to, as, sizeof(as)));
		(void)close(fd);
		return -1;
	}
	s->fd = fd;
	s->kind = NET_LISTENER;
	s->family = bind_to->ss.ss_family;
	s->connected = 0;
	memset(&s->peer, 0, sizeof(s->peer));
	if (fill_local(s, "tcp listener", e) == -1) {
		net_close(s);
		return -1;
	}
	return 0;
}

int
net_accept(struct net_sock *l, struct net_sock *c, struct err *e)
{
	char as[NET_ADDRSTR_MAX];
	struct net_addr peer;
	int fd;

	if (check_open(l, NET_LISTENER, "accept", e) == -1)
		return -1;
	if (c->fd >= 0)
		return err_setx(e, "accept: the connection socket is already open");
	memset(&peer, 0, sizeof(peer));
	do {
		peer.len = sizeof(peer.ss);
		fd = accept4(l->fd, (struct sockaddr *)&peer.ss, &peer.len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
	} while (fd == -1 && errno == EINTR);
	if (fd == -1) {
		/* A connection reset before it was accepted leaves nothing to accept: not ours. */
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED)
			return NET_AGAIN;
		return err_set(e, "accept on %s", net_addr_str(&l->local, as, sizeof(as)));
	}
	net_sock_init(c);
	c->fd = fd;
	c->kind = NET_TCP;
	c->family = peer.ss.ss_family;
	c->connected = 1;
	c->peer = peer;
	if (fill_local(c, "tcp connection", e) == -1) {
		net_close(c);
		return -1;
	}
	return 0;
}

int
net_connect(struct net_sock *s, const struct net_addr *to, struct err *e)
{
	return net_connect_from(s, to, NULL, e);
}

int
net_connect_from(struct net_sock *s, const struct net_addr *to, const struct net_addr *from,
    struct err *e)
{
	char as[NET_ADDRSTR_MAX], fs[NET_ADDRSTR_MAX];
	int fd, fam = to->ss.ss_family;

	net_addr_str(to, as, sizeof(as));
	if (s->fd >= 0)
		return err_setx(e, "connect to %s: the socket is already open", as);
	if (fam != AF_INET && fam != AF_INET6 && fam != AF_UNIX)
		return err_setx(e, "connect: no address to connect to");
	if ((fd = socket(fam, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
		return err_set(e, "%s socket for %s", fam == AF_UNIX ? "unix" : "tcp", as);
	s->fd = fd;
	s->kind = NET_TCP;
	s->family = fam;
	s->connected = 0;
	s->peer = *to;
	/*
	 * A chosen source address lets several emulated UEs share one host: a BM-SC answers a
	 * UE at the address its HTTP connection came from (key-update.md §2.3).
	 */
	if (from != NULL) {
		if (from->ss.ss_family != fam) {
			net_close(s);
			return err_setx(e, "connect to %s: source address family differs", as);
		}
		if (bind(fd, (const struct sockaddr *)&from->ss, from->len) == -1) {
			err_set(e, "bind %s for a connection to %s", net_addr_str(from, fs, sizeof(fs)), as);
			net_close(s);
			return -1;
		}
	}
	if (connect(fd, (const struct sockaddr *)&to->ss, to->len) == 0) {
		s->connected = 1;
	} else if (fam == AF_UNIX && (errno == EAGAIN || errno == EINTR)) {
		/*
		 * A UNIX-domain connect never goes on by itself: EAGAIN says the listener's
		 * backlog is full (unix(7)), and EINTR too leaves the socket unconnected, so
		 * net_connected() asks again.
		 */
	} else if (errno != EINPROGRESS && errno != EINTR) {
		/*
		 * EINTR is not retried: the connection goes on asynchronously (POSIX), and a second
		 * connect() would only say EALREADY; net_connected() learns the outcome.
		 */
		err_set(e, "connect to %s", as);
		net_close(s);
		return -1;
	}
	/* The kernel has bound an ephemeral port by now; an error here is not the peer's. */
	if (fill_local(s, fam == AF_UNIX ? "unix connection" : "tcp connection", e) == -1) {
		net_close(s);
		return -1;
	}
	return 0;
}

/* net_connected() of a UNIX-domain connection left waiting by a full backlog: connect again. */
static int
unix_connected(struct net_sock *s, struct err *e)
{
	char as[NET_ADDRSTR_MAX];

	if (connect(s->fd, (const struct sockaddr *)&s->peer.ss, s->peer.len) == -1 &&
	    errno != EISCONN) {
		if (errno == EAGAIN || errno == EINTR)
			return NET_AGAIN;
		return err_set(e, "connect to %s", net_addr_str(&s->peer, as, sizeof(as)));
	}
	s->connected = 1;
	(void)fill_local(s, "unix connection", e);
	return 1;
}

int
net_connected(struct net_sock *s, struct err *e)
{
	struct net_pollent pe;
	char as[NET_ADDRSTR_MAX];
	socklen_t len = sizeof(int);
	struct net_addr peer;
	int soerr = 0, rc;

	if (check_open(s, NET_TCP, "connected", e) == -1)
		return -1;
	if (s->connected)
		return 1;
	/* A waiting UNIX-domain socket polls writable and has no SO_ERROR: poll tells nothing. */
	if (s->family == AF_UNIX)
		return unix_connected(s, e);
	pe.fd = s->fd;
	pe.want = NET_POLL_WRITE;
	if ((rc = net_poll(&pe, 1, 0, e)) == -1)
		return -1;
	if (rc == 0)
		return NET_AGAIN;
	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1)
		return err_set(e, "getsockopt SO_ERROR of %s", sock_str(s, as, sizeof(as)));
	if (soerr != 0) {
		errno = soerr;
		return err_set(e, "connect to %s", sock_str(s, as, sizeof(as)));
	}
	/*
	 * SO_ERROR is cleared by reading it, so a second look at a failed connection finds 0;
	 * whether the socket has a peer is what settles it.
	 */
	peer.len = sizeof(peer.ss);
	if (getpeername(s->fd, (struct sockaddr *)&peer.ss, &peer.len) == -1) {
		if (errno == ENOTCONN && !(pe.got & (NET_POLL_HUP | NET_POLL_ERROR)))
			return NET_AGAIN;
		return err_setx(e, "connect to %s: the connection failed",
		    sock_str(s, as, sizeof(as)));
	}
	s->connected = 1;
	(void)fill_local(s, "tcp connection", e);
	return 1;
}

ssize_t
net_send(struct net_sock *s, const void *buf, size_t len, struct err *e)
{
	char as[NET_ADDRSTR_MAX];
	ssize_t n;

	if (check_open(s, NET_TCP, s->family == AF_UNIX ? "unix send" : "tcp send", e) == -1)
		return -1;
	if (len == 0)
		return 0;
	do
		n = send(s->fd, buf, len, MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return NET_AGAIN;
		return err_set(e, "%s send of %zu bytes to %s", stream_word(s), len,
		    sock_str(s, as, sizeof(as)));
	}
	return n;
}

ssize_t
net_recv(struct net_sock *s, void *buf, size_t cap, struct err *e)
{
	char as[NET_ADDRSTR_MAX];
	ssize_t n;

	if (check_open(s, NET_TCP, s->family == AF_UNIX ? "unix recv" : "tcp recv", e) == -1)
		return -1;
	if (cap == 0)
		return err_setx(e, "%s recv from %s: no room to receive into", stream_word(s),
		    sock_str(s, as, sizeof(as)));
	do
		n = recv(s->fd, buf, cap, 0);
	while (n == -1 && errno == EINTR);
	if (n == 0)
		return NET_EOF;
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return NET_AGAIN;
		return err_set(e, "%s recv from %s", stream_word(s), sock_str(s, as, sizeof(as)));
	}
	return n;
}

int
net_shutdown(struct net_sock *s, int how, struct err *e)
{
	char as[NET_ADDRSTR_MAX];

	if (check_open(s, NET_TCP, s->family == AF_UNIX ? "unix shutdown" : "tcp shutdown",
	    e) == -1)
		return -1;
	if (shutdown(s->fd, how) == -1)
		return err_set(e, "%s shutdown of the connection to %s", stream_word(s),
		    sock_str(s, as, sizeof(as)));
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
