/* http_write: HTTP/1.1 messages written and checked, the syntax classes, and reason phrases. */
#include "http.h"
#include "http_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- reason phrases ---------------------------------------------------------------------- */

/* RFC 9110 15 (with 428/429/431 from RFC 6585 and 451 from RFC 7725). */
static const struct {
	int status;
	const char *reason;
} reasons[] = {
	{ 100, "Continue" },
	{ 101, "Switching Protocols" },
	{ 200, "OK" },
	{ 201, "Created" },
	{ 202, "Accepted" },
	{ 203, "Non-Authoritative Information" },
	{ 204, "No Content" },
	{ 205, "Reset Content" },
	{ 206, "Partial Content" },
	{ 300, "Multiple Choices" },
	{ 301, "Moved Permanently" },
	{ 302, "Found" },
	{ 303, "See Other" },
	{ 304, "Not Modified" },
	{ 305, "Use Proxy" },
	{ 307, "Temporary Redirect" },
	{ 308, "Permanent Redirect" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 402, "Payment Required" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 406, "Not Acceptable" },
	{ 407, "Proxy Authentication Required" },
	{ 408, "Request Timeout" },
	{ 409, "Conflict" },
	{ 410, "Gone" },
	{ 411, "Length Required" },
	{ 412, "Precondition Failed" },
	{ 413, "Content Too Large" },
	{ 414, "URI Too Long" },
	{ 415, "Unsupported Media Type" },
	{ 416, "Range Not Satisfiable" },
	{ 417, "Expectation Failed" },
	{ 421, "Misdirected Request" },
	{ 422, "Unprocessable Content" },
	{ 426, "Upgrade Required" },
	{ 428, "Precondition Required" },
	{ 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" },
	{ 451, "Unavailable For Legal Reasons" },
	{ 500, "Internal Server Error" },
	{ 501, "Not Implemented" },
	{ 502, "Bad Gateway" },
	{ 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" },
	{ 505, "HTTP Version Not Supported" },
};

const char *
http_reason(int status)
{
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return NULL;
}

/* --- syntax classes (RFC 9110 5.6.2, 5.5) ------------------------------------------------ */

static int
is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

int
http_is_token(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!is_tchar((unsigned char)s[i]))
			return 0;
	return 1;
}

/* field-value and reason-phrase bytes: HTAB, SP, VCHAR, obs-text; never CR, LF, NUL. */
static int
is_text(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c != '\t' && (c < 0x20 || c == 0x7f))
			return 0;
	}
	return 1;
}

/* request-target: visible ASCII, at least one byte (RFC 9112 3.2). */
int
http_is_target_n(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return n > 0;
}

/* HTTP-version after "HTTP/": DIGIT "." DIGIT (RFC 9112 2.3). */
static int
is_version(const char *s)
{
	return strlen(s) == 3 && s[0] >= '0' && s[0] <= '9' && s[1] == '.' && s[2] >= '0' &&
	    s[2] <= '9';
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Field names compare ASCII case-insensitively (RFC 9110 5.1). */
int
http_name_is(const char *s, size_t n, const char *name)
{
	size_t i;

	if (strlen(name) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (lower(s[i]) != lower(name[i]))
			return 0;
	return 1;
}

/* --- writer ------------------------------------------------------------------------------ */

static void
put(struct bld *b, const char *s)
{
	bld_bytes(b, s, strlen(s));
}

/* Checks the fields and says whether the caller framed the body itself. */
static int
check_fields(const struct http_out *m, int *framed, struct err *e)
{
	size_t i;

	*framed = 0;
	for (i = 0; i < m->nfields; i++) {
		const struct http_field *f = &m->fields[i];

		if (!m->raw && !http_is_token(f->name, f->name_len))
			return err_setx(e, "header %zu: name '%.*s' is not a token", i + 1,
			    (int)f->name_len, f->name);
		if (!m->raw && !is_text(f->value, f->value_len))
			return err_setx(e, "header %zu (%.*s): value holds CR, LF, NUL or a "
			    "control byte", i + 1, (int)f->name_len, f->name);
		if (http_name_is(f->name, f->name_len, "content-length") ||
		    http_name_is(f->name, f->name_len, "transfer-encoding"))
			*framed = 1;
	}
	return 0;
}

static void
put_fields_body(struct bld *b, const struct http_out *m, int add_cl)
{
	char cl[32];
	size_t i;

	for (i = 0; i < m->nfields; i++) {
		bld_bytes(b, m->fields[i].name, m->fields[i].name_len);
		put(b, ": ");
		bld_bytes(b, m->fields[i].value, m->fields[i].value_len);
		put(b, "\r\n");
	}
	if (add_cl) {
		snprintf(cl, sizeof(cl), "Content-Length: %zu\r\n", m->body_len);
		put(b, cl);
	}
	put(b, "\r\n");
	if (m->body_len > 0)
		bld_bytes(b, m->body, m->body_len);
}

int
http_write_request(struct bld *b, const struct http_out *m, struct err *e)
{
	const char *version = m->version != NULL ? m->version : "1.1";
	int framed, add_cl;

	if (m->method == NULL || m->target == NULL)
		return err_setx(e, "request: method and target are required");
	if (!m->raw) {
		if (!http_is_token(m->method, strlen(m->method)))
			return err_setx(e, "request: method '%s' is not a token", m->method);
		if (!http_is_target_n(m->target, strlen(m->target)))
			return err_setx(e, "request: target '%s' is empty or holds a space or "
			    "a control byte", m->target);
		if (!is_version(version))
			return err_setx(e, "request: version '%s' is not DIGIT.DIGIT", version);
	}
	if (check_fields(m, &framed, e) == -1)
		return err_prefix(e, "request");
	add_cl = !m->raw && !framed && (m->body_len > 0 || strcmp(m->method, "POST") == 0 ||
	    strcmp(m->method, "PUT") == 0 || strcmp(m->method, "PATCH") == 0);
	put(b, m->method);
	put(b, " ");
	put(b, m->target);
	put(b, " HTTP/");
	put(b, version);
	put(b, "\r\n");
	put_fields_body(b, m, add_cl);
	return bld_finish(b, e);
}

int
http_write_response(struct bld *b, const struct http_out *m, struct err *e)
{
	const char *version = m->version != NULL ? m->version : "1.1";
	const char *reason = m->reason;
	int framed, bodyless, add_cl;
	char code[8];

	if (reason == NULL && (reason = http_reason(m->status)) == NULL)
		reason = "";
	bodyless = (m->status >= 100 && m->status < 200) || m->status == 204 ||
	    m->status == 304;
	if (m->status < (m->raw ? 0 : 100) || m->status > 999)
		return err_setx(e, "response: status %d is not a three-digit code", m->status);
	if (!m->raw) {
		if (!is_version(version))
			return err_setx(e, "response: version '%s' is not DIGIT.DIGIT", version);
		if (!is_text(reason, strlen(reason)))
			return err_setx(e, "response: reason phrase holds CR, LF or a control "
			    "byte");
		if (bodyless && m->body_len > 0)
			return err_setx(e, "response: status %d has no body (RFC 9110 6.4.1)",
			    m->status);
	}
	if (check_fields(m, &framed, e) == -1)
		return err_prefix(e, "response");
	add_cl = !m->raw && !framed && !bodyless;
	snprintf(code, sizeof(code), "%03d", m->status);
	put(b, "HTTP/");
	put(b, version);
	put(b, " ");
	put(b, code);
	put(b, " ");
	put(b, reason);
	put(b, "\r\n");
	put_fields_body(b, m, add_cl);
	return bld_finish(b, e);
}
