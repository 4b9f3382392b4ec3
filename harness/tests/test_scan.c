/* test_scan: captures turned into audit events — HTTP over reassembled TCP, MIKEY, the MTK
 * fast path's findings, and damaged files reported, never crashed on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "capture.h"
#include "mikey_rules.h"
#include "protect.h"
#include "scan.h"
#include "testutil.h"

#define CRAFTED	"vectors/captures/crafted/"
#define MSK_HEX	"00112233445566778899aabbccddeeff"	/* the psk line of the MTK vector */

static void
kind(struct mikey_kind_rules *k, const char *name, int keyid_type, int keyid_len)
{
	mikey_kind_rules_init(k);
	strcpy(k->name, name);
	k->data_type = 0;
	k->keyid_type = keyid_type;
	k->keyid_len = keyid_len;
	k->kemac_empty = 0;
}

/* The profile's MTK and MSK kinds, as ts33246 states them (what inference and the checks need). */
static void
config(struct scan_config *c)
{
	memset(c, 0, sizeof(*c));
	mikey_rules_init(&c->rules);
	c->rules.version = 1;
	c->rules.keyid_ext_type = 2;
	c->rules.nkinds = 2;
	kind(&c->rules.kinds[0], "mtk_delivery", 1, 9);
	kind(&c->rules.kinds[1], "msk_delivery", 0, 7);
	c->mikey_ports[0] = 2269;
	c->nports = 1;
	strcpy(c->fast_kind, "mtk_delivery");
	c->kdid_len = 3;
	c->mskid_len = 4;
	c->mtkid_len = 2;
}

/* Reads a commented hex vector file into b. */
static void
vector(struct bld *b, const char *path)
{
	char line[4096], all[8192] = "";
	FILE *f = fopen(path, "r");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(line, sizeof(line), f) != NULL)
		if (line[0] != '#')
			strncat(all, line, sizeof(all) - strlen(all) - 1);
	fclose(f);
	all[strcspn(all, "\r\n")] = '\0';
	tu_hex(b, all);
}

