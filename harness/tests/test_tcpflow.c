/* test_tcpflow: one TCP direction put back in order from segments as captures hold them. */
#include <string.h>

#include <CUnit/CUnit.h>

#include "tcpflow.h"
#include "testutil.h"

struct sink {
	char buf[256];
	size_t len;
	int calls;
	int fail_at;		/* the callback fails on this call (0: never) */
};

static int
collect(void *ctx, const uint8_t *p, size_t n, struct err *e)
{
	struct sink *s = ctx;

	if (++s->calls == s->fail_at)
		return err_setx(e, "consumer refused");
	CU_ASSERT_FATAL(s->len + n < sizeof(s->buf));
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	s->buf[s->len] = '\0';
	return 0;
}

static int
seg(struct tcpflow *f, struct sink *s, uint32_t seq, unsigned int flags, const char *data)
{
	struct err e;

	return tcpflow_segment(f, seq, flags, (const uint8_t *)data, strlen(data), collect, s, &e);
}

static void
test_in_order_after_syn(void)
{
	struct tcpflow f;
	struct sink s = { .len = 0 };

	tcpflow_init(&f);
	CU_ASSERT_EQUAL(seg(&f, &s, 100, TCPFLOW_SYN, ""), 0);
	CU_ASSERT_EQUAL(seg(&f, &s, 101, 0, "GET "), 0);
	CU_ASSERT_EQUAL(seg(&f, &s, 105, 0, "/ HTTP/1.1"), 0);
	CU_ASSERT_STRING_EQUAL(s.buf, "GET / HTTP/1.1");
	CU_ASSERT_EQUAL(f.delivered, 14);
	CU_ASSERT_FALSE(f.ended);
	CU_ASSERT_EQUAL(seg(&f, &s, 115, TCPFLOW_FIN, ""), 0);
	CU_ASSERT_TRUE(f.ended);
	tcpflow_free(&f);
}

static void
test_out_of_order_and_retransmitted(void)
{
	struct tcpflow f;
	struct sink s = { .len = 0 };

	tcpflow_init(&f);
	seg(&f, &s, 0, TCPFLOW_SYN, "");
	seg(&f, &s, 7, 0, "world");		/* ahead: held */
	CU_ASSERT_EQUAL(s.len, 0);
	CU_ASSERT_EQUAL(f.pending_bytes, 5);
	seg(&f, &s, 1, 0, "hello ");		/* fills the gap: both delivered */
	CU_ASSERT_STRING_EQUAL(s.buf, "hello world");
	CU_ASSERT_EQUAL(f.pending_bytes, 0);
	seg(&f, &s, 1, 0, "hello ");		/* retransmission: nothing new */
	seg(&f, &s, 4, 0, "lo world!!");	/* overlaps: only "!!" is new */
	CU_ASSERT_STRING_EQUAL(s.buf, "hello world!!");
	tcpflow_free(&f);
}

static void
test_mid_stream_and_wraparound(void)
{
	struct tcpflow f;
	struct sink s = { .len = 0 };

	/* No SYN in the capture; sequence numbers wrap past 2^32 inside the stream. */
	tcpflow_init(&f);
	seg(&f, &s, 0xfffffffcu, 0, "abcd");
	seg(&f, &s, 2, 0, "gh");		/* after the wrap, ahead by two: held */
	seg(&f, &s, 0, 0, "ef");
	CU_ASSERT_STRING_EQUAL(s.buf, "abcdefgh");
	tcpflow_free(&f);
}

static void
test_lost_segment_breaks_the_stream(void)
{
	struct tcpflow f;
	struct sink s = { .len = 0 };
	static char big[4096];
	struct err e;
	uint32_t seq = 1000;
	int rc = 0;

	memset(big, 'x', sizeof(big) - 1);
	tcpflow_init(&f);
	seg(&f, &s, 0, TCPFLOW_SYN, "");
	/* Byte 1 never comes; more than TCPFLOW_MAX_PENDING bytes pile up after it. */
	while (rc == 0 && seq < 2u * TCPFLOW_MAX_PENDING) {
		rc = tcpflow_segment(&f, seq, 0, (const uint8_t *)big, sizeof(big) - 1, collect, &s, &e);
		seq += sizeof(big) - 1;
	}
	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT_TRUE(f.broken);
	CU_ASSERT_TRUE(tu_has(e.msg, "bytes from sequence 1 never arrived"));
	CU_ASSERT_EQUAL(f.pending_bytes, 0);
	/* A broken flow ignores what follows. */
	CU_ASSERT_EQUAL(seg(&f, &s, 1, 0, "late"), 0);
	CU_ASSERT_EQUAL(s.len, 0);
	tcpflow_free(&f);
}

static void
test_rst_and_consumer_failure(void)
{
	struct tcpflow f;
	struct sink s = { .len = 0 };

	tcpflow_init(&f);
	seg(&f, &s, 0, TCPFLOW_SYN, "");
	seg(&f, &s, 5, 0, "later");
	seg(&f, &s, 0, TCPFLOW_RST, "");
	CU_ASSERT_TRUE(f.ended);
	CU_ASSERT_EQUAL(f.pending_bytes, 0);
	tcpflow_free(&f);

	tcpflow_init(&f);
	s.len = 0;
	s.fail_at = 2;
	seg(&f, &s, 0, TCPFLOW_SYN, "");
	CU_ASSERT_EQUAL(seg(&f, &s, 1, 0, "one"), 0);
	CU_ASSERT_EQUAL(seg(&f, &s, 4, 0, "two"), -1);
	CU_ASSERT_TRUE(f.broken);
	tcpflow_free(&f);
	tcpflow_free(NULL);
}

int
test_tcpflow_register(void)
{
	static const struct tu_test tests[] = {
		{ "in order after SYN, FIN ends", test_in_order_after_syn },
		{ "out of order and retransmitted", test_out_of_order_and_retransmitted },
		{ "mid-stream start, wraparound", test_mid_stream_and_wraparound },
		{ "lost segment breaks the stream", test_lost_segment_breaks_the_stream },
		{ "RST and consumer failure", test_rst_and_consumer_failure },
		{ NULL, NULL }
	};

	return tu_register("tcpflow", tests);
}
