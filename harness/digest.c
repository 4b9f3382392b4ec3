/* digest: RFC 7616 / RFC 2617 Digest names, response computation and credential checks. */
#include "digest.h"
#include "digest_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "cursor.h"
#include "hex.h"

/* The most fields one hash joins with ':' (the qop response has six). */
#define JOIN_MAX	6

static const struct {
	enum digest_alg alg;
	const char *name;	/* RFC 7616 6.1 registry spelling */
} alg_names[] = {
	{ DIGEST_ALG_MD5, "MD5" },
	{ DIGEST_ALG_MD5_SESS, "MD5-sess" },
	{ DIGEST_ALG_SHA256, "SHA-256" },
	{ DIGEST_ALG_SHA256_SESS, "SHA-256-sess" },
};

static const struct {
	enum digest_check check;
	const char *name;
} check_names[] = {
	{ DIGEST_CHECK_NONE, "expectation" },
	{ DIGEST_CHECK_SCHEME, "scheme" },
	{ DIGEST_CHECK_USERNAME, "username" },
	{ DIGEST_CHECK_REALM, "realm" },
	{ DIGEST_CHECK_NONCE, "nonce" },
	{ DIGEST_CHECK_URI, "uri" },
	{ DIGEST_CHECK_ALGORITHM, "algorithm" },
	{ DIGEST_CHECK_QOP, "qop" },
	{ DIGEST_CHECK_NC, "nc" },
	{ DIGEST_CHECK_CNONCE, "cnonce" },
	{ DIGEST_CHECK_OPAQUE, "opaque" },
	{ DIGEST_CHECK_RESPONSE, "response" },
};

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* ASCII case-insensitive equality of two C strings. */
int
digest_ieq(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++)
		if (lower(*a) != lower(*b))
			return 0;
	return *a == *b;
}

int
digest_alg_parse(const char *name, enum digest_alg *alg)
{
	size_t i;

	for (i = 0; name != NULL && i < sizeof(alg_names) / sizeof(alg_names[0]); i++)
		if (digest_ieq(name, alg_names[i].name)) {
			*alg = alg_names[i].alg;
			return 0;
		}
	return -1;
}

const char *
digest_alg_name(enum digest_alg alg)
{
	size_t i;

	for (i = 0; i < sizeof(alg_names) / sizeof(alg_names[0]); i++)
		if (alg_names[i].alg == alg)
			return alg_names[i].name;
	return "?";
}

int
digest_qop_parse(const char *name, enum digest_qop *qop)
{
	if (name != NULL && strcmp(name, "auth") == 0)
		*qop = DIGEST_QOP_AUTH;
	else if (name != NULL && strcmp(name, "auth-int") == 0)
		*qop = DIGEST_QOP_AUTH_INT;
	else
		return -1;
	return 0;
}

const char *
digest_qop_name(enum digest_qop qop)
{
	switch (qop) {
	case DIGEST_QOP_AUTH:
		return "auth";
	case DIGEST_QOP_AUTH_INT:
		return "auth-int";
	default:
		return "";
	}
}

const char *
digest_check_name(enum digest_check c)
{
	size_t i;

	for (i = 0; i < sizeof(check_names) / sizeof(check_names[0]); i++)
		if (check_names[i].check == c)
			return check_names[i].name;
	return "?";
}

enum crypto_md
digest_alg_md(enum digest_alg alg)
{
	return alg == DIGEST_ALG_SHA256 || alg == DIGEST_ALG_SHA256_SESS ? CRYPTO_MD_SHA256 :
	    CRYPTO_MD_MD5;
}

static int
alg_sess(enum digest_alg alg)
{
	return alg == DIGEST_ALG_MD5_SESS || alg == DIGEST_ALG_SHA256_SESS;
}

/* --- hashing (RFC 7616 3.4.1-3.4.3) ----------------------------------------------------- */

struct crypto_iov
digest_iov_str(const char *s)
{
	struct crypto_iov v = { s, strlen(s) };

	return v;
}

/* out = lower-case hex of H(f[0] ":" f[1] ":" ... f[n-1]). */
int
digest_hash_join(enum crypto_md md, const struct crypto_iov *f, size_t n,
    char out[DIGEST_HEX_MAX + 1], struct err *e)
{
	struct crypto_iov iov[2 * JOIN_MAX];
	uint8_t h[CRYPTO_MAX_MD];
	size_t i, k = 0;

	for (i = 0; i < n && i < JOIN_MAX; i++) {
		if (i > 0)
			iov[k++] = digest_iov_str(":");
		iov[k++] = f[i];
	}
	if (crypto_hash(md, iov, k, h, e) == -1)
		return -1;
	hex_encode(h, crypto_md_len(md), out);
	crypto_cleanse(h, sizeof(h));
	return 0;
}

