/* http: the incremental HTTP/1.1 reader on top of http-parser 2.9 (the one user of it). */
#include "http.h"
#include "http_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <http_parser.h>

/* --- reader ------------------------------------------------------------------------------ */

/* Which element the last data callback extended; pieces of one element arrive in a row. */
enum elem {
	EL_NONE,
	EL_START,	/* request target or reason phrase */
	EL_FIELD,
	EL_VALUE
};

/* Where a header's name and value sit in the reader's text buffer. */
struct hoff {
	size_t noff, nlen, voff, vlen;
};

/* A queued message and its storage, in one allocation: node, headers, text, body. */
struct node {
	struct node *next;
	struct http_msg m;
};

struct http_reader {
	http_parser p;
	enum http_kind kind;
	struct http_limits lim;
	struct err err;
	int failed;
	int finished;
	int upgraded;
	int closed;		/* the last message did not keep the connection alive */
	int at_eof;		/* inside http_reader_finish() */
	int cb_failed;		/* a callback wrote err itself */
	uint64_t consumed;	/* stream bytes fed before the current chunk */

	/* The message in progress. */
	int headers_done;
	enum elem last;
	int has_start;
	size_t start_off, start_len;
	struct bld text;	/* target/reason, then names and values, each NUL-terminated */
	struct hoff *h;
	size_t nh, caph;
	size_t ntrail_from;	/* index of the first trailer */
	size_t header_bytes;
	struct bld body;
	int chunked;
	int has_cl;
	uint64_t cl;

	struct node *head, *tail;
	size_t nready;
};

static struct http_reader *
reader_of(http_parser *p)
{
	return p->data;
}

