/*
 * test_capture_live: live capture on lo — UDP sent while capturing arrives through the selectable
 * descriptor, a BPF filter keeps other traffic out, errors name the interface and the filter,
 * and a captured packet is written to a file as it was.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "capture.h"
#include "pkt.h"
#include "testnet.h"
#include "testutil.h"

int	test_capture_live_register(void);

/* Ports nothing listens on; each test uses its own so that captures do not see each other. */
#define PORT_WANTED	47611
#define PORT_OTHER	47612

static void
send_udp(uint16_t port, const char *payload)
{
	struct sockaddr_in to;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	CU_ASSERT_FATAL(fd >= 0);
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons(port);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CU_ASSERT_EQUAL(sendto(fd, payload, strlen(payload), 0, (struct sockaddr *)&to,
	    sizeof(to)), (ssize_t)strlen(payload));
	close(fd);
}

/* Waits (bounded) for the next packet of a live capture; 1 with a packet, 0 at the deadline. */
static int
next_within(struct capture_live *l, struct capture_pkt *p, double seconds)
{
	struct err e;
	int rc, tries;

	for (tries = 0; tries < 20; tries++) {
		if ((rc = capture_live_next(l, p, &e)) != 0) {
			if (rc == -1)
				fprintf(stderr, "\n  %s\n", e.msg);
			return rc;
		}
		(void)tu_net_wait_fd(capture_live_fd(l), NET_POLL_READ, seconds / 20);
	}
	return 0;
}

static void
test_udp_on_lo(void)
{
	struct capture_live_opts o = { .filter = "udp and dst port 47611" };
	struct capture_live_stats st;
	struct capture_live *l;
	struct capture_pkt p;
	struct pkt_info in;
	char src[64];
	struct err e;

	if ((l = capture_live_open("lo", &o, &e)) == NULL)
		fprintf(stderr, "\n  %s\n", e.msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_TRUE(capture_live_fd(l) >= 0);
	/* Linux gives lo an Ethernet header of zeros. */
	CU_ASSERT_EQUAL(capture_live_linktype(l), PKT_LINK_ETHERNET);
	/* Non-blocking: nothing pending is an answer, not a wait. */
	CU_ASSERT_EQUAL(capture_live_next(l, &p, &e), 0);

	send_udp(PORT_OTHER, "not for the filter");
	send_udp(PORT_WANTED, "live capture test");
	CU_ASSERT_EQUAL_FATAL(next_within(l, &p, 2.0), 1);
	CU_ASSERT_EQUAL(p.index, 1);
	CU_ASSERT_TRUE(p.ts_sec > 1600000000);
	CU_ASSERT_EQUAL_FATAL(pkt_dissect(p.linktype, p.data, p.caplen, p.wirelen, &in, &e), 0);
	CU_ASSERT_EQUAL(in.proto, PKT_PROTO_UDP);
	CU_ASSERT_EQUAL(in.dst.port, PORT_WANTED);
	pkt_addr_str(&in.src, src, sizeof(src));
	CU_ASSERT_STRING_EQUAL(src, "127.0.0.1");
	CU_ASSERT_EQUAL(in.payload_len, strlen("live capture test"));
	CU_ASSERT_EQUAL(memcmp(in.payload, "live capture test", in.payload_len), 0);
	/* The filter kept the other datagram out: nothing else is pending. */
	CU_ASSERT_EQUAL(next_within(l, &p, 0.2), 0);

	CU_ASSERT_EQUAL_FATAL(capture_live_stats(l, &st, &e), 0);
	CU_ASSERT_EQUAL(st.received, 1);
	CU_ASSERT_TRUE(st.kernel_seen >= 1);
	CU_ASSERT_EQUAL(st.dropped, 0);
	capture_live_close(l);
	capture_live_close(NULL);
}

/* A small snap length keeps the head of the frame and reports the wire length. */
static void
test_snaplen_and_write(void)
{
	struct capture_live_opts o = { .filter = "udp and dst port 47612", .snaplen = 50 };
	struct capture_writer *w;
	struct capture_reader *r;
	struct capture_live *l;
	struct capture_pkt p, back;
	uint8_t frame[64];
	char path[512];
	size_t caplen;
	struct err e;

	l = capture_live_open("lo", &o, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	send_udp(PORT_OTHER, "0123456789012345678901234567890123456789");
	CU_ASSERT_EQUAL_FATAL(next_within(l, &p, 2.0), 1);
	CU_ASSERT_EQUAL(p.caplen, 50);
	/* Ethernet 14 + IPv4 20 + UDP 8 + 40 bytes of payload. */
	CU_ASSERT_EQUAL(p.wirelen, 82);
	caplen = p.caplen;
	memcpy(frame, p.data, caplen);

	w = capture_create(tu_tmp_path(path, sizeof(path), "live.pcap"), capture_live_linktype(l),
	    &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_EQUAL(capture_write_pkt(w, &p, &e), 0);
	CU_ASSERT_EQUAL(capture_close_writer(w, &e), 0);
	capture_live_close(l);

	r = capture_open(path, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL_FATAL(capture_next(r, &back, &e), 1);
	CU_ASSERT_EQUAL(back.caplen, 50);
	CU_ASSERT_EQUAL(back.wirelen, 82);
	CU_ASSERT_EQUAL(memcmp(back.data, frame, caplen), 0);
	CU_ASSERT_EQUAL(capture_next(r, &back, &e), 0);
	capture_close(r);
}

static void
test_errors(void)
{
	struct capture_live_opts o = { .filter = "udp and portt 5" };
	struct capture_live *l;
	struct err e;

	l = capture_live_open("mbmsct-nosuch0", NULL, &e);
	CU_ASSERT_PTR_NULL(l);
	CU_ASSERT_TRUE(tu_has(e.msg, "capture: mbmsct-nosuch0: "));
	CU_ASSERT_TRUE(tu_has(e.msg, "No such device"));

	l = capture_live_open("lo", &o, &e);
	CU_ASSERT_PTR_NULL(l);
	CU_ASSERT_TRUE(tu_has(e.msg, "capture: lo: filter 'udp and portt 5': "));
}

int
test_capture_live_register(void)
{
	static const struct tu_test tests[] = {
		{ "UDP on lo through a filter", test_udp_on_lo },
		{ "snap length, packet written as captured", test_snaplen_and_write },
		{ "no such interface, bad filter", test_errors },
		{ NULL, NULL }
	};

	return tu_register("capture_live", tests);
}
