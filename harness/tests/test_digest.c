/*
 * test_digest: Digest responses against RFC 2617 3.5 and RFC 7616 3.9.1 (values re-derived with
 * Python's hashlib), header writing byte for byte, parsing edge cases with a truncation sweep,
 * verify() naming each failing check, and two known-good peers over loopback TCP: a
 * libmicrohttpd server checking credentials we build, and libcurl as a client of a small
 * server made of our http and digest modules.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <microhttpd.h>

#include "crypto.h"
#include "digest.h"
#include "http.h"
#include "testutil.h"

int	test_digest_register(void);

/* RFC 7616 3.9.1. */
#define R7616_USER	"Mufasa"
#define R7616_PASS	"Circle of Life"
#define R7616_REALM	"http-auth@example.org"
#define R7616_NONCE	"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
#define R7616_CNONCE	"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
#define R7616_OPAQUE	"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"
#define R7616_URI	"/dir/index.html"

/* A B-TID and base64 MRK shaped like the ones the suite uses (key-update.md 2.1, 2.2). */
#define BTID	"Fg2Ws6lGA9OVn6cVbYm4QQ==@bsf.mnc001.mcc001.pub.3gppnetwork.org"
#define MRK	"5V6mR1Nf4bWm8Pq2Kj0sT3xYz9Qa7Lc1Hd6Eg2Fi4Jk="
#define REALM	"bmsc.mnc001.mcc001.pub.3gppnetwork.org"

#define IO_TIMEOUT_MS	5000

static void
expect_err(const char *what, int rc, const struct err *e, const char *want)
{
	if (rc != -1 || strstr(e->msg, want) == NULL)
		fprintf(stderr, "\n%s: expected an error with '%s' vs actual rc %d '%s'\n", what,
		    want, rc, rc == -1 ? e->msg : "");
	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e->msg, want));
}

static void
expect_str(const char *what, const char *got, const char *want)
{
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\n%s: expected\n%s\nvs actual\n%s\n", what, want, got);
	CU_ASSERT_STRING_EQUAL(got, want);
}

/* The builder's content as a C string (for header values, which hold no NUL). */
static const char *
cstr(struct bld *b)
{
	bld_u8(b, 0);
	b->len--;
	return (const char *)b->buf;
}

/* --- known answers ----------------------------------------------------------------------- */

static void
rfc7616_input(struct digest_input *in, enum digest_alg alg, enum digest_qop qop)
{
	memset(in, 0, sizeof(*in));
	in->alg = alg;
	in->qop = qop;
	in->username = R7616_USER;
	in->realm = R7616_REALM;
	in->password = R7616_PASS;
	in->nonce = R7616_NONCE;
	in->cnonce = R7616_CNONCE;
	in->nc = "00000001";
	in->method = "GET";
	in->uri = R7616_URI;
}

static void
test_known_answers(void)
{
	static const struct {
		const char *name;
		enum digest_alg alg;
		enum digest_qop qop;
		const char *method;
		const char *body;
		const char *want;
	} v[] = {
		/* RFC 7616 3.9.1, both given in the RFC. */
		{ "RFC 7616 MD5", DIGEST_ALG_MD5, DIGEST_QOP_AUTH, "GET", NULL,
		    "8ca523f5e9506fed4657c9700eebdbec" },
		{ "RFC 7616 SHA-256", DIGEST_ALG_SHA256, DIGEST_QOP_AUTH, "GET", NULL,
		    "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1" },
		/* The same inputs in the other forms, computed with Python hashlib. */
		{ "MD5 auth-int", DIGEST_ALG_MD5, DIGEST_QOP_AUTH_INT, "POST", "<mskRequest/>",
		    "967e329cf74f95209f1b6b3b9035930e" },
		{ "SHA-256 auth-int", DIGEST_ALG_SHA256, DIGEST_QOP_AUTH_INT, "POST",
		    "<mskRequest/>",
		    "67cd1c030c112e8ebe58a9669874c03d064858d3fc730d0259f97cceac3a1499" },
		{ "MD5 auth-int empty body", DIGEST_ALG_MD5, DIGEST_QOP_AUTH_INT, "POST", NULL,
		    "35ec75c6389a8fd8412c13222b3affe8" },
		{ "MD5-sess", DIGEST_ALG_MD5_SESS, DIGEST_QOP_AUTH, "GET", NULL,
		    "e783283f46242139c486a698fec7211d" },
		{ "SHA-256-sess", DIGEST_ALG_SHA256_SESS, DIGEST_QOP_AUTH, "GET", NULL,
		    "2fd51b3a77ad75bad6afad6003e818d767133c46d9e2749e7f5232ae1ea3efd7" },
		{ "MD5 no qop", DIGEST_ALG_MD5, DIGEST_QOP_NONE, "GET", NULL,
		    "7b2cc3b30e75b4777ea31027084363fd" },
		{ "SHA-256 no qop", DIGEST_ALG_SHA256, DIGEST_QOP_NONE, "GET", NULL,
		    "a1306b0595a6c7fe96c448631fb5cfbd5107bd1fe1da729d978dd7446b812363" },
	};
	char out[DIGEST_HEX_MAX + 1];
	struct digest_input in;
	struct err e;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		rfc7616_input(&in, v[i].alg, v[i].qop);
		in.method = v[i].method;
		if (v[i].body != NULL) {
			in.body = (const uint8_t *)v[i].body;
			in.body_len = strlen(v[i].body);
		}
		CU_ASSERT_EQUAL_FATAL(digest_compute(&in, out, &e), 0);
		expect_str(v[i].name, out, v[i].want);
	}
	/* RFC 2617 3.5. */
	memset(&in, 0, sizeof(in));
	in.alg = DIGEST_ALG_MD5;
	in.qop = DIGEST_QOP_AUTH;
	in.username = "Mufasa";
	in.realm = "testrealm@host.com";
	in.password = "Circle Of Life";
	in.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
	in.cnonce = "0a4f113b";
	in.nc = "00000001";
	in.method = "GET";
	in.uri = "/dir/index.html";
	CU_ASSERT_EQUAL_FATAL(digest_compute(&in, out, &e), 0);
	expect_str("RFC 2617 3.5", out, "6629fae49393a05397450978507c4ef1");
	/* Missing inputs are refused, not hashed as empty. */
	in.cnonce = NULL;
	expect_err("no cnonce", digest_compute(&in, out, &e), &e, "cnonce is needed");
	in.cnonce = "0a4f113b";
	in.nc = NULL;
	expect_err("no nc", digest_compute(&in, out, &e), &e, "nc is needed");
	in.password = NULL;
	expect_err("no password", digest_compute(&in, out, &e), &e, "are all needed");
}

