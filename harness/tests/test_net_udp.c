/*
 * test_net_udp: real UDP sockets on the loopback interface, with source and destination addresses,
 * and multicast on lo: join, leave, never joined, misuse.
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

/* Two sockets on ip with kernel-chosen ports; a datagram each way, the empty one included. */
static void
udp_pair(const char *ip)
{
	struct net_sock a, b;
	struct net_addr bind_to, src, dst;
	char buf[128], got[NET_IPSTR_MAX];
	struct err e;
	ssize_t n;

	net_sock_init(&a);
	net_sock_init(&b);
	tu_net_addr(&bind_to, ip, 0);
	CU_ASSERT_EQUAL_FATAL(net_udp_open(&a, &bind_to, 0, &e), 0);
	CU_ASSERT_EQUAL_FATAL(net_udp_open(&b, &bind_to, 0, &e), 0);
	CU_ASSERT_NOT_EQUAL(net_addr_port(&a.local), 0);
	CU_ASSERT_NOT_EQUAL(net_addr_port(&b.local), 0);
	CU_ASSERT_NOT_EQUAL(net_addr_port(&a.local), net_addr_port(&b.local));

	/* Nothing queued yet: the call does not block. */
	CU_ASSERT_EQUAL(net_udp_recv(&b, buf, sizeof(buf), &src, &dst, &e), NET_AGAIN);

	CU_ASSERT_EQUAL(net_udp_send(&a, "hello", 5, &b.local, &e), 0);
	CU_ASSERT_TRUE_FATAL(tu_net_wait_for(&b, NET_POLL_READ, DEADLINE_S));
	n = net_udp_recv(&b, buf, sizeof(buf), &src, &dst, &e);
	CU_ASSERT_EQUAL_FATAL(n, 5);
	CU_ASSERT_NSTRING_EQUAL(buf, "hello", 5);
	CU_ASSERT_STRING_EQUAL(net_addr_ip(&src, got, sizeof(got)), ip);
	CU_ASSERT_EQUAL(net_addr_port(&src), net_addr_port(&a.local));
	CU_ASSERT_EQUAL(net_addr_family(&dst), net_addr_family(&bind_to));
	CU_ASSERT_STRING_EQUAL(net_addr_ip(&dst, got, sizeof(got)), ip);

	CU_ASSERT_EQUAL(net_udp_send(&b, "", 0, &a.local, &e), 0);
	CU_ASSERT_TRUE_FATAL(tu_net_wait_for(&a, NET_POLL_READ, DEADLINE_S));
	CU_ASSERT_EQUAL(net_udp_recv(&a, buf, sizeof(buf), &src, NULL, &e), 0);
	CU_ASSERT_EQUAL(net_addr_port(&src), net_addr_port(&b.local));

	/* A datagram larger than the buffer is an error that names both ends, not a silent cut. */
	memset(buf, 'x', sizeof(buf));
	CU_ASSERT_EQUAL(net_udp_send(&a, buf, sizeof(buf), &b.local, &e), 0);
	CU_ASSERT_TRUE_FATAL(tu_net_wait_for(&b, NET_POLL_READ, DEADLINE_S));
	CU_ASSERT_EQUAL(net_udp_recv(&b, buf, 16, &src, &dst, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "128 bytes"));

	net_close(&a);
	net_close(&b);
}

static void
test_udp4(void)
{
	udp_pair("127.0.0.1");
}

static void
test_udp6(void)
{
	udp_pair("::1");
}

static void
test_udp_bind_in_use(void)
{
	struct net_sock a, b;
	struct err e;

	net_sock_init(&a);
	net_sock_init(&b);
	CU_ASSERT_EQUAL_FATAL(net_udp_open(&a, &(struct net_addr){ 0 }, 0, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "no address"));
	{
		struct net_addr any;

		tu_net_addr(&any, "127.0.0.1", 0);
		CU_ASSERT_EQUAL_FATAL(net_udp_open(&a, &any, 0, &e), 0);
	}
	CU_ASSERT_EQUAL(net_udp_open(&b, &a.local, 0, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "bind udp 127.0.0.1:"));
	CU_ASSERT_TRUE(tu_has(e.msg, "Address already in use"));
	CU_ASSERT_FALSE(net_is_open(&b));
	net_close(&a);
}

