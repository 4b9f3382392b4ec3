/* net_udp: non-blocking UDP sockets on IPv4 and IPv6, with multicast membership and sending. */

/* struct in6_pktinfo (RFC 3542) is declared by glibc only under _GNU_SOURCE. */
#define _GNU_SOURCE

#include "net.h"
#include "net_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------------------------------------------------------------------------------------- */
/* UDP                                                                                      */

int
net_udp_open(struct net_sock *s, const struct net_addr *bind_to, int reuse, struct err *e)
{
	int fd, v6 = bind_to->ss.ss_family == AF_INET6;

	if (s->fd >= 0)
		return err_setx(e, "udp open: the socket is already open");
	if ((fd = net_open_bound(SOCK_DGRAM, bind_to, reuse, "udp", e)) == -1)
		return -1;
	s->fd = fd;
	s->kind = NET_UDP;
	s->family = bind_to->ss.ss_family;
	s->connected = 0;
	memset(&s->peer, 0, sizeof(s->peer));
	if (v6) {
		if (net_setopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO", bind_to,
		    e) == -1 || net_setopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 1,
		    "IPV6_MULTICAST_LOOP", bind_to, e) == -1)
			goto fail;
		/* IPV6_MULTICAST_ALL exists from Linux 4.20; older kernels keep the default. */
		if (net_setopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, 0, "IPV6_MULTICAST_ALL",
		    bind_to, e) == -1 && errno != ENOPROTOOPT)
			goto fail;
	} else {
		if (net_setopt(fd, IPPROTO_IP, IP_PKTINFO, 1, "IP_PKTINFO", bind_to, e) == -1 ||
		    net_setopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 1, "IP_MULTICAST_LOOP", bind_to,
		    e) == -1)
			goto fail;
		/*
		 * By default Linux hands a socket bound to a group or the wildcard every group any
		 * socket joined on the host; a test needs "joined" to mean this socket joined.
		 */
		if (net_setopt(fd, IPPROTO_IP, IP_MULTICAST_ALL, 0, "IP_MULTICAST_ALL", bind_to,
		    e) == -1)
			goto fail;
	}
	if (net_fill_local(s, "udp", e) == -1)
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

	if (net_check_open(s, NET_UDP, "udp send", e) == -1)
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

ssize_t
net_udp_send_batch(struct net_sock *s, const struct iovec *iov, size_t n,
    const struct net_addr *to, struct err *e)
{
	struct mmsghdr mm[NET_BATCH_MAX];
	char as[NET_ADDRSTR_MAX];
	size_t done = 0, k, chunk;
	int r;

	if (net_check_open(s, NET_UDP, "udp send", e) == -1)
		return -1;
	while (done < n) {
		chunk = n - done < NET_BATCH_MAX ? n - done : NET_BATCH_MAX;
		memset(mm, 0, chunk * sizeof(mm[0]));
		for (k = 0; k < chunk; k++) {
			mm[k].msg_hdr.msg_name = (void *)&to->ss;
			mm[k].msg_hdr.msg_namelen = to->len;
			/* sendmmsg does not write through msg_iov; the cast drops const only. */
			mm[k].msg_hdr.msg_iov = (struct iovec *)&iov[done + k];
			mm[k].msg_hdr.msg_iovlen = 1;
		}
		do
			r = sendmmsg(s->fd, mm, (unsigned int)chunk, MSG_NOSIGNAL);
		while (r == -1 && errno == EINTR);
		if (r == -1) {
			if (done > 0)
				return (ssize_t)done;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return NET_AGAIN;
			return err_set(e, "udp send of a batch of %zu datagrams to %s", n,
			    net_addr_str(to, as, sizeof(as)));
		}
		done += (size_t)r;
		if ((size_t)r < chunk)
			break;
	}
	return (ssize_t)done;
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
	if (net_check_open(s, NET_UDP, "udp recv", e) == -1)
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

	if (net_check_open(s, NET_UDP, join ? "multicast join" : "multicast leave", e) == -1)
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

	if (net_check_open(s, NET_UDP, "multicast interface", e) == -1)
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
	if (net_check_open(s, NET_UDP, "multicast ttl", e) == -1)
		return -1;
	if (ttl < 0 || ttl > 255)
		return err_setx(e, "multicast ttl %d is outside 0..255", ttl);
	if (s->family == AF_INET)
		return net_setopt(s->fd, IPPROTO_IP, IP_MULTICAST_TTL, ttl, "IP_MULTICAST_TTL",
		    &s->local, e);
	return net_setopt(s->fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, ttl, "IPV6_MULTICAST_HOPS",
	    &s->local, e);
}
