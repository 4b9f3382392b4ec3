/* test_mcast: IGMP and MLD messages in crafted frames (and one Linux sent on lo), truncations. */
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "mcast.h"
#include "pkt.h"
#include "testutil.h"

int	test_mcast_register(void);

/* An IGMPv3 leave as Linux 6.18 sent it on lo: Ethernet, IPv4 with Router Alert, TO_IN({}). */
#define LO_LEAVE \
	"000000000000000000000000" "0800" \
	"46c000280000400001020 3fa00000000e000001694040000" \
	"2200e9f90000000103000000ef010203"
/* IGMPv2 leave (RFC 2236 9) and report, IGMPv1 report, raw IPv4. */
#define V2_LEAVE "46000020000040000102 0000c0a80001e000000294040000" "17000000ef010203"
#define V2_REPORT "4500001c000040000102 0000c0a80001ef010203" "16000000ef010203"
#define V1_REPORT "4500001c000040000102 0000c0a80001ef010204" "12000000ef010204"
/* IGMPv3 report: TO_EX({}) join, TO_IN({s}) join, BLOCK({s}) with one aux word. */
#define V3_MIXED "45000040000040000102 0000c0a80001e0000016" \
	"2200000000000003" "04000000ef010101" "03000001ef010102c0a80009" \
	"06010001ef010103c0a80009aabbccdd"
#define V2_QUERY "4500001c000040000102 0000c0a80001e0000001" "11640000 00000000"
#define V3_QUERY "45000020000040000102 0000c0a80001e0000001" "11640000000000000 27d0000"
/* IPv6 with a hop-by-hop header (Router Alert) before MLD (RFC 2710 3, RFC 3810 5). */
#define V6_HDR(plen, dst) "60000000" plen "0001" "fe800000000000000000000000000001" dst \
	"3a00050200000100"
#define MLD1_DONE V6_HDR("0020", "ff020000000000000000000000000002") \
	"840000000000 0000ff3e0000000000000000000000001234"
#define MLD2_LEAVE V6_HDR("0024", "ff020000000000000000000000000016") \
	"8f00000000000001" "03000000ff3e0000000000000000000000001234"
#define MLD2_JOIN V6_HDR("0034", "ff020000000000000000000000000016") \
	"8f00000000000001" "04000001ff3e0000000000000000000000001234" \
	"20010db8000000000000000000000001"
#define ECHO6 "6000000000083a40" "00000000000000000000000000000001" \
	"00000000000000000000000000000001" "8000000000010001"

/* Hex with spaces allowed, for readable frames. */
static void
hex_frame(struct bld *b, const char *spaced)
{
	char clean[1024];
	size_t n = 0;

	for (; *spaced != '\0' && n + 1 < sizeof(clean); spaced++)
		if (*spaced != ' ')
			clean[n++] = *spaced;
	clean[n] = '\0';
	tu_hex(b, clean);
}

/* Dissects a frame down to the membership message; returns mcast_dissect's result. */
static int
dissect(int linktype, const char *hex, struct mcast_msg *m, struct pkt_info *in, struct err *e)
{
	struct bld b;
	int rc;

	bld_init(&b);
	hex_frame(&b, hex);
	CU_ASSERT_EQUAL_FATAL(pkt_dissect(linktype, b.buf, b.len, b.len, in, e), 0);
	rc = mcast_dissect(in->src.family, in->ip_proto, in->payload, in->payload_len, m, e);
	bld_free(&b);
	return rc;
}

static void
addr_is(const struct pkt_addr *a, const char *want)
{
	char s[64];

	pkt_addr_str(a, s, sizeof(s));
	if (strcmp(s, want) != 0)
		fprintf(stderr, "\n  address %s, want %s\n", s, want);
	CU_ASSERT_STRING_EQUAL(s, want);
}

static void
test_lo_leave(void)
{
	struct mcast_msg m;
	struct pkt_info in;
	struct err e;

	CU_ASSERT_EQUAL_FATAL(dissect(PKT_LINK_ETHERNET, LO_LEAVE, &m, &in, &e), 1);
	CU_ASSERT_EQUAL(in.ip_proto, 2);
	addr_is(&in.src, "0.0.0.0");
	addr_is(&in.dst, "224.0.0.22");
	CU_ASSERT_EQUAL(m.family, 4);
	CU_ASSERT_EQUAL(m.version, 3);
	CU_ASSERT_EQUAL(m.type, 0x22);
	CU_ASSERT_STRING_EQUAL(m.type_name, "IGMPv3 membership report");
	CU_ASSERT_EQUAL(m.nrec_total, 1);
	CU_ASSERT_EQUAL_FATAL(m.nrec, 1);
	CU_ASSERT_EQUAL(m.rec[0].type, 3);
	CU_ASSERT_EQUAL(m.rec[0].nsrc, 0);
	CU_ASSERT_EQUAL(m.rec[0].action, MCAST_LEAVE);
	CU_ASSERT_STRING_EQUAL(mcast_action_name(m.rec[0].action), "leave");
	addr_is(&m.rec[0].group, "239.1.2.3");
}