/* Reads one datagram if one is queued now; returns its length, or -1 when there is none. */
static ssize_t
take(struct net_sock *s, char *buf, size_t cap, struct net_addr *src, struct net_addr *dst)
{
	struct err e;
	ssize_t n = net_udp_recv(s, buf, cap, src, dst, &e);

	if (n == -1)
		fprintf(stderr, "\n%s\n", e.msg);
	return n < 0 ? -1 : n;
}

/*
 * Multicast over lo: two receivers join a group, one leaves, and a third never joins. The group
 * is chosen from the process id so that parallel runs do not hear each other.
 */
static void
multicast(int v6)
{
	const char *lo = v6 ? "::1" : "127.0.0.1";
	char group[NET_IPSTR_MAX], buf[64], ip[NET_IPSTR_MAX];
	struct net_sock tx, a, b, c;
	struct net_addr g, any, src, dst;
	struct err e;
	int i, rc;

	if (v6)
		snprintf(group, sizeof(group), "ff15::4d42:%x", (unsigned)getpid() & 0xffff);
	else
		snprintf(group, sizeof(group), "239.255.%u.%u", (unsigned)getpid() % 250 + 1,
		    (unsigned)getpid() / 250 % 250 + 1);
	net_sock_init(&tx);
	net_sock_init(&a);
	net_sock_init(&b);
	net_sock_init(&c);
	tu_net_addr(&any, lo, 0);
	tu_net_addr(&g, group, 0);
	/* The receivers bind the group itself: they hear that group and nothing else. */
	CU_ASSERT_EQUAL_FATAL(net_udp_open(&a, &g, 1, &e), 0);
	tu_net_addr(&g, group, net_addr_port(&a.local));
	CU_ASSERT_EQUAL_FATAL(net_udp_open(&b, &g, 1, &e), 0);
	CU_ASSERT_EQUAL_FATAL(net_udp_open(&c, &g, 1, &e), 0);
	CU_ASSERT_EQUAL_FATAL(net_udp_open(&tx, &any, 0, &e), 0);

	if (net_udp_multicast_if(&tx, lo, &e) == -1 || net_udp_multicast_ttl(&tx, 1, &e) == -1 ||
	    net_udp_join(&a, group, lo, &e) == -1 || net_udp_join(&b, group, lo, &e) == -1) {
		fprintf(stderr, "\nmulticast on lo (%s): %s\n", group, e.msg);
		CU_FAIL("multicast cannot be set up on lo on this machine (message above)");
		goto out;
	}
	rc = net_udp_send(&tx, "one", 3, &g, &e);
	if (rc != 0 && v6 && errno == ENETUNREACH) {
		/*
		 * Linux gives lo no ff00::/8 route unless lo has the MULTICAST flag, so an IPv6
		 * group cannot be sent to over lo without changing the host's configuration, which
		 * a test must not do. Joining and leaving are still checked, and the failure must
		 * be the expected one, naming the group.
		 */
		fprintf(stderr, "\n  note: IPv6 multicast is not routable over lo here (%s); "
		    "delivery unchecked ", e.msg);
		CU_ASSERT_TRUE(tu_has(e.msg, group));
		CU_ASSERT_EQUAL(net_udp_leave(&a, group, lo, &e), 0);
		CU_ASSERT_EQUAL(net_udp_leave(&b, group, "lo", &e), 0);
		CU_ASSERT_EQUAL(net_udp_leave(&b, group, "lo", &e), -1);
		goto out;
	}
	if (rc != 0) {
		fprintf(stderr, "\nmulticast send to %s over lo: %s\n", group, e.msg);
		CU_FAIL("multicast cannot be sent over lo on this machine (message above)");
		goto out;
	}
	if (v6 && !tu_net_wait_for(&a, NET_POLL_READ, DEADLINE_S)) {
		/* Even with lo's MULTICAST flag and a route, Linux does not loop IPv6 back on lo. */
		fprintf(stderr, "\n  note: IPv6 multicast to %s is sent but not delivered over lo "
		    "here; delivery unchecked ", group);
		CU_ASSERT_EQUAL(net_udp_leave(&a, group, lo, &e), 0);
		goto out;
	}
	if (!tu_net_wait_for(&a, NET_POLL_READ, DEADLINE_S) || !tu_net_wait_for(&b, NET_POLL_READ, 1.0)) {
		fprintf(stderr, "\nno multicast datagram to %s over lo within %.0f s\n", group,
		    DEADLINE_S);
		CU_FAIL("multicast is not delivered over lo on this machine");
		goto out;
	}
	for (i = 0; i < 2; i++) {
		struct net_sock *r = i == 0 ? &a : &b;

		CU_ASSERT_EQUAL(take(r, buf, sizeof(buf), &src, &dst), 3);
		CU_ASSERT_NSTRING_EQUAL(buf, "one", 3);
		CU_ASSERT_STRING_EQUAL(net_addr_ip(&src, ip, sizeof(ip)), lo);
		CU_ASSERT_EQUAL(net_addr_port(&src), net_addr_port(&tx.local));
		/* The destination reported is the group the datagram was sent to. */
		CU_ASSERT_STRING_EQUAL(net_addr_ip(&dst, ip, sizeof(ip)), group);
	}

	/* After a leaves, b (still joined) hears the next datagram and a does not. */
	CU_ASSERT_EQUAL_FATAL(net_udp_leave(&a, group, lo, &e), 0);
	CU_ASSERT_EQUAL(net_udp_send(&tx, "two", 3, &g, &e), 0);
	CU_ASSERT_TRUE_FATAL(tu_net_wait_for(&b, NET_POLL_READ, DEADLINE_S));
	CU_ASSERT_EQUAL(take(&b, buf, sizeof(buf), &src, &dst), 3);
	CU_ASSERT_NSTRING_EQUAL(buf, "two", 3);
	/* Delivery to every member happens together; a short wait only adds confidence. */
	CU_ASSERT_FALSE(tu_net_wait_for(&a, NET_POLL_READ, 0.1));
	CU_ASSERT_EQUAL(take(&a, buf, sizeof(buf), &src, &dst), -1);
	/* c bound the same group and port but never joined: it heard neither datagram. */
	CU_ASSERT_EQUAL(take(&c, buf, sizeof(buf), &src, &dst), -1);

	/* Leaving a group one is not in is reported by the kernel. */
	CU_ASSERT_EQUAL(net_udp_leave(&a, group, lo, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, group));
out:
	net_close(&tx);
	net_close(&a);
	net_close(&b);
	net_close(&c);
}

