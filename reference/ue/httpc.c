/* httpc: Digest-authenticated POSTs over the libcurl multi interface, polled by the UE loop. */
#include "httpc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "builder.h"

#define MAX_BODY	(1024 * 1024)
#define MAX_FDS		64

struct xfer {
	CURL *easy;
	unsigned long id;
	struct curl_slist *headers;
	struct bld resp;
	int too_big;
	char errbuf[CURL_ERROR_SIZE];
	struct xfer *next;
};

struct httpc {
	CURLM *multi;
	struct xfer *xfers;
	size_t active;
	unsigned long next_id;
};

static int global_ready;

static void
xfer_free(struct httpc *h, struct xfer *x)
{
	if (x == NULL)
		return;
	if (x->easy != NULL) {
		curl_multi_remove_handle(h->multi, x->easy);
		curl_easy_cleanup(x->easy);
	}
	curl_slist_free_all(x->headers);
	bld_free(&x->resp);
	free(x);
}

int
httpc_new(struct httpc **out, struct err *e)
{
	struct httpc *h;

	*out = NULL;
	if (!global_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return err_setx(e, "libcurl: global initialisation failed");
		global_ready = 1;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return err_set(e, "httpc");
	if ((h->multi = curl_multi_init()) == NULL) {
		free(h);
		return err_setx(e, "libcurl: curl_multi_init failed");
	}
	h->next_id = 1;
	*out = h;
	return 0;
}

void
httpc_free(struct httpc *h)
{
	struct xfer *x, *next;

	if (h == NULL)
		return;
	for (x = h->xfers; x != NULL; x = next) {
		next = x->next;
		xfer_free(h, x);
	}
	curl_multi_cleanup(h->multi);
	free(h);
}

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * n;

	if (x->resp.len + len > MAX_BODY) {
		x->too_big = 1;
		return 0;	/* aborts the transfer: an answer this large is not ours */
	}
	bld_bytes(&x->resp, p, len);
	return bld_ok(&x->resp) ? len : 0;
}

#define SETOPT(opt, val) do {						\
	if (curl_easy_setopt(x->easy, opt, val) != CURLE_OK) {		\
		err_setx(e, "libcurl: cannot set %s", #opt);		\
		goto fail;						\
	}								\
} while (0)

int
httpc_post(struct httpc *h, const struct httpc_req *req, unsigned long *id, struct err *e)
{
	struct xfer *x;
	char ctype[256];
	struct curl_slist *l;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		return err_set(e, "httpc");
	bld_init(&x->resp);
	if ((x->easy = curl_easy_init()) == NULL) {
		err_setx(e, "libcurl: curl_easy_init failed");
		goto fail;
	}
	snprintf(ctype, sizeof(ctype), "Content-Type: %s", req->content_type);
	if ((l = curl_slist_append(x->headers, ctype)) == NULL)
		goto nomem;
	x->headers = l;
	/* No "Expect: 100-continue" round trip: bodies are small and the peer may not do it. */
	if ((l = curl_slist_append(x->headers, "Expect:")) == NULL)
		goto nomem;
	x->headers = l;
	SETOPT(CURLOPT_URL, req->url);
#if LIBCURL_VERSION_NUM >= 0x075500
	SETOPT(CURLOPT_PROTOCOLS_STR, "http");
#endif
	/* Loopback test beds must not be routed through a proxy from the environment. */
	SETOPT(CURLOPT_PROXY, "");
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
	SETOPT(CURLOPT_USERAGENT, "mbms-ue/0.1");
	SETOPT(CURLOPT_POST, 1L);
	SETOPT(CURLOPT_POSTFIELDSIZE, (long)req->body_len);
	SETOPT(CURLOPT_COPYPOSTFIELDS, req->body);
	SETOPT(CURLOPT_HTTPHEADER, x->headers);
	/* TS 33.246 6.2.1: HTTP Digest, username = B-TID, password from the MRK. */
	SETOPT(CURLOPT_HTTPAUTH, (long)CURLAUTH_DIGEST);
	SETOPT(CURLOPT_USERNAME, req->username);
	SETOPT(CURLOPT_PASSWORD, req->password);
	SETOPT(CURLOPT_TIMEOUT_MS, req->timeout_ms);
	SETOPT(CURLOPT_CONNECTTIMEOUT_MS, req->timeout_ms);
	SETOPT(CURLOPT_WRITEFUNCTION, on_data);
	SETOPT(CURLOPT_WRITEDATA, x);
	SETOPT(CURLOPT_ERRORBUFFER, x->errbuf);
	SETOPT(CURLOPT_PRIVATE, x);
	if (curl_multi_add_handle(h->multi, x->easy) != CURLM_OK) {
		err_setx(e, "libcurl: curl_multi_add_handle failed");
		goto fail;
	}
	x->id = h->next_id++;
	x->next = h->xfers;
	h->xfers = x;
	h->active++;
	*id = x->id;
	return 0;
nomem:
	err_set(e, "httpc");
fail:
	if (x->easy != NULL) {
		curl_easy_cleanup(x->easy);
		x->easy = NULL;
	}
	curl_slist_free_all(x->headers);
	bld_free(&x->resp);
	free(x);
	return -1;
}