int
digest_compute(const struct digest_input *in, char out[DIGEST_HEX_MAX + 1], struct err *e)
{
	char ha1[DIGEST_HEX_MAX + 1], ha2[DIGEST_HEX_MAX + 1], hbody[DIGEST_HEX_MAX + 1];
	enum crypto_md md = digest_alg_md(in->alg);
	struct crypto_iov f[JOIN_MAX];
	uint8_t h[CRYPTO_MAX_MD];
	int rc = -1;

	if (in->username == NULL || in->realm == NULL || in->password == NULL ||
	    in->nonce == NULL || in->method == NULL || in->uri == NULL)
		return err_setx(e, "digest: username, realm, password, nonce, method and uri "
		    "are all needed to compute a response");
	if ((in->qop != DIGEST_QOP_NONE || alg_sess(in->alg)) && in->cnonce == NULL)
		return err_setx(e, "digest: cnonce is needed with a qop or a -sess algorithm");
	if (in->qop != DIGEST_QOP_NONE && in->nc == NULL)
		return err_setx(e, "digest: nc is needed with a qop");
	/* A1 = username:realm:password; for -sess, H(that):nonce:cnonce (RFC 7616 3.4.2). */
	f[0] = digest_iov_str(in->username);
	f[1] = digest_iov_str(in->realm);
	f[2] = digest_iov_str(in->password);
	if (digest_hash_join(md, f, 3, ha1, e) == -1)
		goto done;
	if (alg_sess(in->alg)) {
		f[0] = digest_iov_str(ha1);
		f[1] = digest_iov_str(in->nonce);
		f[2] = digest_iov_str(in->cnonce);
		if (digest_hash_join(md, f, 3, ha1, e) == -1)
			goto done;
	}
	/* A2 = method:uri, and for auth-int method:uri:H(entity-body) (RFC 7616 3.4.3). */
	f[0] = digest_iov_str(in->method);
	f[1] = digest_iov_str(in->uri);
	if (in->qop == DIGEST_QOP_AUTH_INT) {
		f[2].p = in->body;
		f[2].len = in->body != NULL ? in->body_len : 0;
		if (crypto_hash(md, &f[2], 1, h, e) == -1)
			goto done;
		hex_encode(h, crypto_md_len(md), hbody);
		f[2] = digest_iov_str(hbody);
	}
	if (digest_hash_join(md, f, in->qop == DIGEST_QOP_AUTH_INT ? 3 : 2, ha2, e) == -1)
		goto done;
	/* RFC 7616 3.4.1 with a qop; RFC 2617 3.2.2.1 without. */
	f[0] = digest_iov_str(ha1);
	f[1] = digest_iov_str(in->nonce);
	if (in->qop != DIGEST_QOP_NONE) {
		f[2] = digest_iov_str(in->nc);
		f[3] = digest_iov_str(in->cnonce);
		f[4] = digest_iov_str(digest_qop_name(in->qop));
		f[5] = digest_iov_str(ha2);
		rc = digest_hash_join(md, f, 6, out, e);
	} else {
		f[2] = digest_iov_str(ha2);
		rc = digest_hash_join(md, f, 3, out, e);
	}
done:
	/* H(A1) stands in for the password. */
	crypto_cleanse(ha1, sizeof(ha1));
	return rc;
}

/* --- verification ------------------------------------------------------------------------ */

static int __attribute__((format(printf, 4, 5)))
vfail(enum digest_check check, enum digest_check *failed, struct err *e, const char *fmt, ...)
{
	char msg[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (failed != NULL)
		*failed = check;
	return err_setx(e, "%s: %s", digest_check_name(check), msg);
}

/* The value of a received parameter, or NULL when absent. */
static const char *
val(const struct digest_params *p, const char *name)
{
	const struct digest_param *dp = digest_param_get(p, name);

	return dp != NULL ? dp->value : NULL;
}

/* Compares a received parameter with the expected value; absent is a failure. */
static int
must_equal(const struct digest_params *p, const char *name, const char *want,
    enum digest_check check, enum digest_check *failed, struct err *e)
{
	const char *got = val(p, name);

	if (got == NULL)
		return vfail(check, failed, e, "expected '%s' vs actual (absent)",
		    want != NULL ? want : "present");
	if (want != NULL && strcmp(got, want) != 0)
		return vfail(check, failed, e, "expected '%s' vs actual '%s'", want, got);
	return 0;
}

/* 1 when word is one of the comma-separated items of list (optional whitespace around). */
static int
in_list(const char *list, const char *word)
{
	size_t wl = strlen(word);
	const char *s = list, *t;

	while (*s != '\0') {
		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		t = s;
		while (*t != '\0' && *t != ',')
			t++;
		while (t > s && (t[-1] == ' ' || t[-1] == '\t'))
			t--;
		if ((size_t)(t - s) == wl && strncmp(s, word, wl) == 0)
			return 1;
		s = t;
		while (*s != '\0' && *s != ',')
			s++;
	}
	return 0;
}

static int
is_nc(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (lower(s[i]) >= 'a' && lower(s[i]) <= 'f')))
			return 0;
	return i == 8;
}

