/*
 * http: HTTP/1.1 messages — a writer for requests and responses and an incremental reader.
 *
 * Writer. http_write_request/http_write_response append one message to a builder: the start
 * line, the header fields in the order given with the names spelled as given, a Content-Length
 * (see below) and the body. Outside raw mode every element is checked against RFC 9110/9112
 * syntax (method and field names are tokens, the target is visible ASCII, no CR, LF or NUL in
 * values) and a violation is an error naming the element; raw mode writes every byte as given
 * and adds nothing, which is how deliberately malformed messages are built (STYLE.md 6).
 * Content-Length is added, outside raw mode, unless the caller passes its own Content-Length or
 * a Transfer-Encoding field: on a request when the body is non-empty or the method is POST, PUT
 * or PATCH; on a response unless the status is 1xx, 204 or 304 (RFC 9110 8.6), which must then
 * have an empty body.
 *
 * Reader. An http_reader wraps http-parser 2.9 (this is the only file that includes it). Feed
 * it arbitrary chunks of one connection's byte stream; each complete message is queued and read
 * with http_reader_peek/http_reader_pop. Chunked bodies are decoded, pipelined messages come out
 * one by one, trailer fields follow the header fields in the same array. http_reader_finish()
 * tells the reader that the stream ended: a response whose body runs to the end of the
 * connection completes there (eof_body set); a message cut short is an error.
 *
 * Debian's libhttp_parser is built non-strict (HTTP_PARSER_STRICT=0); the reader restores the
 * checks that matter here itself: header names must be tokens (no space before the colon), the
 * request-target visible ASCII, and no message may follow one that closed the connection.
 * Laxities it cannot see remain: extra spaces in the start line and a misspelt "HTTP/" (e.g.
 * "HTXP/1.1") are accepted, since http-parser reports only the version numbers.
 *
 * Errors are sticky: after the first failure every call fails with the same message, which
 * names http-parser's error (name and description) or the limit exceeded, and the absolute
 * byte offset in the stream. Messages completed before the failure stay readable. Duplicate
 * Content-Length is always an error (RFC 9112 6.3 allows a recipient to merge identical
 * values; libmicrohttpd does, the harness must not, to catch senders that repeat it).
 *
 * Limits: max_header bounds the bytes of one message's start-line target or reason phrase,
 * header names and values, trailers included (separators not counted); http-parser itself
 * refuses a header section over HTTP_HEADER_CEILING wire bytes, so max_header may not exceed
 * it. max_body bounds the decoded body. A HEAD response is not recognised as body-less: a
 * client reading one must not use this reader for it (http-parser has no such knob).
 *
 * Ownership: the reader owns queued messages and everything they point to until popped;
 * http_reader_free() accepts NULL.
 */
#ifndef MBMS_HTTP_H
#define MBMS_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "builder.h"
#include "err.h"

/* A header field handed to the writer; the bytes need no terminating NUL. */
struct http_field {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
};

/* One message to write. Requests use method and target, responses status and reason. */
struct http_out {
	const char *method;		/* NUL-terminated, e.g. "POST" */
	const char *target;		/* e.g. "/keymanagement?requesttype=register" */
	int status;			/* 100..999 (raw: 0..999) */
	const char *reason;		/* NULL: the standard phrase of status, or empty */
	const char *version;		/* "1.1" when NULL; written after "HTTP/" */
	const struct http_field *fields;
	size_t nfields;
	const uint8_t *body;
	size_t body_len;
	int raw;			/* 1: no checks, no Content-Length */
};

/* Both return 0, or -1 naming the element at fault; on failure b's content is unspecified. */
int	http_write_request(struct bld *b, const struct http_out *m, struct err *e);
int	http_write_response(struct bld *b, const struct http_out *m, struct err *e);

/* The RFC 9110 15 reason phrase of a status code, or NULL when the code has none. */
const char *http_reason(int status);

enum http_kind {
	HTTP_KIND_REQUEST,
	HTTP_KIND_RESPONSE
};

#define HTTP_HEADER_CEILING	(80 * 1024)	/* http-parser's compiled-in header limit */
#define HTTP_DEFAULT_MAX_HEADER	(16 * 1024)
#define HTTP_DEFAULT_MAX_BODY	(1024 * 1024)

struct http_limits {
	size_t max_header;		/* 1..HTTP_HEADER_CEILING */
	size_t max_body;
};

/* A received header field; name and value are also NUL-terminated. */
struct http_header {
	const char *name;		/* as received, original case */
	size_t name_len;
	const char *value;		/* without leading and trailing whitespace */
	size_t value_len;
};

/* A complete received message; every pointer is owned by the reader until popped. */
struct http_msg {
	int request;			/* 1 for a request, 0 for a response */
	const char *method;		/* requests: "GET", "POST"... */
	const char *target;		/* requests: the request-target as received */
	int status;			/* responses */
	const char *reason;		/* responses: the reason phrase as received */
	unsigned int major, minor;	/* HTTP version */
	const struct http_header *headers;
	size_t nheaders;		/* header fields, then trailer fields */
	size_t ntrailers;		/* the last ntrailers fields followed a chunked body */
	const uint8_t *body;		/* decoded; never NULL, NUL-terminated for convenience */
	size_t body_len;
	int keep_alive;			/* another message may follow on the connection */
	int chunked;			/* the body was chunked */
	int eof_body;			/* the body ended with the stream (http_reader_finish) */
	int upgrade;			/* Upgrade/CONNECT: the bytes that follow are not HTTP */
};

struct http_reader;

/* lim may be NULL for the defaults. Returns NULL with a message on a bad limit or no memory. */
struct http_reader *http_reader_new(enum http_kind kind, const struct http_limits *lim,
	    struct err *e);
void	http_reader_free(struct http_reader *r);
/* Parses n more bytes. Returns the number of messages now queued, or -1. */
int	http_reader_feed(struct http_reader *r, const uint8_t *p, size_t n, struct err *e);
/* The stream ended. Returns the number of messages now queued, or -1 if one was cut short. */
int	http_reader_finish(struct http_reader *r, struct err *e);
/* The oldest queued message, or NULL; valid until http_reader_pop() or http_reader_free(). */
const struct http_msg *http_reader_peek(const struct http_reader *r);
/* Drops the oldest queued message (no-op when none). */
void	http_reader_pop(struct http_reader *r);

/* The value of the last field with this name (ASCII case-insensitive), or NULL. */
const struct http_header *http_msg_header(const struct http_msg *m, const char *name);

#endif
