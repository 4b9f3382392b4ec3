/* test_pkt: frames built by pkt and dissected back, checked against an independent checksum. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "pkt.h"
#include "testutil.h"

/* Every link type pkt builds, with the header length the test expects of it. */
static const struct {
	int linktype;
	size_t hdr;
} links[] = {
	{ PKT_LINK_NULL, 4 },
	{ PKT_LINK_LOOP, 4 },
	{ PKT_LINK_ETHERNET, 14 },
	{ PKT_LINK_RAW, 0 },
	{ PKT_LINK_IPV4, 0 },
	{ PKT_LINK_IPV6, 0 },
	{ PKT_LINK_LINUX_SLL, 16 },
	{ PKT_LINK_LINUX_SLL2, 20 },
};
#define NLINKS (sizeof(links) / sizeof(links[0]))

static const size_t payload_sizes[] = { 0, 1, 2, 3, 100, 1472 };
#define NSIZES (sizeof(payload_sizes) / sizeof(payload_sizes[0]))

/*
 * The test's own RFC 1071 sum, written straight from the RFC so that it shares no code with
 * pkt.c: a correct header or segment (checksum included) sums to 0xffff.
 */
static unsigned long
oracle_sum(unsigned long acc, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i += 2)
		acc += (unsigned long)p[i] << 8 | (i + 1 < n ? p[i + 1] : 0);
	return acc;
}

static unsigned
oracle_fold(unsigned long acc)
{
	while (acc > 0xffff)
		acc = (acc & 0xffff) + (acc >> 16);
	return (unsigned)acc;
}

/* Checks the IP header checksum (IPv4) and the transport checksum of the IP packet at ip. */
static void
check_checksums(const uint8_t *ip, size_t n, int family, int tcp)
{
	size_t alen = family == 4 ? 4 : 16, ihl = family == 4 ? 20 : 40, l4len = n - ihl;
	const uint8_t *srcdst = ip + (family == 4 ? 12 : 8);
	unsigned long acc;
	unsigned ck;

	if (family == 4)
		CU_ASSERT_EQUAL(oracle_fold(oracle_sum(0, ip, 20)), 0xffff);
	acc = oracle_sum(0, srcdst, 2 * alen);
	acc += (unsigned long)(tcp ? 6 : 17) + l4len;
	acc = oracle_sum(acc, ip + ihl, l4len);
	CU_ASSERT_EQUAL(oracle_fold(acc), 0xffff);
	ck = (unsigned)ip[ihl + (tcp ? 16 : 6)] << 8 | ip[ihl + (tcp ? 17 : 7)];
	/* RFC 768: zero would mean "not computed". */
	if (!tcp)
		CU_ASSERT_NOT_EQUAL(ck, 0);
}

/* Checks the link header bytes against what each link type's definition asks for. */
static void
check_link(int linktype, const uint8_t *f, int family)
{
	static const uint8_t zeros[12];
	uint32_t host = family == 4 ? 2 : 24;
	uint16_t et = family == 4 ? 0x0800 : 0x86dd;

	switch (linktype) {
	case PKT_LINK_NULL:
		CU_ASSERT_EQUAL(memcmp(f, &host, 4), 0);
		break;
	case PKT_LINK_LOOP:
		CU_ASSERT_TRUE(f[0] == 0 && f[1] == 0 && f[2] == 0 && f[3] == host);
		break;
	case PKT_LINK_ETHERNET:
		CU_ASSERT_EQUAL(memcmp(f, zeros, 12), 0);
		CU_ASSERT_EQUAL((f[12] << 8 | f[13]), et);
		break;
	case PKT_LINK_LINUX_SLL:
		CU_ASSERT_EQUAL((f[2] << 8 | f[3]), 772);
		CU_ASSERT_EQUAL((f[4] << 8 | f[5]), 6);
		CU_ASSERT_EQUAL((f[14] << 8 | f[15]), et);
		break;
	case PKT_LINK_LINUX_SLL2:
		CU_ASSERT_EQUAL((f[0] << 8 | f[1]), et);
		CU_ASSERT_EQUAL((f[8] << 8 | f[9]), 772);
		CU_ASSERT_EQUAL(f[11], 6);
		break;
	default:
		break;
	}
}

static uint8_t *
make_payload(size_t n)
{
	uint8_t *p = malloc(n ? n : 1);
	size_t i;

	CU_ASSERT_FATAL(p != NULL);
	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + 3);
	return p;
}