static void
test_names(void)
{
	enum digest_alg a;
	enum digest_qop q;

	CU_ASSERT_EQUAL(digest_alg_parse("sha-256-SESS", &a), 0);
	CU_ASSERT_EQUAL(a, DIGEST_ALG_SHA256_SESS);
	CU_ASSERT_STRING_EQUAL(digest_alg_name(a), "SHA-256-sess");
	CU_ASSERT_EQUAL(digest_alg_parse("SHA-512-256", &a), -1);
	CU_ASSERT_EQUAL(digest_alg_parse(NULL, &a), -1);
	CU_ASSERT_EQUAL(digest_qop_parse("auth-int", &q), 0);
	CU_ASSERT_EQUAL(q, DIGEST_QOP_AUTH_INT);
	CU_ASSERT_EQUAL(digest_qop_parse("auth,auth-int", &q), -1);
	CU_ASSERT_STRING_EQUAL(digest_check_name(DIGEST_CHECK_NC), "nc");
}

/* --- writers ----------------------------------------------------------------------------- */

static void
test_write_headers(void)
{
	struct digest_challenge ch;
	struct digest_credentials c;
	struct bld b;
	struct err e;

	memset(&ch, 0, sizeof(ch));
	ch.realm = R7616_REALM;
	ch.qop = "auth, auth-int";
	ch.algorithm = "SHA-256";
	ch.nonce = R7616_NONCE;
	ch.opaque = R7616_OPAQUE;
	bld_init(&b);
	CU_ASSERT_EQUAL_FATAL(digest_challenge_write(&b, &ch, &e), 0);
	/* RFC 7616 3.9.1, second challenge, as one line. */
	expect_str("challenge", cstr(&b), "Digest realm=\"http-auth@example.org\", "
	    "qop=\"auth, auth-int\", algorithm=SHA-256, "
	    "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
	    "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"");
	bld_reset(&b);
	memset(&ch, 0, sizeof(ch));
	ch.realm = "a \"quoted\" \\ realm";
	ch.nonce = "n";
	ch.stale = 1;
	CU_ASSERT_EQUAL_FATAL(digest_challenge_write(&b, &ch, &e), 0);
	expect_str("escapes", cstr(&b),
	    "Digest realm=\"a \\\"quoted\\\" \\\\ realm\", nonce=\"n\", stale=true");
	bld_reset(&b);
	ch.realm = "bad\r\nrealm";
	expect_err("CRLF realm", digest_challenge_write(&b, &ch, &e), &e,
	    "realm value holds control byte 0x0d at 3");
	ch.realm = "r";
	ch.algorithm = "MD 5";
	expect_err("bad token", digest_challenge_write(&b, &ch, &e), &e,
	    "algorithm value 'MD 5' is not a token");

	memset(&c, 0, sizeof(c));
	c.username = R7616_USER;
	c.realm = R7616_REALM;
	c.uri = R7616_URI;
	c.algorithm = "MD5";
	c.nonce = R7616_NONCE;
	c.nc = "00000001";
	c.cnonce = R7616_CNONCE;
	c.qop = "auth";
	c.opaque = R7616_OPAQUE;
	c.password = R7616_PASS;
	c.method = "GET";
	bld_reset(&b);
	CU_ASSERT_EQUAL_FATAL(digest_authorization_write(&b, &c, &e), 0);
	/* RFC 7616 3.9.1, MD5 credentials, as one line. */
	expect_str("authorization", cstr(&b), "Digest username=\"Mufasa\", "
	    "realm=\"http-auth@example.org\", uri=\"/dir/index.html\", algorithm=MD5, "
	    "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", nc=00000001, "
	    "cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", qop=auth, "
	    "response=\"8ca523f5e9506fed4657c9700eebdbec\", "
	    "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"");
	/* Wrong values on purpose are simply parameters; response= overrides the computation. */
	bld_reset(&b);
	c.nc = "zz";
	c.algorithm = "X-Unknown";
	c.response = "not-a-digest";
	c.opaque = NULL;
	CU_ASSERT_EQUAL_FATAL(digest_authorization_write(&b, &c, &e), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cstr(&b), "algorithm=X-Unknown, "));
	CU_ASSERT_PTR_NOT_NULL(strstr(cstr(&b), "nc=zz, "));
	CU_ASSERT_PTR_NOT_NULL(strstr(cstr(&b), "response=\"not-a-digest\""));
	c.response = NULL;
	expect_err("unknown algorithm", digest_authorization_write(&b, &c, &e), &e,
	    "cannot hash with unknown algorithm 'X-Unknown'");
	/* userhash: RFC 7616 3.4.4, H("Mufasa:http-auth@example.org") per Python hashlib. */
	bld_reset(&b);
	c.algorithm = "SHA-256";
	c.nc = "00000001";
	c.userhash = 1;
	CU_ASSERT_EQUAL_FATAL(digest_authorization_write(&b, &c, &e), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cstr(&b), "username=\"a947aad205e80e429958a387394944c6"
	    "b496301e79f89d35a4cc23b6ee12b5b6\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(cstr(&b), "userhash=true"));
	bld_free(&b);
}

/* --- parser ------------------------------------------------------------------------------ */

static const char *
pval(const struct digest_params *p, const char *name)
{
	const struct digest_param *dp = digest_param_get(p, name);

	return dp != NULL ? dp->value : "(absent)";
}

static void
test_parse(void)
{
	static const char rfc[] = "Digest\n"
	    "    realm=\"http-auth@example.org\",\n"
	    "    qop=\"auth, auth-int\",\n"
	    "    algorithm=SHA-256,\n"
	    "    nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\"";
	static const char odd[] = "  digest ,, Realm = \"a\\\"b\\\\c\\d\" ,nonce=\"\",stale=TRUE,"
	    " ,x-ext=\"caf\xc3\xa9\"\t, ";
	struct digest_params *p = malloc(sizeof(*p));
	struct err e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	/* Line folds are not HTTP/1.1 field syntax: a newline is not whitespace here. */
	expect_err("folded", digest_parse(rfc, strlen(rfc), p, &e), &e,
	    "expected a space after the scheme at byte 6, found 0x0a");
	CU_ASSERT_EQUAL(digest_parse(odd, strlen(odd), p, &e), 0);
	CU_ASSERT_STRING_EQUAL(p->scheme, "digest");
	CU_ASSERT_EQUAL(p->n, 4);
	CU_ASSERT_STRING_EQUAL(p->p[0].name, "Realm");
	CU_ASSERT_STRING_EQUAL(pval(p, "realm"), "a\"b\\cd");
	CU_ASSERT_TRUE(p->p[0].quoted);
	CU_ASSERT_EQUAL(p->p[0].offset, 12);
	CU_ASSERT_STRING_EQUAL(pval(p, "nonce"), "");
	CU_ASSERT_STRING_EQUAL(pval(p, "stale"), "TRUE");
	CU_ASSERT_FALSE(p->p[2].quoted);
	CU_ASSERT_STRING_EQUAL(pval(p, "x-ext"), "caf\xc3\xa9");
	CU_ASSERT_EQUAL(digest_parse("Basic", 5, p, &e), 0);
	CU_ASSERT_EQUAL(p->n, 0);
	free(p);
}

static void
test_parse_malformed(void)
{
	static const struct {
		const char *s;
		const char *err;
	} v[] = {
		{ "", "expected an auth-scheme at byte 0, found the end" },
		{ "=x", "expected an auth-scheme at byte 0, found '='" },
		{ "Digest,realm=\"r\"", "expected a space after the scheme at byte 6, found ','" },
		{ "Digest realm", "expected '=' after 'realm' at byte 12, found the end" },
		{ "Digest realm \"r\"", "expected '=' after 'realm' at byte 13, found '\"'" },
		{ "Digest realm=", "expected a value for 'realm' at byte 13, found the end" },
		{ "Digest realm=,", "expected a value for 'realm' at byte 13, found ','" },
		{ "Digest realm=\"r", "unterminated quoted string for 'realm' opened at byte 13" },
		{ "Digest realm=\"r\\", "(ends in a backslash)" },
		{ "Digest realm=\"a\x01\"", "control byte 0x01 in the quoted value of 'realm' "
		    "at byte 15" },
		{ "Digest realm=\"r\" nonce=\"n\"", "expected ',' after the value of 'realm' at "
		    "byte 17, found 'n'" },
		{ "Digest realm=a b", "expected ',' after the value of 'realm' at byte 15" },
		{ "Digest realm=\"r\", REALM=\"s\"", "duplicate parameter 'REALM' at byte 18" },
		{ "Digest \"r\"", "expected a parameter name at byte 7, found '\"'" },
		{ "Digest realm=r\xff", "expected ',' after the value of 'realm' at byte 14, "
		    "found 0xff" },
		{ "Digest realm=\"r\", Basic realm=\"x\"", "expected '=' after 'Basic'" },
	};
	struct digest_params *p = malloc(sizeof(*p));
	char many[40 * 8 + 16], *big;
	struct err e;
	size_t i, n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		expect_err(v[i].s, digest_parse(v[i].s, strlen(v[i].s), p, &e), &e, v[i].err);
	/* Too many parameters, and too much text, are errors rather than overflows. */
	n = (size_t)snprintf(many, sizeof(many), "Digest ");
	for (i = 0; i < DIGEST_MAX_PARAMS + 1; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "p%zu=1,", i);
	expect_err("many", digest_parse(many, n, p, &e), &e, "more than 32 parameters");
	big = malloc(DIGEST_MAX_TEXT + 32);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memcpy(big, "Digest r=\"", 10);
	memset(big + 10, 'a', DIGEST_MAX_TEXT + 10);
	big[DIGEST_MAX_TEXT + 20] = '"';
	expect_err("long", digest_parse(big, DIGEST_MAX_TEXT + 21, p, &e), &e, "too long");
	/*
	 * The text limit is exact: "Digest" and "r" take 9 bytes with their NULs, so a value of
	 * DIGEST_MAX_TEXT - 10 bytes and its NUL just fit, and one byte more does not.
	 */
	big[DIGEST_MAX_TEXT] = '"';
	CU_ASSERT_EQUAL(digest_parse(big, DIGEST_MAX_TEXT + 1, p, &e), 0);
	CU_ASSERT_EQUAL(p->used, DIGEST_MAX_TEXT);
	big[DIGEST_MAX_TEXT] = 'a';
	big[DIGEST_MAX_TEXT + 1] = '"';
	expect_err("one more", digest_parse(big, DIGEST_MAX_TEXT + 2, p, &e), &e, "too long");
	free(big);
	free(p);
}

/* Every prefix of a valid value either parses or fails cleanly (run under ASan). */
static void
test_parse_truncation(void)
{
	static const char s[] = "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", "
	    "uri=\"/dir/index.html\", algorithm=MD5, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94B\", "
	    "nc=00000001, cnonce=\"f2/wE4q\\\"74E6\", qop=auth, response=\"8ca5\"";
	struct digest_params *p = malloc(sizeof(*p));
	size_t n, ok = 0;
	struct err e;
	char *copy;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	for (n = 0; n <= strlen(s); n++) {
		/* An exact-size heap copy, so that ASan sees any read past the end. */
		copy = malloc(n ? n : 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
		memcpy(copy, s, n);
		if (digest_parse(copy, n, p, &e) == 0)
			ok++;
		else
			CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "at byte"));
		free(copy);
	}
	CU_ASSERT_EQUAL(digest_parse(s, strlen(s), p, &e), 0);
	CU_ASSERT_EQUAL(p->n, 9);
	CU_ASSERT_STRING_EQUAL(pval(p, "cnonce"), "f2/wE4q\"74E6");
	CU_ASSERT_TRUE(ok > 9);
	free(p);
}

/* --- verify ------------------------------------------------------------------------------ */

static void
rfc7616_expect(struct digest_expect *x)
{
	memset(x, 0, sizeof(*x));
	x->password = R7616_PASS;
	x->method = "GET";
	x->realm = R7616_REALM;
	x->nonce = R7616_NONCE;
	x->username = R7616_USER;
	x->uri = R7616_URI;
	x->algorithm = "MD5";
	x->qop = "auth,auth-int";
	x->nc = "00000001";
	x->opaque = R7616_OPAQUE;
}

/* Parses the RFC 7616 MD5 credentials with one parameter replaced (or dropped: value NULL). */
static void
rfc7616_params(struct digest_params *p, const char *name, const char *value)
{
	static const char *const names[] = { "username", "realm", "uri", "algorithm", "nonce",
		"nc", "cnonce", "qop", "response", "opaque", NULL };
	static const char *const values[] = { R7616_USER, R7616_REALM, R7616_URI, "MD5",
		R7616_NONCE, "00000001", R7616_CNONCE, "auth", "8ca523f5e9506fed4657c9700eebdbec",
		R7616_OPAQUE };
	struct err e;
	size_t i;

	CU_ASSERT_EQUAL_FATAL(digest_params_init(p, "Digest", &e), 0);
	for (i = 0; names[i] != NULL; i++) {
		const char *v = values[i];

		if (name != NULL && strcmp(name, names[i]) == 0) {
			if (value == NULL)
				continue;
			v = value;
		}
		CU_ASSERT_EQUAL_FATAL(digest_params_add(p, names[i], v, strlen(v), 1, &e), 0);
	}
}

static void
test_verify(void)
{
	static const struct {
		const char *param;
		const char *value;	/* NULL: dropped */
		enum digest_check check;
		const char *msg;
	} v[] = {
		{ "username", "Simba", DIGEST_CHECK_USERNAME,
		    "username: expected 'Mufasa' vs actual 'Simba'" },
		{ "username", NULL, DIGEST_CHECK_USERNAME,
		    "username: expected 'Mufasa' vs actual (absent)" },
		{ "realm", "other", DIGEST_CHECK_REALM,
		    "realm: expected 'http-auth@example.org' vs actual 'other'" },
		{ "nonce", "stale", DIGEST_CHECK_NONCE, "nonce: expected '7ypf" },
		{ "uri", "/dir/other.html", DIGEST_CHECK_URI,
		    "uri: expected '/dir/index.html' vs actual '/dir/other.html'" },
		{ "algorithm", "SHA-256", DIGEST_CHECK_ALGORITHM,
		    "algorithm: expected MD5 vs actual SHA-256" },
		{ "qop", "auth-conf", DIGEST_CHECK_QOP,
		    "qop: expected one of 'auth,auth-int' vs actual 'auth-conf'" },
		{ "qop", NULL, DIGEST_CHECK_QOP,
		    "qop: expected one of 'auth,auth-int' vs actual (absent)" },
		{ "nc", "00000002", DIGEST_CHECK_NC,
		    "nc: expected '00000001' vs actual '00000002'" },
		{ "nc", "1", DIGEST_CHECK_NC, "nc: expected 8 hex digits vs actual '1'" },
		{ "nc", NULL, DIGEST_CHECK_NC, "nc: expected '00000001' vs actual (absent)" },
		{ "cnonce", NULL, DIGEST_CHECK_CNONCE,
		    "cnonce: expected a cnonce vs actual (absent)" },
		{ "opaque", "x", DIGEST_CHECK_OPAQUE, "opaque: expected 'FQhe" },
		{ "response", "8ca523f5e9506fed4657c9700eebdbed", DIGEST_CHECK_RESPONSE,
		    "response: expected 8ca523f5e9506fed4657c9700eebdbec vs actual "
		    "8ca523f5e9506fed4657c9700eebdbed" },
		{ "response", "8CA523F5E9506FED4657C9700EEBDBEC", DIGEST_CHECK_RESPONSE,
		    "response: expected 8ca5" },
		{ "response", "8ca5", DIGEST_CHECK_RESPONSE, "vs actual 8ca5" },
		{ "response", NULL, DIGEST_CHECK_RESPONSE, "response: expected a response" },
	};
	struct digest_params *p = malloc(sizeof(*p));
	enum digest_check failed;
	struct digest_expect x;
	struct err e;
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	rfc7616_expect(&x);
	rfc7616_params(p, NULL, NULL);
	if (digest_verify(p, &x, &failed, &e) == -1)
		fprintf(stderr, "\nverify RFC 7616: %s\n", e.msg);
	CU_ASSERT_EQUAL(digest_verify(p, &x, &failed, &e), 0);
	CU_ASSERT_EQUAL(failed, DIGEST_CHECK_NONE);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		rfc7616_params(p, v[i].param, v[i].value);
		expect_err(v[i].msg, digest_verify(p, &x, &failed, &e), &e, v[i].msg);
		if (failed != v[i].check)
			fprintf(stderr, "\n%s: expected check %s vs actual %s\n", v[i].msg,
			    digest_check_name(v[i].check), digest_check_name(failed));
		CU_ASSERT_EQUAL(failed, v[i].check);
	}
	/* The wrong password shows up as a wrong response. */
	rfc7616_params(p, NULL, NULL);
	x.password = "Circle Of Life";
	CU_ASSERT_EQUAL(digest_verify(p, &x, &failed, &e), -1);
	CU_ASSERT_EQUAL(failed, DIGEST_CHECK_RESPONSE);
	/* A challenge that offered only auth-int refuses auth. */
	rfc7616_expect(&x);
	x.qop = "auth-int";
	CU_ASSERT_EQUAL(digest_verify(p, &x, &failed, &e), -1);
	CU_ASSERT_EQUAL(failed, DIGEST_CHECK_QOP);
	/* Unusable expectations are not a failing check. */
	rfc7616_expect(&x);
	x.algorithm = "SHA-512-256";
	CU_ASSERT_EQUAL(digest_verify(p, &x, &failed, &e), -1);
	CU_ASSERT_EQUAL(failed, DIGEST_CHECK_NONE);
	x.algorithm = NULL;
	x.password = NULL;
	CU_ASSERT_EQUAL(digest_verify(p, &x, &failed, &e), -1);
	CU_ASSERT_EQUAL(failed, DIGEST_CHECK_NONE);
	/* Scheme. */
	rfc7616_expect(&x);
	CU_ASSERT_EQUAL_FATAL(digest_params_init(p, "Basic", &e), 0);
	CU_ASSERT_EQUAL(digest_verify(p, &x, &failed, &e), -1);
	CU_ASSERT_EQUAL(failed, DIGEST_CHECK_SCHEME);
	free(p);
}