static int
check_username(const struct digest_params *p, const struct digest_expect *x,
    enum digest_alg alg, enum digest_check *failed, struct err *e)
{
	const char *got = val(p, "username"), *uh = val(p, "userhash");
	char want[DIGEST_HEX_MAX + 1];
	struct crypto_iov f[2];

	if (got == NULL && val(p, "username*") != NULL)
		return vfail(DIGEST_CHECK_USERNAME, failed, e, "expected username vs actual "
		    "username* (RFC 8187 encoding, not supported)");
	if (got == NULL)
		return vfail(DIGEST_CHECK_USERNAME, failed, e, "expected '%s' vs actual (absent)",
		    x->username != NULL ? x->username : "present");
	if (x->username == NULL)
		return 0;
	if (uh != NULL && digest_ieq(uh, "true")) {
		f[0] = digest_iov_str(x->username);
		f[1] = digest_iov_str(x->realm);
		if (digest_hash_join(digest_alg_md(alg), f, 2, want, e) == -1) {
			if (failed != NULL)
				*failed = DIGEST_CHECK_NONE;
			return -1;
		}
		if (strcmp(got, want) != 0)
			return vfail(DIGEST_CHECK_USERNAME, failed, e, "expected H('%s':realm) "
			    "'%s' vs actual '%s'", x->username, want, got);
		return 0;
	}
	if (strcmp(got, x->username) != 0)
		return vfail(DIGEST_CHECK_USERNAME, failed, e, "expected '%s' vs actual '%s'",
		    x->username, got);
	return 0;
}

static int
check_algorithm(const struct digest_params *p, const char *want, enum digest_check *failed,
    struct err *e)
{
	const char *got = val(p, "algorithm");

	/* RFC 7616 3.4: an absent algorithm means MD5. */
	if (got == NULL && !digest_ieq(want, "MD5"))
		return vfail(DIGEST_CHECK_ALGORITHM, failed, e, "expected %s vs actual (absent, "
		    "meaning MD5)", want);
	if (got != NULL && !digest_ieq(got, want))
		return vfail(DIGEST_CHECK_ALGORITHM, failed, e, "expected %s vs actual %s", want,
		    got);
	return 0;
}

static int
check_qop(const struct digest_params *p, const struct digest_expect *x, enum digest_qop *qop,
    enum digest_check *failed, struct err *e)
{
	const char *got = val(p, "qop");
	const char *offered = x->qop != NULL ? x->qop : "auth,auth-int, or none";

	*qop = DIGEST_QOP_NONE;
	if (got == NULL) {
		if (x->qop != NULL)
			return vfail(DIGEST_CHECK_QOP, failed, e, "expected one of '%s' vs "
			    "actual (absent)", offered);
		return 0;
	}
	if (digest_qop_parse(got, qop) == -1 || (x->qop != NULL && !in_list(x->qop, got)))
		return vfail(DIGEST_CHECK_QOP, failed, e, "expected one of '%s' vs actual '%s'",
		    offered, got);
	return 0;
}

/* nc and cnonce come with a qop and only then (RFC 7616 3.4; RFC 2617 3.2.2). */
static int
check_nc_cnonce(const struct digest_params *p, const struct digest_expect *x,
    enum digest_qop qop, enum digest_alg alg, enum digest_check *failed, struct err *e)
{
	const char *nc = val(p, "nc"), *cn = val(p, "cnonce");