/* The two ends of every round-trip frame of an address family. */
static void
case_addrs(int family, struct pkt_addr *src, struct pkt_addr *dst)
{
	*src = tu_addr(family == 4 ? "192.0.2.1" : "2001:db8::1", 1000);
	*dst = tu_addr(family == 4 ? "198.51.100.7" : "2001:db8::2:7", 9001);
}

/* One frame of the round-trip set; returns 0 when the combination cannot be built. */
static int
build_case(struct bld *b, size_t li, int family, int tcp, const uint8_t *pl, size_t n)
{
	struct pkt_addr src, dst;
	int linktype = links[li].linktype;
	struct err e;
	int rc;

	case_addrs(family, &src, &dst);
	bld_init(b);
	if (tcp)
		rc = pkt_build_tcp(b, linktype, &src, &dst, 0x01020304, 0xfedcba98, 0x18, pl, n,
		    &e);
	else
		rc = pkt_build_udp(b, linktype, &src, &dst, pl, n, &e);
	if ((linktype == PKT_LINK_IPV4 && family == 6) ||
	    (linktype == PKT_LINK_IPV6 && family == 4)) {
		CU_ASSERT_EQUAL(rc, -1);
		CU_ASSERT_TRUE(tu_has(e.msg, "cannot carry"));
		bld_free(b);
		return 0;
	}
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	return 1;
}

static void
check_dissected(const struct pkt_info *in, int family, int tcp, const uint8_t *pl, size_t n)
{
	struct pkt_addr src, dst;

	case_addrs(family, &src, &dst);
	CU_ASSERT_EQUAL(in->proto, tcp ? PKT_PROTO_TCP : PKT_PROTO_UDP);
	CU_ASSERT_EQUAL(in->src.family, family);
	CU_ASSERT_EQUAL(in->dst.family, family);
	CU_ASSERT_EQUAL(memcmp(in->src.addr, src.addr, 16), 0);
	CU_ASSERT_EQUAL(memcmp(in->dst.addr, dst.addr, 16), 0);
	CU_ASSERT_EQUAL(in->src.port, 1000);
	CU_ASSERT_EQUAL(in->dst.port, 9001);
	CU_ASSERT_EQUAL(in->payload_wire_len, n);
	CU_ASSERT_EQUAL(in->ip_fragment, 0);
	CU_ASSERT_FATAL(in->payload_len <= n);
	CU_ASSERT_TRUE(in->payload_len == 0 || memcmp(in->payload, pl, in->payload_len) == 0);
	if (tcp) {
		CU_ASSERT_EQUAL(in->tcp_seq, 0x01020304);
		CU_ASSERT_EQUAL(in->tcp_ack, 0xfedcba98);
		CU_ASSERT_EQUAL(in->tcp_flags, 0x18);
	}
}

static void
test_round_trip(void)
{
	size_t li, si;
	int family, tcp, cases = 0;

	for (li = 0; li < NLINKS; li++)
	for (family = 4; family <= 6; family += 2)
	for (tcp = 0; tcp <= 1; tcp++)
	for (si = 0; si < NSIZES; si++) {
		size_t n = payload_sizes[si], hdr = links[li].hdr;
		size_t l4 = (tcp ? 20 : 8) + n, iplen = (family == 4 ? 20 : 40) + l4;
		uint8_t *pl = make_payload(n);
		struct pkt_info in;
		struct bld b;
		struct err e;

		if (!build_case(&b, li, family, tcp, pl, n)) {
			free(pl);
			continue;
		}
		cases++;
		CU_ASSERT_EQUAL_FATAL(b.len, hdr + iplen);
		check_link(links[li].linktype, b.buf, family);
		CU_ASSERT_EQUAL(b.buf[hdr] >> 4, family);
		if (family == 4) {
			CU_ASSERT_EQUAL((size_t)(b.buf[hdr + 2] << 8 | b.buf[hdr + 3]), iplen);
		} else {
			CU_ASSERT_EQUAL((size_t)(b.buf[hdr + 4] << 8 | b.buf[hdr + 5]), l4);
		}
		check_checksums(b.buf + hdr, iplen, family, tcp);

		CU_ASSERT_EQUAL(pkt_dissect(links[li].linktype, b.buf, b.len, b.len, &in, &e), 0);
		check_dissected(&in, family, tcp, pl, n);
		CU_ASSERT_EQUAL(in.payload_len, n);
		/* A wire length beyond the IP packet is trailer, not payload. */
		CU_ASSERT_EQUAL(pkt_dissect(links[li].linktype, b.buf, b.len, b.len + 4, &in, &e),
		    0);
		check_dissected(&in, family, tcp, pl, n);
		CU_ASSERT_EQUAL(in.payload_len, n);
		bld_free(&b);
		free(pl);
	}
	/* 8 link types x 2 families x 2 transports, less the two single-family link types. */
	CU_ASSERT_EQUAL(cases, (int)((NLINKS * 4 - 4) * NSIZES));
}