/* Credentials our writer builds verify, in every form; the legacy form rejects nc/cnonce. */
static void
test_verify_round_trip(void)
{
	static const struct {
		const char *alg;
		const char *qop;
		int userhash;
	} v[] = {
		{ NULL, NULL, 0 }, { "MD5", "auth", 0 }, { "MD5", "auth-int", 0 },
		{ "MD5-sess", "auth", 0 }, { "SHA-256", "auth", 1 },
		{ "SHA-256-sess", "auth-int", 0 },
		{ "SHA-256", NULL, 0 },
	};
	struct digest_params *p = malloc(sizeof(*p));
	struct digest_credentials c;
	enum digest_check failed;
	struct digest_expect x;
	struct bld b;
	struct err e;
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	bld_init(&b);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		memset(&c, 0, sizeof(c));
		c.username = BTID;
		c.realm = REALM;
		c.uri = "/keymanagement?requesttype=msk-request";
		c.algorithm = v[i].alg;
		c.nonce = "abcdef";
		c.qop = v[i].qop;
		/* -sess needs a cnonce even without qop; nc only comes with a qop. */
		c.cnonce = v[i].qop != NULL || (v[i].alg && strstr(v[i].alg, "sess")) ? "c" : NULL;
		c.nc = v[i].qop != NULL ? "0000000a" : NULL;
		c.userhash = v[i].userhash;
		c.password = MRK;
		c.method = "POST";
		c.body = (const uint8_t *)"<mskRequest/>";
		c.body_len = 13;
		bld_reset(&b);
		CU_ASSERT_EQUAL_FATAL(digest_authorization_write(&b, &c, &e), 0);
		CU_ASSERT_EQUAL_FATAL(digest_parse((const char *)b.buf, b.len, p, &e), 0);
		memset(&x, 0, sizeof(x));
		x.password = MRK;
		x.method = "POST";
		x.body = c.body;
		x.body_len = c.body_len;
		x.realm = REALM;
		x.nonce = "abcdef";
		x.username = BTID;
		x.algorithm = v[i].alg;
		if (digest_verify(p, &x, &failed, &e) == -1)
			fprintf(stderr, "\nround trip %s/%s: %s\n", v[i].alg ? v[i].alg : "-",
			    v[i].qop ? v[i].qop : "-", e.msg);
		CU_ASSERT_EQUAL(digest_verify(p, &x, &failed, &e), 0);
		/* auth-int covers the body: another body fails the response check. */
		if (v[i].qop != NULL && strcmp(v[i].qop, "auth-int") == 0) {
			x.body_len = 12;
			CU_ASSERT_EQUAL(digest_verify(p, &x, &failed, &e), -1);
			CU_ASSERT_EQUAL(failed, DIGEST_CHECK_RESPONSE);
		}
	}
	/* Without qop, nc and cnonce must not be sent (RFC 2617 3.2.2). */
	CU_ASSERT_EQUAL_FATAL(digest_params_add(p, "nc", "00000001", 8, 0, &e), 0);
	CU_ASSERT_EQUAL(digest_verify(p, &x, &failed, &e), -1);
	CU_ASSERT_EQUAL(failed, DIGEST_CHECK_NC);
	bld_free(&b);
	free(p);
}

