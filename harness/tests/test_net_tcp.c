/*
 * test_net_tcp: real TCP sockets on the loopback interface (partial writes, refused connections)
 * and UNIX-domain stream connections to listeners made here with plain socket(2) calls.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "net.h"
#include "testnet.h"
#include "testutil.h"

/* Generous: only reached when something is broken, never part of a passing run's time. */
#define DEADLINE_S	5.0

/* ---------------------------------------------------------------------------------------- */

/* Connects to l and accepts; both ends connected on return (FATAL asserts otherwise). */
static int
tcp_pair(struct net_sock *l, struct net_sock *c, struct net_sock *s)
{
	struct err e;
	int rc;

	net_sock_init(c);
	net_sock_init(s);
	if (net_connect(c, &l->local, &e) == -1)
		return 0;
	if (!tu_net_wait_for(l, NET_POLL_READ, DEADLINE_S))
		return 0;
	if (net_accept(l, s, &e) != 0)
		return 0;
	if (!tu_net_wait_for(c, NET_POLL_WRITE, DEADLINE_S))
		return 0;
	rc = net_connected(c, &e);
	if (rc != 1)
		fprintf(stderr, "\nconnected: %d %s\n", rc, e.msg);
	return rc == 1;
}

static void
tcp_exchange(const char *ip)
{
	struct net_sock l, c, s;
	struct net_addr a, peer;
	char buf[64], got[NET_IPSTR_MAX];
	struct err e;
	ssize_t n;

	net_sock_init(&l);
	tu_net_addr(&a, ip, 0);
	CU_ASSERT_EQUAL_FATAL(net_listen(&l, &a, 16, &e), 0);
	CU_ASSERT_NOT_EQUAL(net_addr_port(&l.local), 0);
	/* Nobody is connecting yet: accept does not block. */
	net_sock_init(&s);
	CU_ASSERT_EQUAL(net_accept(&l, &s, &e), NET_AGAIN);
	CU_ASSERT_TRUE_FATAL(tcp_pair(&l, &c, &s));

	/* Each end sees the other's address. */
	CU_ASSERT_STRING_EQUAL(net_addr_ip(&s.peer, got, sizeof(got)), ip);
	CU_ASSERT_EQUAL(net_addr_port(&s.peer), net_addr_port(&c.local));
	CU_ASSERT_EQUAL(net_peer_addr(&c, &peer, &e), 0);
	CU_ASSERT_EQUAL(net_addr_port(&peer), net_addr_port(&l.local));
	CU_ASSERT_EQUAL(net_connected(&c, &e), 1);

	CU_ASSERT_EQUAL(net_recv(&s, buf, sizeof(buf), &e), NET_AGAIN);
	CU_ASSERT_EQUAL(net_send(&c, "ping", 4, &e), 4);
	CU_ASSERT_TRUE_FATAL(tu_net_wait_for(&s, NET_POLL_READ, DEADLINE_S));
	CU_ASSERT_EQUAL(net_recv(&s, buf, sizeof(buf), &e), 4);
	CU_ASSERT_NSTRING_EQUAL(buf, "ping", 4);
	CU_ASSERT_EQUAL(net_send(&s, "pong!", 5, &e), 5);
	CU_ASSERT_TRUE_FATAL(tu_net_wait_for(&c, NET_POLL_READ, DEADLINE_S));
	CU_ASSERT_EQUAL(net_recv(&c, buf, sizeof(buf), &e), 5);
	CU_ASSERT_NSTRING_EQUAL(buf, "pong!", 5);

	/* Half-close: the server reads the end of the stream and can still answer. */
	CU_ASSERT_EQUAL(net_shutdown(&c, SHUT_WR, &e), 0);
	CU_ASSERT_TRUE_FATAL(tu_net_wait_for(&s, NET_POLL_READ, DEADLINE_S));
	CU_ASSERT_EQUAL(net_recv(&s, buf, sizeof(buf), &e), NET_EOF);
	CU_ASSERT_EQUAL(net_send(&s, "bye", 3, &e), 3);
	net_close(&s);
	CU_ASSERT_TRUE_FATAL(tu_net_wait_for(&c, NET_POLL_READ, DEADLINE_S));
	n = net_recv(&c, buf, sizeof(buf), &e);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_TRUE_FATAL(tu_net_wait_for(&c, NET_POLL_READ, DEADLINE_S));
	CU_ASSERT_EQUAL(net_recv(&c, buf, sizeof(buf), &e), NET_EOF);

	net_close(&c);
	net_close(&l);
}