/*
 * Every prefix of every frame, as a snapped capture (wire length kept) and as a frame that
 * claims to be whole. Each prefix is a fresh heap copy so that a sanitizer sees any over-read.
 */
static void
test_truncation_sweep(void)
{
	size_t li, n;
	int family, tcp;

	for (li = 0; li < NLINKS; li++)
	for (family = 4; family <= 6; family += 2)
	for (tcp = 0; tcp <= 1; tcp++) {
		size_t plen = 37, hdrs = links[li].hdr + (family == 4 ? 20 : 40) + (tcp ? 20 : 8);
		uint8_t *pl = make_payload(plen);
		struct bld b;

		if (!build_case(&b, li, family, tcp, pl, plen)) {
			free(pl);
			continue;
		}
		for (n = 0; n <= b.len; n++) {
			uint8_t *cp = malloc(n ? n : 1);
			struct pkt_info in;
			struct err e;
			int rc;

			CU_ASSERT_FATAL(cp != NULL);
			memcpy(cp, b.buf, n);
			err_clear(&e);
			rc = pkt_dissect(links[li].linktype, cp, n, b.len, &in, &e);
			if (n < hdrs) {
				CU_ASSERT_EQUAL(rc, -1);
				CU_ASSERT_TRUE(tu_has(e.msg, "truncated"));
				CU_ASSERT_TRUE(tu_has(e.msg, " at offset "));
			} else {
				CU_ASSERT_EQUAL(rc, 0);
				check_dissected(&in, family, tcp, pl, plen);
				CU_ASSERT_EQUAL(in.payload_len, n - hdrs);
			}
			/* Believed whole, a short frame contradicts its own length fields. */
			rc = pkt_dissect(links[li].linktype, cp, n, n, &in, &e);
			CU_ASSERT_EQUAL(rc, n == b.len ? 0 : -1);
			if (rc == -1 && n >= hdrs)
				CU_ASSERT_TRUE(tu_has(e.msg, "exceeds"));
			free(cp);
		}
		bld_free(&b);
		free(pl);
	}
}

/* Known answers computed outside pkt (RFC 1071 by hand), checked also by tshark in test_capture. */
static void
test_golden(void)
{
	struct pkt_addr s4 = tu_addr("127.0.0.1", 1000), d4 = tu_addr("127.0.0.2", 2000);
	struct pkt_addr s6 = tu_addr("2001:db8::1", 1000), d6 = tu_addr("2001:db8::2", 2000);
	const uint8_t *hello = (const uint8_t *)"hello";
	struct bld b;
	struct err e;

	bld_init(&b);
	CU_ASSERT_EQUAL(pkt_build_udp(&b, PKT_LINK_RAW, &s4, &d4, hello, 5, &e), 0);
	TU_ASSERT_HEX(b.buf, b.len, "450000210000400040113cc97f0000017f000002"
	    "03e807d0000db246" "68656c6c6f");
	bld_reset(&b);
	CU_ASSERT_EQUAL(pkt_build_tcp(&b, PKT_LINK_RAW, &s4, &d4, 0x01020304, 0xa0b0c0d0, 0x18,
	    hello, 5, &e), 0);
	TU_ASSERT_HEX(b.buf, b.len, "4500002d0000400040063cc87f0000017f000002"
	    "03e807d001020304a0b0c0d05018fffffcb20000" "68656c6c6f");
	bld_reset(&b);
	CU_ASSERT_EQUAL(pkt_build_udp(&b, PKT_LINK_ETHERNET, &s6, &d6, hello, 5, &e), 0);
	TU_ASSERT_HEX(b.buf, b.len, "00000000000000000000000086dd"
	    "60000000000d114020010db8000000000000000000000001"
	    "20010db8000000000000000000000002" "03e807d0000d54d5" "68656c6c6f");
	bld_free(&b);
}

