/*
 * test_http: the HTTP writer byte for byte, and the reader fed one-shot, split at every offset
 * and byte by byte (identical results required), on keep-alive, pipelined, chunked and
 * EOF-terminated messages and on malformed input that must fail with a named error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "testutil.h"

int	test_http_register(void);

#define F(n, v)	{ (n), sizeof(n) - 1, (v), sizeof(v) - 1 }

/* Asserts that the builder holds exactly want, printing both on mismatch. */
static void
expect_bytes(const char *what, const struct bld *b, const char *want)
{
	size_t n = strlen(want);
	int ok = b->len == n && memcmp(b->buf, want, n) == 0;

	if (!ok)
		fprintf(stderr, "\n%s: expected\n[%s]\nvs actual\n[%.*s]\n", what, want,
		    (int)b->len, (const char *)b->buf);
	CU_ASSERT_TRUE(ok);
}

static void
expect_err(const char *what, int rc, const struct err *e, const char *want)
{
	if (rc != -1 || strstr(e->msg, want) == NULL)
		fprintf(stderr, "\n%s: expected an error with '%s' vs actual rc %d '%s'\n", what,
		    want, rc, rc == -1 ? e->msg : "");
	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e->msg, want));
}

/* --- writer ------------------------------------------------------------------------------ */

static void
test_write_request(void)
{
	static const struct http_field f[] = {
		F("Host", "bmsc.example:8080"),
		F("Content-Type", "application/mbms-register+xml"),
	};
	static const char body[] = "<mbmsRegister/>";
	struct http_out m;
	struct bld b;
	struct err e;

	memset(&m, 0, sizeof(m));
	m.method = "POST";
	m.target = "/keymanagement?requesttype=register";
	m.fields = f;
	m.nfields = 2;
	m.body = (const uint8_t *)body;
	m.body_len = strlen(body);
	bld_init(&b);
	CU_ASSERT_EQUAL(http_write_request(&b, &m, &e), 0);
	expect_bytes("POST with body", &b,
	    "POST /keymanagement?requesttype=register HTTP/1.1\r\n"
	    "Host: bmsc.example:8080\r\n"
	    "Content-Type: application/mbms-register+xml\r\n"
	    "Content-Length: 15\r\n"
	    "\r\n"
	    "<mbmsRegister/>");

	/* A GET without a body gets no Content-Length; a POST without one gets 0. */
	bld_reset(&b);
	m.method = "GET";
	m.target = "/";
	m.nfields = 1;
	m.body = NULL;
	m.body_len = 0;
	CU_ASSERT_EQUAL(http_write_request(&b, &m, &e), 0);
	expect_bytes("GET", &b, "GET / HTTP/1.1\r\nHost: bmsc.example:8080\r\n\r\n");
	bld_reset(&b);
	m.method = "POST";
	m.version = "1.0";
	CU_ASSERT_EQUAL(http_write_request(&b, &m, &e), 0);
	expect_bytes("empty POST", &b,
	    "POST / HTTP/1.0\r\nHost: bmsc.example:8080\r\nContent-Length: 0\r\n\r\n");
	bld_free(&b);
}

