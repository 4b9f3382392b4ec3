/* ue_rule6: leave-on-no-key (rule 6) once a key was not obtained, deferred for a mixed answer. */
#include "ue_int.h"

#include <inttypes.h>
#include <stdio.h>

#include "log.h"
#include "store.h"

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
void
ue_maybe_decide(struct ue *u, int i, int64_t now)
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
		struct keyname n = ue_kname(valid->kdid, valid->mskid);

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
		ue_do_leave(u, i, d == STORE_LEAVE ? "rule 6, no still-valid older key" :
		    "rule 6 broken on purpose (fault leave-despite-valid-key)");
}