/* RFC 768: a checksum that computes to zero goes on the wire as 0xffff. */
static void
test_udp_zero_checksum(void)
{
	struct pkt_addr s = tu_addr("10.0.0.1", 7), d = tu_addr("10.0.0.2", 9);
	uint8_t pl[2] = { 0, 0 };
	struct bld b;
	struct err e;
	size_t at = 20 + 6;

	bld_init(&b);
	CU_ASSERT_EQUAL_FATAL(pkt_build_udp(&b, PKT_LINK_RAW, &s, &d, pl, 2, &e), 0);
	/* A payload word equal to the checksum of a zero payload cancels the whole sum. */
	pl[0] = b.buf[at];
	pl[1] = b.buf[at + 1];
	bld_reset(&b);
	CU_ASSERT_EQUAL_FATAL(pkt_build_udp(&b, PKT_LINK_RAW, &s, &d, pl, 2, &e), 0);
	CU_ASSERT_EQUAL(b.buf[at], 0xff);
	CU_ASSERT_EQUAL(b.buf[at + 1], 0xff);
	check_checksums(b.buf, b.len, 4, 0);
	bld_free(&b);
}

static void
test_build_errors(void)
{
	struct pkt_addr s4 = tu_addr("10.0.0.1", 1), d4 = tu_addr("10.0.0.2", 2);
	struct pkt_addr s6 = tu_addr("::1", 1), d6 = tu_addr("::2", 2), bad;
	uint8_t *big = make_payload(65535);
	struct bld b;
	struct err e;

	bld_init(&b);
	CU_ASSERT_EQUAL(pkt_build_udp(&b, PKT_LINK_RAW, &s4, &d6, NULL, 0, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "source is IPv4 but destination is IPv6"));
	CU_ASSERT_EQUAL(pkt_build_tcp(&b, PKT_LINK_IPV4, &s6, &d6, 0, 0, 0, NULL, 0, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "IPV4 (228) cannot carry IPv6"));
	CU_ASSERT_EQUAL(pkt_build_udp(&b, 147, &s4, &d4, NULL, 0, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "cannot build frames of link type 147"));
	memset(&bad, 0, sizeof(bad));
	CU_ASSERT_EQUAL(pkt_build_udp(&b, PKT_LINK_RAW, &bad, &d4, NULL, 0, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "family 0"));
	CU_ASSERT_EQUAL(pkt_build_udp(&b, PKT_LINK_RAW, &s4, &d4, NULL, 3, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "no payload"));
	/* Nothing was written by the refused builds. */
	CU_ASSERT_EQUAL(b.len, 0);

	/* The 16-bit length fields bound the payload exactly. */
	CU_ASSERT_EQUAL(pkt_build_udp(&b, PKT_LINK_RAW, &s4, &d4, big, 65507, &e), 0);
	CU_ASSERT_EQUAL(b.len, 65535);
	bld_reset(&b);
	CU_ASSERT_EQUAL(pkt_build_udp(&b, PKT_LINK_RAW, &s4, &d4, big, 65508, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "does not fit an IPv4 packet"));
	CU_ASSERT_EQUAL(pkt_build_tcp(&b, PKT_LINK_RAW, &s4, &d4, 0, 0, 0, big, 65496, &e), -1);
	CU_ASSERT_EQUAL(pkt_build_udp(&b, PKT_LINK_RAW, &s6, &d6, big, 65527, &e), 0);
	CU_ASSERT_EQUAL(b.len, 40 + 65535);
	check_checksums(b.buf, b.len, 6, 0);
	bld_reset(&b);
	CU_ASSERT_EQUAL(pkt_build_udp(&b, PKT_LINK_RAW, &s6, &d6, big, 65528, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "does not fit an IPv6 packet"));

	/* A failed builder stays failed and says why. */
	bld_fail(&b, "earlier failure");
	CU_ASSERT_EQUAL(pkt_build_udp(&b, PKT_LINK_RAW, &s4, &d4, NULL, 0, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "earlier failure"));
	bld_free(&b);
	free(big);
}