static void
test_write_own_length_and_raw(void)
{
	static const struct http_field own[] = {
		F("content-length", "99"),
	};
	static const struct http_field te[] = {
		F("Transfer-Encoding", "chunked"),
	};
	static const struct http_field bad[] = {
		F("Content-Length", "1"),
		F("Content-Length", "1"),
		F("Bad Name", "x\r\ny"),
	};
	struct http_out m;
	struct bld b;
	struct err e;

	memset(&m, 0, sizeof(m));
	m.method = "PUT";
	m.target = "/k";
	m.fields = own;
	m.nfields = 1;
	m.body = (const uint8_t *)"abc";
	m.body_len = 3;
	bld_init(&b);
	/* The caller's own (wrong, on purpose) Content-Length is kept and not repeated. */
	CU_ASSERT_EQUAL(http_write_request(&b, &m, &e), 0);
	expect_bytes("own length", &b, "PUT /k HTTP/1.1\r\ncontent-length: 99\r\n\r\nabc");
	bld_reset(&b);
	m.fields = te;
	m.body = (const uint8_t *)"3\r\nabc\r\n0\r\n\r\n";
	m.body_len = 13;
	CU_ASSERT_EQUAL(http_write_request(&b, &m, &e), 0);
	expect_bytes("chunked", &b,
	    "PUT /k HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
	/* Raw mode writes anything and adds nothing. */
	bld_reset(&b);
	m.raw = 1;
	m.method = "G T";
	m.target = "/a b";
	m.version = "9";
	m.fields = bad;
	m.nfields = 3;
	m.body = (const uint8_t *)"x";
	m.body_len = 1;
	CU_ASSERT_EQUAL(http_write_request(&b, &m, &e), 0);
	expect_bytes("raw", &b, "G T /a b HTTP/9\r\nContent-Length: 1\r\nContent-Length: 1\r\n"
	    "Bad Name: x\r\ny\r\n\r\nx");
	bld_free(&b);
}

static void
test_write_refusals(void)
{
	static const struct http_field sp[] = { F("Bad Name", "x") };
	static const struct http_field crlf[] = { F("X-Inject", "a\r\nEvil: 1") };
	struct http_out m;
	struct bld b;
	struct err e;

	memset(&m, 0, sizeof(m));
	bld_init(&b);
	m.method = "G T";
	m.target = "/";
	expect_err("method", http_write_request(&b, &m, &e), &e, "method 'G T' is not a token");
	m.method = "GET";
	m.target = "/a b";
	expect_err("target", http_write_request(&b, &m, &e), &e, "target '/a b'");
	m.target = "/";
	m.version = "1.10";
	expect_err("version", http_write_request(&b, &m, &e), &e, "not DIGIT.DIGIT");
	m.version = NULL;
	m.fields = sp;
	m.nfields = 1;
	expect_err("name", http_write_request(&b, &m, &e), &e,
	    "header 1: name 'Bad Name' is not a token");
	m.fields = crlf;
	expect_err("value", http_write_request(&b, &m, &e), &e,
	    "header 1 (X-Inject): value holds CR, LF");
	memset(&m, 0, sizeof(m));
	m.status = 204;
	m.body = (const uint8_t *)"x";
	m.body_len = 1;
	expect_err("204 body", http_write_response(&b, &m, &e), &e, "status 204 has no body");
	m.status = 42;
	expect_err("status", http_write_response(&b, &m, &e), &e, "status 42");
	m.status = 200;
	m.reason = "O\nK";
	expect_err("reason", http_write_response(&b, &m, &e), &e, "reason phrase");
	bld_free(&b);
}

static void
test_write_response(void)
{
	static const struct http_field f[] = {
		F("WWW-Authenticate", "Digest realm=\"bmsc\", nonce=\"abc\""),
	};
	struct http_out m;
	struct bld b;
	struct err e;

	memset(&m, 0, sizeof(m));
	m.status = 401;
	m.fields = f;
	m.nfields = 1;
	bld_init(&b);
	CU_ASSERT_EQUAL(http_write_response(&b, &m, &e), 0);
	expect_bytes("401", &b, "HTTP/1.1 401 Unauthorized\r\n"
	    "WWW-Authenticate: Digest realm=\"bmsc\", nonce=\"abc\"\r\n"
	    "Content-Length: 0\r\n\r\n");
	bld_reset(&b);
	memset(&m, 0, sizeof(m));
	m.status = 204;
	CU_ASSERT_EQUAL(http_write_response(&b, &m, &e), 0);
	expect_bytes("204", &b, "HTTP/1.1 204 No Content\r\n\r\n");
	bld_reset(&b);
	m.status = 299;
	m.body = (const uint8_t *)"ok";
	m.body_len = 2;
	CU_ASSERT_EQUAL(http_write_response(&b, &m, &e), 0);
	expect_bytes("unknown status", &b, "HTTP/1.1 299 \r\nContent-Length: 2\r\n\r\nok");
	bld_reset(&b);
	m.status = 200;
	m.reason = "Fine";
	CU_ASSERT_EQUAL(http_write_response(&b, &m, &e), 0);
	expect_bytes("own reason", &b, "HTTP/1.1 200 Fine\r\nContent-Length: 2\r\n\r\nok");
	bld_free(&b);
	CU_ASSERT_STRING_EQUAL(http_reason(200), "OK");
	CU_ASSERT_STRING_EQUAL(http_reason(503), "Service Unavailable");
	CU_ASSERT_PTR_NULL(http_reason(299));
}

/* --- reader ------------------------------------------------------------------------------ */

/*
 * Runs a whole stream through a fresh reader in the given pieces (cuts are offsets, ascending)
 * and writes a canonical text of everything observed: every message, then "finish", or the
 * error. Two runs agree exactly when they observed the same thing.
 */
static void
dump_msgs(struct http_reader *r, struct bld *out)
{
	const struct http_msg *m;
	char line[256];
	size_t i;

	while ((m = http_reader_peek(r)) != NULL) {
		snprintf(line, sizeof(line), "msg req=%d %s %s %d [%s] %u.%u ka=%d ch=%d eof=%d "
		    "up=%d nh=%zu nt=%zu\n", m->request, m->method, m->target, m->status,
		    m->reason, m->major, m->minor, m->keep_alive, m->chunked, m->eof_body,
		    m->upgrade, m->nheaders, m->ntrailers);
		bld_bytes(out, line, strlen(line));
		for (i = 0; i < m->nheaders; i++) {
			bld_bytes(out, m->headers[i].name, m->headers[i].name_len);
			bld_bytes(out, "=", 1);
			bld_bytes(out, m->headers[i].value, m->headers[i].value_len);
			bld_bytes(out, "\n", 1);
		}
		snprintf(line, sizeof(line), "body %zu:", m->body_len);
		bld_bytes(out, line, strlen(line));
		bld_bytes(out, m->body, m->body_len);
		bld_bytes(out, "\n", 1);
		http_reader_pop(r);
	}
}

/* Returns 0 when the stream parsed and finished, -1 on an error (message in e). */
static int
run_stream(enum http_kind kind, const struct http_limits *lim, const char *s, size_t n,
    const size_t *cuts, size_t ncuts, struct bld *out, struct err *e)
{
	struct http_reader *r = http_reader_new(kind, lim, e);
	size_t i, from = 0;
	int rc = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	for (i = 0; i <= ncuts && rc == 0; i++) {
		size_t to = i < ncuts ? cuts[i] : n;

		rc = http_reader_feed(r, (const uint8_t *)s + from, to - from, e) < 0 ? -1 : 0;
		dump_msgs(r, out);
		from = to;
	}
	if (rc == 0) {
		rc = http_reader_finish(r, e) < 0 ? -1 : 0;
		dump_msgs(r, out);
	}
	bld_bytes(out, rc == 0 ? "finish\n" : "error\n", rc == 0 ? 7 : 6);
	if (rc == -1)
		bld_bytes(out, e->msg, strlen(e->msg));
	http_reader_free(r);
	return rc;
}

/* Splits at every offset and byte by byte; every run must match the one-shot run. */
static void
split_sweep(const char *name, enum http_kind kind, const struct http_limits *lim,
    const char *s, int want_rc, const char *want_err)
{
	size_t n = strlen(s), i, *cuts;
	struct bld one, other;
	struct err e;
	int rc;

	bld_init(&one);
	bld_init(&other);
	rc = run_stream(kind, lim, s, n, NULL, 0, &one, &e);
	if (rc != want_rc || (want_err != NULL && strstr(e.msg, want_err) == NULL)) {
		fprintf(stderr, "\n%s: expected rc %d '%s' vs actual rc %d '%s'\n", name,
		    want_rc, want_err ? want_err : "", rc, rc ? e.msg : "");
		CU_FAIL("one-shot result");
	}
	for (i = 1; i < n; i++) {
		bld_reset(&other);
		run_stream(kind, lim, s, n, &i, 1, &other, &e);
		if (other.len != one.len || memcmp(other.buf, one.buf, one.len) != 0) {
			fprintf(stderr, "\n%s: split at %zu differs:\n%.*s\nvs one-shot\n%.*s\n",
			    name, i, (int)other.len, other.buf, (int)one.len, one.buf);
			CU_FAIL("split result differs");
			break;
		}
	}
	cuts = calloc(n ? n : 1, sizeof(*cuts));
	CU_ASSERT_PTR_NOT_NULL_FATAL(cuts);
	for (i = 1; i < n; i++)
		cuts[i - 1] = i;
	bld_reset(&other);
	run_stream(kind, lim, s, n, cuts, n ? n - 1 : 0, &other, &e);
	if (other.len != one.len || memcmp(other.buf, one.buf, one.len) != 0) {
		fprintf(stderr, "\n%s: byte by byte differs:\n%.*s\nvs one-shot\n%.*s\n", name,
		    (int)other.len, other.buf, (int)one.len, one.buf);
		CU_FAIL("byte-by-byte result differs");
	}
	free(cuts);
	bld_free(&one);
	bld_free(&other);
}

static const char pipelined[] =
    "POST /keymanagement?requesttype=register HTTP/1.1\r\n"
    "Host: bmsc\r\n"
    "Content-Type: application/mbms-register+xml\r\n"
    "Content-Length: 5\r\n"
    "\r\n"
    "<a/>\n"
    "POST /keymanagement?requesttype=msk-request HTTP/1.1\r\n"
    "Host: bmsc\r\n"
    "Transfer-Encoding: chunked\r\n"
    "\r\n"
    "4\r\n<msk\r\n"
    "a;ext=1\r\n-request/>\r\n"
    "0\r\n"
    "X-Trailer: t\r\n"
    "\r\n"
    "GET /last HTTP/1.1\r\n"
    "Host: bmsc\r\n"
    "Connection: close\r\n"
    "\r\n";

static const char responses[] =
    "HTTP/1.1 401 Unauthorized\r\n"
    "WWW-Authenticate: Digest realm=\"bmsc\", nonce=\"n\", qop=\"auth\"\r\n"
    "Content-Length: 0\r\n"
    "\r\n"
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: application/mbms-msk-response+xml\r\n"
    "Transfer-Encoding: chunked\r\n"
    "\r\n"
    "3\r\nabc\r\n0\r\n\r\n"
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "runs to the end of the connection";

static void
test_parse_pipelined(void)
{
	struct http_reader *r;
	const struct http_msg *m;
	const struct http_header *h;
	struct err e;

	split_sweep("pipelined", HTTP_KIND_REQUEST, NULL, pipelined, 0, NULL);
	r = http_reader_new(HTTP_KIND_REQUEST, NULL, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(http_reader_feed(r, (const uint8_t *)pipelined, strlen(pipelined), &e),
	    3);
	m = http_reader_peek(r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_STRING_EQUAL(m->method, "POST");
	CU_ASSERT_STRING_EQUAL(m->target, "/keymanagement?requesttype=register");
	CU_ASSERT_EQUAL(m->nheaders, 3);
	CU_ASSERT_STRING_EQUAL(m->headers[1].name, "Content-Type");
	h = http_msg_header(m, "content-type");
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_STRING_EQUAL(h->value, "application/mbms-register+xml");
	CU_ASSERT_EQUAL(m->body_len, 5);
	CU_ASSERT_TRUE(m->keep_alive);
	http_reader_pop(r);
	m = http_reader_peek(r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_TRUE(m->chunked);
	CU_ASSERT_EQUAL(m->body_len, 14);
	CU_ASSERT_EQUAL(memcmp(m->body, "<msk-request/>", 14), 0);
	CU_ASSERT_EQUAL(m->ntrailers, 1);
	CU_ASSERT_STRING_EQUAL(m->headers[m->nheaders - 1].name, "X-Trailer");
	http_reader_pop(r);
	m = http_reader_peek(r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_STRING_EQUAL(m->target, "/last");
	CU_ASSERT_FALSE(m->keep_alive);
	http_reader_pop(r);
	CU_ASSERT_PTR_NULL(http_reader_peek(r));
	CU_ASSERT_EQUAL(http_reader_finish(r, &e), 0);
	http_reader_free(r);
}

static void
test_parse_responses(void)
{
	struct http_reader *r;
	const struct http_msg *m;
	struct err e;

	split_sweep("responses", HTTP_KIND_RESPONSE, NULL, responses, 0, NULL);
	r = http_reader_new(HTTP_KIND_RESPONSE, NULL, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	/* The third body has no length: it is not complete until the stream ends. */
	CU_ASSERT_EQUAL(http_reader_feed(r, (const uint8_t *)responses, strlen(responses), &e),
	    2);
	m = http_reader_peek(r);
	CU_ASSERT_EQUAL(m->status, 401);
	CU_ASSERT_STRING_EQUAL(m->reason, "Unauthorized");
	CU_ASSERT_TRUE(m->keep_alive);
	CU_ASSERT_FALSE(m->eof_body);
	http_reader_pop(r);
	m = http_reader_peek(r);
	CU_ASSERT_TRUE(m->chunked);
	CU_ASSERT_EQUAL(m->body_len, 3);
	http_reader_pop(r);
	CU_ASSERT_EQUAL(http_reader_finish(r, &e), 1);
	m = http_reader_peek(r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_TRUE(m->eof_body);
	CU_ASSERT_FALSE(m->keep_alive);
	CU_ASSERT_EQUAL(m->body_len, strlen("runs to the end of the connection"));
	http_reader_pop(r);
	/* After the end of the stream nothing more may come. */
	expect_err("after finish", http_reader_feed(r, (const uint8_t *)"x", 1, &e), &e,
	    "after the end of the stream");
	http_reader_free(r);
}

static void
test_parse_keep_alive(void)
{
	static const struct {
		const char *s;
		int keep_alive;
	} v[] = {
		{ "GET / HTTP/1.1\r\n\r\n", 1 },
		{ "GET / HTTP/1.1\r\nConnection: close\r\n\r\n", 0 },
		{ "GET / HTTP/1.0\r\n\r\n", 0 },
		{ "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 1 },
	};
	const struct http_msg *m;
	struct http_reader *r;
	struct err e;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		r = http_reader_new(HTTP_KIND_REQUEST, NULL, &e);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		CU_ASSERT_EQUAL(http_reader_feed(r, (const uint8_t *)v[i].s, strlen(v[i].s), &e),
		    1);
		m = http_reader_peek(r);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		if (m->keep_alive != v[i].keep_alive)
			fprintf(stderr, "\nkeep-alive of %s: expected %d vs actual %d\n", v[i].s,
			    v[i].keep_alive, m->keep_alive);
		CU_ASSERT_EQUAL(m->keep_alive, v[i].keep_alive);
		http_reader_free(r);
	}
}

/* Each malformed stream must fail, one-shot and at every split, with the named error. */
static void
test_parse_malformed(void)
{
	static const struct http_limits small = { 64, 8 };
	static const struct {
		const char *name;
		enum http_kind kind;
		const struct http_limits *lim;
		const char *s;
		const char *err;
	} v[] = {
		{ "bad method", HTTP_KIND_REQUEST, NULL, "G@T / HTTP/1.1\r\n\r\n",
		    "HPE_INVALID_METHOD (invalid HTTP method) at byte 1" },
		{ "bad version", HTTP_KIND_REQUEST, NULL, "GET / HTTP/x.1\r\n\r\n",
		    "HPE_INVALID_VERSION" },
		{ "bad status line", HTTP_KIND_RESPONSE, NULL, "HTTP/1.1 2x0 OK\r\n\r\n",
		    "HPE_INVALID_STATUS" },
		{ "header without colon", HTTP_KIND_REQUEST, NULL,
		    "GET / HTTP/1.1\r\nNoColon\r\n\r\n", "HPE_INVALID_HEADER_TOKEN" },
		{ "space in header name", HTTP_KIND_REQUEST, NULL,
		    "GET / HTTP/1.1\r\nHost : x\r\n\r\n",
		    "header name 'Host ' (field #1) is not a token" },
		{ "duplicate Content-Length", HTTP_KIND_REQUEST, NULL,
		    "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
		    "duplicate Content-Length header (field #2)" },
		/* libmicrohttpd 0.9.75 takes the first and reads "de" as the next method. */
		{ "conflicting Content-Length", HTTP_KIND_REQUEST, NULL,
		    "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde",
		    "duplicate Content-Length header (field #2)" },
		{ "Content-Length with chunked", HTTP_KIND_REQUEST, NULL,
		    "POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
		    "Content-Length together with Transfer-Encoding" },
		{ "oversized headers", HTTP_KIND_REQUEST, &small,
		    "GET / HTTP/1.1\r\nX-Long: 0123456789012345678901234567890123456789"
		    "0123456789012345678901234567890123456789\r\n\r\n",
		    "header section exceeds max_header (64 bytes)" },
		{ "oversized declared body", HTTP_KIND_REQUEST, &small,
		    "POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\n123456789",
		    "Content-Length 9 exceeds max_body (8 bytes)" },
		{ "oversized chunked body", HTTP_KIND_REQUEST, &small,
		    "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n12345\r\n"
		    "5\r\n12345\r\n0\r\n\r\n", "body exceeds max_body (8 bytes)" },
		{ "bad chunk size", HTTP_KIND_REQUEST, NULL,
		    "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
		    "HPE_INVALID_CHUNK_SIZE" },
		{ "truncated body at finish", HTTP_KIND_RESPONSE, NULL,
		    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc",
		    "HPE_INVALID_EOF_STATE (stream ended at an unexpected time) at byte 41; the "
		    "stream ended after 3 of 5 body bytes" },
		{ "truncated headers at finish", HTTP_KIND_REQUEST, NULL,
		    "GET / HTTP/1.1\r\nHost: x\r\n",
		    "the stream ended inside the header section" },
		{ "message after close", HTTP_KIND_REQUEST, NULL,
		    "GET / HTTP/1.1\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\n\r\n",
		    "a message follows one that closed the connection" },
		{ "request-target with a high byte", HTTP_KIND_REQUEST, NULL,
		    "GET /\xff HTTP/1.1\r\n\r\n", "request-target holds a byte outside" },
	};
	struct http_reader *r;
	struct err e, e2;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		r = http_reader_new(v[i].kind, v[i].lim, &e);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		rc = http_reader_feed(r, (const uint8_t *)v[i].s, strlen(v[i].s), &e);
		if (rc >= 0)
			rc = http_reader_finish(r, &e);
		expect_err(v[i].name, rc < 0 ? -1 : rc, &e, v[i].err);
		/* Errors are sticky: the next call repeats the first failure. */
		rc = http_reader_feed(r, (const uint8_t *)"GET", 3, &e2);
		CU_ASSERT_EQUAL(rc, -1);
		CU_ASSERT_STRING_EQUAL(e.msg, e2.msg);
		http_reader_free(r);
	}
	/* The error offsets http-parser finds do not depend on how the stream was cut. */
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (v[i].lim == NULL)
			split_sweep(v[i].name, v[i].kind, NULL, v[i].s, -1, v[i].err);
}

static void
test_parse_limits_and_upgrade(void)
{
	static const struct http_limits zero = { 0, 10 }, huge = { HTTP_HEADER_CEILING + 1, 10 };
	static const char up[] = "GET /chat HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: x\r\n"
	    "\r\nnot http";
	struct http_reader *r;
	struct err e;

	CU_ASSERT_PTR_NULL(http_reader_new(HTTP_KIND_REQUEST, &zero, &e));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "max_header 0 outside"));
	CU_ASSERT_PTR_NULL(http_reader_new(HTTP_KIND_REQUEST, &huge, &e));
	r = http_reader_new(HTTP_KIND_REQUEST, NULL, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	expect_err("upgrade", http_reader_feed(r, (const uint8_t *)up, strlen(up), &e), &e,
	    "8 bytes after a protocol upgrade");
	/* The upgrading request itself was complete and stays readable. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(http_reader_peek(r));
	CU_ASSERT_TRUE(http_reader_peek(r)->upgrade);
	http_reader_free(r);
	http_reader_free(NULL);
}

/* What the writer produces, the reader reads back unchanged. */
static void
test_round_trip(void)
{
	static const struct http_field f[] = {
		F("Host", "127.0.0.1"),
		F("Authorization", "Digest username=\"u\", response=\"00\""),
		F("X-Empty", ""),
	};
	const struct http_msg *m;
	struct http_reader *r;
	struct http_out o;
	struct bld b;
	struct err e;
	size_t i;

	memset(&o, 0, sizeof(o));
	o.method = "POST";
	o.target = "/keymanagement?requesttype=deregister";
	o.fields = f;
	o.nfields = 3;
	o.body = (const uint8_t *)"a\0b";
	o.body_len = 3;
	bld_init(&b);
	CU_ASSERT_EQUAL_FATAL(http_write_request(&b, &o, &e), 0);
	r = http_reader_new(HTTP_KIND_REQUEST, NULL, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(http_reader_feed(r, b.buf, b.len, &e), 1);
	m = http_reader_peek(r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_STRING_EQUAL(m->method, o.method);
	CU_ASSERT_STRING_EQUAL(m->target, o.target);
	CU_ASSERT_EQUAL(m->nheaders, 4);
	for (i = 0; i < 3 && m->nheaders == 4; i++) {
		CU_ASSERT_EQUAL(m->headers[i].name_len, f[i].name_len);
		CU_ASSERT_EQUAL(m->headers[i].value_len, f[i].value_len);
		CU_ASSERT_EQUAL(memcmp(m->headers[i].value, f[i].value, f[i].value_len), 0);
	}
	CU_ASSERT_EQUAL(m->body_len, 3);
	CU_ASSERT_EQUAL(memcmp(m->body, "a\0b", 3), 0);
	http_reader_free(r);
	bld_free(&b);
}

int
test_http_register(void)
{
	static const struct tu_test tests[] = {
		{ "write request byte-exact", test_write_request },
		{ "write own length, chunked, raw", test_write_own_length_and_raw },
		{ "write refuses malformed input", test_write_refusals },
		{ "write response byte-exact", test_write_response },
		{ "parse pipelined + chunked, split sweep", test_parse_pipelined },
		{ "parse responses incl. EOF body, split sweep", test_parse_responses },
		{ "parse keep-alive flags", test_parse_keep_alive },
		{ "parse malformed input, named errors", test_parse_malformed },
		{ "parse limits and upgrade", test_parse_limits_and_upgrade },
		{ "write then parse round trip", test_round_trip },
		{ NULL, NULL }
	};

	return tu_register("http", tests);
}
