/* net_tcp: non-blocking TCP listeners and connections, and UNIX-domain stream connections. */

/* accept4() is declared by glibc only under _GNU_SOURCE. */
#define _GNU_SOURCE

#include "net.h"
#include "net_int.h"

#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

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
	if ((fd = net_open_bound(SOCK_STREAM, bind_to, 1, "tcp", e)) == -1)
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
	if (net_fill_local(s, "tcp listener", e) == -1) {
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

	if (net_check_open(l, NET_LISTENER, "accept", e) == -1)
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
	if (net_fill_local(c, "tcp connection", e) == -1) {
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
	if (net_fill_local(s, fam == AF_UNIX ? "unix connection" : "tcp connection", e) == -1) {
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
	(void)net_fill_local(s, "unix connection", e);
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

	if (net_check_open(s, NET_TCP, "connected", e) == -1)
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
		return err_set(e, "getsockopt SO_ERROR of %s", net_sock_str(s, as, sizeof(as)));
	if (soerr != 0) {
		errno = soerr;
		return err_set(e, "connect to %s", net_sock_str(s, as, sizeof(as)));
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
		    net_sock_str(s, as, sizeof(as)));
	}
	s->connected = 1;
	(void)net_fill_local(s, "tcp connection", e);
	return 1;
}

ssize_t
net_send(struct net_sock *s, const void *buf, size_t len, struct err *e)
{
	char as[NET_ADDRSTR_MAX];
	ssize_t n;

	if (net_check_open(s, NET_TCP, s->family == AF_UNIX ? "unix send" : "tcp send", e) == -1)
		return -1;
	if (len == 0)
		return 0;
	do
		n = send(s->fd, buf, len, MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return NET_AGAIN;
		return err_set(e, "%s send of %zu bytes to %s", net_stream_word(s), len,
		    net_sock_str(s, as, sizeof(as)));
	}
	return n;
}

ssize_t
net_recv(struct net_sock *s, void *buf, size_t cap, struct err *e)
{
	char as[NET_ADDRSTR_MAX];
	ssize_t n;

	if (net_check_open(s, NET_TCP, s->family == AF_UNIX ? "unix recv" : "tcp recv", e) == -1)
		return -1;
	if (cap == 0)
		return err_setx(e, "%s recv from %s: no room to receive into", net_stream_word(s),
		    net_sock_str(s, as, sizeof(as)));
	do
		n = recv(s->fd, buf, cap, 0);
	while (n == -1 && errno == EINTR);
	if (n == 0)
		return NET_EOF;
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return NET_AGAIN;
		return err_set(e, "%s recv from %s", net_stream_word(s),
		    net_sock_str(s, as, sizeof(as)));
	}
	return n;
}

int
net_shutdown(struct net_sock *s, int how, struct err *e)
{
	char as[NET_ADDRSTR_MAX];

	if (net_check_open(s, NET_TCP, s->family == AF_UNIX ? "unix shutdown" : "tcp shutdown",
	    e) == -1)
		return -1;
	if (shutdown(s->fd, how) == -1)
		return err_set(e, "%s shutdown of the connection to %s", net_stream_word(s),
		    net_sock_str(s, as, sizeof(as)));
	return 0;
}