static void
test_addr(void)
{
	static const char *const good[] = { "127.0.0.1", "255.255.255.255", "::1", "::",
	    "2001:db8::1", "fe80::1:2:3:4" };
	static const char *const bad[] = { "", "1.2.3", "1.2.3.256", "abc", "::g", "1.2.3.4:80" };
	struct pkt_addr a;
	char s[64];
	struct err e;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		a.port = 4242;
		CU_ASSERT_EQUAL(pkt_addr_parse(good[i], &a, &e), 0);
		CU_ASSERT_EQUAL(a.family, strchr(good[i], ':') ? 6 : 4);
		CU_ASSERT_EQUAL(a.port, 4242);
		pkt_addr_str(&a, s, sizeof(s));
		CU_ASSERT_STRING_EQUAL(s, good[i]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(pkt_addr_parse(bad[i], &a, &e), -1);
		CU_ASSERT_TRUE(tu_has(e.msg, "neither an IPv4 nor an IPv6 literal"));
	}
	a.family = 0;
	pkt_addr_str(&a, s, sizeof(s));
	CU_ASSERT_STRING_EQUAL(s, "?");
	/* Too small a buffer gives a short answer, never an overflow. */
	a = tu_addr("2001:db8::1", 0);
	pkt_addr_str(&a, s, 4);
	CU_ASSERT_TRUE(strlen(s) < 4);
}

/* Hand-made frames that lie, each with the error the dissector must give. */
static const struct {
	const char *name;
	int linktype;
	size_t wirelen;		/* 0: the frame as given is whole */
	const char *hex;
	const char *want;
} malformed[] = {
	{ "IHL below 5", PKT_LINK_RAW, 0,
	  "430000210000400040110000 7f000001 7f000002 03e807d0000d0000 68656c6c6f",
	  "IPv4: header length 12 (IHL 3) below 20 at offset 0" },
	{ "IPv4 total length below header", PKT_LINK_RAW, 0,
	  "450000100000400040110000 7f000001 7f000002 03e807d0000d0000 68656c6c6f",
	  "IPv4: total length 16 below header length 20 at offset 2" },
	{ "IPv4 total length beyond frame", PKT_LINK_ETHERNET, 0,
	  "000000000000000000000000 0800"
	  "450000500000400040110000 7f000001 7f000002 03e807d0000d0000 68656c6c6f",
	  "IPv4: total length 80 exceeds the 33 bytes left in the frame at offset 16" },
	{ "IPv4 version 5", PKT_LINK_IPV4, 0,
	  "550000210000400040110000 7f000001 7f000002 03e807d0000d0000 68656c6c6f",
	  "IPv4: version 5 is not 4 at offset 0" },
	{ "IPv4 options not captured", PKT_LINK_RAW, 60,
	  "4f0000210000400040110000 7f000001 7f000002 03e807d0000d0000 68656c6c6f",
	  "IPv4: total length 33 below header length 60 at offset 2" },
	{ "IPv4 options snapped", PKT_LINK_RAW, 80,
	  "4f0000500000400040110000 7f000001 7f000002 03e807d0000d0000 68656c6c6f",
	  "IPv4: options truncated: 13 of 40 bytes captured at offset 20" },
	{ "RAW version 7", PKT_LINK_RAW, 0,
	  "750000210000400040110000 7f000001 7f000002",
	  "RAW: IP version 7 is neither 4 nor 6 at offset 0" },
	{ "UDP length below 8", PKT_LINK_RAW, 0,
	  "4500001c0000400040110000 7f000001 7f000002 03e807d000040000",
	  "UDP: length 4 below 8 at offset 24" },
	{ "UDP length beyond IP payload", PKT_LINK_RAW, 0,
	  "450000210000400040110000 7f000001 7f000002 03e807d000200000 68656c6c6f",
	  "UDP: length 32 exceeds the 13-byte IP payload at offset 24" },
	{ "UDP header cut by IP length", PKT_LINK_RAW, 0,
	  "450000180000400040110000 7f000001 7f000002 03e807d000080000",
	  "UDP: header needs 8 bytes but the IP payload has 4 at offset 20" },
	{ "TCP header cut by IP length", PKT_LINK_RAW, 0,
	  "450000200000400040060000 7f000001 7f000002 03e807d0 00000001 00000000",
	  "TCP: header needs 20 bytes but the IP payload has 12 at offset 20" },
	{ "TCP data offset below 5", PKT_LINK_RAW, 0,
	  "450000280000400040060000 7f000001 7f000002"
	  "03e807d0 00000001 00000000 4018ffff 00000000",
	  "TCP: data offset 4 below 5 at offset 32" },
	{ "TCP data offset beyond segment", PKT_LINK_RAW, 0,
	  "450000280000400040060000 7f000001 7f000002"
	  "03e807d0 00000001 00000000 f018ffff 00000000",
	  "TCP: data offset 15 (60 bytes) exceeds the 20-byte segment at offset 32" },
	{ "IPv6 hop-by-hop beyond payload", PKT_LINK_RAW, 0,
	  "60000000 0008 00 40 00000000000000000000000000000001"
	  "00000000000000000000000000000001 1101000000000000",
	  "IPv6: hop-by-hop header length 16 exceeds the 8 payload bytes left at offset 41" },
	{ "IPv6 routing header needs 8 bytes", PKT_LINK_IPV6, 0,
	  "60000000 0004 2b 40 00000000000000000000000000000001"
	  "00000000000000000000000000000001 11000000",
	  "IPv6: routing header needs 8 bytes but the payload has 4 left at offset 40" },
	{ "IPv6 destination options after hop-by-hop", PKT_LINK_RAW, 0,
	  "60000000 0010 00 40 00000000000000000000000000000001"
	  "00000000000000000000000000000001 3c00000000000000 1103000000000000",
	  "IPv6: destination options header length 32 exceeds the 8 payload bytes left at "
	  "offset 49" },
	{ "IPv6 payload length beyond frame", PKT_LINK_RAW, 0,
	  "60000000 0100 11 40 00000000000000000000000000000001"
	  "00000000000000000000000000000001 03e807d000080000",
	  "IPv6: payload length 256 exceeds the 8 bytes left in the frame at offset 4" },
	{ "IPv6 version 4 on IPV6 link", PKT_LINK_IPV6, 0,
	  "40000000 0008 11 40 00000000000000000000000000000001"
	  "00000000000000000000000000000001 03e807d000080000",
	  "IPv6: version 4 is not 6 at offset 0" },
	{ "Ethernet 802.1Q tag cut", PKT_LINK_ETHERNET, 0,
	  "000000000000000000000000 8100 00",
	  "Ethernet: 802.1Q tag truncated: 1 of 4 bytes captured at offset 14" },
	{ "Ethernet header cut", PKT_LINK_ETHERNET, 0,
	  "0000000000000000000000",
	  "Ethernet: header truncated: 11 of 14 bytes captured at offset 0" },
	{ "LINUX_SLL2 header cut", PKT_LINK_LINUX_SLL2, 0,
	  "0800000000000001030400060000000000",
	  "LINUX_SLL2: header truncated: 17 of 20 bytes captured at offset 0" },
	{ "unsupported link type", 147, 0,
	  "450000210000400040110000 7f000001 7f000002 03e807d0000d0000 68656c6c6f",
	  "link: unsupported link type 147" },
};

