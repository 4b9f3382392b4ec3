/* ue: joining, key requests on each trigger, outcomes per key, and leave-on-no-key (rule 6). */
#include "ue.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "faults.h"
#include "hex.h"
#include "log.h"
#include "rx.h"

/* "00f110/00010002" for logs. */
struct keyname {
	char s[2 * (KDID_LEN + MSKID_LEN) + 2];
};

static struct keyname
kname(const uint8_t *kdid, const uint8_t *mskid)
{
	struct keyname n;

	hex_encode(kdid, KDID_LEN, n.s);
	n.s[2 * KDID_LEN] = '/';
	hex_encode(mskid, MSKID_LEN, n.s + 2 * KDID_LEN + 1);
	return n;
}

static int
key_eq(const struct bodies_key *a, const uint8_t *kdid, const uint8_t *mskid)
{
	return memcmp(a->kdid, kdid, KDID_LEN) == 0 && memcmp(a->mskid, mskid, MSKID_LEN) == 0;
}

const char *
ue_svc_state_name(enum ue_svc_state s)
{
	switch (s) {
	case SVC_IDLE:
		return "idle";
	case SVC_REGISTERING:
		return "registering";
	case SVC_JOINED:
		return "joined";
	}
	return "?";
}

static const char *
pend_state_name(enum ue_pend_state s)
{
	switch (s) {
	case PEND_SCHEDULED:
		return "scheduled";
	case PEND_IN_FLIGHT:
		return "in_flight";
	case PEND_AWAIT_DELIVERY:
		return "awaiting_delivery";
	}
	return "?";
}

void
ue_init(struct ue *u, const struct conf *c, const struct keys *k, unsigned faults,
    const struct ue_io *io)
{
	memset(u, 0, sizeof(*u));
	u->c = c;
	u->k = k;
	u->faults = faults;
	u->io = *io;
	store_init(&u->st);
	policy_rng_seed(&u->rng, (uint64_t)c->seed);
	policy_username(c->btid, faults, u->username, sizeof(u->username));
}

void
ue_free(struct ue *u)
{
	crypto_cleanse(&u->st, sizeof(u->st));
}

/* The active (registering or joined) service of a Key Domain ID, or -1. */
static int
svc_of_domain(const struct ue *u, const uint8_t kdid[KDID_LEN])
{
	size_t i;

	for (i = 0; i < u->c->nsvc; i++)
		if (u->svc[i].state != SVC_IDLE && memcmp(u->c->svc[i].kdid, kdid, KDID_LEN) == 0)
			return (int)i;
	return -1;
}

static struct ue_pending *
pending_of(struct ue *u, const uint8_t *kdid, const uint8_t *mskid)
{
	size_t i;

	for (i = 0; i < UE_MAX_PENDING; i++)
		if (u->pend[i].used && key_eq(&u->pend[i].key, kdid, mskid))
			return &u->pend[i];
	return NULL;
}

static struct policy_budget *
budget_of(struct ue *u, const uint8_t *kdid, const uint8_t *mskid)
{
	struct policy_budget *b, *free_slot = NULL, *oldest = &u->budget[0];
	size_t i;

	for (i = 0; i < UE_MAX_BUDGETS; i++) {
		b = &u->budget[i];
		if (b->used && memcmp(b->kdid, kdid, KDID_LEN) == 0 &&
		    memcmp(b->mskid, mskid, MSKID_LEN) == 0)
			return b;
		if (!b->used && free_slot == NULL)
			free_slot = b;
		if (b->used && b->n < oldest->n)
			oldest = b;
	}
	/* Out of slots: reuse the emptiest budget (its key asks least often). */
	b = free_slot != NULL ? free_slot : oldest;
	memset(b, 0, sizeof(*b));
	b->used = 1;
	memcpy(b->kdid, kdid, KDID_LEN);
	memcpy(b->mskid, mskid, MSKID_LEN);
	return b;
}