int
httpc_poll(struct httpc *h, struct pollfd *fds, size_t nfds, int timeout_ms, struct err *e)
{
	struct curl_waitfd w[MAX_FDS];
	CURLMcode mc;
	size_t i;
	int n;

	if (nfds > MAX_FDS)
		return err_setx(e, "httpc_poll: more than %d descriptors", MAX_FDS);
	for (i = 0; i < nfds; i++) {
		w[i].fd = fds[i].fd;
		w[i].events = (short)(((fds[i].events & POLLIN) ? CURL_WAIT_POLLIN : 0) |
		    ((fds[i].events & POLLOUT) ? CURL_WAIT_POLLOUT : 0));
		w[i].revents = 0;
	}
	/* curl_multi_poll also wakes for the transfers' sockets and curl's own timers. */
	mc = curl_multi_poll(h->multi, w, (unsigned)nfds, timeout_ms, &n);
	if (mc != CURLM_OK)
		return err_setx(e, "libcurl: curl_multi_poll: %s", curl_multi_strerror(mc));
	for (i = 0; i < nfds; i++) {
		fds[i].revents = 0;
		if (w[i].revents & CURL_WAIT_POLLIN)
			fds[i].revents |= POLLIN;
		if (w[i].revents & CURL_WAIT_POLLOUT)
			fds[i].revents |= POLLOUT;
		if (w[i].revents & ~(CURL_WAIT_POLLIN | CURL_WAIT_POLLOUT | CURL_WAIT_POLLPRI))
			fds[i].revents |= POLLHUP;
	}
	return 0;
}

static void
unlink_xfer(struct httpc *h, struct xfer *x)
{
	struct xfer **pp;

	for (pp = &h->xfers; *pp != NULL; pp = &(*pp)->next)
		if (*pp == x) {
			*pp = x->next;
			break;
		}
	h->active--;
}

int
httpc_run(struct httpc *h, httpc_done_fn done, void *arg, struct err *e)
{
	struct httpc_result r;
	struct xfer *x;
	CURLMsg *msg;
	CURLMcode mc;
	int running, left;
	char *ct, *priv;

	mc = curl_multi_perform(h->multi, &running);
	if (mc != CURLM_OK)
		return err_setx(e, "libcurl: curl_multi_perform: %s", curl_multi_strerror(mc));
	while ((msg = curl_multi_info_read(h->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		priv = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
		if ((x = (struct xfer *)(void *)priv) == NULL)
			continue;
		memset(&r, 0, sizeof(r));
		bld_u8(&x->resp, 0);	/* NUL-terminates the body for text consumers */
		r.body = bld_ok(&x->resp) ? (const char *)x->resp.buf : "";
		r.body_len = bld_ok(&x->resp) ? x->resp.len - 1 : 0;
		if (msg->data.result == CURLE_OK) {
			r.ok = 1;
			curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &r.status);
			ct = NULL;
			if (curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK &&
			    ct != NULL)
				snprintf(r.content_type, sizeof(r.content_type), "%s", ct);
		} else {
			r.timed_out = msg->data.result == CURLE_OPERATION_TIMEDOUT;
			snprintf(r.error, sizeof(r.error), "%s%s%s",
			    x->too_big ? "answer larger than 1 MiB" :
			    curl_easy_strerror(msg->data.result),
			    x->errbuf[0] ? ": " : "", x->errbuf);
		}
		unlink_xfer(h, x);
		done(arg, x->id, &r);
		xfer_free(h, x);
	}
	return 0;
}

size_t
httpc_active(const struct httpc *h)
{
	return h->active;
}