static void
test_v1_v2(void)
{
	struct mcast_msg m;
	struct pkt_info in;
	struct err e;

	CU_ASSERT_EQUAL_FATAL(dissect(PKT_LINK_RAW, V2_LEAVE, &m, &in, &e), 1);
	CU_ASSERT_EQUAL(m.version, 2);
	CU_ASSERT_EQUAL(m.type, 0x17);
	CU_ASSERT_STRING_EQUAL(m.type_name, "IGMPv2 leave group");
	addr_is(&m.group, "239.1.2.3");
	CU_ASSERT_EQUAL_FATAL(m.nrec, 1);
	CU_ASSERT_EQUAL(m.rec[0].action, MCAST_LEAVE);
	addr_is(&m.rec[0].group, "239.1.2.3");

	CU_ASSERT_EQUAL_FATAL(dissect(PKT_LINK_RAW, V2_REPORT, &m, &in, &e), 1);
	CU_ASSERT_EQUAL(m.version, 2);
	CU_ASSERT_EQUAL_FATAL(m.nrec, 1);
	CU_ASSERT_EQUAL(m.rec[0].action, MCAST_JOIN);

	CU_ASSERT_EQUAL_FATAL(dissect(PKT_LINK_RAW, V1_REPORT, &m, &in, &e), 1);
	CU_ASSERT_EQUAL(m.version, 1);
	CU_ASSERT_EQUAL(m.rec[0].action, MCAST_JOIN);
	addr_is(&m.rec[0].group, "239.1.2.4");

	/* Queries: no record, the version from the length and the max response time. */
	CU_ASSERT_EQUAL_FATAL(dissect(PKT_LINK_RAW, V2_QUERY, &m, &in, &e), 1);
	CU_ASSERT_EQUAL(m.version, 2);
	CU_ASSERT_EQUAL(m.nrec, 0);
	CU_ASSERT_STRING_EQUAL(m.type_name, "IGMP membership query");
	CU_ASSERT_EQUAL_FATAL(dissect(PKT_LINK_RAW, V3_QUERY, &m, &in, &e), 1);
	CU_ASSERT_EQUAL(m.version, 3);
}

static void
test_v3_records(void)
{
	struct mcast_msg m;
	struct pkt_info in;
	struct err e;

	CU_ASSERT_EQUAL_FATAL(dissect(PKT_LINK_RAW, V3_MIXED, &m, &in, &e), 1);
	CU_ASSERT_EQUAL(m.nrec_total, 3);
	CU_ASSERT_EQUAL_FATAL(m.nrec, 3);
	CU_ASSERT_EQUAL(m.rec[0].action, MCAST_JOIN);
	addr_is(&m.rec[0].group, "239.1.1.1");
	/* TO_IN with a source is a source-specific join, not a leave. */
	CU_ASSERT_EQUAL(m.rec[1].type, 3);
	CU_ASSERT_EQUAL(m.rec[1].nsrc, 1);
	CU_ASSERT_EQUAL(m.rec[1].action, MCAST_JOIN);
	CU_ASSERT_EQUAL(m.rec[2].type, 6);
	CU_ASSERT_EQUAL(m.rec[2].action, MCAST_BLOCK);
	addr_is(&m.rec[2].group, "239.1.1.3");
}

static void
test_mld(void)
{
	struct mcast_msg m;
	struct pkt_info in;
	struct err e;

	CU_ASSERT_EQUAL_FATAL(dissect(PKT_LINK_RAW, MLD1_DONE, &m, &in, &e), 1);
	CU_ASSERT_EQUAL(in.ip_proto, 58);
	CU_ASSERT_EQUAL(m.family, 6);
	CU_ASSERT_EQUAL(m.version, 1);
	CU_ASSERT_STRING_EQUAL(m.type_name, "MLDv1 listener done");
	CU_ASSERT_EQUAL(m.rec[0].action, MCAST_LEAVE);
	addr_is(&m.rec[0].group, "ff3e::1234");

	CU_ASSERT_EQUAL_FATAL(dissect(PKT_LINK_RAW, MLD2_LEAVE, &m, &in, &e), 1);
	CU_ASSERT_EQUAL(m.version, 2);
	CU_ASSERT_EQUAL_FATAL(m.nrec, 1);
	CU_ASSERT_EQUAL(m.rec[0].action, MCAST_LEAVE);
	addr_is(&m.rec[0].group, "ff3e::1234");

	CU_ASSERT_EQUAL_FATAL(dissect(PKT_LINK_RAW, MLD2_JOIN, &m, &in, &e), 1);
	CU_ASSERT_EQUAL(m.rec[0].action, MCAST_JOIN);
	CU_ASSERT_EQUAL(m.rec[0].nsrc, 1);

	/* Other ICMPv6, and IGMP's protocol number over IPv6, are not membership messages. */
	CU_ASSERT_EQUAL(dissect(PKT_LINK_RAW, ECHO6, &m, &in, &e), 0);
	CU_ASSERT_EQUAL(mcast_dissect(6, 2, (const uint8_t *)"\x17\0\0\0\0\0\0\0", 8, &m, &e), 0);
	CU_ASSERT_EQUAL(mcast_dissect(4, 17, (const uint8_t *)"\x17\0\0\0\0\0\0\0", 8, &m, &e), 0);
}

