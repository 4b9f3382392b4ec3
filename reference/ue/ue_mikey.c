/* ue_mikey: what a received MIKEY message does — store the MSK, fire a trigger, track the MTK. */
#include "ue_int.h"

#include <inttypes.h>
#include <string.h>

#include "crypto.h"
#include "faults.h"
#include "log.h"
#include "rx.h"

static int
rx_domain_active(void *arg, const uint8_t kdid[KDID_LEN])
{
	return ue_svc_of_domain(arg, kdid) >= 0;
}

static void
on_delivery(struct ue *u, int i, struct rx_out *o, const void *peer, size_t peer_len,
    const char *from, int64_t now)
{
	struct keyname n = ue_kname(o->kdid, o->mskid);
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
		struct keyname dn = ue_kname(dropped.kdid, dropped.mskid);

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
	if ((p = ue_pending_of(u, o->kdid, o->mskid)) != NULL) {
		ulog("key request for %s satisfied", n.s);
		memset(p, 0, sizeof(*p));
	}
	ue_maybe_decide(u, i, now);
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
	n = ue_kname(o.kdid, o.mskid);
	i = o.kind == RX_DROP ? -1 : ue_svc_of_domain(u, o.kdid);
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
		ue_trigger(u, i, o.kdid, o.mskid, TRIG_NOTICE, now);
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
		ue_trigger(u, i, o.kdid, o.mskid, TRIG_MISSED_KEY, now);
		break;
	}
done:
	rx_out_free(&o);
}
