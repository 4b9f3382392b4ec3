/* ue_status: the machine's state as one line of JSON for the control's `status`. */
#include "ue_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "faults.h"
#include "hex.h"

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
		json_raw(b, ",\"state\":\"%s\",\"trigger\":", ue_pend_state_name(p->st));
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