/* Records a failure from inside a callback, which then returns the -1 this returns. */
static int __attribute__((format(printf, 2, 3)))
cb_fail(struct http_reader *r, const char *fmt, ...)
{
	char msg[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	err_setx(&r->err, "%s", msg);
	r->cb_failed = 1;
	/* Not 1 or 2: on_headers_complete gives those a meaning (no body, upgrade). */
	return -1;
}

static void
msg_reset(struct http_reader *r)
{
	bld_reset(&r->text);
	bld_reset(&r->body);
	r->headers_done = 0;
	r->last = EL_NONE;
	r->has_start = 0;
	r->start_off = r->start_len = 0;
	r->nh = 0;
	r->ntrail_from = 0;
	r->header_bytes = 0;
	r->chunked = 0;
	r->has_cl = 0;
	r->cl = 0;
}

/* Ends the element in progress with a NUL so that names and values read as C strings. */
static void
close_elem(struct http_reader *r)
{
	if (r->last == EL_NONE)
		return;
	bld_u8(&r->text, 0);
	r->last = EL_NONE;
}

static int
count_header(struct http_reader *r, size_t n)
{
	/* header_bytes never exceeds the limit, so the subtraction cannot wrap. */
	if (n > r->lim.max_header - r->header_bytes)
		return cb_fail(r, "header section exceeds max_header (%zu bytes)",
		    r->lim.max_header);
	r->header_bytes += n;
	return 0;
}

static int
on_message_begin(http_parser *p)
{
	struct http_reader *r = reader_of(p);

	/* What a strict http-parser build does itself: nothing may follow a closing message. */
	if (r->closed)
		return cb_fail(r, "a message follows one that closed the connection "
		    "(Connection: close or HTTP/1.0 without keep-alive)");
	msg_reset(r);
	return 0;
}

static int
on_start_piece(http_parser *p, const char *at, size_t n)
{
	struct http_reader *r = reader_of(p);

	if (count_header(r, n) == -1)
		return -1;
	if (r->last != EL_START) {
		close_elem(r);
		r->has_start = 1;
		r->start_off = r->text.len;
		r->start_len = 0;
		r->last = EL_START;
	}
	bld_bytes(&r->text, at, n);
	r->start_len += n;
	return 0;
}

static int
on_field(http_parser *p, const char *at, size_t n)
{
	struct http_reader *r = reader_of(p);

	if (count_header(r, n) == -1)
		return -1;
	if (r->last != EL_FIELD) {
		struct hoff *nh;

		close_elem(r);
		if (r->nh == r->caph) {
			size_t cap = r->caph ? r->caph * 2 : 16;

			if ((nh = realloc(r->h, cap * sizeof(*nh))) == NULL)
				return cb_fail(r, "out of memory");
			r->h = nh;
			r->caph = cap;
		}
		memset(&r->h[r->nh], 0, sizeof(r->h[r->nh]));
		r->h[r->nh].noff = r->text.len;
		r->nh++;
		r->last = EL_FIELD;
	}
	bld_bytes(&r->text, at, n);
	r->h[r->nh - 1].nlen += n;
	return 0;
}

static int
on_value(http_parser *p, const char *at, size_t n)
{
	struct http_reader *r = reader_of(p);

	if (count_header(r, n) == -1)
		return -1;
	if (r->nh == 0)
		return cb_fail(r, "header value without a name");
	if (r->last != EL_VALUE) {
		close_elem(r);
		r->h[r->nh - 1].voff = r->text.len;
		r->last = EL_VALUE;
	}
	bld_bytes(&r->text, at, n);
	r->h[r->nh - 1].vlen += n;
	return 0;
}

static const char *
hname(const struct http_reader *r, size_t i)
{
	return (const char *)r->text.buf + r->h[i].noff;
}

/*
 * Debian builds libhttp_parser with HTTP_PARSER_STRICT=0, which lets a space into header names;
 * RFC 9112 5.1 requires rejecting whitespace before the colon, so names are checked here.
 */
static int
check_names(struct http_reader *r, size_t from)
{
	size_t i;

	for (i = from; i < r->nh; i++)
		if (!http_is_token(hname(r, i), r->h[i].nlen))
			return cb_fail(r, "header name '%.*s' (field #%zu) is not a token "
			    "(RFC 9112 5.1)", (int)r->h[i].nlen, hname(r, i), i + 1);
	return 0;
}

static int
on_headers_complete(http_parser *p)
{
	struct http_reader *r = reader_of(p);
	size_t i, ncl = 0;

	close_elem(r);
	if (!bld_ok(&r->text))
		return cb_fail(r, "out of memory");
	r->headers_done = 1;
	r->ntrail_from = r->nh;
	if (check_names(r, 0) == -1)
		return -1;
	if (r->kind == HTTP_KIND_REQUEST && r->has_start &&
	    !http_is_target_n((const char *)r->text.buf + r->start_off, r->start_len))
		return cb_fail(r, "request-target holds a byte outside visible ASCII "
		    "(RFC 9112 3.2)");
	/* RFC 9112 6.3 lets a recipient merge identical values; the harness refuses any repeat. */
	for (i = 0; i < r->nh; i++)
		if (http_name_is(hname(r, i), r->h[i].nlen, "content-length") && ++ncl > 1)
			return cb_fail(r, "duplicate Content-Length header (field #%zu)",
			    i + 1);
	r->chunked = (p->flags & F_CHUNKED) != 0;
	r->has_cl = (p->flags & F_CONTENTLENGTH) != 0;
	r->cl = p->content_length;
	if (r->has_cl && r->cl > r->lim.max_body)
		return cb_fail(r, "Content-Length %llu exceeds max_body (%zu bytes)",
		    (unsigned long long)r->cl, r->lim.max_body);
	return 0;
}

static int
on_body(http_parser *p, const char *at, size_t n)
{
	struct http_reader *r = reader_of(p);

	if (n > r->lim.max_body - r->body.len)
		return cb_fail(r, "body exceeds max_body (%zu bytes)", r->lim.max_body);
	bld_bytes(&r->body, at, n);
	return 0;
}

/* Copies the message in progress into one allocation and queues it. */
static int
on_message_complete(http_parser *p)
{
	struct http_reader *r = reader_of(p);
	struct http_header *hd;
	struct node *nd;
	size_t i, size;
	char *text;
	uint8_t *body;

	close_elem(r);
	if (!bld_ok(&r->text) || !bld_ok(&r->body))
		return cb_fail(r, "out of memory");
	if (r->headers_done && check_names(r, r->ntrail_from) == -1)
		return -1;
	size = sizeof(*nd) + r->nh * sizeof(*hd) + r->text.len + 1 + r->body.len + 1;
	if ((nd = calloc(1, size)) == NULL)
		return cb_fail(r, "out of memory");
	hd = (struct http_header *)(nd + 1);
	text = (char *)(hd + r->nh);
	body = (uint8_t *)text + r->text.len + 1;
	if (r->text.len > 0)
		memcpy(text, r->text.buf, r->text.len);
	if (r->body.len > 0)
		memcpy(body, r->body.buf, r->body.len);
	for (i = 0; i < r->nh; i++) {
		hd[i].name = text + r->h[i].noff;
		hd[i].name_len = r->h[i].nlen;
		/* A value that never started (cannot happen with http-parser 2.9) reads empty. */
		hd[i].value = r->h[i].voff ? text + r->h[i].voff : text + r->text.len;
		hd[i].value_len = r->h[i].vlen;
		/* RFC 9110 5.5: trailing whitespace is no part of a value; http-parser keeps it. */
		while (hd[i].value_len > 0 && (hd[i].value[hd[i].value_len - 1] == ' ' ||
		    hd[i].value[hd[i].value_len - 1] == '\t'))
			text[r->h[i].voff + --hd[i].value_len] = '\0';
	}
	nd->m.request = r->kind == HTTP_KIND_REQUEST;
	if (nd->m.request) {
		nd->m.method = http_method_str((enum http_method)p->method);
		nd->m.target = r->has_start ? text + r->start_off : text + r->text.len;
		nd->m.reason = text + r->text.len;
	} else {
		nd->m.method = "";
		nd->m.target = text + r->text.len;
		nd->m.status = (int)p->status_code;
		nd->m.reason = r->has_start ? text + r->start_off : text + r->text.len;
	}
	nd->m.major = p->http_major;
	nd->m.minor = p->http_minor;
	nd->m.headers = hd;
	nd->m.nheaders = r->nh;
	nd->m.ntrailers = r->headers_done ? r->nh - r->ntrail_from : 0;
	nd->m.body = body;
	nd->m.body_len = r->body.len;
	nd->m.keep_alive = http_should_keep_alive(p) != 0;
	nd->m.chunked = r->chunked;
	nd->m.eof_body = r->at_eof;
	nd->m.upgrade = p->upgrade != 0;
	r->closed = !nd->m.keep_alive;
	if (r->tail != NULL)
		r->tail->next = nd;
	else
		r->head = nd;
	r->tail = nd;
	r->nready++;
	msg_reset(r);
	return 0;
}

/* Read-only after initialisation: shared by every reader. */
static const http_parser_settings settings = {
	.on_message_begin = on_message_begin,
	.on_url = on_start_piece,
	.on_status = on_start_piece,
	.on_header_field = on_field,
	.on_header_value = on_value,
	.on_headers_complete = on_headers_complete,
	.on_body = on_body,
	.on_message_complete = on_message_complete,
};

struct http_reader *
http_reader_new(enum http_kind kind, const struct http_limits *lim, struct err *e)
{
	struct http_reader *r;

	if (kind != HTTP_KIND_REQUEST && kind != HTTP_KIND_RESPONSE) {
		err_setx(e, "http reader: unknown kind %d", (int)kind);
		return NULL;
	}
	if (lim != NULL && (lim->max_header == 0 || lim->max_header > HTTP_HEADER_CEILING)) {
		err_setx(e, "http reader: max_header %zu outside 1..%d (http-parser's own limit)",
		    lim->max_header, HTTP_HEADER_CEILING);
		return NULL;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		err_set(e, "http reader");
		return NULL;
	}
	r->kind = kind;
	r->lim.max_header = lim != NULL ? lim->max_header : HTTP_DEFAULT_MAX_HEADER;
	r->lim.max_body = lim != NULL ? lim->max_body : HTTP_DEFAULT_MAX_BODY;
	bld_init(&r->text);
	bld_init(&r->body);
	http_parser_init(&r->p, kind == HTTP_KIND_REQUEST ? HTTP_REQUEST : HTTP_RESPONSE);
	r->p.data = r;
	return r;
}

void
http_reader_free(struct http_reader *r)
{
	if (r == NULL)
		return;
	while (r->head != NULL)
		http_reader_pop(r);
	bld_free(&r->text);
	bld_free(&r->body);
	free(r->h);
	free(r);
}

const struct http_msg *
http_reader_peek(const struct http_reader *r)
{
	return r->head != NULL ? &r->head->m : NULL;
}

void
http_reader_pop(struct http_reader *r)
{
	struct node *nd = r->head;

	if (nd == NULL)
		return;
	r->head = nd->next;
	if (r->head == NULL)
		r->tail = NULL;
	r->nready--;
	free(nd);
}

/* Makes the failure sticky and hands it to the caller. */
static int
fail(struct http_reader *r, struct err *e)
{
	r->failed = 1;
	return err_setx(e, "%s", r->err.msg);
}

/* Context for an http-parser error: which field or which part of the message it hit. */
static void
explain(const struct http_reader *r, enum http_errno code, char *out, size_t cap)
{
	size_t i, ncl = 0;

	out[0] = '\0';
	if (code == HPE_UNEXPECTED_CONTENT_LENGTH && r->nh > 0 && bld_ok(&r->text)) {
		const char *cur = hname(r, r->nh - 1);

		for (i = 0; i + 1 < r->nh; i++)
			if (http_name_is(hname(r, i), r->h[i].nlen, "content-length"))
				ncl++;
		if (http_name_is(cur, r->h[r->nh - 1].nlen, "content-length") && ncl > 0)
			snprintf(out, cap, "; duplicate Content-Length header (field #%zu)",
			    r->nh);
		else
			snprintf(out, cap, "; Content-Length together with Transfer-Encoding");
	} else if (code == HPE_INVALID_EOF_STATE) {
		if (!r->headers_done)
			snprintf(out, cap, "; the stream ended inside the header section");
		else if (r->chunked)
			snprintf(out, cap, "; the stream ended inside a chunked body after %zu "
			    "bytes", r->body.len);
		else
			snprintf(out, cap, "; the stream ended after %zu of %llu body bytes",
			    r->body.len, (unsigned long long)(r->body.len + r->p.content_length));
	}
}

/* Turns the parser's state after http_parser_execute() into our message. */
static int
parse_error(struct http_reader *r, size_t nparsed, struct err *e)
{
	enum http_errno code = HTTP_PARSER_ERRNO(&r->p);
	unsigned long long at = (unsigned long long)(r->consumed + nparsed);
	char ctx[160];

	if (r->cb_failed) {
		/* Our own callback refused the input; its message already says why. */
		err_prefix(&r->err, "http %s", r->kind == HTTP_KIND_REQUEST ? "request" :
		    "response");
		snprintf(ctx, sizeof(ctx), " at byte %llu", at);
		strncat(r->err.msg, ctx, sizeof(r->err.msg) - strlen(r->err.msg) - 1);
		return fail(r, e);
	}
	explain(r, code, ctx, sizeof(ctx));
	err_setx(&r->err, "http %s: http-parser %s (%s) at byte %llu%s",
	    r->kind == HTTP_KIND_REQUEST ? "request" : "response", http_errno_name(code),
	    http_errno_description(code), at, ctx);
	return fail(r, e);
}

int
http_reader_feed(struct http_reader *r, const uint8_t *p, size_t n, struct err *e)
{
	size_t nparsed;

	if (r->failed)
		return err_setx(e, "%s", r->err.msg);
	if (r->finished) {
		err_setx(&r->err, "http: %zu bytes fed after the end of the stream", n);
		return fail(r, e);
	}
	/* http-parser reads a zero-length chunk as the end of the stream; here it is nothing. */
	if (n == 0)
		return (int)r->nready;
	if (r->upgraded) {
		err_setx(&r->err, "http: %zu bytes after a protocol upgrade at byte %llu are "
		    "not HTTP", n, (unsigned long long)r->consumed);
		return fail(r, e);
	}
	nparsed = http_parser_execute(&r->p, &settings, (const char *)p, n);
	if (HTTP_PARSER_ERRNO(&r->p) != HPE_OK)
		return parse_error(r, nparsed, e);
	if (r->p.upgrade) {
		r->upgraded = 1;
		if (nparsed < n) {
			err_setx(&r->err, "http: %zu bytes after a protocol upgrade at byte %llu "
			    "are not HTTP", n - nparsed,
			    (unsigned long long)(r->consumed + nparsed));
			r->consumed += nparsed;
			return fail(r, e);
		}
	} else if (nparsed != n) {
		err_setx(&r->err, "http: http-parser stopped at byte %llu without an error",
		    (unsigned long long)(r->consumed + nparsed));
		return fail(r, e);
	}
	r->consumed += n;
	return (int)r->nready;
}

int
http_reader_finish(struct http_reader *r, struct err *e)
{
	if (r->failed)
		return err_setx(e, "%s", r->err.msg);
	if (r->finished || r->upgraded) {
		r->finished = 1;
		return (int)r->nready;
	}
	r->finished = 1;
	r->at_eof = 1;
	(void)http_parser_execute(&r->p, &settings, "", 0);
	r->at_eof = 0;
	if (HTTP_PARSER_ERRNO(&r->p) != HPE_OK)
		return parse_error(r, 0, e);
	return (int)r->nready;
}

const struct http_header *
http_msg_header(const struct http_msg *m, const char *name)
{
	size_t i;

	for (i = m->nheaders; i > 0; i--)
		if (http_name_is(m->headers[i - 1].name, m->headers[i - 1].name_len, name))
			return &m->headers[i - 1];
	return NULL;
}