static void
test_tcp4(void)
{
	tcp_exchange("127.0.0.1");
}

static void
test_tcp6(void)
{
	tcp_exchange("::1");
}

/*
 * 8 MiB from one end while the other is not reading yet: the sender must meet a partial write
 * or NET_AGAIN, then both ends go on through net_poll until every byte arrived in order.
 */
static void
test_tcp_large(void)
{
	enum { TOTAL = 8 * 1024 * 1024 };
	struct net_sock l, c, s;
	struct net_addr a;
	struct net_pollent pe[2];
	unsigned char *out, *in;
	size_t sent = 0, got = 0;
	int blocked = 0, partial = 0, ok = 1;
	double end;
	struct err e;
	ssize_t n;

	net_sock_init(&l);
	tu_net_addr(&a, "127.0.0.1", 0);
	CU_ASSERT_EQUAL_FATAL(net_listen(&l, &a, 4, &e), 0);
	CU_ASSERT_TRUE_FATAL(tcp_pair(&l, &c, &s));
	out = malloc(TOTAL);
	in = malloc(TOTAL);
	CU_ASSERT_FATAL(out != NULL && in != NULL);
	for (size_t i = 0; i < TOTAL; i++)
		out[i] = (unsigned char)(i * 7 + i / 4093);

	/* First fill the pipe with nobody reading. */
	while (sent < TOTAL) {
		n = net_send(&c, out + sent, TOTAL - sent, &e);
		if (n == NET_AGAIN) {
			blocked = 1;
			break;
		}
		CU_ASSERT_FATAL(n > 0);
		if ((size_t)n < TOTAL - sent)
			partial = 1;
		sent += (size_t)n;
	}
	CU_ASSERT_TRUE(blocked || partial);
	CU_ASSERT_TRUE(sent < TOTAL);

	end = net_now() + 30.0;
	while ((sent < TOTAL || got < TOTAL) && net_now() < end) {
		pe[0].fd = sent < TOTAL ? c.fd : -1;
		pe[0].want = NET_POLL_WRITE;
		pe[1].fd = s.fd;
		pe[1].want = NET_POLL_READ;
		if (net_poll(pe, 2, 1000, &e) == -1) {
			ok = 0;
			break;
		}
		if (pe[0].got & NET_POLL_WRITE) {
			n = net_send(&c, out + sent, TOTAL - sent, &e);
			if (n > 0) {
				if ((size_t)n < TOTAL - sent)
					partial = 1;
				sent += (size_t)n;
			} else if (n != NET_AGAIN) {
				ok = 0;
				break;
			}
		}
		if (pe[1].got & NET_POLL_READ) {
			n = net_recv(&s, in + got, TOTAL - got, &e);
			if (n > 0)
				got += (size_t)n;
			else if (n != NET_AGAIN) {
				ok = 0;
				break;
			}
		}
	}
	if (!ok)
		fprintf(stderr, "\n%s\n", e.msg);
	CU_ASSERT_TRUE(ok);
	CU_ASSERT_EQUAL(sent, TOTAL);
	CU_ASSERT_EQUAL(got, TOTAL);
	CU_ASSERT_TRUE(partial);
	CU_ASSERT_TRUE(got == TOTAL && memcmp(in, out, TOTAL) == 0);
	free(out);
	free(in);
	net_close(&c);
	net_close(&s);
	net_close(&l);
}

