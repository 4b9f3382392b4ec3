/* ue: sessions of the UE state machine — set-up, join, the registration's outcome and leave. */
#include "ue_int.h"

#include <string.h>

#include "crypto.h"
#include "hex.h"
#include "log.h"

struct keyname
ue_kname(const uint8_t *kdid, const uint8_t *mskid)
{
	struct keyname n;

	hex_encode(kdid, KDID_LEN, n.s);
	n.s[2 * KDID_LEN] = '/';
	hex_encode(mskid, MSKID_LEN, n.s + 2 * KDID_LEN + 1);
	return n;
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
int
ue_svc_of_domain(const struct ue *u, const uint8_t kdid[KDID_LEN])
{
	size_t i;

	for (i = 0; i < u->c->nsvc; i++)
		if (u->svc[i].state != SVC_IDLE && memcmp(u->c->svc[i].kdid, kdid, KDID_LEN) == 0)
			return (int)i;
	return -1;
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

/* Leaves service i: deregistration, and reception stops (keys and triggers dropped). */
void
ue_do_leave(struct ue *u, int i, const char *why)
{
	struct err e;

	ulog("leave %s: %s", u->c->svc[i].id, why);
	reset_service(u, i);
	u->svc[i].state = SVC_IDLE;
	u->stats.leaves++;
	/* key-update.md §2.5: the observable leave is the deregistration [A]. */
	if (ue_send_register(u, i, 1, &e) == -1)
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
	if (ue_send_register(u, i, 0, e) == -1) {
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
	ue_do_leave(u, i, "control command");
	return 0;
}

void
ue_register_done(struct ue *u, struct ue_req *r, const struct httpc_result *res, int64_t now)
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