static void
test_multicast4(void)
{
	multicast(0);
}

static void
test_multicast6(void)
{
	multicast(1);
}

static void
test_multicast_misuse(void)
{
	struct net_sock u;
	struct net_addr a;
	struct err e;

	net_sock_init(&u);
	tu_net_addr(&a, "127.0.0.1", 0);
	CU_ASSERT_EQUAL_FATAL(net_udp_open(&u, &a, 0, &e), 0);
	CU_ASSERT_EQUAL(net_udp_join(&u, "127.0.0.2", NULL, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "not a multicast address"));
	CU_ASSERT_EQUAL(net_udp_join(&u, "ff15::1", NULL, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "family"));
	CU_ASSERT_EQUAL(net_udp_join(&u, "239.255.0.1", "nosuchif0", &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "nosuchif0"));
	CU_ASSERT_EQUAL(net_udp_multicast_ttl(&u, 256, &e), -1);
	CU_ASSERT_EQUAL(net_udp_multicast_ttl(&u, 0, &e), 0);
	net_close(&u);
}

int
test_net_udp_register(void)
{
	static const struct tu_test tests[] = {
		{ "udp on 127.0.0.1 with source and destination", test_udp4 },
		{ "udp on ::1 with source and destination", test_udp6 },
		{ "udp bind to a port in use", test_udp_bind_in_use },
		{ "multicast 239.255/16 over lo: join, leave, never joined", test_multicast4 },
		{ "multicast ff15::/16 over lo: join, leave, never joined", test_multicast6 },
		{ "multicast misuse", test_multicast_misuse },
		{ NULL, NULL }
	};

	return tu_register("net_udp", tests);
}
