/* test_digest_parse: Digest headers written byte for byte; parse edge cases and a truncation sweep. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "digest.h"
#include "testdigest.h"
#include "testutil.h"

/* RFC 7616 3.9.1. */
#define R7616_USER	"Mufasa"
#define R7616_PASS	"Circle of Life"
#define R7616_REALM	"http-auth@example.org"
#define R7616_NONCE	"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
#define R7616_CNONCE	"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
#define R7616_OPAQUE	"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"
#define R7616_URI	"/dir/index.html"

#define REALM	"bmsc.mnc001.mcc001.pub.3gppnetwork.org"

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
	tu_digest_expect_str("challenge", tu_digest_cstr(&b), "Digest realm=\"http-auth@example.org\", "
	    "qop=\"auth, auth-int\", algorithm=SHA-256, "
	    "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
	    "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"");
	bld_reset(&b);
	memset(&ch, 0, sizeof(ch));
	ch.realm = "a \"quoted\" \\ realm";
	ch.nonce = "n";
	ch.stale = 1;
	CU_ASSERT_EQUAL_FATAL(digest_challenge_write(&b, &ch, &e), 0);
	tu_digest_expect_str("escapes", tu_digest_cstr(&b),
	    "Digest realm=\"a \\\"quoted\\\" \\\\ realm\", nonce=\"n\", stale=true");
	bld_reset(&b);
	ch.realm = "bad\r\nrealm";
	tu_digest_expect_err("CRLF realm", digest_challenge_write(&b, &ch, &e), &e,
	    "realm value holds control byte 0x0d at 3");
	ch.realm = "r";
	ch.algorithm = "MD 5";
	tu_digest_expect_err("bad token", digest_challenge_write(&b, &ch, &e), &e,
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
	tu_digest_expect_str("authorization", tu_digest_cstr(&b), "Digest username=\"Mufasa\", "
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
	CU_ASSERT_PTR_NOT_NULL(strstr(tu_digest_cstr(&b), "algorithm=X-Unknown, "));
	CU_ASSERT_PTR_NOT_NULL(strstr(tu_digest_cstr(&b), "nc=zz, "));
	CU_ASSERT_PTR_NOT_NULL(strstr(tu_digest_cstr(&b), "response=\"not-a-digest\""));
	c.response = NULL;
	tu_digest_expect_err("unknown algorithm", digest_authorization_write(&b, &c, &e), &e,
	    "cannot hash with unknown algorithm 'X-Unknown'");
	/* userhash: RFC 7616 3.4.4, H("Mufasa:http-auth@example.org") per Python hashlib. */
	bld_reset(&b);
	c.algorithm = "SHA-256";
	c.nc = "00000001";
	c.userhash = 1;
	CU_ASSERT_EQUAL_FATAL(digest_authorization_write(&b, &c, &e), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(tu_digest_cstr(&b), "username=\"a947aad205e80e429958a387394944c6"
	    "b496301e79f89d35a4cc23b6ee12b5b6\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(tu_digest_cstr(&b), "userhash=true"));
	bld_free(&b);
}

/* --- parser ------------------------------------------------------------------------------ */

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
	tu_digest_expect_err("folded", digest_parse(rfc, strlen(rfc), p, &e), &e,
	    "expected a space after the scheme at byte 6, found 0x0a");
	CU_ASSERT_EQUAL(digest_parse(odd, strlen(odd), p, &e), 0);
	CU_ASSERT_STRING_EQUAL(p->scheme, "digest");
	CU_ASSERT_EQUAL(p->n, 4);
	CU_ASSERT_STRING_EQUAL(p->p[0].name, "Realm");
	CU_ASSERT_STRING_EQUAL(tu_digest_pval(p, "realm"), "a\"b\\cd");
	CU_ASSERT_TRUE(p->p[0].quoted);
	CU_ASSERT_EQUAL(p->p[0].offset, 12);
	CU_ASSERT_STRING_EQUAL(tu_digest_pval(p, "nonce"), "");
	CU_ASSERT_STRING_EQUAL(tu_digest_pval(p, "stale"), "TRUE");
	CU_ASSERT_FALSE(p->p[2].quoted);
	CU_ASSERT_STRING_EQUAL(tu_digest_pval(p, "x-ext"), "caf\xc3\xa9");
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
		tu_digest_expect_err(v[i].s, digest_parse(v[i].s, strlen(v[i].s), p, &e), &e, v[i].err);
	/* Too many parameters, and too much text, are errors rather than overflows. */
	n = (size_t)snprintf(many, sizeof(many), "Digest ");
	for (i = 0; i < DIGEST_MAX_PARAMS + 1; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "p%zu=1,", i);
	tu_digest_expect_err("many", digest_parse(many, n, p, &e), &e, "more than 32 parameters");
	big = malloc(DIGEST_MAX_TEXT + 32);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memcpy(big, "Digest r=\"", 10);
	memset(big + 10, 'a', DIGEST_MAX_TEXT + 10);
	big[DIGEST_MAX_TEXT + 20] = '"';
	tu_digest_expect_err("long", digest_parse(big, DIGEST_MAX_TEXT + 21, p, &e), &e, "too long");
	/*
	 * The text limit is exact: "Digest" and "r" take 9 bytes with their NULs, so a value of
	 * DIGEST_MAX_TEXT - 10 bytes and its NUL just fit, and one byte more does not.
	 */
	big[DIGEST_MAX_TEXT] = '"';
	CU_ASSERT_EQUAL(digest_parse(big, DIGEST_MAX_TEXT + 1, p, &e), 0);
	CU_ASSERT_EQUAL(p->used, DIGEST_MAX_TEXT);
	big[DIGEST_MAX_TEXT] = 'a';
	big[DIGEST_MAX_TEXT + 1] = '"';
	tu_digest_expect_err("one more", digest_parse(big, DIGEST_MAX_TEXT + 2, p, &e), &e, "too long");
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
	CU_ASSERT_STRING_EQUAL(tu_digest_pval(p, "cnonce"), "f2/wE4q\"74E6");
	CU_ASSERT_TRUE(ok > 9);
	free(p);
}

int
test_digest_parse_register(void)
{
	static const struct tu_test tests[] = {
		{ "challenge and authorization byte-exact", test_write_headers },
		{ "parse edge cases", test_parse },
		{ "parse malformed, errors name the byte", test_parse_malformed },
		{ "parse truncation sweep", test_parse_truncation },
		{ NULL, NULL }
	};

	return tu_register("digest_parse", tests);
}
