/*
 * test_net: addresses parse and print, poll deadlines, sleep and clocks, and closed sockets and
 * wrong kinds. UDP and multicast are tested in test_net_udp.c, TCP and UNIX-domain streams in
 * test_net_tcp.c.
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

int	test_net_register(void);

/* ---------------------------------------------------------------------------------------- */

static void
test_addr(void)
{
	struct net_addr a;
	char s[NET_ADDRSTR_MAX], ip[NET_IPSTR_MAX];
	struct err e;

	CU_ASSERT_EQUAL(net_addr_set(&a, "127.0.0.1", 5000, &e), 0);
	CU_ASSERT_EQUAL(net_addr_family(&a), AF_INET);
	CU_ASSERT_EQUAL(net_addr_port(&a), 5000);
	CU_ASSERT_STRING_EQUAL(net_addr_str(&a, s, sizeof(s)), "127.0.0.1:5000");
	CU_ASSERT_EQUAL(net_addr_set(&a, "::1", 65535, &e), 0);
	CU_ASSERT_EQUAL(net_addr_family(&a), AF_INET6);
	CU_ASSERT_STRING_EQUAL(net_addr_str(&a, s, sizeof(s)), "[::1]:65535");
	CU_ASSERT_STRING_EQUAL(net_addr_ip(&a, ip, sizeof(ip)), "::1");
	CU_ASSERT_EQUAL(net_addr_set(&a, "fe80::1%lo", 1, &e), 0);
	CU_ASSERT_STRING_EQUAL(net_addr_ip(&a, ip, sizeof(ip)), "fe80::1%lo");

	CU_ASSERT_EQUAL(net_addr_set(&a, "localhost", 1, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "'localhost' is not a numeric"));
	CU_ASSERT_EQUAL(net_addr_set(&a, "127.0.0.256", 1, &e), -1);
	CU_ASSERT_EQUAL(net_addr_set(&a, "::1::2", 1, &e), -1);
	CU_ASSERT_EQUAL(net_addr_set(&a, "fe80::1%", 1, &e), -1);
	CU_ASSERT_EQUAL(net_addr_set(&a, "fe80::1%nosuchif0", 1, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "nosuchif0"));
	CU_ASSERT_EQUAL(net_addr_set(&a, "127.0.0.1", 65536, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "65536"));
	CU_ASSERT_EQUAL(net_addr_set(&a, "", 1, &e), -1);
	CU_ASSERT_EQUAL(net_addr_family(&a), 0);
	CU_ASSERT_STRING_EQUAL(net_addr_str(&a, s, sizeof(s)), "(none)");
}

static void
test_poll_timeout(void)
{
	struct net_sock u;
	struct net_addr a;
	struct net_pollent pe;
	double t0, dt;
	struct err e;

	net_sock_init(&u);
	tu_net_addr(&a, "127.0.0.1", 0);
	CU_ASSERT_EQUAL_FATAL(net_udp_open(&u, &a, 0, &e), 0);
	pe.fd = u.fd;
	pe.want = NET_POLL_READ;
	t0 = net_now();
	CU_ASSERT_EQUAL(net_poll(&pe, 1, 50, &e), 0);
	dt = net_now() - t0;
	CU_ASSERT_EQUAL(pe.got, 0);
	/* Bounded from below only: a loaded machine may be late, never early. */
	CU_ASSERT_TRUE(dt >= 0.045);

	/* A UDP socket is always writable; a poll that finds it ready does not wait. */
	pe.want = NET_POLL_WRITE;
	CU_ASSERT_EQUAL(net_poll(&pe, 1, 10000, &e), 1);
	CU_ASSERT_EQUAL(pe.got, NET_POLL_WRITE);

	/* Negative descriptors are ignored; a closed one reports an error. */
	pe.fd = -1;
	CU_ASSERT_EQUAL(net_poll(&pe, 1, 0, &e), 0);
	CU_ASSERT_EQUAL(net_poll(&pe, 1, -1, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "deadline"));

	t0 = net_now();
	CU_ASSERT_EQUAL(net_sleep(30, &e), 0);
	CU_ASSERT_TRUE(net_now() - t0 >= 0.029);
	CU_ASSERT_EQUAL(net_sleep(-1, &e), -1);
	CU_ASSERT_TRUE(net_wall() > 1.6e9);
	net_close(&u);
}

