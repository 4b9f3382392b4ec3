/* ue_keyreq: key requests — the rule 2 triggers, sending, the outcome per key, and the timers. */
#include "ue_int.h"

#include <stdio.h>
#include <string.h>

#include "faults.h"
#include "log.h"

static int
key_eq(const struct bodies_key *a, const uint8_t *kdid, const uint8_t *mskid)
{
	return memcmp(a->kdid, kdid, KDID_LEN) == 0 && memcmp(a->mskid, mskid, MSKID_LEN) == 0;
}

const char *
ue_pend_state_name(enum ue_pend_state s)
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

struct ue_pending *
ue_pending_of(struct ue *u, const uint8_t *kdid, const uint8_t *mskid)
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

/* Rule 2: a trigger for key (kdid, mskid) of service i. */
void
ue_trigger(struct ue *u, int i, const uint8_t *kdid, const uint8_t *mskid,
    enum policy_trigger t, int64_t now)
{
	struct keyname n = ue_kname(kdid, mskid);
	struct policy_budget *b;
	struct ue_pending *p;
	long delay;
	size_t j;

	if (store_find(&u->st, kdid, mskid) != NULL) {
		ulog("%s for %s: the UE holds that MSK; no request", policy_trigger_name(t), n.s);
		return;
	}
	if ((p = ue_pending_of(u, kdid, mskid)) != NULL) {
		ulog("%s for %s: a request for it is already %s; no new one",
		    policy_trigger_name(t), n.s, ue_pend_state_name(p->st));
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

/* The UE failed to obtain a key (key-update.md §1, "fails to obtain"). */
static void
failed(struct ue *u, struct ue_pending *p, const char *why, int64_t now)
{
	struct keyname n = ue_kname(p->key.kdid, p->key.mskid);
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
	ue_maybe_decide(u, i, now);
	/* Fault request-storm: ask again at once after every failure, without any limit. */
	if (fault_on(u->faults, FAULT_REQUEST_STORM) && s->state != SVC_IDLE)
		ue_trigger(u, i, key.kdid, key.mskid, TRIG_RETRY, now);
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
			struct keyname kn = ue_kname(p->key.kdid, p->key.mskid);

			idx[n] = j;
			keys[n++] = p->key;
			ll += (size_t)snprintf(list + ll, sizeof(list) - ll, "%s%s", ll ? " " : "",
			    kn.s);
		}
	}
	if (n == 0)
		return;
	if ((r = ue_req_new(u)) == NULL) {
		err_setx(&e, "too many HTTP requests in flight");
		rc = -1;
	} else if ((rc = bodies_msk_request(u->c, keys, n, &body, &len, &e)) == 0) {
		rc = ue_post(u, REQ_MSK, body, len, r, &e);
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
ue_msk_done(struct ue *u, struct ue_req *r, const struct httpc_result *res, int64_t now)
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
		struct ue_pending *p = ue_pending_of(u, key->kdid, key->mskid);
		struct keyname kn = ue_kname(key->kdid, key->mskid);
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
			ue_trigger(u, (int)i, cs->kdid, cs->current, TRIG_JOINED, now);
		} else {
			ulog("%s: no MSK pushed within T_delivery and no current key known to ask "
			    "for", cs->id);
			s->failed = 1;
			s->failed_at = now;
			ue_maybe_decide(u, (int)i, now);
		}
	}
	for (j = 0; j < UE_MAX_PENDING; j++) {
		struct ue_pending *p = &u->pend[j];

		if (p->used && p->st == PEND_AWAIT_DELIVERY && now >= p->at)
			failed(u, p, "SUCCESS, but no valid delivery within T_delivery", now);
	}
	send_due(u, now);
	for (i = 0; i < u->c->nsvc; i++)
		ue_maybe_decide(u, (int)i, now);
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
