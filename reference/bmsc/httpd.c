/* httpd: Digest-authenticated key management requests over libmicrohttpd. */
#include "httpd.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "bodies.h"
#include "builder.h"
#include "crypto.h"
#include "faults.h"
#include "hexstr.h"
#include "log.h"
#include "policy.h"

#define BODY_MAX		(64 * 1024)
#define NONCE_TIMEOUT_S		300
/*
 * Slots of libmicrohttpd's nonce/nonce-count table. Its 0.9.75 hash keeps 32 bits built from
 * hex characters, whose low bits repeat a lot; a prime table size uses all of them, so that
 * outstanding nonces rarely evict each other.
 */
#define NONCE_SLOTS		16381

/* One request being received: its body so far. */
struct req {
	struct bld body;
	int too_big;
};

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[512];
	size_t n;

	(void)cls;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	log_line("libmicrohttpd: %s", buf);
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct req *rq = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (rq == NULL)
		return;
	bld_free(&rq->body);
	free(rq);
	*con_cls = NULL;
}

static const char *
client_ip(struct MHD_Connection *conn, struct in_addr *ip, char *buf, size_t cap)
{
	const union MHD_ConnectionInfo *ci;

	ip->s_addr = htonl(INADDR_LOOPBACK);
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci != NULL && ci->client_addr != NULL && ci->client_addr->sa_family == AF_INET)
		*ip = ((const struct sockaddr_in *)(const void *)ci->client_addr)->sin_addr;
	inet_ntop(AF_INET, ip, buf, (socklen_t)cap);
	return buf;
}