/* More entries than net_poll keeps on its stack. */
static void
test_poll_many(void)
{
	enum { N = 100 };
	struct net_sock u[N];
	struct net_pollent pe[N];
	struct net_addr a;
	struct err e;
	int i;

	tu_net_addr(&a, "127.0.0.1", 0);
	for (i = 0; i < N; i++) {
		net_sock_init(&u[i]);
		CU_ASSERT_EQUAL_FATAL(net_udp_open(&u[i], &a, 0, &e), 0);
		pe[i].fd = u[i].fd;
		pe[i].want = NET_POLL_READ;
	}
	CU_ASSERT_EQUAL(net_udp_send(&u[0], "x", 1, &u[N - 1].local, &e), 0);
	CU_ASSERT_EQUAL(net_poll(pe, N, 5000, &e), 1);
	CU_ASSERT_EQUAL(pe[N - 1].got, NET_POLL_READ);
	CU_ASSERT_EQUAL(pe[0].got, 0);
	for (i = 0; i < N; i++)
		net_close(&u[i]);
}

static void
test_closed(void)
{
	struct net_sock u, l, c;
	struct net_addr a, src;
	char buf[8];
	struct err e;

	net_sock_init(&u);
	net_sock_init(&l);
	net_sock_init(&c);
	tu_net_addr(&a, "127.0.0.1", 0);
	CU_ASSERT_EQUAL_FATAL(net_udp_open(&u, &a, 0, &e), 0);
	CU_ASSERT_EQUAL(net_udp_open(&u, &a, 0, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "already open"));
	CU_ASSERT_EQUAL_FATAL(net_listen(&l, &a, 1, &e), 0);

	/* Methods of another kind fail by name. */
	CU_ASSERT_EQUAL(net_send(&u, "x", 1, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "UDP socket"));
	CU_ASSERT_EQUAL(net_accept(&u, &c, &e), -1);
	CU_ASSERT_EQUAL(net_udp_send(&l, "x", 1, &a, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "TCP listener"));
	CU_ASSERT_EQUAL(net_listen(&c, &a, 0, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "backlog"));

	net_close(&u);
	net_close(&u);
	net_close(&l);
	CU_ASSERT_FALSE(net_is_open(&u));
	CU_ASSERT_EQUAL(net_udp_send(&u, "x", 1, &a, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "closed"));
	CU_ASSERT_EQUAL(net_udp_recv(&u, buf, sizeof(buf), &src, NULL, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "closed"));
	CU_ASSERT_EQUAL(net_udp_join(&u, "239.255.0.1", NULL, &e), -1);
	CU_ASSERT_EQUAL(net_accept(&l, &c, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "closed"));
	CU_ASSERT_EQUAL(net_send(&c, "x", 1, &e), -1);
	CU_ASSERT_EQUAL(net_recv(&c, buf, sizeof(buf), &e), -1);
	CU_ASSERT_EQUAL(net_connected(&c, &e), -1);
	CU_ASSERT_EQUAL(net_shutdown(&c, SHUT_WR, &e), -1);
	CU_ASSERT_EQUAL(net_local_addr(&c, &src, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "closed"));
	CU_ASSERT_EQUAL(net_peer_addr(&c, &src, &e), -1);
	CU_ASSERT_EQUAL(net_connect(&c, &(struct net_addr){ 0 }, &e), -1);
	CU_ASSERT_FALSE(net_is_open(&c));
}

int
test_net_register(void)
{
	static const struct tu_test tests[] = {
		{ "addresses parse and print", test_addr },
		{ "poll timeout, sleep and clocks", test_poll_timeout },
		{ "poll over more than the stack set", test_poll_many },
		{ "closed sockets and wrong kinds", test_closed },
		{ NULL, NULL }
	};

	return tu_register("net", tests);
}
