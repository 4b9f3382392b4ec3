/* digest: RFC 7616 / RFC 2617 Digest challenges, credentials, responses and their checks. */
#include "digest.h"

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
static int
ieq(const char *a, const char *b)
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
		if (ieq(name, alg_names[i].name)) {
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

static enum crypto_md
alg_md(enum digest_alg alg)
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

static struct crypto_iov
iov_str(const char *s)
{
	struct crypto_iov v = { s, strlen(s) };

	return v;
}

/* out = lower-case hex of H(f[0] ":" f[1] ":" ... f[n-1]). */
static int
hash_join(enum crypto_md md, const struct crypto_iov *f, size_t n,
    char out[DIGEST_HEX_MAX + 1], struct err *e)
{
	struct crypto_iov iov[2 * JOIN_MAX];
	uint8_t h[CRYPTO_MAX_MD];
	size_t i, k = 0;

	for (i = 0; i < n && i < JOIN_MAX; i++) {
		if (i > 0)
			iov[k++] = iov_str(":");
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
	enum crypto_md md = alg_md(in->alg);
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
	f[0] = iov_str(in->username);
	f[1] = iov_str(in->realm);
	f[2] = iov_str(in->password);
	if (hash_join(md, f, 3, ha1, e) == -1)
		goto done;
	if (alg_sess(in->alg)) {
		f[0] = iov_str(ha1);
		f[1] = iov_str(in->nonce);
		f[2] = iov_str(in->cnonce);
		if (hash_join(md, f, 3, ha1, e) == -1)
			goto done;
	}
	/* A2 = method:uri, and for auth-int method:uri:H(entity-body) (RFC 7616 3.4.3). */
	f[0] = iov_str(in->method);
	f[1] = iov_str(in->uri);
	if (in->qop == DIGEST_QOP_AUTH_INT) {
		f[2].p = in->body;
		f[2].len = in->body != NULL ? in->body_len : 0;
		if (crypto_hash(md, &f[2], 1, h, e) == -1)
			goto done;
		hex_encode(h, crypto_md_len(md), hbody);
		f[2] = iov_str(hbody);
	}
	if (hash_join(md, f, in->qop == DIGEST_QOP_AUTH_INT ? 3 : 2, ha2, e) == -1)
		goto done;
	/* RFC 7616 3.4.1 with a qop; RFC 2617 3.2.2.1 without. */
	f[0] = iov_str(ha1);
	f[1] = iov_str(in->nonce);
	if (in->qop != DIGEST_QOP_NONE) {
		f[2] = iov_str(in->nc);
		f[3] = iov_str(in->cnonce);
		f[4] = iov_str(digest_qop_name(in->qop));
		f[5] = iov_str(ha2);
		rc = hash_join(md, f, 6, out, e);
	} else {
		f[2] = iov_str(ha2);
		rc = hash_join(md, f, 3, out, e);
	}
done:
	/* H(A1) stands in for the password. */
	crypto_cleanse(ha1, sizeof(ha1));
	return rc;
}

/* --- writers ----------------------------------------------------------------------------- */

static int
is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int
is_token(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!is_tchar((unsigned char)*s))
			return 0;
	return 1;
}

/* qdtext or quoted-pair content: HTAB, SP, VCHAR, obs-text (RFC 9110 5.6.4). */
static int
is_qchar(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static void
put(struct bld *b, const char *s)
{
	bld_bytes(b, s, strlen(s));
}

/* Appends ", name=value" (no comma for the first), quoting and escaping when asked. */
static int
put_param(struct bld *b, int *first, const char *name, const char *v, int quoted,
    struct err *e)
{
	const char *s;

	if (v == NULL)
		return 0;
	if (!quoted && !is_token(v))
		return err_setx(e, "digest: %s value '%s' is not a token", name, v);
	for (s = v; quoted && *s != '\0'; s++)
		if (!is_qchar((unsigned char)*s))
			return err_setx(e, "digest: %s value holds control byte 0x%02x at %zu",
			    name, (unsigned char)*s, (size_t)(s - v));
	if (!*first)
		put(b, ", ");
	*first = 0;
	put(b, name);
	put(b, "=");
	if (!quoted) {
		put(b, v);
		return 0;
	}
	put(b, "\"");
	for (s = v; *s != '\0'; s++) {
		/* RFC 9110 5.6.4: a quote and a backslash travel as quoted-pairs. */
		if (*s == '"' || *s == '\\')
			bld_u8(b, '\\');
		bld_u8(b, (uint8_t)*s);
	}
	put(b, "\"");
	return 0;
}

int
digest_challenge_write(struct bld *b, const struct digest_challenge *c, struct err *e)
{
	int first = 1;

	if (c->realm == NULL || c->nonce == NULL)
		return err_setx(e, "digest challenge: realm and nonce are required");
	put(b, "Digest ");
	/* RFC 7616 3.9.1 example order: realm, qop, algorithm, nonce, opaque. */
	if (put_param(b, &first, "realm", c->realm, 1, e) == -1 ||
	    put_param(b, &first, "qop", c->qop, 1, e) == -1 ||
	    put_param(b, &first, "algorithm", c->algorithm, 0, e) == -1 ||
	    put_param(b, &first, "nonce", c->nonce, 1, e) == -1 ||
	    put_param(b, &first, "opaque", c->opaque, 1, e) == -1 ||
	    put_param(b, &first, "stale", c->stale ? "true" : NULL, 0, e) == -1 ||
	    put_param(b, &first, "userhash", c->userhash ? "true" : NULL, 0, e) == -1)
		return -1;
	return bld_finish(b, e);
}

int
digest_authorization_write(struct bld *b, const struct digest_credentials *c, struct err *e)
{
	char resp[DIGEST_HEX_MAX + 1], uhash[DIGEST_HEX_MAX + 1];
	const char *response = c->response, *user = c->username;
	struct digest_input in;
	struct crypto_iov f[2];
	enum digest_alg alg = DIGEST_ALG_MD5;
	enum digest_qop qop = DIGEST_QOP_NONE;
	int first = 1;

	if (c->algorithm != NULL && digest_alg_parse(c->algorithm, &alg) == -1 &&
	    (response == NULL || c->userhash))
		return err_setx(e, "digest authorization: cannot hash with unknown algorithm "
		    "'%s'; pass the response (and no userhash)", c->algorithm);
	if (c->qop != NULL && digest_qop_parse(c->qop, &qop) == -1 && response == NULL)
		return err_setx(e, "digest authorization: cannot compute with unknown qop "
		    "'%s'; pass the response", c->qop);
	if (response == NULL) {
		memset(&in, 0, sizeof(in));
		in.alg = alg;
		in.qop = qop;
		in.username = c->username;
		in.realm = c->realm;
		in.password = c->password;
		in.nonce = c->nonce;
		in.cnonce = c->cnonce;
		in.nc = c->nc;
		in.method = c->method;
		in.uri = c->uri;
		in.body = c->body;
		in.body_len = c->body_len;
		if (digest_compute(&in, resp, e) == -1)
			return err_prefix(e, "digest authorization");
		response = resp;
	}
	if (c->userhash) {
		/* RFC 7616 3.4.4: username = H(unq(username) ":" unq(realm)). */
		if (c->username == NULL || c->realm == NULL)
			return err_setx(e, "digest authorization: userhash needs username and "
			    "realm");
		f[0] = iov_str(c->username);
		f[1] = iov_str(c->realm);
		if (hash_join(alg_md(alg), f, 2, uhash, e) == -1)
			return -1;
		user = uhash;
	}
	put(b, "Digest ");
	/* RFC 7616 3.9.1 example order. */
	if (put_param(b, &first, "username", user, 1, e) == -1 ||
	    put_param(b, &first, "realm", c->realm, 1, e) == -1 ||
	    put_param(b, &first, "uri", c->uri, 1, e) == -1 ||
	    put_param(b, &first, "algorithm", c->algorithm, 0, e) == -1 ||
	    put_param(b, &first, "nonce", c->nonce, 1, e) == -1 ||
	    put_param(b, &first, "nc", c->nc, 0, e) == -1 ||
	    put_param(b, &first, "cnonce", c->cnonce, 1, e) == -1 ||
	    put_param(b, &first, "qop", c->qop, 0, e) == -1 ||
	    put_param(b, &first, "response", response, 1, e) == -1 ||
	    put_param(b, &first, "opaque", c->opaque, 1, e) == -1 ||
	    put_param(b, &first, "userhash", c->userhash ? "true" : NULL, 0, e) == -1)
		return -1;
	return bld_finish(b, e);
}

/* --- parser (RFC 9110 11.2-11.4, 5.6) ---------------------------------------------------- */

/* Appends n bytes to the parameter text; the one bounds check, keeping room for a NUL. */
static int
text_add(struct digest_params *p, const void *s, size_t n)
{
	if (n >= sizeof(p->text) - p->used)
		return -1;
	memcpy(p->text + p->used, s, n);
	p->used += n;
	return 0;
}

/* Terminates the string in progress and returns where it began, or NULL when full. */
static const char *
text_end(struct digest_params *p, size_t start)
{
	if (p->used >= sizeof(p->text))
		return NULL;
	p->text[p->used++] = '\0';
	return p->text + start;
}

static int
too_long(struct err *e)
{
	return err_setx(e, "digest: header value too long (over %d bytes of text)",
	    DIGEST_MAX_TEXT);
}

/* Describes the next byte for an error message: 'c', 0xNN or "the end". */
static const char *
next_desc(const struct cur *c, char *buf, size_t cap)
{
	uint8_t ch;

	if (cur_peek_u8(c, &ch) == -1)
		snprintf(buf, cap, "the end");
	else if (ch > 0x20 && ch < 0x7f)
		snprintf(buf, cap, "'%c'", ch);
	else
		snprintf(buf, cap, "0x%02x", ch);
	return buf;
}

static int
peek_is(const struct cur *c, uint8_t want)
{
	uint8_t ch;

	return cur_peek_u8(c, &ch) == 0 && ch == want;
}

static void
skip_ows(struct cur *c)
{
	while (peek_is(c, ' ') || peek_is(c, '\t'))
		(void)cur_skip(c, 1);
}

/* Copies a token into the text; returns its length (0 when none). */
static int
read_token(struct cur *c, struct digest_params *p, size_t *n, struct err *e)
{
	uint8_t ch;

	*n = 0;
	while (cur_peek_u8(c, &ch) == 0 && is_tchar(ch)) {
		if (text_add(p, &ch, 1) == -1)
			return too_long(e);
		(void)cur_skip(c, 1);
		(*n)++;
	}
	return 0;
}

/* Reads a quoted-string after its opening quote, unescaping quoted-pairs into the text. */
static int
read_quoted(struct cur *c, struct digest_params *p, const char *name, size_t open,
    struct err *e)
{
	uint8_t ch;

	for (;;) {
		size_t at = cur_offset(c);

		if (cur_get_u8(c, &ch) == -1)
			return err_setx(e, "digest: unterminated quoted string for '%s' opened "
			    "at byte %zu", name, open);
		if (ch == '"')
			return 0;
		if (ch == '\\' && cur_get_u8(c, &ch) == -1)
			return err_setx(e, "digest: unterminated quoted string for '%s' opened "
			    "at byte %zu (ends in a backslash)", name, open);
		if (!is_qchar(ch))
			return err_setx(e, "digest: control byte 0x%02x in the quoted value of "
			    "'%s' at byte %zu", ch, name, at);
		if (text_add(p, &ch, 1) == -1)
			return too_long(e);
	}
}

int
digest_params_init(struct digest_params *out, const char *scheme, struct err *e)
{
	out->n = 0;
	out->used = 0;
	out->scheme = "";
	if (text_add(out, scheme, strlen(scheme)) == -1 ||
	    (out->scheme = text_end(out, 0)) == NULL) {
		out->scheme = "";
		return too_long(e);
	}
	return 0;
}

const struct digest_param *
digest_param_get(const struct digest_params *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (ieq(p->p[i].name, name))
			return &p->p[i];
	return NULL;
}

/* Registers the name just copied at text[start]; the value follows. */
static int
add_name(struct digest_params *p, size_t start, size_t at, struct err *e)
{
	const char *name = text_end(p, start);

	if (name == NULL)
		return too_long(e);
	if (digest_param_get(p, name) != NULL)
		return err_setx(e, "digest: duplicate parameter '%s' at byte %zu", name, at);
	if (p->n == DIGEST_MAX_PARAMS)
		return err_setx(e, "digest: more than %d parameters at byte %zu",
		    DIGEST_MAX_PARAMS, at);
	memset(&p->p[p->n], 0, sizeof(p->p[p->n]));
	p->p[p->n].name = name;
	p->p[p->n].offset = at;
	p->n++;
	return 0;
}

int
digest_params_add(struct digest_params *out, const char *name, const char *value,
    size_t value_len, int quoted, struct err *e)
{
	struct digest_param *dp;
	size_t start = out->used;

	if (text_add(out, name, strlen(name)) == -1)
		return too_long(e);
	if (add_name(out, start, 0, e) == -1)
		return -1;
	dp = &out->p[out->n - 1];
	start = out->used;
	if (memchr(value, '\0', value_len) != NULL) {
		out->n--;
		return err_setx(e, "digest: value of '%s' holds a NUL byte", name);
	}
	if (text_add(out, value, value_len) == -1 || (dp->value = text_end(out, start)) == NULL) {
		out->n--;
		return too_long(e);
	}
	dp->value_len = value_len;
	dp->quoted = quoted;
	return 0;
}

int
digest_parse(const char *s, size_t len, struct digest_params *out, struct err *e)
{
	struct digest_param *dp;
	struct cur c;
	size_t n, start, at;
	char d[8];

	out->n = 0;
	out->used = 0;
	out->scheme = "";
	cur_init(&c, (const uint8_t *)s, len);
	skip_ows(&c);
	if (read_token(&c, out, &n, e) == -1)
		return -1;
	if (n == 0)
		return err_setx(e, "digest: expected an auth-scheme at byte %zu, found %s",
		    cur_offset(&c), next_desc(&c, d, sizeof(d)));
	if ((out->scheme = text_end(out, 0)) == NULL) {
		out->scheme = "";
		return too_long(e);
	}
	if (cur_remaining(&c) == 0)
		return 0;
	if (!peek_is(&c, ' '))
		return err_setx(e, "digest: expected a space after the scheme at byte %zu, "
		    "found %s", cur_offset(&c), next_desc(&c, d, sizeof(d)));
	for (;;) {
		/* RFC 9110 5.6.1: empty list elements are allowed and ignored. */
		skip_ows(&c);
		if (cur_remaining(&c) == 0)
			break;
		if (peek_is(&c, ',')) {
			(void)cur_skip(&c, 1);
			continue;
		}
		at = cur_offset(&c);
		start = out->used;
		if (read_token(&c, out, &n, e) == -1)
			return -1;
		if (n == 0)
			return err_setx(e, "digest: expected a parameter name at byte %zu, "
			    "found %s", at, next_desc(&c, d, sizeof(d)));
		if (add_name(out, start, at, e) == -1)
			return -1;
		dp = &out->p[out->n - 1];
		skip_ows(&c);
		if (!peek_is(&c, '='))
			return err_setx(e, "digest: expected '=' after '%s' at byte %zu, found %s",
			    dp->name, cur_offset(&c), next_desc(&c, d, sizeof(d)));
		(void)cur_skip(&c, 1);
		skip_ows(&c);
		start = out->used;
		at = cur_offset(&c);
		if (peek_is(&c, '"')) {
			(void)cur_skip(&c, 1);
			if (read_quoted(&c, out, dp->name, at, e) == -1)
				return -1;
			dp->quoted = 1;
		} else {
			if (read_token(&c, out, &n, e) == -1)
				return -1;
			if (n == 0)
				return err_setx(e, "digest: expected a value for '%s' at byte %zu, "
				    "found %s", dp->name, at, next_desc(&c, d, sizeof(d)));
		}
		dp->value_len = out->used - start;
		if ((dp->value = text_end(out, start)) == NULL)
			return too_long(e);
		skip_ows(&c);
		if (cur_remaining(&c) == 0)
			break;
		if (!peek_is(&c, ','))
			return err_setx(e, "digest: expected ',' after the value of '%s' at byte "
			    "%zu, found %s", dp->name, cur_offset(&c), next_desc(&c, d, sizeof(d)));
	}
	return 0;
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
	if (uh != NULL && ieq(uh, "true")) {
		f[0] = iov_str(x->username);
		f[1] = iov_str(x->realm);
		if (hash_join(alg_md(alg), f, 2, want, e) == -1) {
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
	if (got == NULL && !ieq(want, "MD5"))
		return vfail(DIGEST_CHECK_ALGORITHM, failed, e, "expected %s vs actual (absent, "
		    "meaning MD5)", want);
	if (got != NULL && !ieq(got, want))
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
	if (!ieq(p->scheme, "Digest"))
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
	if (got != NULL && ieq(got, "true") && x->username == NULL)
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