static enum MHD_Result
answer(struct MHD_Connection *conn, unsigned status, const char *ctype, const void *body,
    size_t len)
{
	struct MHD_Response *r;
	enum MHD_Result rc;

	r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	if (ctype != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "POST");
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

/* KU-BM-01/02: a Digest challenge (qop=auth, MD5), stale when the nonce was the problem. */
static enum MHD_Result
challenge(struct httpd *h, struct MHD_Connection *conn, int stale)
{
	uint8_t *next = h->secrets[h->nsecrets % HTTPD_SECRETS];
	struct MHD_Response *r;
	enum MHD_Result rc;
	struct err e;

	/* A secret of its own makes this challenge's nonce unique (see httpd.h). */
	if (crypto_random(next, HTTPD_SECRET_LEN, &e) == -1) {
		log_line("http: %s", e.msg);
		return MHD_NO;
	}
	memcpy(h->nonce_secret, next, HTTPD_SECRET_LEN);
	h->nsecrets++;

	if ((r = MHD_create_response_from_buffer(0, (void *)(uintptr_t)"",
	    MHD_RESPMEM_PERSISTENT)) == NULL)
		return MHD_NO;
	rc = MHD_queue_auth_fail_response2(conn, h->c->realm, h->opaque, r,
	    stale ? MHD_YES : MHD_NO, MHD_DIGEST_ALG_MD5);
	MHD_destroy_response(r);
	return rc;
}

/* MHD_digest_auth_check2 under each recent secret, newest first, until one made the nonce. */
static int
check_digest(struct httpd *h, struct MHD_Connection *conn, const char *user, const char *pw)
{
	size_t i, n = h->nsecrets < HTTPD_SECRETS ? h->nsecrets : HTTPD_SECRETS;
	int ok = MHD_INVALID_NONCE;

	for (i = 0; i < n && ok == MHD_INVALID_NONCE; i++) {
		memcpy(h->nonce_secret, h->secrets[(h->nsecrets - 1 - i) % HTTPD_SECRETS],
		    HTTPD_SECRET_LEN);
		ok = MHD_digest_auth_check2(conn, h->c->realm, user, pw, NONCE_TIMEOUT_S,
		    MHD_DIGEST_ALG_MD5);
	}
	return ok;
}

/*
 * Finds the authenticated subscriber: its index, or -1 with a 401 queued (*rc). Under the
 * no-401 fault a request without credentials is served as the first subscriber.
 */
static long
authenticate(struct httpd *h, struct MHD_Connection *conn, const char *ip, enum MHD_Result *rc)
{
	const struct conf *c = h->c;
	char *user = MHD_digest_auth_get_username(conn);
	long s = user != NULL ? conf_subscriber_find(c, user) : -1;
	int ok;

	switch (policy_auth(user != NULL, s >= 0, s >= 0 && c->sub[s].expired, c->nsub > 0,
	    h->faults)) {
	case POLICY_AUTH_AS_FIRST:
		log_line("http %s: no credentials, served as %s (fault no-401)", ip,
		    c->sub[0].btid);
		return 0;
	case POLICY_AUTH_CHALLENGE:
		if (user == NULL)
			log_line("http %s: no Digest credentials -> 401 challenge", ip);
		else
			log_line("http %s: %s B-TID %s -> 401", ip, s < 0 ? "unknown" : "expired",
			    user);
		MHD_free(user);
		*rc = challenge(h, conn, 0);
		return -1;
	case POLICY_AUTH_CHECK_DIGEST:
		break;
	}
	ok = check_digest(h, conn, user, h->core->keys[s].password);
	if (ok != MHD_YES) {
		log_line("http %s: Digest response of %s %s -> 401", ip, user,
		    ok == MHD_INVALID_NONCE ? "has a stale or unknown nonce" : "is wrong");
		MHD_free(user);
		*rc = challenge(h, conn, ok == MHD_INVALID_NONCE);
		return -1;
	}
	MHD_free(user);
	return s;
}

/* Compares the media type of a Content-Type value (parameters ignored), case-insensitive. */
static int
media_is(const char *value, const char *want)
{
	size_t n;

	if (value == NULL)
		return 0;
	while (*value == ' ' || *value == '\t')
		value++;
	for (n = 0; value[n] && value[n] != ';' && value[n] != ' ' && value[n] != '\t'; n++)
		;
	return n == strlen(want) && strncasecmp(value, want, n) == 0;
}

static enum MHD_Result
handle(struct httpd *h, struct MHD_Connection *conn, const char *url, const char *method,
    struct req *rq)
{
	const struct conf *c = h->c;
	const char *q, *ctype, *want, *rtype, *kind_name;
	enum bodies_kind kind;
	struct bodies_req br;
	struct in_addr from;
	struct bld out;
	struct err e;
	enum MHD_Result rc = MHD_NO;
	char ip[INET_ADDRSTRLEN];
	int *codes;
	long s;

	client_ip(conn, &from, ip, sizeof(ip));
	if ((s = authenticate(h, conn, ip, &rc)) < 0)
		return rc;
	if (strcmp(url, c->http_path) != 0) {
		log_line("http %s %s: path %s -> 404", ip, c->sub[s].btid, url);
		return answer(conn, MHD_HTTP_NOT_FOUND, NULL, "", 0);
	}
	if (strcmp(method, MHD_HTTP_METHOD_POST) != 0) {
		log_line("http %s %s: method %s -> 405", ip, c->sub[s].btid, method);
		return answer(conn, MHD_HTTP_METHOD_NOT_ALLOWED, NULL, "", 0);
	}
	q = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, c->query_param);
	if (q != NULL && strcmp(q, c->query_register) == 0) {
		kind = BODIES_REGISTER;
		want = c->type_register;
		rtype = c->type_register_response;
		kind_name = "register";
	} else if (q != NULL && strcmp(q, c->query_deregister) == 0) {
		kind = BODIES_DEREGISTER;
		want = c->type_deregister;
		rtype = c->type_register_response;
		kind_name = "deregister";
	} else if (q != NULL && strcmp(q, c->query_msk) == 0) {
		kind = BODIES_MSK;
		want = c->type_msk;
		rtype = c->type_msk_response;
		kind_name = "msk-request";
	} else {
		log_line("http %s %s: %s=%s names no procedure -> 400", ip, c->sub[s].btid,
		    c->query_param, q ? q : "(absent)");
		return answer(conn, MHD_HTTP_BAD_REQUEST, NULL, "", 0);
	}
	/* KU-BM-07: a malformed request is HTTP 400 without a body, and no MIKEY. */
	ctype = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (!media_is(ctype, want)) {
		log_line("%s %s: media type %s, expected %s -> 400 BAD_REQUEST", kind_name,
		    c->sub[s].btid, ctype ? ctype : "(absent)", want);
		return answer(conn, MHD_HTTP_BAD_REQUEST, NULL, "", 0);
	}
	if (rq->too_big) {
		log_line("%s %s: body above %d bytes -> 400 BAD_REQUEST", kind_name,
		    c->sub[s].btid, BODY_MAX);
		return answer(conn, MHD_HTTP_BAD_REQUEST, NULL, "", 0);
	}
	if (bodies_parse(&c->xml, kind, (const char *)rq->body.buf, rq->body.len, &br, &e) ==
	    -1) {
		log_line("%s %s: malformed body (%s) -> 400 BAD_REQUEST", kind_name,
		    c->sub[s].btid, e.msg);
		return answer(conn, MHD_HTTP_BAD_REQUEST, NULL, "", 0);
	}
	if ((codes = calloc(br.n, sizeof(*codes))) == NULL) {
		bodies_req_free(&br);
		log_line("%s %s: out of memory -> 500", kind_name, c->sub[s].btid);
		return answer(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL, "", 0);
	}
	core_request(h->core, (size_t)s, from, &br, codes);
	bld_init(&out);
	if ((kind == BODIES_MSK ?
	    bodies_msk_response(&c->xml, br.keys, codes, br.n, &out, &e) :
	    bodies_register_response(&c->xml, br.services, codes, br.n, &out, &e)) == -1) {
		log_line("%s %s: %s -> 500", kind_name, c->sub[s].btid, e.msg);
		rc = answer(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL, "", 0);
	} else
		rc = answer(conn, MHD_HTTP_OK, rtype, out.buf, out.len);
	bld_free(&out);
	free(codes);
	bodies_req_free(&br);
	return rc;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct httpd *h = cls;
	struct req *rq = *con_cls;

	(void)version;
	if (rq == NULL) {
		/* Headers are in; the body follows in later calls. */
		if ((rq = calloc(1, sizeof(*rq))) == NULL)
			return MHD_NO;
		bld_init(&rq->body);
		*con_cls = rq;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (rq->too_big || rq->body.len + *upload_data_size > BODY_MAX)
			rq->too_big = 1;
		else
			bld_bytes(&rq->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	return handle(h, conn, url, method, rq);
}

int
httpd_start(struct httpd *h, struct core *k, const struct conf *c, unsigned faults,
    struct err *e)
{
	struct sockaddr_in sa = c->http.sa;
	uint8_t op[16];

	memset(h, 0, sizeof(*h));
	h->core = k;
	h->c = c;
	h->faults = faults;
	/* Nonce secrets and the opaque value are key material: not from the seeded generator. */
	if (crypto_random(h->nonce_secret, sizeof(h->nonce_secret), e) == -1 ||
	    crypto_random(op, sizeof(op), e) == -1)
		return -1;
	hexstr_format(op, sizeof(op), h->opaque);
	h->d = MHD_start_daemon(MHD_USE_ERROR_LOG, ntohs(sa.sin_port), NULL, NULL, on_request, h,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
	    MHD_OPTION_DIGEST_AUTH_RANDOM, sizeof(h->nonce_secret), h->nonce_secret,
	    MHD_OPTION_NONCE_NC_SIZE, (unsigned)NONCE_SLOTS,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
	    MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
	    MHD_OPTION_END);
	if (h->d == NULL)
		return err_set(e, "HTTP: cannot listen on %s", c->http.text);
	return 0;
}

void
httpd_stop(struct httpd *h)
{
	if (h == NULL || h->d == NULL)
		return;
	MHD_stop_daemon(h->d);
	h->d = NULL;
	crypto_cleanse(h->nonce_secret, sizeof(h->nonce_secret));
	crypto_cleanse(h->secrets, sizeof(h->secrets));
}

int
httpd_fdset(struct httpd *h, fd_set *rs, fd_set *ws, fd_set *xs, int *max)
{
	MHD_socket m = *max;

	if (MHD_get_fdset2(h->d, rs, ws, xs, &m, FD_SETSIZE) != MHD_YES)
		return -1;
	if (m > *max)
		*max = m;
	return 0;
}

int64_t
httpd_timeout(struct httpd *h)
{
	MHD_UNSIGNED_LONG_LONG t;

	if (MHD_get_timeout(h->d, &t) != MHD_YES)
		return -1;
	return t > INT64_MAX ? INT64_MAX : (int64_t)t;
}

void
httpd_run(struct httpd *h, const fd_set *rs, const fd_set *ws, const fd_set *xs)
{
	MHD_run_from_select(h->d, rs, ws, xs);
}