/* A port that is bound but not listening answers a connection with a reset. */
static void
test_connect_refused(void)
{
	struct net_sock c;
	struct net_addr a;
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	char want[64];
	double end;
	struct err e;
	int fd, rc;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	CU_ASSERT_FATAL(fd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CU_ASSERT_FATAL(bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	CU_ASSERT_FATAL(getsockname(fd, (struct sockaddr *)&sin, &len) == 0);
	tu_net_addr(&a, "127.0.0.1", ntohs(sin.sin_port));
	snprintf(want, sizeof(want), "connect to 127.0.0.1:%u", ntohs(sin.sin_port));

	net_sock_init(&c);
	rc = net_connect(&c, &a, &e);
	if (rc == 0) {
		end = net_now() + DEADLINE_S;
		do {
			(void)tu_net_wait_for(&c, NET_POLL_WRITE, DEADLINE_S);
			rc = net_connected(&c, &e);
		} while (rc == NET_AGAIN && net_now() < end);
		/* A second look at the failed connection still says it failed. */
		if (rc == -1) {
			char first[ERR_MSG_MAX];

			memcpy(first, e.msg, sizeof(first));
			CU_ASSERT_EQUAL(net_connected(&c, &e), -1);
			CU_ASSERT_TRUE(tu_has(e.msg, want));
			memcpy(e.msg, first, sizeof(first));
		}
	}
	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT_TRUE(tu_has(e.msg, want));
	CU_ASSERT_TRUE(tu_has(e.msg, "refused"));
	net_close(&c);
	close(fd);
}

/* ---------------------------------------------------------------------------------------- */
/* UNIX-domain stream connections: the listeners are plain sockets, independent of net.c.   */

/*
 * Binds a UNIX-domain stream socket to path (removing what a previous run left there) and, when
 * backlog >= 0, listens on it; returns the descriptor, non-blocking, or -1 after a message.
 */
static int
unix_bound(const char *path, int backlog)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "\ntest socket path too long: %s\n", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	(void)unlink(path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    (backlog >= 0 && listen(fd, backlog) == -1)) {
		fprintf(stderr, "\ntest listener on %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/*
 * Accepts one connection on the raw listener within the deadline; the descriptor or -1. It is
 * left blocking: every read of it is preceded by a wait with a deadline.
 */
static int
unix_accept(int lfd)
{
	int fd;

	if (!tu_net_wait_fd(lfd, NET_POLL_READ, DEADLINE_S))
		return -1;
	fd = accept(lfd, NULL, NULL);
	if (fd == -1)
		fprintf(stderr, "\ntest accept: %s\n", strerror(errno));
	return fd;
}

static void
test_unix_addr(void)
{
	struct net_addr a;
	struct sockaddr_un *sun = (struct sockaddr_un *)&a.ss;
	char s[NET_ADDRSTR_MAX], ip[NET_IPSTR_MAX], path[sizeof(sun->sun_path) + 8];
	struct net_sock l;
	struct err e;

	CU_ASSERT_EQUAL(net_addr_set_unix(&a, "/run/mbms/ctl.sock", &e), 0);
	CU_ASSERT_EQUAL(net_addr_family(&a), AF_UNIX);
	CU_ASSERT_EQUAL(net_addr_port(&a), 0);
	CU_ASSERT_STRING_EQUAL(net_addr_str(&a, s, sizeof(s)), "unix:/run/mbms/ctl.sock");
	CU_ASSERT_STRING_EQUAL(net_addr_ip(&a, ip, sizeof(ip)), "unix:/run/mbms/ctl.sock");
	CU_ASSERT_EQUAL(a.len, offsetof(struct sockaddr_un, sun_path) + 19);
	CU_ASSERT_EQUAL(net_addr_set_unix(&a, "rel.sock", &e), 0);
	CU_ASSERT_STRING_EQUAL(net_addr_str(&a, s, sizeof(s)), "unix:rel.sock");

	/* The longest path that fits (107 bytes and the NUL) prints whole. */
	memset(path, 'p', sizeof(sun->sun_path) - 1);
	path[0] = '/';
	path[sizeof(sun->sun_path) - 1] = '\0';
	CU_ASSERT_EQUAL(net_addr_set_unix(&a, path, &e), 0);
	net_addr_str(&a, s, sizeof(s));
	CU_ASSERT_EQUAL(strlen(s), 5 + sizeof(sun->sun_path) - 1);
	CU_ASSERT_STRING_EQUAL(s + 5, path);
	net_addr_ip(&a, ip, sizeof(ip));
	CU_ASSERT_STRING_EQUAL(ip, s);

	/* One byte more does not fit: refused by length, the address left empty. */
	path[sizeof(sun->sun_path) - 1] = 'p';
	path[sizeof(sun->sun_path)] = '\0';
	CU_ASSERT_EQUAL(net_addr_set_unix(&a, path, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "108 bytes long"));
	CU_ASSERT_TRUE(tu_has(e.msg, "sun_path"));
	CU_ASSERT_TRUE(tu_has(e.msg, "/ppp"));
	CU_ASSERT_EQUAL(net_addr_family(&a), 0);
	CU_ASSERT_EQUAL(net_addr_set_unix(&a, "", &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "empty"));
	CU_ASSERT_EQUAL(net_addr_set_unix(&a, NULL, &e), -1);

	/* What the kernel reports for an unnamed socket, and for an abstract one. */
	memset(&a, 0, sizeof(a));
	sun->sun_family = AF_UNIX;
	a.len = offsetof(struct sockaddr_un, sun_path);
	CU_ASSERT_STRING_EQUAL(net_addr_str(&a, s, sizeof(s)), "unix:");
	CU_ASSERT_EQUAL(net_addr_port(&a), 0);
	memcpy(sun->sun_path, "\0mbms", 5);
	a.len = offsetof(struct sockaddr_un, sun_path) + 5;
	CU_ASSERT_STRING_EQUAL(net_addr_str(&a, s, sizeof(s)), "unix:@mbms");

	/* UNIX-domain addresses are only connected to: binding one is refused by name. */
	CU_ASSERT_EQUAL(net_addr_set_unix(&a, "/tmp/never-bound.sock", &e), 0);
	net_sock_init(&l);
	CU_ASSERT_EQUAL(net_listen(&l, &a, 4, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "unix:/tmp/never-bound.sock"));
	CU_ASSERT_TRUE(tu_has(e.msg, "only connected to"));
	CU_ASSERT_EQUAL(net_udp_open(&l, &a, 0, &e), -1);
	CU_ASSERT_FALSE(net_is_open(&l));

	/* Nothing changed for the IP families. */
	tu_net_addr(&a, "127.0.0.1", 7);
	CU_ASSERT_STRING_EQUAL(net_addr_str(&a, s, sizeof(s)), "127.0.0.1:7");
	tu_net_addr(&a, "::1", 7);
	CU_ASSERT_STRING_EQUAL(net_addr_str(&a, s, sizeof(s)), "[::1]:7");
}

/* Connect, accept on the raw listener, both ways, half-close, end of stream, broken pipe. */
static void
test_unix_exchange(void)
{
	char path[256], want[300], s[NET_ADDRSTR_MAX], buf[64];
	struct net_sock c, u;
	struct net_addr a, got;
	struct err e;
	int lfd, sfd;

	tu_tmp_path(path, sizeof(path), "exchange.sock");
	snprintf(want, sizeof(want), "unix:%s", path);
	CU_ASSERT_FATAL((lfd = unix_bound(path, 4)) >= 0);
	CU_ASSERT_EQUAL_FATAL(net_addr_set_unix(&a, path, &e), 0);
	net_sock_init(&c);
	CU_ASSERT_EQUAL_FATAL(net_connect(&c, &a, &e), 0);
	/* A listener with room completes the connection at once. */
	CU_ASSERT_EQUAL(net_connected(&c, &e), 1);
	CU_ASSERT_EQUAL(c.kind, NET_TCP);
	CU_ASSERT_EQUAL(c.family, AF_UNIX);
	CU_ASSERT_FATAL((sfd = unix_accept(lfd)) >= 0);

	/* The peer is the path; the client's own end is unnamed; ports are 0. */
	CU_ASSERT_STRING_EQUAL(net_addr_str(&c.peer, s, sizeof(s)), want);
	CU_ASSERT_EQUAL(net_peer_addr(&c, &got, &e), 0);
	CU_ASSERT_STRING_EQUAL(net_addr_str(&got, s, sizeof(s)), want);
	CU_ASSERT_EQUAL(net_addr_port(&got), 0);
	CU_ASSERT_EQUAL(net_local_addr(&c, &got, &e), 0);
	CU_ASSERT_EQUAL(net_addr_family(&got), AF_UNIX);
	CU_ASSERT_STRING_EQUAL(net_addr_str(&got, s, sizeof(s)), "unix:");
	CU_ASSERT_STRING_EQUAL(net_addr_str(&c.local, s, sizeof(s)), "unix:");

	CU_ASSERT_EQUAL(net_recv(&c, buf, sizeof(buf), &e), NET_AGAIN);
	CU_ASSERT_EQUAL(net_send(&c, "ping", 4, &e), 4);
	CU_ASSERT_TRUE_FATAL(tu_net_wait_fd(sfd, NET_POLL_READ, DEADLINE_S));
	CU_ASSERT_EQUAL(recv(sfd, buf, sizeof(buf), 0), 4);
	CU_ASSERT_NSTRING_EQUAL(buf, "ping", 4);
	CU_ASSERT_EQUAL(send(sfd, "pong!", 5, MSG_NOSIGNAL), 5);
	CU_ASSERT_TRUE_FATAL(tu_net_wait_for(&c, NET_POLL_READ, DEADLINE_S));
	CU_ASSERT_EQUAL(net_recv(&c, buf, sizeof(buf), &e), 5);
	CU_ASSERT_NSTRING_EQUAL(buf, "pong!", 5);

	/* Half-close: the server reads the end of the stream and can still answer. */
	CU_ASSERT_EQUAL(net_shutdown(&c, SHUT_WR, &e), 0);
	CU_ASSERT_TRUE_FATAL(tu_net_wait_fd(sfd, NET_POLL_READ, DEADLINE_S));
	CU_ASSERT_EQUAL(recv(sfd, buf, sizeof(buf), 0), 0);
	CU_ASSERT_EQUAL(send(sfd, "bye", 3, MSG_NOSIGNAL), 3);
	close(sfd);
	CU_ASSERT_TRUE_FATAL(tu_net_wait_for(&c, NET_POLL_READ, DEADLINE_S));
	CU_ASSERT_EQUAL(net_recv(&c, buf, sizeof(buf), &e), 3);
	CU_ASSERT_NSTRING_EQUAL(buf, "bye", 3);
	CU_ASSERT_EQUAL(net_recv(&c, buf, sizeof(buf), &e), NET_EOF);

	/* Writing to a closed peer fails by value (no SIGPIPE), naming the path. */
	CU_ASSERT_EQUAL(net_send(&c, "x", 1, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "unix send of 1 bytes to "));
	CU_ASSERT_TRUE(tu_has(e.msg, want));

	/* The calls of other kinds refuse a UNIX-domain connection by name. */
	net_sock_init(&u);
	CU_ASSERT_EQUAL(net_accept(&c, &u, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "not possible on a UNIX stream connection"));
	CU_ASSERT_EQUAL(net_udp_send(&c, "x", 1, &a, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "UNIX stream connection"));
	CU_ASSERT_EQUAL(net_connect(&c, &a, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "already open"));

	net_close(&c);
	net_close(&c);
	CU_ASSERT_EQUAL(net_send(&c, "x", 1, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "unix send: the socket is closed"));
	close(lfd);
	(void)unlink(path);
}

/*
 * A listener with backlog 0 queues one connection; the next is left under way (EAGAIN) until
 * one is accepted, and net_connected() learns it by trying again. A listener that goes away
 * meanwhile turns the wait into a refusal naming the path.
 */
static void
test_unix_backlog(void)
{
	char path[256], want[300];
	struct net_sock c[2], w;
	struct net_addr a;
	struct err e;
	int lfd, sfd, rc, i;

	tu_tmp_path(path, sizeof(path), "backlog.sock");
	snprintf(want, sizeof(want), "connect to unix:%s", path);
	CU_ASSERT_FATAL((lfd = unix_bound(path, 0)) >= 0);
	CU_ASSERT_EQUAL_FATAL(net_addr_set_unix(&a, path, &e), 0);
	for (i = 0; i < 2; i++) {
		net_sock_init(&c[i]);
		CU_ASSERT_EQUAL_FATAL(net_connect(&c[i], &a, &e), 0);
	}
	CU_ASSERT_EQUAL(net_connected(&c[0], &e), 1);
	CU_ASSERT_EQUAL(c[1].connected, 0);
	CU_ASSERT_EQUAL(net_connected(&c[1], &e), NET_AGAIN);
	CU_ASSERT_EQUAL(net_connected(&c[1], &e), NET_AGAIN);
	CU_ASSERT_FATAL((sfd = unix_accept(lfd)) >= 0);
	CU_ASSERT_EQUAL(net_connected(&c[1], &e), 1);
	CU_ASSERT_EQUAL(net_send(&c[1], "late", 4, &e), 4);
	close(sfd);

	/* The queue is full again (c[1]); w waits, and the listener closes under it. */
	net_sock_init(&w);
	CU_ASSERT_EQUAL_FATAL(net_connect(&w, &a, &e), 0);
	CU_ASSERT_EQUAL(net_connected(&w, &e), NET_AGAIN);
	close(lfd);
	rc = net_connected(&w, &e);
	CU_ASSERT_EQUAL(rc, -1);
	if (rc == -1) {
		CU_ASSERT_TRUE(tu_has(e.msg, want));
		CU_ASSERT_TRUE(tu_has(e.msg, "refused"));
		/* A second look still says it failed. */
		CU_ASSERT_EQUAL(net_connected(&w, &e), -1);
		CU_ASSERT_TRUE(tu_has(e.msg, want));
	}
	net_close(&w);
	net_close(&c[0]);
	net_close(&c[1]);
	(void)unlink(path);
}

/* Connects to path and expects an immediate failure naming it, with the given reason. */
static void
unix_refused(const char *path, const char *reason)
{
	char want[300];
	struct net_sock c;
	struct net_addr a;
	struct err e;

	snprintf(want, sizeof(want), "connect to unix:%s: ", path);
	CU_ASSERT_EQUAL_FATAL(net_addr_set_unix(&a, path, &e), 0);
	net_sock_init(&c);
	CU_ASSERT_EQUAL(net_connect(&c, &a, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, want));
	CU_ASSERT_TRUE(tu_has(e.msg, reason));
	CU_ASSERT_FALSE(net_is_open(&c));
	net_close(&c);
}

static void
test_unix_refused(void)
{
	char path[256];
	int fd;

	/* Nothing at the path. */
	unix_refused(tu_tmp_path(path, sizeof(path), "missing.sock"), "No such file");
	unix_refused(tu_tmp_path(path, sizeof(path), "no-such-dir/ctl.sock"), "No such file");

	/* A socket was bound there and closed without ever listening: its file remains. */
	tu_tmp_path(path, sizeof(path), "stale.sock");
	CU_ASSERT_FATAL((fd = unix_bound(path, -1)) >= 0);
	close(fd);
	unix_refused(path, "refused");

	/* Bound and still open, but not listening. */
	CU_ASSERT_FATAL((fd = unix_bound(path, -1)) >= 0);
	unix_refused(path, "refused");
	close(fd);
	(void)unlink(path);

	/* A regular file is not a socket. */
	tu_tmp_path(path, sizeof(path), "plain-file");
	CU_ASSERT_FATAL((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) >= 0);
	close(fd);
	unix_refused(path, "refused");
	(void)unlink(path);
}
int
test_net_tcp_register(void)
{
	static const struct tu_test tests[] = {
		{ "tcp on 127.0.0.1: connect, accept, exchange, eof", test_tcp4 },
		{ "tcp on ::1: connect, accept, exchange, eof", test_tcp6 },
		{ "tcp 8 MiB with partial writes through poll", test_tcp_large },
		{ "tcp connect to a closed port", test_connect_refused },
		{ "unix addresses: set, print, too long, unnamed, abstract", test_unix_addr },
		{ "unix connect, accept, exchange, eof, broken pipe", test_unix_exchange },
		{ "unix connect under way while the backlog is full", test_unix_backlog },
		{ "unix connect to a missing path, a stale socket, a file", test_unix_refused },
		{ NULL, NULL }
	};

	return tu_register("net_tcp", tests);
}