/* Every prefix of every report and leave fails cleanly, naming what is missing. */
static void
test_truncation(void)
{
	static const char *const frames[] = { LO_LEAVE, V2_LEAVE, V2_REPORT, V1_REPORT,
	    V3_MIXED, MLD1_DONE, MLD2_LEAVE, MLD2_JOIN };
	struct mcast_msg m;
	struct pkt_info in;
	struct err e;
	size_t i, n;

	for (i = 0; i < sizeof(frames) / sizeof(frames[0]); i++) {
		int link = i == 0 ? PKT_LINK_ETHERNET : PKT_LINK_RAW;
		struct bld b;

		bld_init(&b);
		hex_frame(&b, frames[i]);
		CU_ASSERT_EQUAL_FATAL(pkt_dissect(link, b.buf, b.len, b.len, &in, &e), 0);
		CU_ASSERT_EQUAL(mcast_dissect(in.src.family, in.ip_proto, in.payload,
		    in.payload_len, &m, &e), 1);
		for (n = 0; n < in.payload_len; n++) {
			int rc = mcast_dissect(in.src.family, in.ip_proto, in.payload, n, &m, &e);

			if (rc != -1)
				fprintf(stderr, "\n  frame %zu prefix %zu: rc %d\n", i, n, rc);
			CU_ASSERT_EQUAL(rc, -1);
			CU_ASSERT_TRUE(strstr(e.msg, "truncated") != NULL ||
			    strstr(e.msg, "remain") != NULL);
		}
		bld_free(&b);
	}
	/* The messages name the layer, the record and the offset. */
	CU_ASSERT_EQUAL(mcast_dissect(4, 2, (const uint8_t *)"\x22\0\0\0\0\0\0\1\3\0\0\5\xef\1\2\3",
	    16, &m, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "IGMPv3 report: record 1 of 1 (group): 5 sources and 0 aux "
	    "words need 20 bytes but 0 remain at offset 16"));
	CU_ASSERT_EQUAL(mcast_dissect(4, 2, (const uint8_t *)"\x17\0\0\0\xef", 5, &m, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "IGMP: header truncated: 5 of 8 bytes at offset 0"));
	CU_ASSERT_EQUAL(mcast_dissect(4, 2, (const uint8_t *)"\x22\0\0\0\0\0\0\2\4\0\0\0\xef\1",
	    14, &m, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "IGMPv3 report: record 1 of 2: header truncated: 6 of 8 "
	    "bytes at offset 8"));
}

/* A report with more records than are kept counts them all and keeps the first ones. */
static void
test_many_records(void)
{
	uint8_t buf[8 + 70 * 8];
	struct mcast_msg m;
	struct err e;
	size_t i;

	memset(buf, 0, sizeof(buf));
	buf[0] = 0x22;
	buf[7] = 70;
	for (i = 0; i < 70; i++) {
		uint8_t *r = buf + 8 + i * 8;

		r[0] = 4;
		r[4] = 239;
		r[7] = (uint8_t)i;
	}
	CU_ASSERT_EQUAL_FATAL(mcast_dissect(4, 2, buf, sizeof(buf), &m, &e), 1);
	CU_ASSERT_EQUAL(m.nrec_total, 70);
	CU_ASSERT_EQUAL(m.nrec, MCAST_MAX_RECORDS);
	addr_is(&m.rec[63].group, "239.0.0.63");
}

int
test_mcast_register(void)
{
	static const struct tu_test tests[] = {
		{ "IGMPv3 leave Linux sent on lo", test_lo_leave },
		{ "IGMPv1/v2 reports, leave, queries", test_v1_v2 },
		{ "IGMPv3 record types", test_v3_records },
		{ "MLDv1 done, MLDv2 reports", test_mld },
		{ "truncation sweep and messages", test_truncation },
		{ "more records than kept", test_many_records },
		{ NULL, NULL }
	};

	return tu_register("mcast", tests);
}
