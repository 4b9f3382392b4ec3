/*
 * httpc: the UE's HTTP client — POSTs with HTTP Digest (libcurl, CURLAUTH_DIGEST) driven by
 * the curl multi interface inside the UE's own poll loop, so that MIKEY keeps arriving while a
 * request is in flight. Every request is bounded by its own timeout (T_request).
 *
 * The one file that includes libcurl. httpc_poll waits on the caller's descriptors and on the
 * transfers' sockets at once (curl_multi_poll with extra descriptors); httpc_run then advances
 * the transfers and reports each finished one to a callback, exactly once.
 */
#ifndef UE_HTTPC_H
#define UE_HTTPC_H

#include <poll.h>
#include <stddef.h>

#include "err.h"

struct httpc;

struct httpc_req {
	const char *url;
	const char *content_type;
	const char *body;
	size_t body_len;
	const char *username;
	const char *password;
	long timeout_ms;
};

struct httpc_result {
	int ok;			/* an HTTP response arrived (any status) */
	int timed_out;		/* no complete answer within the timeout */
	long status;
	char content_type[128];
	const char *body;	/* borrowed for the callback's duration; NUL-terminated */
	size_t body_len;
	char error[512];	/* why !ok */
};

typedef void (*httpc_done_fn)(void *arg, unsigned long id, const struct httpc_result *r);

int	httpc_new(struct httpc **out, struct err *e);
/* Abandons transfers in flight (no callbacks) and frees everything; accepts NULL. */
void	httpc_free(struct httpc *h);
/* Starts a POST; *id names it in the done callback. */
int	httpc_post(struct httpc *h, const struct httpc_req *req, unsigned long *id,
	    struct err *e);
/* Waits at most timeout_ms for fds (revents filled in as poll(2) does) or transfer activity. */
int	httpc_poll(struct httpc *h, struct pollfd *fds, size_t nfds, int timeout_ms,
	    struct err *e);
/* Advances transfers; calls done(arg, id, result) for each one that finished. */
int	httpc_run(struct httpc *h, httpc_done_fn done, void *arg, struct err *e);
/* Transfers in flight. */
size_t	httpc_active(const struct httpc *h);

#endif