static void
test_malformed(void)
{
	size_t i;

	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		struct pkt_info in;
		struct bld b;
		struct err e;
		uint8_t *cp;
		int rc;

		tu_hex(&b, malformed[i].hex);
		cp = malloc(b.len ? b.len : 1);
		CU_ASSERT_FATAL(cp != NULL);
		memcpy(cp, b.buf, b.len);
		err_clear(&e);
		rc = pkt_dissect(malformed[i].linktype, cp, b.len,
		    malformed[i].wirelen ? malformed[i].wirelen : b.len, &in, &e);
		if (rc != -1 || strcmp(e.msg, malformed[i].want) != 0)
			fprintf(stderr, "\nmalformed \"%s\": expected -1 \"%s\" vs actual %d \"%s\"\n",
			    malformed[i].name, malformed[i].want, rc, e.msg);
		CU_ASSERT_EQUAL(rc, -1);
		CU_ASSERT_STRING_EQUAL(e.msg, malformed[i].want);
		free(cp);
		bld_free(&b);
	}
}

static int
dissect_hex(int linktype, const char *hex, size_t wirelen, struct pkt_info *in, struct bld *b)
{
	struct err e;
	int rc;

	tu_hex(b, hex);
	rc = pkt_dissect(linktype, b->buf, b->len, wirelen ? wirelen : b->len, in, &e);
	if (rc == -1)
		fprintf(stderr, "\nunexpected dissection error: %s\n", e.msg);
	return rc;
}