static int
count_events(const char *path, enum scan_ev_type want, char *msg, size_t cap)
{
	struct scan_config c;
	struct scan_event ev;
	struct scan *s;
	struct err e;
	int n = 0, rc;

	config(&c);
	s = scan_open(path, &c, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	while ((rc = scan_next(s, &ev, &e)) == 1)
		if (ev.type == want) {
			n++;
			if (msg != NULL)
				snprintf(msg, cap, "%s", want == SCAN_EV_ERROR ? ev.msg :
				    (ev.http != NULL && ev.http->request ? (const char *)ev.http->body : ""));
		}
	if (rc == -1 && msg != NULL)
		snprintf(msg, cap, "%s", e.msg);
	scan_free(s);
	return rc == -1 ? -1 : n;
}

static void
test_http_and_mikey_events(void)
{
	struct scan_config c;
	struct scan_event ev;
	struct scan *s;
	struct err e;
	int http = 0, mikey = 0;

	config(&c);
	s = scan_open(CRAFTED "exchange.pcap", &c, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	while (scan_next(s, &ev, &e) == 1) {
		if (ev.type == SCAN_EV_HTTP) {
			http++;
			if (ev.http->request) {
				CU_ASSERT_STRING_EQUAL(ev.http->method, "POST");
				CU_ASSERT_EQUAL(ev.src.port, 40000);
				CU_ASSERT_EQUAL(ev.flow, 1);
			} else
				CU_ASSERT_EQUAL(ev.http->status, 200);
		} else if (ev.type == SCAN_EV_MIKEY) {
			mikey++;
			CU_ASSERT_EQUAL(ev.dst.port, 2269);
			CU_ASSERT_TRUE(ev.payload_len > 100);
		}
	}
	CU_ASSERT_EQUAL(http, 2);
	CU_ASSERT_EQUAL(mikey, 1);
	scan_free(s);
}

static void
test_reordered_stream_reassembles(void)
{
	char a[2048], b[2048];

	CU_ASSERT_EQUAL(count_events(CRAFTED "exchange.pcap", SCAN_EV_HTTP, a, sizeof(a)), 2);
	CU_ASSERT_EQUAL(count_events(CRAFTED "tcp-reordered.pcap", SCAN_EV_HTTP, b, sizeof(b)), 2);
	CU_ASSERT_EQUAL(count_events(CRAFTED "tcp-reordered.pcap", SCAN_EV_ERROR, NULL, 0), 0);
	CU_ASSERT_EQUAL(count_events(CRAFTED "exchange.pcapng", SCAN_EV_HTTP, NULL, 0), 2);
}

static void
test_damage_is_reported(void)
{
	char msg[512];
	struct scan_config c;
	struct err e;

	CU_ASSERT_EQUAL(count_events(CRAFTED "tcp-gap.pcap", SCAN_EV_ERROR, msg, sizeof(msg)), 1);
	CU_ASSERT_TRUE(tu_has(msg, "TCP segment lost"));
	CU_ASSERT_EQUAL(count_events(CRAFTED "snaplen-96.pcap", SCAN_EV_ERROR, msg, sizeof(msg)), 3);
	CU_ASSERT_TRUE(tu_has(msg, "snap length"));
	CU_ASSERT_EQUAL(count_events(CRAFTED "bad-linktype.pcap", SCAN_EV_ERROR, msg, sizeof(msg)), 7);
	CU_ASSERT_TRUE(tu_has(msg, "unsupported link type 147"));
	CU_ASSERT_EQUAL(count_events(CRAFTED "truncated-record.pcap", SCAN_EV_HTTP, msg, sizeof(msg)), -1);
	CU_ASSERT_TRUE(tu_has(msg, "packet 7: truncated dump file"));
	CU_ASSERT_EQUAL(count_events(CRAFTED "truncated.pcapng", SCAN_EV_HTTP, msg, sizeof(msg)), -1);
	config(&c);
	CU_ASSERT_PTR_NULL(scan_open(CRAFTED "not-a-capture.pcap", &c, &e));
	CU_ASSERT_TRUE(tu_has(e.msg, "unknown file format"));
}

/*
 * Writes the MTK vector n times with the given MTK IDs, each re-protected under the MSK so that
 * its MAC is valid: the decoded message borrows the Key ID from b, which is patched in place.
 */
static void
mtk_capture(const char *path, const uint16_t *ids, size_t n)
{
	struct capture_writer *w;
	struct pkt_addr src = tu_addr("10.0.0.1", 4000), dst = tu_addr("239.1.1.1", 2269);
	struct bld b, key, plain, out;
	struct mikey_msg *m = malloc(sizeof(*m));
	struct err e;
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	bld_init(&b);
	bld_init(&key);
	bld_init(&plain);
	bld_init(&out);
	vector(&b, "vectors/mikey/valid/mbms-mtk-delivery.hex");
	tu_hex(&key, MSK_HEX);
	CU_ASSERT_EQUAL_FATAL(protect_decode(b.buf, b.len, key.buf, key.len, m, &plain, &e), PROTECT_OK);
	/* The MTK ID is the last two bytes of the Key ID: 00f110 00010002 0005 at offset 24. */
	CU_ASSERT_EQUAL_FATAL(b.buf[24], 0x00);
	CU_ASSERT_EQUAL_FATAL(b.buf[25], 0x05);
	w = capture_create(path, 1, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	for (i = 0; i < n; i++) {
		b.buf[24] = (uint8_t)(ids[i] >> 8);
		b.buf[25] = (uint8_t)ids[i];
		bld_reset(&out);
		CU_ASSERT_EQUAL_FATAL(protect_encode(m, key.buf, key.len, &out, &e), 0);
		CU_ASSERT_EQUAL(capture_write_udp(w, 100 + (int64_t)i, 0, &src, &dst, out.buf,
		    out.len, &e), 0);
	}
	CU_ASSERT_EQUAL(capture_close_writer(w, &e), 0);
	bld_free(&b);
	bld_free(&key);
	bld_free(&plain);
	bld_free(&out);
	free(m);
}

static size_t
fast_findings(const char *path, const char *key_hex, const char *req, char *first, size_t cap)
{
	struct scan_config c;
	struct scan_event ev;
	struct scan *s;
	struct err e;
	const struct scan_finding *f;
	size_t n, i, hits = 0;
	int events = 0;
	struct bld key;
	static const uint8_t msk[] = { 0x00, 0xf1, 0x10, 0x00, 0x01, 0x00, 0x02 };

	config(&c);
	s = scan_open(path, &c, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	if (key_hex != NULL) {
		bld_init(&key);
		tu_hex(&key, key_hex);
		CU_ASSERT_EQUAL(scan_add_key(s, msk, sizeof(msk), key.buf, key.len, 1, 4095, &e), 0);
		bld_free(&key);
	}
	while (scan_next(s, &ev, &e) == 1)
		if (ev.type == SCAN_EV_MTK)
			events++;
	CU_ASSERT_EQUAL(events, 1);	/* one destination, one MSK: one event */
	f = scan_findings(s, &n);
	for (i = 0; i < n; i++)
		if (strcmp(f[i].req, req) == 0 && hits++ == 0 && first != NULL)
			snprintf(first, cap, "%s", f[i].text);
	scan_free(s);
	return hits;
}

static void
test_mtk_fast_path(void)
{
	static const uint16_t good[] = { 5, 6, 7, 9 };
	static const uint16_t again[] = { 5, 6, 6, 4 };
	static const uint16_t beyond[] = { 4094, 4095, 4096 };
	char path[512], text[256];

	mtk_capture(tu_tmp_path(path, sizeof(path), "mtk-good.pcap"), good, 4);
	CU_ASSERT_EQUAL(fast_findings(path, MSK_HEX, "KU-BM-14", NULL, 0), 0);
	CU_ASSERT_EQUAL(fast_findings(path, MSK_HEX, "KU-MK-02", NULL, 0), 0);
	CU_ASSERT_EQUAL(fast_findings(path, NULL, "KU-MK-01", NULL, 0), 0);

	mtk_capture(tu_tmp_path(path, sizeof(path), "mtk-again.pcap"), again, 4);
	CU_ASSERT_EQUAL(fast_findings(path, NULL, "KU-BM-14", text, sizeof(text)), 2);
	CU_ASSERT_TRUE(tu_has(text, "MTK ID 6 under MSK 00f11000010002 is not above the 6"));

	mtk_capture(tu_tmp_path(path, sizeof(path), "mtk-beyond.pcap"), beyond, 3);
	CU_ASSERT_EQUAL(fast_findings(path, MSK_HEX, "KU-BM-14", text, sizeof(text)), 1);
	CU_ASSERT_TRUE(tu_has(text, "MTK ID 4096 is outside SEQl..SEQu 1..4095"));

	/* Under another key no message verifies. */
	mtk_capture(tu_tmp_path(path, sizeof(path), "mtk-good.pcap"), good, 4);
	CU_ASSERT_EQUAL(fast_findings(path, "ffeeddccbbaa99887766554433221100", "KU-MK-02", text,
	    sizeof(text)), 4);
	CU_ASSERT_TRUE(tu_has(text, "does not verify under MSK 00f11000010002"));
}

int
test_scan_register(void)
{
	static const struct tu_test tests[] = {
		{ "HTTP and MIKEY events", test_http_and_mikey_events },
		{ "reordered TCP reassembles", test_reordered_stream_reassembles },
		{ "damaged captures are reported", test_damage_is_reported },
		{ "MTK fast path findings", test_mtk_fast_path },
		{ NULL, NULL }
	};

	return tu_register("scan", tests);
}
