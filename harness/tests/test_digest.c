/*
 * test_digest: Digest responses against RFC 2617 3.5 and RFC 7616 3.9.1 (values re-derived with
 * Python's hashlib), algorithm and qop names, verify() naming each failing check, and nonces.
 * Header writing and parsing are in test_digest_parse.c, the loopback peers in test_digest_peer.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "digest.h"
#include "testdigest.h"
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
		tu_digest_expect_str(v[i].name, out, v[i].want);
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
	tu_digest_expect_str("RFC 2617 3.5", out, "6629fae49393a05397450978507c4ef1");
	/* Missing inputs are refused, not hashed as empty. */
	in.cnonce = NULL;
	tu_digest_expect_err("no cnonce", digest_compute(&in, out, &e), &e, "cnonce is needed");
	in.cnonce = "0a4f113b";
	in.nc = NULL;
	tu_digest_expect_err("no nc", digest_compute(&in, out, &e), &e, "nc is needed");
	in.password = NULL;
	tu_digest_expect_err("no password", digest_compute(&in, out, &e), &e, "are all needed");
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
		tu_digest_expect_err(v[i].msg, digest_verify(p, &x, &failed, &e), &e, v[i].msg);
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
	tu_digest_expect_err("0", digest_nonce(0, a, &e), &e, "outside 1..256");
	tu_digest_expect_err("257", digest_nonce(257, a, &e), &e, "outside 1..256");
}

int
test_digest_register(void)
{
	static const struct tu_test tests[] = {
		{ "known answers (RFC 2617, RFC 7616, hashlib)", test_known_answers },
		{ "algorithm and qop names", test_names },
		{ "verify names each failing check", test_verify },
		{ "verify what we build, every form", test_verify_round_trip },
		{ "nonce", test_nonce },
		{ NULL, NULL }
	};

	return tu_register("digest", tests);
}