/* Valid frames that take the less travelled paths. */
static void
test_valid_variants(void)
{
	struct pkt_info in;
	struct bld b;
	char s[64];

	/* IPv4 with one word of options. */
	CU_ASSERT_EQUAL(dissect_hex(PKT_LINK_RAW, "460000250000400040110000 7f000001 7f000002"
	    "01010100 03e807d0000d0000 68656c6c6f", 0, &in, &b), 0);
	CU_ASSERT_EQUAL(in.proto, PKT_PROTO_UDP);
	CU_ASSERT_EQUAL(in.dst.port, 2000);
	CU_ASSERT_EQUAL_FATAL(in.payload_len, 5);
	CU_ASSERT_EQUAL(memcmp(in.payload, "hello", 5), 0);
	bld_free(&b);

	/* Ethernet with an 802.1Q tag and padding up to the 60-byte minimum. */
	CU_ASSERT_EQUAL(dissect_hex(PKT_LINK_ETHERNET, "000000000000000000000000 8100 0064 0800"
	    "450000210000400040110000 7f000001 7f000002 03e807d0000d0000 68656c6c6f"
	    "00000000000000000000000000000000000000000000", 0, &in, &b), 0);
	CU_ASSERT_EQUAL(in.proto, PKT_PROTO_UDP);
	CU_ASSERT_EQUAL(in.payload_len, 5);
	CU_ASSERT_EQUAL(in.payload_wire_len, 5);
	bld_free(&b);

	/* ARP is not IP: no error, nothing dissected. */
	CU_ASSERT_EQUAL(dissect_hex(PKT_LINK_ETHERNET, "ffffffffffff000000000001 0806"
	    "0001080006040001", 0, &in, &b), 0);
	CU_ASSERT_EQUAL(in.proto, PKT_PROTO_OTHER);
	CU_ASSERT_EQUAL(in.src.family, 0);
	bld_free(&b);

	/* IPv4 fragments: more-fragments set, then a non-zero offset. */
	CU_ASSERT_EQUAL(dissect_hex(PKT_LINK_RAW, "450000210001200040110000 7f000001 7f000002"
	    "03e807d0000d0000 68656c6c6f", 0, &in, &b), 0);
	CU_ASSERT_EQUAL(in.proto, PKT_PROTO_OTHER);
	CU_ASSERT_EQUAL(in.ip_fragment, 1);
	CU_ASSERT_EQUAL(in.src.family, 4);
	CU_ASSERT_EQUAL(in.payload_len, 13);
	bld_free(&b);
	CU_ASSERT_EQUAL(dissect_hex(PKT_LINK_RAW, "450000190001000540110000 7f000001 7f000002"
	    "68656c6c6f", 0, &in, &b), 0);
	CU_ASSERT_EQUAL(in.ip_fragment, 1);
	CU_ASSERT_EQUAL(in.payload_len, 5);
	bld_free(&b);

	/* ICMP: IP addresses, no ports, the IP payload handed over. */
	CU_ASSERT_EQUAL(dissect_hex(PKT_LINK_RAW, "4500001c0000400040010000 0a000001 0a000002"
	    "0800f7ff00000000", 0, &in, &b), 0);
	CU_ASSERT_EQUAL(in.proto, PKT_PROTO_OTHER);
	pkt_addr_str(&in.dst, s, sizeof(s));
	CU_ASSERT_STRING_EQUAL(s, "10.0.0.2");
	CU_ASSERT_EQUAL(in.payload_len, 8);
	bld_free(&b);

	/* IPv6: hop-by-hop, destination options (16 bytes), routing, atomic fragment, UDP. */
	CU_ASSERT_EQUAL(dissect_hex(PKT_LINK_RAW, "60000000 0035 00 40"
	    "20010db8000000000000000000000001 20010db8000000000000000000000002"
	    "3c00010400000000" "2b01000000000000 0000000000000000" "2c00000000000000"
	    "1100000000000001" "03e807d0000d0000 68656c6c6f", 0, &in, &b), 0);
	CU_ASSERT_EQUAL(in.proto, PKT_PROTO_UDP);
	CU_ASSERT_EQUAL(in.src.port, 1000);
	CU_ASSERT_EQUAL(in.payload_len, 5);
	pkt_addr_str(&in.src, s, sizeof(s));
	CU_ASSERT_STRING_EQUAL(s, "2001:db8::1");
	bld_free(&b);

	/* IPv6 fragment with more-fragments set. */
	CU_ASSERT_EQUAL(dissect_hex(PKT_LINK_IPV6, "60000000 0010 2c 40"
	    "00000000000000000000000000000001 00000000000000000000000000000001"
	    "1100000100000001 03e807d0000d0000", 0, &in, &b), 0);
	CU_ASSERT_EQUAL(in.proto, PKT_PROTO_OTHER);
	CU_ASSERT_EQUAL(in.ip_fragment, 1);
	CU_ASSERT_EQUAL(in.src.family, 6);
	bld_free(&b);

	/* TCP with 12 bytes of options and SYN|ACK. */
	CU_ASSERT_EQUAL(dissect_hex(PKT_LINK_RAW, "450000370000400040060000 7f000001 7f000002"
	    "03e807d0 00000064 000000c8 8012ffff 00000000 020405b4 0101080a 00000000"
	    "787878", 0, &in, &b), 0);
	CU_ASSERT_EQUAL(in.proto, PKT_PROTO_TCP);
	CU_ASSERT_EQUAL(in.tcp_seq, 100);
	CU_ASSERT_EQUAL(in.tcp_ack, 200);
	CU_ASSERT_EQUAL(in.tcp_flags, 0x12);
	CU_ASSERT_EQUAL_FATAL(in.payload_len, 3);
	CU_ASSERT_EQUAL(memcmp(in.payload, "xxx", 3), 0);
	bld_free(&b);

	/* NULL in both byte orders, Darwin's IPv6 family; LOOP with FreeBSD's. */
	CU_ASSERT_EQUAL(dissect_hex(PKT_LINK_NULL, "00000002"
	    "4500001c0000400040110000 7f000001 7f000002 03e807d000080000", 0, &in, &b), 0);
	CU_ASSERT_EQUAL(in.proto, PKT_PROTO_UDP);
	bld_free(&b);
	CU_ASSERT_EQUAL(dissect_hex(PKT_LINK_NULL, "02000000"
	    "4500001c0000400040110000 7f000001 7f000002 03e807d000080000", 0, &in, &b), 0);
	CU_ASSERT_EQUAL(in.proto, PKT_PROTO_UDP);
	bld_free(&b);
	CU_ASSERT_EQUAL(dissect_hex(PKT_LINK_NULL, "1e000000 60000000 0008 11 40"
	    "00000000000000000000000000000001 00000000000000000000000000000001"
	    "03e807d000080000", 0, &in, &b), 0);
	CU_ASSERT_EQUAL(in.proto, PKT_PROTO_UDP);
	CU_ASSERT_EQUAL(in.src.family, 6);
	bld_free(&b);
	CU_ASSERT_EQUAL(dissect_hex(PKT_LINK_LOOP, "0000001c 60000000 0008 11 40"
	    "00000000000000000000000000000001 00000000000000000000000000000001"
	    "03e807d000080000", 0, &in, &b), 0);
	CU_ASSERT_EQUAL(in.proto, PKT_PROTO_UDP);
	bld_free(&b);
	/* A NULL family that is not IP (AppleTalk, 16) is simply not dissected. */
	CU_ASSERT_EQUAL(dissect_hex(PKT_LINK_NULL, "10000000 0102", 0, &in, &b), 0);
	CU_ASSERT_EQUAL(in.proto, PKT_PROTO_OTHER);
	bld_free(&b);

	/* A snapped UDP frame: the payload is short, the wire length says how short. */
	CU_ASSERT_EQUAL(dissect_hex(PKT_LINK_RAW, "450005dc0000400040110000 7f000001 7f000002"
	    "03e807d005c80000 68656c6c6f", 1500, &in, &b), 0);
	CU_ASSERT_EQUAL(in.proto, PKT_PROTO_UDP);
	CU_ASSERT_EQUAL(in.payload_len, 5);
	CU_ASSERT_EQUAL(in.payload_wire_len, 1472);
	bld_free(&b);
}

int
test_pkt_register(void)
{
	static const struct tu_test tests[] = {
		{ "round trip over every link type", test_round_trip },
		{ "truncation sweep", test_truncation_sweep },
		{ "golden frames", test_golden },
		{ "UDP zero checksum sent as ones", test_udp_zero_checksum },
		{ "build errors", test_build_errors },
		{ "address text", test_addr },
		{ "malformed frames", test_malformed },
		{ "valid variants", test_valid_variants },
		{ NULL, NULL }
	};

	return tu_register("pkt", tests);
}
