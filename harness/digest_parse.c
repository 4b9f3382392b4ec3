/* digest_parse: Digest challenge and credentials header fields, written and parsed. */
#include "digest.h"
#include "digest_int.h"

#include <stdio.h>
#include <string.h>

#include "cursor.h"

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
		f[0] = digest_iov_str(c->username);
		f[1] = digest_iov_str(c->realm);
		if (digest_hash_join(digest_alg_md(alg), f, 2, uhash, e) == -1)
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
		if (digest_ieq(p->p[i].name, name))
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