/* Forgets everything the UE knew about service i (join, leave). */
static void
reset_service(struct ue *u, int i)
{
	const uint8_t *kdid = u->c->svc[i].kdid;
	struct ue_svc *s = &u->svc[i];
	size_t j;

	s->gen++;
	s->push_deadline = 0;
	s->mtk_seen = 0;
	s->have_traffic = 0;
	s->failed = 0;
	s->deferred_logged = 0;
	for (j = 0; j < UE_MAX_PENDING; j++)
		if (u->pend[j].used && u->pend[j].svc == i)
			memset(&u->pend[j], 0, sizeof(u->pend[j]));
	for (j = 0; j < UE_MAX_BUDGETS; j++)
		if (u->budget[j].used && memcmp(u->budget[j].kdid, kdid, KDID_LEN) == 0)
			memset(&u->budget[j], 0, sizeof(u->budget[j]));
	store_drop_domain(&u->st, kdid);
}

static struct ue_req *
new_req(struct ue *u)
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
static int
post(struct ue *u, enum ue_req_kind kind, const char *body, size_t len, struct ue_req *r,
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

static int
send_register(struct ue *u, int i, int deregister, struct err *e)
{
	struct ue_req *r;
	char *body = NULL;
	size_t len;
	int rc;

	if ((r = new_req(u)) == NULL)
		return err_setx(e, "too many HTTP requests in flight");
	if (bodies_register(u->c, deregister, u->c->svc[i].id, &body, &len, e) == -1)
		return -1;
	rc = post(u, deregister ? REQ_DEREGISTER : REQ_REGISTER, body, len, r, e);
	bodies_free(body);
	if (rc == 0) {
		r->svc = i;
		r->gen = u->svc[i].gen;
	}
	return rc;
}

/* Leaves service i: deregistration, and reception stops (keys and triggers dropped). */
static void
do_leave(struct ue *u, int i, const char *why)
{
	struct err e;

	ulog("leave %s: %s", u->c->svc[i].id, why);
	reset_service(u, i);
	u->svc[i].state = SVC_IDLE;
	u->stats.leaves++;
	/* key-update.md §2.5: the observable leave is the deregistration [A]. */
	if (send_register(u, i, 1, &e) == -1)
		ulog("deregistration of %s not sent: %s", u->c->svc[i].id, e.msg);
	else
		ulog("deregistration sent for %s", u->c->svc[i].id);
}

int
ue_join(struct ue *u, int i, int64_t now, struct err *e)
{
	(void)now;
	/*
	 * Each join starts a new key-management session toward the BM-SC: what the UE held for
	 * the service is dropped and the MUK's replay counter restarts (the first message under
	 * the MUK is again accepted with any counter), as after a fresh GBA bootstrap.
	 */
	reset_service(u, i);
	u->st.have_muk_counter = 0;
	u->svc[i].state = SVC_REGISTERING;
	if (send_register(u, i, 0, e) == -1) {
		u->svc[i].state = SVC_IDLE;
		return -1;
	}
	ulog("join %s: registration sent (Digest username %s)", u->c->svc[i].id, u->username);
	return 0;
}

int
ue_leave(struct ue *u, int i, int64_t now, struct err *e)
{
	(void)now;
	(void)e;
	do_leave(u, i, "control command");
	return 0;
}

/* Rule 2: a trigger for key (kdid, mskid) of service i. */
static void
trigger(struct ue *u, int i, const uint8_t *kdid, const uint8_t *mskid,
    enum policy_trigger t, int64_t now)
{
	struct keyname n = kname(kdid, mskid);
	struct policy_budget *b;
	struct ue_pending *p;
	long delay;
	size_t j;

	if (store_find(&u->st, kdid, mskid) != NULL) {
		ulog("%s for %s: the UE holds that MSK; no request", policy_trigger_name(t), n.s);
		return;
	}
	if ((p = pending_of(u, kdid, mskid)) != NULL) {
		ulog("%s for %s: a request for it is already %s; no new one",
		    policy_trigger_name(t), n.s, pend_state_name(p->st));
		return;
	}
	if (!policy_request(t, u->c->w_spread, u->faults, &u->rng, &delay)) {
		ulog("%s for %s: no request (fault %s)", policy_trigger_name(t), n.s,
		    t == TRIG_NOTICE ? "no-notice-request" : "no-missed-key-request");
		return;
	}
	/* KU-UE-15: at most retry_max requests per key per retry_window. */
	b = budget_of(u, kdid, mskid);
	if (!policy_budget_allows(b, now, u->c->retry_max, u->c->retry_window, u->faults)) {
		ulog("%s for %s: retry limit reached (%ld requests per %ld ms); no request",
		    policy_trigger_name(t), n.s, u->c->retry_max, u->c->retry_window);
		return;
	}
	for (j = 0; j < UE_MAX_PENDING && u->pend[j].used; j++)
		;
	if (j == UE_MAX_PENDING) {
		ulog("%s for %s: too many keys pending; no request", policy_trigger_name(t), n.s);
		return;
	}
	p = &u->pend[j];
	memset(p, 0, sizeof(*p));
	p->used = 1;
	p->svc = i;
	p->gen = u->svc[i].gen;
	memcpy(p->key.kdid, kdid, KDID_LEN);
	memcpy(p->key.mskid, mskid, MSKID_LEN);
	p->st = PEND_SCHEDULED;
	p->trig = t;
	p->at = now + delay;
	if (t == TRIG_RETRY && fault_on(u->faults, FAULT_REQUEST_STORM))
		ulog("%s for %s: key request again in %ld ms, without limit (fault request-storm)",
		    policy_trigger_name(t), n.s, delay);
	else if (delay > 0)
		ulog("%s for %s: key request after a random back-off of %ld ms (W_spread %ld)",
		    policy_trigger_name(t), n.s, delay, u->c->w_spread);
	else
		ulog("%s for %s: key request now%s", policy_trigger_name(t), n.s,
		    t == TRIG_NOTICE ? " (fault sync-request: no back-off)" :
		    "");
}

/* Another key of service i still on its way (a deferred rule 6 decision waits for it). */
static int
others_in_progress(const struct ue *u, int i)
{
	size_t j;

	for (j = 0; j < UE_MAX_PENDING; j++) {
		const struct ue_pending *p = &u->pend[j];

		if (p->used && p->svc == i && p->trig != TRIG_RETRY &&
		    (p->st == PEND_IN_FLIGHT || p->st == PEND_AWAIT_DELIVERY))
			return 1;
	}
	return 0;
}

/* Rule 6, once nothing else the service asked for is still on its way. */
static void
maybe_decide(struct ue *u, int i, int64_t now)
{
	struct ue_svc *s = &u->svc[i];
	const struct store_msk *valid;
	enum store_decision d;
	char held[64] = "";

	if (!s->failed || s->state == SVC_IDLE)
		return;
	/*
	 * A mixed answer (6.3.2.4): the rejected key is acted on once the delivered ones are in,
	 * so that a key arriving right after the answer counts as held. The wait is bounded well
	 * inside T_leave.
	 */
	if (others_in_progress(u, i) && now - s->failed_at < u->c->t_leave / 2) {
		if (!s->deferred_logged)
			ulog("rule 6 for %s: decision deferred until the other keys requested are "
			    "delivered or fail", u->c->svc[i].id);
		s->deferred_logged = 1;
		return;
	}
	s->failed = 0;
	s->deferred_logged = 0;
	valid = store_valid_key(&u->st, u->c->svc[i].kdid, s->mtk_seen, s->traffic_mtk);
	if (valid != NULL) {
		struct keyname n = kname(valid->kdid, valid->mskid);

		snprintf(held, sizeof(held), "%s SEQ %" PRIu32 "..%" PRIu32, n.s, valid->seql,
		    valid->sequ);
	}
	d = store_leave_decision(valid != NULL, u->faults);
	if (s->mtk_seen)
		ulog("rule 6 for %s: still-valid older key %s (traffic MTK ID %" PRIu32 "): %s",
		    u->c->svc[i].id, valid ? held : "none", s->traffic_mtk, store_decision_name(d));
	else
		ulog("rule 6 for %s: still-valid older key %s (no MTK accepted since joining: every "
		    "held MSK counts): %s", u->c->svc[i].id, valid ? held : "none",
		    store_decision_name(d));
	if (store_decision_leaves(d))
		do_leave(u, i, d == STORE_LEAVE ? "rule 6, no still-valid older key" :
		    "rule 6 broken on purpose (fault leave-despite-valid-key)");
}

/* The UE failed to obtain a key (key-update.md §1, "fails to obtain"). */
static void
failed(struct ue *u, struct ue_pending *p, const char *why, int64_t now)
{
	struct keyname n = kname(p->key.kdid, p->key.mskid);
	struct ue_svc *s = &u->svc[p->svc];
	struct bodies_key key = p->key;
	int i = p->svc;

	ulog("failed to obtain %s for %s: %s", n.s, u->c->svc[i].id, why);
	memset(p, 0, sizeof(*p));
	if (!s->failed) {
		s->failed = 1;
		s->failed_at = now;
		s->failed_key = key;
	}
	maybe_decide(u, i, now);
	/* Fault request-storm: ask again at once after every failure, without any limit. */
	if (fault_on(u->faults, FAULT_REQUEST_STORM) && s->state != SVC_IDLE)
		trigger(u, i, key.kdid, key.mskid, TRIG_RETRY, now);
}

/* Sends every key request that is due, all due keys in one request (6.3.2.4 allows many). */
static void
send_due(struct ue *u, int64_t now)
{
	struct bodies_key keys[BODIES_MAX_ITEMS];
	size_t idx[BODIES_MAX_ITEMS];
	size_t j, n = 0, len, ll = 0;
	struct ue_req *r;
	struct err e;
	char *body = NULL, list[BODIES_MAX_ITEMS * 18 + 1] = "";
	int rc;

	for (j = 0; j < UE_MAX_PENDING && n < BODIES_MAX_ITEMS; j++) {
		struct ue_pending *p = &u->pend[j];

		if (p->used && p->st == PEND_SCHEDULED && p->at <= now) {
			struct keyname kn = kname(p->key.kdid, p->key.mskid);

			idx[n] = j;
			keys[n++] = p->key;
			ll += (size_t)snprintf(list + ll, sizeof(list) - ll, "%s%s", ll ? " " : "",
			    kn.s);
		}
	}
	if (n == 0)
		return;
	if ((r = new_req(u)) == NULL) {
		err_setx(&e, "too many HTTP requests in flight");
		rc = -1;
	} else if ((rc = bodies_msk_request(u->c, keys, n, &body, &len, &e)) == 0) {
		rc = post(u, REQ_MSK, body, len, r, &e);
		bodies_free(body);
	}
	if (rc == -1) {
		ulog("key request for %s not sent: %s", list, e.msg);
		for (j = 0; j < n; j++)
			if (u->pend[idx[j]].used && u->pend[idx[j]].st == PEND_SCHEDULED)
				failed(u, &u->pend[idx[j]], "the request could not be sent", now);
		return;
	}
	for (j = 0; j < n; j++) {
		struct ue_pending *p = &u->pend[idx[j]];

		p->st = PEND_IN_FLIGHT;
		p->req = r->id;
		policy_budget_record(budget_of(u, p->key.kdid, p->key.mskid), now);
	}
	r->nkeys = n;
	memcpy(r->keys, keys, n * sizeof(keys[0]));
	u->stats.requests++;
	ulog("key request sent for %s", list);
}

void
ue_tick(struct ue *u, int64_t now)
{
	size_t i, j;

	for (i = 0; i < u->c->nsvc; i++) {
		struct ue_svc *s = &u->svc[i];
		const struct conf_service *cs = &u->c->svc[i];

		if (s->state != SVC_JOINED || s->push_deadline == 0 || now < s->push_deadline)
			continue;
		s->push_deadline = 0;
		if (store_count_domain(&u->st, cs->kdid) > 0)
			continue;
		/* Rule 2b: joined and still without a key after T_delivery. */
		if (cs->have_current) {
			ulog("%s: no MSK pushed within T_delivery (%ld ms)", cs->id, u->c->t_delivery);
			trigger(u, (int)i, cs->kdid, cs->current, TRIG_JOINED, now);
		} else {
			ulog("%s: no MSK pushed within T_delivery and no current key known to ask "
			    "for", cs->id);
			s->failed = 1;
			s->failed_at = now;
			maybe_decide(u, (int)i, now);
		}
	}
	for (j = 0; j < UE_MAX_PENDING; j++) {
		struct ue_pending *p = &u->pend[j];

		if (p->used && p->st == PEND_AWAIT_DELIVERY && now >= p->at)
			failed(u, p, "SUCCESS, but no valid delivery within T_delivery", now);
	}
	send_due(u, now);
	for (i = 0; i < u->c->nsvc; i++)
		maybe_decide(u, (int)i, now);
}

int64_t
ue_next_deadline(const struct ue *u)
{
	int64_t t = INT64_MAX;
	size_t i;

	for (i = 0; i < u->c->nsvc; i++) {
		const struct ue_svc *s = &u->svc[i];

		if (s->state == SVC_JOINED && s->push_deadline != 0 && s->push_deadline < t)
			t = s->push_deadline;
		if (s->failed && s->failed_at + u->c->t_leave / 2 < t)
			t = s->failed_at + u->c->t_leave / 2;
	}
	for (i = 0; i < UE_MAX_PENDING; i++) {
		const struct ue_pending *p = &u->pend[i];

		if (p->used && p->st != PEND_IN_FLIGHT && p->at < t)
			t = p->at;
	}
	return t;
}

static int
rx_domain_active(void *arg, const uint8_t kdid[KDID_LEN])
{
	return svc_of_domain(arg, kdid) >= 0;
}

static void
on_delivery(struct ue *u, int i, struct rx_out *o, const void *peer, size_t peer_len,
    const char *from, int64_t now)
{
	struct keyname n = kname(o->kdid, o->mskid);
	struct store_msk dropped, *held;
	struct ue_pending *p;
	enum store_put put;
	struct err e;

	put = store_put(&u->st, &o->msk, &dropped);
	switch (put) {
	case STORE_PUT_NEW:
	case STORE_PUT_REPLACED:
		ulog("MSK %s SEQ %" PRIu32 "..%" PRIu32 " %s for %s (counter %" PRIu64 ", V=%d)",
		    n.s, o->msk.seql, o->msk.sequ, put == STORE_PUT_NEW ? "stored" : "replaced",
		    u->c->svc[i].id, o->counter, o->msk.v);
		break;
	case STORE_PUT_NEW_DROPPED_OLDER: {
		struct keyname dn = kname(dropped.kdid, dropped.mskid);

		ulog("MSK %s SEQ %" PRIu32 "..%" PRIu32 " stored; %s (SEQu %" PRIu32 ") dropped: two "
		    "MSKs per key group", n.s, o->msk.seql, o->msk.sequ, dn.s, dropped.sequ);
		crypto_cleanse(&dropped, sizeof(dropped));
		break;
	}
	case STORE_PUT_NOT_KEPT:
		ulog("MSK %s SEQ %" PRIu32 "..%" PRIu32 " not kept: older than the two MSKs held for "
		    "its key group", n.s, o->msk.seql, o->msk.sequ);
		break;
	case STORE_PUT_FULL:
		ulog("MSK %s not stored: key store full", n.s);
		break;
	}
	if (o->have_verification) {
		if (u->io.send(u->io.arg, o->verification.buf, o->verification.len, peer, peer_len,
		    &e) == -1) {
			ulog("verification for %s to %s not sent: %s", n.s, from, e.msg);
			if ((held = store_find(&u->st, o->kdid, o->mskid)) != NULL)
				held->verified = 0;
		} else {
			u->stats.verifications++;
			ulog("verification message for %s sent to %s (%zu bytes)", n.s, from,
			    o->verification.len);
		}
	} else if (o->msk.v)
		ulog("delivery of %s asked for verification (V=1): none sent (fault no-verify-msg)",
		    n.s);
	if (put == STORE_PUT_NOT_KEPT || put == STORE_PUT_FULL)
		return;
	u->svc[i].push_deadline = 0;
	if ((p = pending_of(u, o->kdid, o->mskid)) != NULL) {
		ulog("key request for %s satisfied", n.s);
		memset(p, 0, sizeof(*p));
	}
	maybe_decide(u, i, now);
}

void
ue_mikey(struct ue *u, const uint8_t *buf, size_t len, const void *peer, size_t peer_len,
    const char *from, int64_t now)
{
	struct rx_ctx ctx;
	struct rx_out o;
	struct keyname n;
	struct ue_svc *s;
	int i;

	memset(&ctx, 0, sizeof(ctx));
	ctx.c = u->c;
	ctx.muk = u->k->muk;
	ctx.muk_len = u->k->muk_len;
	ctx.faults = u->faults;
	ctx.st = &u->st;
	ctx.domain_active = rx_domain_active;
	ctx.arg = u;
	rx_out_init(&o);
	rx_handle(&ctx, buf, len, &o);
	n = kname(o.kdid, o.mskid);
	i = o.kind == RX_DROP ? -1 : svc_of_domain(u, o.kdid);
	if (o.kind != RX_DROP && i < 0) {
		/* rx asked domain_active first, so this only happens on a programming error. */
		ulog("MIKEY from %s for %s: no service joined for it; dropped", from, n.s);
		goto done;
	}
	if (o.fault_used)
		ulog("MIKEY from %s: accepted only because of a fault switch (%s)", from,
		    fault_on(u->faults, FAULT_ACCEPT_BAD_MAC) ? "accept-bad-mac" : "accept-replay");
	switch (o.kind) {
	case RX_DROP:
		u->stats.dropped++;
		ulog("MIKEY from %s (%zu bytes) discarded: %s", from, len, o.why);
		break;
	case RX_DELIVERY:
		on_delivery(u, i, &o, peer, peer_len, from, now);
		break;
	case RX_PULL:
		ulog("solicited pull for %s from %s (counter %" PRIu64 ")", n.s, from, o.counter);
		trigger(u, i, o.kdid, o.mskid, TRIG_NOTICE, now);
		break;
	case RX_MTK:
		s = &u->svc[i];
		s->mtk_seen = 1;
		s->have_traffic = 1;
		s->traffic_mtk = o.mtk_id;
		u->have_last_mtk = 1;
		u->last_mtk = o.mtk_id;
		u->stats.mtk_accepted++;
		ulog("MTK ID %" PRIu32 " under %s accepted (counter %" PRIu64 ")", o.mtk_id, n.s,
		    o.counter);
		break;
	case RX_MTK_UNKNOWN:
		/*
		 * The Key ID names the MTK ID in clear: it tells where the traffic is even though
		 * the message cannot be verified [D: suites/ue/ue12]. It does not count as an MTK
		 * seen (only verified MTKs end the "every held MSK is valid" period).
		 */
		s = &u->svc[i];
		s->have_traffic = 1;
		s->traffic_mtk = o.mtk_id;
		ulog("MTK ID %" PRIu32 " under %s, an MSK the UE lacks (missed key update)",
		    o.mtk_id, n.s);
		trigger(u, i, o.kdid, o.mskid, TRIG_MISSED_KEY, now);
		break;
	}
done:
	rx_out_free(&o);
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

static void
register_done(struct ue *u, struct ue_req *r, const struct httpc_result *res, int64_t now)
{
	struct bodies_status st[BODIES_MAX_ITEMS];
	const char *id = u->c->svc[r->svc].id, *cause;
	struct ue_svc *s = &u->svc[r->svc];
	struct err e;
	size_t n, j;
	int code = -1;

	if (r->kind == REQ_DEREGISTER) {
		if (!res->ok)
			ulog("deregistration of %s: no answer (%s)", id, res->error);
		else
			ulog("deregistration of %s answered HTTP %ld", id, res->status);
		return;
	}
	if (r->gen != s->gen || s->state != SVC_REGISTERING) {
		ulog("registration answer for %s ignored: the service was joined or left again "
		    "since", id);
		return;
	}
	s->state = SVC_IDLE;
	if (!res->ok) {
		ulog("registration for %s: no answer (%s); not joined", id, res->error);
		return;
	}
	if (res->status != 200) {
		ulog("registration for %s: HTTP %ld%s; not joined", id, res->status,
		    res->status == 401 ? " (Digest credentials refused)" : "");
		return;
	}
	if (bodies_parse_register_response(u->c, res->body, res->body_len, st, BODIES_MAX_ITEMS,
	    &n, &e) == -1) {
		ulog("registration for %s: %s; not joined", id, e.msg);
		return;
	}
	for (j = 0; j < n; j++)
		if (strcmp(st[j].service, id) == 0 || (n == 1 && st[j].service[0] == '\0'))
			code = st[j].code;
	if (code < 0) {
		ulog("registration for %s: the answer has no status for it; not joined", id);
		return;
	}
	cause = conf_cause_name(u->c, code);
	if (code != conf_cause_code(u->c, "SUCCESS")) {
		ulog("registration for %s answered %s (%d); not joined", id, cause ? cause : "?",
		    code);
		return;
	}
	s->state = SVC_JOINED;
	if (store_count_domain(&u->st, u->c->svc[r->svc].kdid) > 0) {
		ulog("joined %s (SUCCESS); the MSK was already pushed", id);
		return;
	}
	s->push_deadline = now + u->c->t_delivery;
	ulog("joined %s (SUCCESS); waiting up to %ld ms for the MSK push", id, u->c->t_delivery);
}

static void
msk_done(struct ue *u, struct ue_req *r, const struct httpc_result *res, int64_t now)
{
	struct bodies_status st[BODIES_MAX_ITEMS];
	char why[ERR_MSG_MAX + 64];
	struct err e;
	size_t n = 0, j, k;
	int all_fail = 1, success = conf_cause_code(u->c, "SUCCESS");

	if (!res->ok)
		snprintf(why, sizeof(why), "%s", res->timed_out ?
		    "no answer within T_request" : res->error);
	else if (res->status != 200)
		snprintf(why, sizeof(why), "HTTP %ld%s", res->status,
		    res->status == 401 ? " (Digest credentials refused)" : "");
	else if (bodies_parse_msk_response(u->c, res->body, res->body_len, st, BODIES_MAX_ITEMS,
	    &n, &e) == -1)
		snprintf(why, sizeof(why), "%s", e.msg);
	else
		all_fail = 0;
	for (j = 0; j < r->nkeys; j++) {
		const struct bodies_key *key = &r->keys[j];
		struct ue_pending *p = pending_of(u, key->kdid, key->mskid);
		struct keyname kn = kname(key->kdid, key->mskid);
		const char *cause;
		int code = -1;

		if (p == NULL || p->st != PEND_IN_FLIGHT || p->req != r->id) {
			ulog("answer for %s ignored: no longer waited for", kn.s);
			continue;
		}
		if (all_fail) {
			failed(u, p, why, now);
			continue;
		}
		for (k = 0; k < n; k++)
			if (memcmp(&st[k].key, key, sizeof(*key)) == 0)
				code = st[k].code;
		cause = conf_cause_name(u->c, code);
		if (code < 0) {
			failed(u, p, "the answer has no status for this key", now);
		} else if (code == success) {
			if (store_find(&u->st, key->kdid, key->mskid) != NULL) {
				ulog("%s answered SUCCESS; already delivered", kn.s);
				memset(p, 0, sizeof(*p));
				continue;
			}
			/* Rule 4/5: the key follows by MIKEY; wait T_delivery for it. */
			p->st = PEND_AWAIT_DELIVERY;
			p->at = now + u->c->t_delivery;
			ulog("%s answered SUCCESS; waiting up to %ld ms for the delivery", kn.s,
			    u->c->t_delivery);
		} else {
			snprintf(why, sizeof(why), "answered %s (%d)", cause ? cause : "unknown cause",
			    code);
			failed(u, p, why, now);
		}
	}
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
		msk_done(u, &copy, res, now);
	else
		register_done(u, &copy, res, now);
	/* Whatever the answer changed (a deferred decision, a retry) runs now. */
	ue_tick(u, now);
}

/* --- status ------------------------------------------------------------------------------ */

static void
json_str(struct bld *b, const char *s)
{
	char esc[8];

	bld_u8(b, '"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\') {
			bld_u8(b, '\\');
			bld_u8(b, ch);
		} else if (ch < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", ch);
			bld_bytes(b, esc, 6);
		} else
			bld_u8(b, ch);
	}
	bld_u8(b, '"');
}

static void
json_raw(struct bld *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
json_raw(struct bld *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		bld_bytes(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static void
json_hex(struct bld *b, const uint8_t *p, size_t n)
{
	char h[2 * 8 + 1];

	hex_encode(p, n, h);
	json_str(b, h);
}

void
ue_status(const struct ue *u, int64_t now, struct bld *b)
{
	char faults[512];
	size_t i, first;

	bld_u8(b, '{');
	json_raw(b, "\"joined\":[");
	for (i = 0, first = 1; i < u->c->nsvc; i++)
		if (u->svc[i].state == SVC_JOINED) {
			if (!first)
				bld_u8(b, ',');
			json_str(b, u->c->svc[i].id);
			first = 0;
		}
	bld_u8(b, ']');
	/* The last MTK ID accepted (any service); null before the first. */
	if (u->have_last_mtk)
		json_raw(b, ",\"last_mtk_id\":%" PRIu32, u->last_mtk);
	else
		json_raw(b, ",\"last_mtk_id\":null");
	json_raw(b, ",\"btid\":");
	json_str(b, u->c->btid);
	fault_names(u->faults, faults, sizeof(faults));
	json_raw(b, ",\"faults\":");
	json_str(b, faults);
	json_raw(b, ",\"services\":[");
	for (i = 0; i < u->c->nsvc; i++) {
		const struct ue_svc *s = &u->svc[i];

		if (i)
			bld_u8(b, ',');
		json_raw(b, "{\"id\":");
		json_str(b, u->c->svc[i].id);
		json_raw(b, ",\"kdid\":");
		json_hex(b, u->c->svc[i].kdid, KDID_LEN);
		json_raw(b, ",\"state\":\"%s\",\"mtk_seen\":%s", ue_svc_state_name(s->state),
		    s->mtk_seen ? "true" : "false");
		if (s->have_traffic)
			json_raw(b, ",\"traffic_mtk_id\":%" PRIu32, s->traffic_mtk);
		else
			json_raw(b, ",\"traffic_mtk_id\":null");
		json_raw(b, ",\"awaiting_push\":%s,\"decision_due\":%s}",
		    s->push_deadline ? "true" : "false", s->failed ? "true" : "false");
	}
	json_raw(b, "],\"msks\":[");
	for (i = 0; i < u->st.n; i++) {
		const struct store_msk *m = &u->st.msk[i];

		if (i)
			bld_u8(b, ',');
		json_raw(b, "{\"kdid\":");
		json_hex(b, m->kdid, KDID_LEN);
		json_raw(b, ",\"mskid\":");
		json_hex(b, m->mskid, MSKID_LEN);
		json_raw(b, ",\"seql\":%" PRIu32 ",\"sequ\":%" PRIu32 ",\"v\":%d,\"verified\":%s",
		    m->seql, m->sequ, m->v, m->verified ? "true" : "false");
		if (m->have_counter)
			json_raw(b, ",\"counter\":%" PRIu64, m->counter);
		else
			json_raw(b, ",\"counter\":null");
		if (m->have_mtk)
			json_raw(b, ",\"mtk_id\":%" PRIu32 "}", m->last_mtk);
		else
			json_raw(b, ",\"mtk_id\":null}");
	}
	if (u->st.have_muk_counter)
		json_raw(b, "],\"muk_counter\":%" PRIu64, u->st.muk_counter);
	else
		json_raw(b, "],\"muk_counter\":null");
	json_raw(b, ",\"pending\":[");
	for (i = 0, first = 1; i < UE_MAX_PENDING; i++) {
		const struct ue_pending *p = &u->pend[i];

		if (!p->used)
			continue;
		if (!first)
			bld_u8(b, ',');
		first = 0;
		json_raw(b, "{\"kdid\":");
		json_hex(b, p->key.kdid, KDID_LEN);
		json_raw(b, ",\"mskid\":");
		json_hex(b, p->key.mskid, MSKID_LEN);
		json_raw(b, ",\"state\":\"%s\",\"trigger\":", pend_state_name(p->st));
		json_str(b, policy_trigger_name(p->trig));
		if (p->st != PEND_IN_FLIGHT)
			json_raw(b, ",\"in_ms\":%" PRId64 "}", p->at > now ? p->at - now : 0);
		else
			bld_u8(b, '}');
	}
	json_raw(b, "],\"stats\":{\"requests\":%lu,\"verifications\":%lu,\"leaves\":%lu,"
	    "\"dropped\":%lu,\"mtk_accepted\":%lu}}", u->stats.requests, u->stats.verifications,
	    u->stats.leaves, u->stats.dropped, u->stats.mtk_accepted);
}
