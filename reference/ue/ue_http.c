/* ue_http: the state machine's HTTP requests — building and posting them, routing each answer. */
#include "ue_int.h"

#include <stdio.h>
#include <string.h>

struct ue_req *
ue_req_new(struct ue *u)
{
	size_t i;

	for (i = 0; i < UE_MAX_REQS; i++)
		if (!u->req[i].used) {
			memset(&u->req[i], 0, sizeof(u->req[i]));
			return &u->req[i];
		}
	return NULL;
}

/* POSTs body as request kind; fills r (already allocated) with the id. */
int
ue_post(struct ue *u, enum ue_req_kind kind, const char *body, size_t len, struct ue_req *r,
    struct err *e)
{
	const struct conf_http *h = &u->c->h;
	const char *q, *type;
	struct httpc_req req;
	char url[3 * CONF_STR];

	switch (kind) {
	case REQ_REGISTER:
		q = h->query_register;
		type = h->type_register;
		break;
	case REQ_DEREGISTER:
		q = h->query_deregister;
		type = h->type_deregister;
		break;
	default:
		q = h->query_msk;
		type = h->type_msk;
		break;
	}
	/* key-update.md §2.2: POST {path}?{query_param}={query} [A]. */
	snprintf(url, sizeof(url), "http://%s%s?%s=%s", u->c->http.text, h->path,
	    h->query_param, q);
	memset(&req, 0, sizeof(req));
	req.url = url;
	req.content_type = type;
	req.body = body;
	req.body_len = len;
	req.username = u->username;
	req.password = u->k->password;
	req.timeout_ms = u->c->t_request;
	if (u->io.post(u->io.arg, &req, &r->id, e) == -1)
		return -1;
	r->kind = kind;
	r->used = 1;
	return 0;
}

int
ue_send_register(struct ue *u, int i, int deregister, struct err *e)
{
	struct ue_req *r;
	char *body = NULL;
	size_t len;
	int rc;

	if ((r = ue_req_new(u)) == NULL)
		return err_setx(e, "too many HTTP requests in flight");
	if (bodies_register(u->c, deregister, u->c->svc[i].id, &body, &len, e) == -1)
		return -1;
	rc = ue_post(u, deregister ? REQ_DEREGISTER : REQ_REGISTER, body, len, r, e);
	bodies_free(body);
	if (rc == 0) {
		r->svc = i;
		r->gen = u->svc[i].gen;
	}
	return rc;
}

static struct ue_req *
req_by_id(struct ue *u, unsigned long id)
{
	size_t i;

	for (i = 0; i < UE_MAX_REQS; i++)
		if (u->req[i].used && u->req[i].id == id)
			return &u->req[i];
	return NULL;
}

void
ue_http_done(struct ue *u, unsigned long id, const struct httpc_result *res, int64_t now)
{
	struct ue_req *r = req_by_id(u, id), copy;

	if (r == NULL)
		return;
	/* The slot is released first: handlers may start new requests. */
	copy = *r;
	memset(r, 0, sizeof(*r));
	if (copy.kind == REQ_MSK)
		ue_msk_done(u, &copy, res, now);
	else
		ue_register_done(u, &copy, res, now);
	/* Whatever the answer changed (a deferred decision, a retry) runs now. */
	ue_tick(u, now);
}