static void
test_nonce(void)
{
	char a[2 * 256 + 1], b[2 * 256 + 1];
	struct err e;
	size_t i;

	CU_ASSERT_EQUAL(digest_nonce(16, a, &e), 0);
	CU_ASSERT_EQUAL(digest_nonce(16, b, &e), 0);
	CU_ASSERT_EQUAL(strlen(a), 32);
	CU_ASSERT_STRING_NOT_EQUAL(a, b);
	for (i = 0; a[i] != '\0'; i++)
		CU_ASSERT_PTR_NOT_NULL(strchr("0123456789abcdef", a[i]));
	CU_ASSERT_EQUAL(digest_nonce(256, a, &e), 0);
	CU_ASSERT_EQUAL(strlen(a), 512);
	expect_err("0", digest_nonce(0, a, &e), &e, "outside 1..256");
	expect_err("257", digest_nonce(257, a, &e), &e, "outside 1..256");
}

/* --- loopback plumbing ------------------------------------------------------------------- */

static int
tcp_connect(uint16_t port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
send_all(int fd, const uint8_t *p, size_t n)
{
	struct pollfd pf = { fd, POLLOUT, 0 };
	ssize_t w;

	while (n > 0) {
		if (poll(&pf, 1, IO_TIMEOUT_MS) != 1)
			return -1;
		if ((w = send(fd, p, n, MSG_NOSIGNAL)) <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads until the reader holds a message; NULL on timeout, EOF first, or a parse error. */
static const struct http_msg *
recv_msg(int fd, struct http_reader *r, struct err *e)
{
	struct pollfd pf = { fd, POLLIN, 0 };
	uint8_t buf[4096];
	ssize_t n;

	while (http_reader_peek(r) == NULL) {
		if (poll(&pf, 1, IO_TIMEOUT_MS) != 1) {
			err_setx(e, "no answer within %d ms", IO_TIMEOUT_MS);
			return NULL;
		}
		if ((n = recv(fd, buf, sizeof(buf), 0)) < 0) {
			err_set(e, "recv");
			return NULL;
		}
		if ((n == 0 ? http_reader_finish(r, e) :
		    http_reader_feed(r, buf, (size_t)n, e)) == -1)
			return NULL;
		if (n == 0 && http_reader_peek(r) == NULL) {
			err_setx(e, "connection closed without an answer");
			return NULL;
		}
	}
	return http_reader_peek(r);
}

/* Writes a request with up to two extra fields and sends it. */
static int
send_request(int fd, const char *method, const char *target, const char *auth,
    const char *body)
{
	struct http_field f[2];
	struct http_out m;
	struct bld b;
	struct err e;
	int rc;

	memset(&m, 0, sizeof(m));
	f[0].name = "Host";
	f[0].name_len = 4;
	f[0].value = "127.0.0.1";
	f[0].value_len = 9;
	m.nfields = 1;
	if (auth != NULL) {
		f[1].name = "Authorization";
		f[1].name_len = 13;
		f[1].value = auth;
		f[1].value_len = strlen(auth);
		m.nfields = 2;
	}
	m.method = method;
	m.target = target;
	m.fields = f;
	m.body = (const uint8_t *)body;
	m.body_len = body != NULL ? strlen(body) : 0;
	bld_init(&b);
	rc = http_write_request(&b, &m, &e);
	if (rc == 0)
		rc = send_all(fd, b.buf, b.len);
	bld_free(&b);
	return rc;
}

/* --- peer (a): libmicrohttpd checks credentials our module built ------------------------- */

struct mhd_ctx {
	const char *realm, *user, *pass, *opaque;
	size_t nreq;
	size_t body_bytes;
	int last_auth;		/* MHD_YES, MHD_NO, MHD_INVALID_NONCE, or 2 for "not asked" */
};

static enum MHD_Result
mhd_answer(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *upload, size_t *upload_size, void **req)
{
	struct mhd_ctx *c = cls;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char *user;
	int ok;

	(void)url;
	(void)method;
	(void)version;
	(void)upload;
	/* The first call only announces the request; uploads come next; the last call answers. */
	if (*req == NULL) {
		*req = c;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		c->body_bytes += *upload_size;
		*upload_size = 0;
		return MHD_YES;
	}
	c->nreq++;
	c->last_auth = 2;
	if ((user = MHD_digest_auth_get_username(conn)) != NULL) {
		c->last_auth = MHD_digest_auth_check2(conn, c->realm, c->user, c->pass, 300,
		    MHD_DIGEST_ALG_MD5);
		MHD_free(user);
	}
	if (c->last_auth == MHD_YES) {
		resp = MHD_create_response_from_buffer(2, (void *)"ok", MHD_RESPMEM_PERSISTENT);
		ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	} else {
		ok = c->last_auth == MHD_INVALID_NONCE ? MHD_YES : MHD_NO;
		resp = MHD_create_response_from_buffer(6, (void *)"denied",
		    MHD_RESPMEM_PERSISTENT);
		ret = MHD_queue_auth_fail_response2(conn, c->realm, c->opaque, resp, ok,
		    MHD_DIGEST_ALG_MD5);
	}
	MHD_destroy_response(resp);
	return ret;
}

/* Sends one request on fd and returns the answer's status (0 on failure); keeps the reader. */
static int
exchange(int fd, struct http_reader *r, const char *method, const char *target,
    const char *auth, const char *body, struct bld *www)
{
	const struct http_msg *m;
	const struct http_header *h;
	struct err e;
	int status;

	if (send_request(fd, method, target, auth, body) == -1)
		return 0;
	if ((m = recv_msg(fd, r, &e)) == NULL) {
		fprintf(stderr, "\nexchange %s %s: %s\n", method, target, e.msg);
		return 0;
	}
	status = m->status;
	if (www != NULL) {
		bld_reset(www);
		if ((h = http_msg_header(m, "WWW-Authenticate")) != NULL)
			bld_bytes(www, h->value, h->value_len + 1);
	}
	http_reader_pop(r);
	return status;
}

static void
test_peer_libmicrohttpd(void)
{
	static const char target[] = "/keymanagement?requesttype=msk-request";
	struct mhd_ctx ctx = { REALM, BTID, MRK, "opaque-1", 0, 0, 0 };
	struct digest_params *p = malloc(sizeof(*p));
	const union MHD_DaemonInfo *info;
	struct digest_credentials c;
	struct http_reader *r = NULL;
	struct MHD_Daemon *d;
	struct sockaddr_in sa;
	uint8_t rnd[32];
	char cnonce[33];
	struct bld www, auth;
	struct err e;
	int fd = -1;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL_FATAL(crypto_random(rnd, sizeof(rnd), &e), 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, mhd_answer, &ctx,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_DIGEST_AUTH_RANDOM, sizeof(rnd), rnd,
	    MHD_OPTION_NONCE_NC_SIZE, 64u,
	    MHD_OPTION_CONNECTION_TIMEOUT, 10u,
	    MHD_OPTION_END);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	bld_init(&www);
	bld_init(&auth);
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (info == NULL || (fd = tcp_connect(info->port)) == -1 ||
	    (r = http_reader_new(HTTP_KIND_RESPONSE, NULL, &e)) == NULL) {
		CU_FAIL("cannot reach the libmicrohttpd server");
		goto done;
	}
	/*
	 * No credentials: a challenge we can parse. libmicrohttpd 0.9.75 binds its nonce to the
	 * method and URI of the request it challenged, so this one is the POST we will repeat.
	 */
	CU_ASSERT_EQUAL(exchange(fd, r, "POST", target, NULL, "<mskRequest/>", &www), 401);
	if (www.len == 0 || digest_parse((const char *)www.buf, www.len - 1, p, &e) == -1) {
		fprintf(stderr, "\nlibmicrohttpd challenge: %s\n", www.len ? e.msg : "none");
		CU_FAIL("libmicrohttpd challenge did not parse");
		goto done;
	}
	CU_ASSERT_STRING_EQUAL(p->scheme, "Digest");
	CU_ASSERT_STRING_EQUAL(pval(p, "realm"), REALM);
	CU_ASSERT_STRING_EQUAL(pval(p, "qop"), "auth");
	CU_ASSERT_STRING_EQUAL(pval(p, "opaque"), "opaque-1");
	/* Our credentials, with the body framed by our writer: accepted. */
	CU_ASSERT_EQUAL_FATAL(digest_nonce(16, cnonce, &e), 0);
	memset(&c, 0, sizeof(c));
	c.username = BTID;
	c.realm = pval(p, "realm");
	c.uri = target;
	c.algorithm = digest_param_get(p, "algorithm") ? pval(p, "algorithm") : NULL;
	c.nonce = pval(p, "nonce");
	c.nc = "00000001";
	c.cnonce = cnonce;
	c.qop = "auth";
	c.opaque = pval(p, "opaque");
	c.password = MRK;
	c.method = "POST";
	CU_ASSERT_EQUAL_FATAL(digest_authorization_write(&auth, &c, &e), 0);
	CU_ASSERT_EQUAL(exchange(fd, r, "POST", target, cstr(&auth), "<mskRequest/>", NULL),
	    200);
	CU_ASSERT_EQUAL(ctx.last_auth, MHD_YES);
	CU_ASSERT_EQUAL(ctx.body_bytes, 2 * 13);
	/* The wrong password (next nc, same nonce): rejected. */
	c.nc = "00000002";
	c.password = "wrong";
	bld_reset(&auth);
	CU_ASSERT_EQUAL_FATAL(digest_authorization_write(&auth, &c, &e), 0);
	CU_ASSERT_EQUAL(exchange(fd, r, "POST", target, cstr(&auth), "<mskRequest/>", NULL),
	    401);
	CU_ASSERT_EQUAL(ctx.last_auth, MHD_NO);
	/* Right credentials for a GET under the POST's nonce: the nonce binding at work. */
	c.nc = "00000003";
	c.password = MRK;
	c.method = "GET";
	bld_reset(&auth);
	CU_ASSERT_EQUAL_FATAL(digest_authorization_write(&auth, &c, &e), 0);
	CU_ASSERT_EQUAL(exchange(fd, r, "GET", target, cstr(&auth), NULL, NULL), 401);
	CU_ASSERT_EQUAL(ctx.last_auth, MHD_INVALID_NONCE);
	CU_ASSERT_EQUAL(ctx.nreq, 4);
done:
	if (fd != -1)
		close(fd);
	http_reader_free(r);
	MHD_stop_daemon(d);
	bld_free(&www);
	bld_free(&auth);
	free(p);
}

/* --- peer (b): libcurl against a server made of our http and digest modules -------------- */

#define SRV_CONNS	4

/* Configuration, then results written by the server thread and read after it is joined. */
struct srv {
	const char *realm, *user, *pass, *qop, *algorithm;
	char nonce[33];
	int lfd, stop[2];
	uint16_t port;
	pthread_t th;

	int nreq, nchallenged, naccepted, nrejected, nbroken;
	int empty_body_verifies;	/* a rejected auth-int response verifies over "" */
	char check[32];
	char why[ERR_MSG_MAX];
	char auth[1024];
	char method[16];
	char target[128];
	char body[128];
	int has_host;
};

/* Answers one request: a challenge, 200 "ok" or another challenge for bad credentials. */
static void
srv_answer(struct srv *s, int fd, const struct http_msg *m)
{
	struct digest_params *p = malloc(sizeof(*p));
	const struct http_header *h = http_msg_header(m, "Authorization");
	struct http_field f[1];
	struct digest_challenge ch;
	struct digest_expect x;
	enum digest_check failed;
	struct http_out o;
	struct bld b, wa;
	struct err e;

	s->nreq++;
	snprintf(s->method, sizeof(s->method), "%s", m->method);
	snprintf(s->target, sizeof(s->target), "%s", m->target);
	snprintf(s->body, sizeof(s->body), "%.*s", (int)m->body_len, (const char *)m->body);
	s->has_host = http_msg_header(m, "host") != NULL;
	memset(&o, 0, sizeof(o));
	o.status = 401;
	if (h != NULL && p != NULL) {
		snprintf(s->auth, sizeof(s->auth), "%s", h->value);
		memset(&x, 0, sizeof(x));
		x.password = s->pass;
		x.method = m->method;
		x.body = m->body;
		x.body_len = m->body_len;
		x.realm = s->realm;
		x.nonce = s->nonce;
		x.username = s->user;
		x.uri = m->target;
		x.algorithm = s->algorithm;
		x.qop = s->qop;
		if (digest_parse(h->value, h->value_len, p, &e) == -1) {
			s->nbroken++;
			snprintf(s->why, sizeof(s->why), "%s", e.msg);
			o.status = 400;
		} else if (digest_verify(p, &x, &failed, &e) == 0) {
			s->naccepted++;
			o.status = 200;
			o.body = (const uint8_t *)"ok";
			o.body_len = 2;
		} else {
			s->nrejected++;
			snprintf(s->check, sizeof(s->check), "%s", digest_check_name(failed));
			snprintf(s->why, sizeof(s->why), "%s", e.msg);
			x.body_len = 0;
			s->empty_body_verifies = digest_verify(p, &x, &failed, &e) == 0;
		}
	} else
		s->nchallenged++;
	bld_init(&b);
	bld_init(&wa);
	if (o.status == 401) {
		memset(&ch, 0, sizeof(ch));
		ch.realm = s->realm;
		ch.nonce = s->nonce;
		ch.qop = s->qop;
		ch.algorithm = s->algorithm;
		ch.opaque = "o";
		if (digest_challenge_write(&wa, &ch, &e) == 0) {
			f[0].name = "WWW-Authenticate";
			f[0].name_len = 16;
			f[0].value = (const char *)wa.buf;
			f[0].value_len = wa.len;
			o.fields = f;
			o.nfields = 1;
		}
	}
	if (http_write_response(&b, &o, &e) == 0)
		(void)send_all(fd, b.buf, b.len);
	bld_free(&b);
	bld_free(&wa);
	free(p);
}

/* The server loop: plain poll() over the stop pipe, the listener and a few connections. */
static void *
srv_main(void *arg)
{
	struct srv *s = arg;
	struct pollfd pf[2 + SRV_CONNS];
	struct http_reader *rd[SRV_CONNS] = { NULL };
	const struct http_msg *m;
	uint8_t buf[4096];
	time_t deadline = time(NULL) + 20;
	struct err e;
	ssize_t n;
	int i, fd;

	for (i = 0; i < 2 + SRV_CONNS; i++) {
		pf[i].fd = -1;
		pf[i].events = POLLIN;
	}
	pf[0].fd = s->stop[0];
	pf[1].fd = s->lfd;
	while (time(NULL) < deadline) {
		if (poll(pf, 2 + SRV_CONNS, 100) <= 0)
			continue;
		if (pf[0].revents)
			break;
		if ((pf[1].revents & POLLIN) && (fd = accept(s->lfd, NULL, NULL)) != -1) {
			for (i = 0; i < SRV_CONNS && pf[2 + i].fd != -1; i++)
				;
			if (i == SRV_CONNS ||
			    (rd[i] = http_reader_new(HTTP_KIND_REQUEST, NULL, &e)) == NULL)
				close(fd);
			else
				pf[2 + i].fd = fd;
		}
		for (i = 0; i < SRV_CONNS; i++) {
			if (pf[2 + i].fd == -1 || pf[2 + i].revents == 0)
				continue;
			n = recv(pf[2 + i].fd, buf, sizeof(buf), 0);
			if (n > 0 && http_reader_feed(rd[i], buf, (size_t)n, &e) >= 0) {
				while ((m = http_reader_peek(rd[i])) != NULL) {
					srv_answer(s, pf[2 + i].fd, m);
					http_reader_pop(rd[i]);
				}
				continue;
			}
			if (n > 0) {
				s->nbroken++;
				snprintf(s->why, sizeof(s->why), "%s", e.msg);
			}
			close(pf[2 + i].fd);
			pf[2 + i].fd = -1;
			http_reader_free(rd[i]);
			rd[i] = NULL;
		}
	}
	for (i = 0; i < SRV_CONNS; i++) {
		if (pf[2 + i].fd != -1)
			close(pf[2 + i].fd);
		http_reader_free(rd[i]);
	}
	return NULL;
}

static int
srv_start(struct srv *s)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	struct err e;

	s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s->lfd == -1 || bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(s->lfd, 8) == -1 || getsockname(s->lfd, (struct sockaddr *)&sa, &len) == -1 ||
	    digest_nonce(16, s->nonce, &e) == -1 || pipe(s->stop) == -1)
		return -1;
	s->port = ntohs(sa.sin_port);
	if (pthread_create(&s->th, NULL, srv_main, s) != 0)
		return -1;
	return 0;
}

static void
srv_stop(struct srv *s)
{
	/* Should the pipe fail, the thread still ends at its deadline. */
	if (write(s->stop[1], "x", 1) != 1)
		perror("srv_stop: write");
	pthread_join(s->th, NULL);
	close(s->stop[0]);
	close(s->stop[1]);
	close(s->lfd);
}

static size_t
curl_sink(char *p, size_t size, size_t n, void *arg)
{
	bld_bytes(arg, p, size * n);
	return size * n;
}

/* One libcurl transfer with Digest; returns the final status (0 when the transfer failed). */
static long
curl_run(uint16_t port, const char *user, const char *pass, const char *body,
    struct bld *answer)
{
	struct curl_slist *hdrs = NULL;
	char url[128];
	long status = 0;
	CURLcode rc;
	CURL *c;

	snprintf(url, sizeof(url), "http://127.0.0.1:%u/keymanagement?requesttype=register",
	    (unsigned)port);
	if ((c = curl_easy_init()) == NULL)
		return 0;
	hdrs = curl_slist_append(hdrs, "Content-Type: application/mbms-register+xml");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_DIGEST);
	curl_easy_setopt(c, CURLOPT_USERNAME, user);
	curl_easy_setopt(c, CURLOPT_PASSWORD, pass);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, curl_sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, answer);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	if ((rc = curl_easy_perform(c)) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	else
		fprintf(stderr, "\nlibcurl: %s\n", curl_easy_strerror(rc));
	curl_easy_cleanup(c);
	curl_slist_free_all(hdrs);
	return status;
}

static void
test_peer_libcurl(void)
{
	static const char body[] = "<mbmsRegister><serviceId>urn:example:mbms:svc1</serviceId>"
	    "</mbmsRegister>";
	static const struct {
		const char *name;
		const char *alg;
		const char *qop;
		const char *pass;
		const char *body;
		long status;
		const char *check;	/* the check our server must report, or NULL */
	} v[] = {
		{ "MD5 auth POST", "MD5", "auth", MRK, body, 200, NULL },
		{ "MD5 auth GET, no algorithm", NULL, "auth", MRK, NULL, 200, NULL },
		{ "SHA-256 auth POST", "SHA-256", "auth", MRK, body, 200, NULL },
		{ "SHA-256-sess auth POST", "SHA-256-sess", "auth", MRK, body, 200, NULL },
		{ "MD5 both qops offered", "MD5", "auth,auth-int", MRK, body, 200, NULL },
		{ "MD5 no qop (RFC 2069)", "MD5", NULL, MRK, body, 200, NULL },
		{ "wrong password", "MD5", "auth", "not-the-mrk", body, 401, "response" },
		/* key-update.md 2.2: libcurl 7.88 hashes an empty body for auth-int on POST. */
		{ "auth-int POST (libcurl limit)", "MD5", "auth-int", MRK, body, 401, "response" },
		{ "auth-int GET", "MD5", "auth-int", MRK, NULL, 200, NULL },
	};
	struct digest_params *p = malloc(sizeof(*p));
	struct bld answer;
	struct srv s;
	struct err e;
	size_t i;
	long st;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL_FATAL(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
	bld_init(&answer);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		memset(&s, 0, sizeof(s));
		s.realm = REALM;
		s.user = BTID;
		s.pass = MRK;
		s.qop = v[i].qop;
		s.algorithm = v[i].alg;
		if (srv_start(&s) == -1) {
			CU_FAIL("cannot start the loopback server");
			break;
		}
		bld_reset(&answer);
		st = curl_run(s.port, BTID, v[i].pass, v[i].body, &answer);
		srv_stop(&s);
		if (st != v[i].status || s.nbroken != 0 || s.nchallenged < 1 ||
		    (v[i].check == NULL) != (s.naccepted == 1) ||
		    (v[i].check != NULL && strcmp(s.check, v[i].check) != 0))
			fprintf(stderr, "\nlibcurl %s: status %ld (expected %ld), requests %d, "
			    "challenged %d, accepted %d, rejected %d, broken %d, check '%s' (%s)\n"
			    "  Authorization: %s\n", v[i].name, st, v[i].status, s.nreq,
			    s.nchallenged, s.naccepted, s.nrejected, s.nbroken, s.check, s.why,
			    s.auth);
		CU_ASSERT_EQUAL(st, v[i].status);
		CU_ASSERT_EQUAL(s.nbroken, 0);
		CU_ASSERT_EQUAL(s.nchallenged, 1);
		CU_ASSERT_TRUE(s.has_host);
		CU_ASSERT_STRING_EQUAL(s.target, "/keymanagement?requesttype=register");
		CU_ASSERT_STRING_EQUAL(s.method, v[i].body != NULL ? "POST" : "GET");
		CU_ASSERT_STRING_EQUAL(s.body, v[i].body != NULL ? v[i].body : "");
		if (v[i].check == NULL) {
			CU_ASSERT_EQUAL(s.naccepted, 1);
			CU_ASSERT_EQUAL(answer.len, 2);
		} else {
			CU_ASSERT_EQUAL(s.nrejected, 1);
			CU_ASSERT_STRING_EQUAL(s.check, v[i].check);
		}
		if (strstr(v[i].name, "libcurl limit") != NULL)
			CU_ASSERT_TRUE(s.empty_body_verifies);
		/* libcurl's credentials parse and carry what RFC 7616 3.4 asks for. */
		if (digest_parse(s.auth, strlen(s.auth), p, &e) == 0 && v[i].qop != NULL) {
			CU_ASSERT_STRING_EQUAL(pval(p, "nc"), "00000001");
			CU_ASSERT_FALSE(digest_param_get(p, "nc")->quoted);
			CU_ASSERT_PTR_NOT_NULL(digest_param_get(p, "cnonce"));
			CU_ASSERT_STRING_EQUAL(pval(p, "opaque"), "o");
		} else if (v[i].qop != NULL)
			CU_FAIL("libcurl's Authorization did not parse");
	}
	bld_free(&answer);
	curl_global_cleanup();
	free(p);
}

int
test_digest_register(void)
{
	static const struct tu_test tests[] = {
		{ "known answers (RFC 2617, RFC 7616, hashlib)", test_known_answers },
		{ "algorithm and qop names", test_names },
		{ "challenge and authorization byte-exact", test_write_headers },
		{ "parse edge cases", test_parse },
		{ "parse malformed, errors name the byte", test_parse_malformed },
		{ "parse truncation sweep", test_parse_truncation },
		{ "verify names each failing check", test_verify },
		{ "verify what we build, every form", test_verify_round_trip },
		{ "nonce", test_nonce },
		{ "peer: libmicrohttpd accepts our credentials", test_peer_libmicrohttpd },
		{ "peer: libcurl accepted by our server", test_peer_libcurl },
		{ NULL, NULL }
	};

	return tu_register("digest", tests);
}