	if (qop == DIGEST_QOP_NONE) {
		if (nc != NULL)
			return vfail(DIGEST_CHECK_NC, failed, e, "expected (absent, no qop) vs "
			    "actual '%s'", nc);
	} else {
		if (nc == NULL)
			return vfail(DIGEST_CHECK_NC, failed, e, "expected '%s' vs actual "
			    "(absent)", x->nc != NULL ? x->nc : "8 hex digits");
		if (!is_nc(nc))
			return vfail(DIGEST_CHECK_NC, failed, e, "expected 8 hex digits vs actual "
			    "'%s'", nc);
		if (x->nc != NULL && strcmp(nc, x->nc) != 0)
			return vfail(DIGEST_CHECK_NC, failed, e, "expected '%s' vs actual '%s'",
			    x->nc, nc);
	}
	if (qop == DIGEST_QOP_NONE && !alg_sess(alg)) {
		if (cn != NULL)
			return vfail(DIGEST_CHECK_CNONCE, failed, e, "expected (absent, no qop) vs "
			    "actual '%s'", cn);
	} else if (cn == NULL || cn[0] == '\0')
		return vfail(DIGEST_CHECK_CNONCE, failed, e, "expected a cnonce vs actual %s",
		    cn == NULL ? "(absent)" : "''");
	return 0;
}

int
digest_verify(const struct digest_params *p, const struct digest_expect *x,
    enum digest_check *failed, struct err *e)
{
	const char *want_alg = x->algorithm != NULL ? x->algorithm : "MD5";
	char want[DIGEST_HEX_MAX + 1];
	struct digest_input in;
	enum digest_alg alg;
	enum digest_qop qop;
	const char *got;

	if (failed != NULL)
		*failed = DIGEST_CHECK_NONE;
	if (x->password == NULL || x->method == NULL || x->realm == NULL || x->nonce == NULL)
		return err_setx(e, "expectation: password, method, realm and nonce are needed");
	if (digest_alg_parse(want_alg, &alg) == -1)
		return err_setx(e, "expectation: cannot verify algorithm '%s'", want_alg);
	if (!digest_ieq(p->scheme, "Digest"))
		return vfail(DIGEST_CHECK_SCHEME, failed, e, "expected Digest vs actual %s",
		    p->scheme);
	if (check_username(p, x, alg, failed, e) == -1 ||
	    must_equal(p, "realm", x->realm, DIGEST_CHECK_REALM, failed, e) == -1 ||
	    must_equal(p, "nonce", x->nonce, DIGEST_CHECK_NONCE, failed, e) == -1 ||
	    must_equal(p, "uri", x->uri, DIGEST_CHECK_URI, failed, e) == -1 ||
	    check_algorithm(p, want_alg, failed, e) == -1 ||
	    check_qop(p, x, &qop, failed, e) == -1 ||
	    check_nc_cnonce(p, x, qop, alg, failed, e) == -1)
		return -1;
	if (x->opaque != NULL &&
	    must_equal(p, "opaque", x->opaque, DIGEST_CHECK_OPAQUE, failed, e) == -1)
		return -1;
	if ((got = val(p, "response")) == NULL)
		return vfail(DIGEST_CHECK_RESPONSE, failed, e, "expected a response vs actual "
		    "(absent)");
	got = val(p, "userhash");
	if (got != NULL && digest_ieq(got, "true") && x->username == NULL)
		return err_setx(e, "expectation: a hashed username needs the expected username");
	memset(&in, 0, sizeof(in));
	in.alg = alg;
	in.qop = qop;
	in.username = x->username != NULL ? x->username : val(p, "username");
	in.realm = x->realm;
	in.password = x->password;
	in.nonce = x->nonce;
	in.cnonce = val(p, "cnonce");
	in.nc = val(p, "nc");
	in.method = x->method;
	in.uri = val(p, "uri");
	in.body = x->body;
	in.body_len = x->body_len;
	if (digest_compute(&in, want, e) == -1)
		return -1;
	got = val(p, "response");
	/* The length of a hex digest is public; the digits are compared in constant time. */
	if (strlen(got) != strlen(want) || !crypto_equal(got, want, strlen(want)))
		return vfail(DIGEST_CHECK_RESPONSE, failed, e, "expected %s vs actual %s", want,
		    got);
	if (failed != NULL)
		*failed = DIGEST_CHECK_NONE;
	return 0;
}

int
digest_nonce(size_t n, char *out, struct err *e)
{
	uint8_t raw[256];

	if (n == 0 || n > sizeof(raw))
		return err_setx(e, "digest: nonce length %zu outside 1..%zu", n, sizeof(raw));
	if (crypto_random(raw, n, e) == -1)
		return -1;
	hex_encode(raw, n, out);
	return 0;
}
