/* state: registrations, held keys, counters, MTK IDs and pending verifications. */
#include "state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faults.h"
#include "hexstr.h"

int
state_init(struct state *st, const struct conf *c, struct err *e)
{
	size_t i;

	memset(st, 0, sizeof(*st));
	st->c = c;
	st->v_bit = c->v_bit;
	st->next_pending_id = 1;
	if ((st->current = calloc(c->nsvc, sizeof(*st->current))) == NULL ||
	    (st->base = calloc(c->nsvc, sizeof(*st->base))) == NULL)
		goto oom;
	for (i = 0; i < c->nsvc; i++) {
		st->current[i] = c->svc[i].current;
		st->base[i] = st->nkeys;
		st->nkeys += c->svc[i].nmsk;
	}
	if ((st->msk = calloc(st->nkeys, sizeof(*st->msk))) == NULL)
		goto oom;
	for (i = 0; i < c->nsvc; i++) {
		size_t m;

		for (m = 0; m < c->svc[i].nmsk; m++) {
			st->msk[st->base[i] + m].next_mtk_counter = c->counter_start;
			st->msk[st->base[i] + m].next_mtkid = c->svc[i].msk[m].seql;
		}
	}
	if (c->nsub > 0 && (st->ue = calloc(c->nsub, sizeof(*st->ue))) == NULL)
		goto oom;
	for (i = 0; i < c->nsub; i++) {
		if ((st->ue[i].registered = calloc(c->nsvc, 1)) == NULL ||
		    (st->ue[i].held = calloc(st->nkeys ? st->nkeys : 1, 1)) == NULL)
			goto oom;
		st->ue[i].next_counter = c->counter_start;
	}
	return 0;
oom:
	state_free(st);
	return err_set(e, "state: out of memory");
}

void
state_free(struct state *st)
{
	size_t i;

	if (st == NULL)
		return;
	if (st->ue != NULL && st->c != NULL)
		for (i = 0; i < st->c->nsub; i++) {
			free(st->ue[i].registered);
			free(st->ue[i].held);
		}
	for (i = 0; i < st->npend; i++)
		free(st->pend[i].bytes);
	free(st->pend);
	free(st->ue);
	free(st->current);
	free(st->base);
	free(st->msk);
	st->pend = NULL;
	st->ue = NULL;
	st->current = st->base = NULL;
	st->msk = NULL;
	st->npend = 0;
}

int
state_find_key(const struct state *st, const uint8_t kdid[3], const uint8_t mskid[4],
    size_t *svc, size_t *msk)
{
	const struct conf *c = st->c;
	size_t i, m;

	for (i = 0; i < c->nsvc; i++) {
		if (memcmp(c->svc[i].kdid, kdid, 3) != 0)
			continue;
		for (m = 0; m < c->svc[i].nmsk; m++)
			if (memcmp(c->svc[i].msk[m].id, mskid, 4) == 0) {
				*svc = i;
				*msk = m;
				return 1;
			}
	}
	return 0;
}

void
state_key_facts(const struct state *st, size_t ue, const uint8_t kdid[3],
    const uint8_t mskid[4], struct policy_key_facts *f, size_t *svc, size_t *msk)
{
	memset(f, 0, sizeof(*f));
	f->redeliver = st->c->held_key_answer == CONF_HELD_REDELIVER;
	if (!state_find_key(st, kdid, mskid, svc, msk))
		return;
	f->known = 1;
	f->registered = state_registered(st, ue, *svc);
	f->age = *msk < st->current[*svc] ? -1 : *msk > st->current[*svc] ? 1 : 0;
	f->held = state_holds(st, ue, *svc, *msk);
}

void
state_set_addr(struct state *st, size_t ue, struct in_addr addr)
{
	st->ue[ue].addr = addr;
	st->ue[ue].have_addr = 1;
}

/* Forgets what UE ue holds of service svc and its deliveries of it awaiting verification. */
static void
forget(struct state *st, size_t ue, size_t svc)
{
	size_t i;

	memset(st->ue[ue].held + st->base[svc], 0, st->c->svc[svc].nmsk);
	for (i = st->npend; i-- > 0;)
		if (st->pend[i].ue == ue && st->pend[i].svc == svc)
			state_pending_remove(st, &st->pend[i]);
}

void
state_register(struct state *st, size_t ue, size_t svc)
{
	/*
	 * A registration starts afresh: a joining UE holds no key of the service (key-update.md
	 * rule 2b) until the push that follows is verified (or sent with V=0).
	 */
	forget(st, ue, svc);
	st->ue[ue].registered[svc] = 1;
}

void
state_unregister(struct state *st, size_t ue, size_t svc)
{
	/* A UE that left keeps no key of the service and gets no more re-sends. */
	forget(st, ue, svc);
	st->ue[ue].registered[svc] = 0;
}

int
state_registered(const struct state *st, size_t ue, size_t svc)
{
	return st->ue[ue].registered[svc] != 0;
}

void
state_hold(struct state *st, size_t ue, size_t svc, size_t msk)
{
	st->ue[ue].held[st->base[svc] + msk] = 1;
}

int
state_holds(const struct state *st, size_t ue, size_t svc, size_t msk)
{
	return st->ue[ue].held[st->base[svc] + msk] != 0;
}

int
state_take_counter(struct state *st, size_t ue, int delivery, int reuse, uint32_t *out)
{
	struct state_ue *u = &st->ue[ue];

	if (delivery && reuse && u->have_first_delivery) {
		*out = u->first_delivery_counter;
	} else {
		/* KU-BM-10: one strictly increasing counter per MUK; never wrap. */
		if (u->next_counter > UINT32_MAX)
			return -1;
		*out = (uint32_t)u->next_counter++;
	}
	if (delivery && !u->have_first_delivery) {
		u->have_first_delivery = 1;
		u->first_delivery_counter = *out;
	}
	u->sent_any = 1;
	u->last_counter = *out;
	return 0;
}

int
state_rotate(struct state *st, size_t svc)
{
	if (st->current[svc] + 1 >= st->c->svc[svc].nmsk)
		return -1;
	st->current[svc]++;
	return 0;
}

int
state_take_mtk(struct state *st, size_t svc, uint16_t *mtkid, uint32_t *counter)
{
	size_t cur = st->current[svc];
	struct state_msk *m = &st->msk[st->base[svc] + cur];
	const struct conf_msk *k = &st->c->svc[svc].msk[cur];

	/* KU-BM-14: MTK IDs stay within the MSK's SEQl..SEQu. */
	if (m->next_mtkid > k->sequ)
		return 1;
	if (m->next_mtk_counter > UINT32_MAX)
		return -1;
	*mtkid = (uint16_t)m->next_mtkid++;
	*counter = (uint32_t)m->next_mtk_counter++;
	return 0;
}

struct state_pending *
state_pending_add(struct state *st, size_t ue, size_t svc, size_t msk, uint32_t csb_id,
    const uint8_t *bytes, size_t len, uint32_t resends, const struct sockaddr_in *dst)
{
	struct state_pending *p;
	size_t i;

	for (i = st->npend; i-- > 0;)
		if (st->pend[i].ue == ue && st->pend[i].svc == svc && st->pend[i].msk == msk)
			state_pending_remove(st, &st->pend[i]);
	if ((p = realloc(st->pend, (st->npend + 1) * sizeof(*p))) == NULL)
		return NULL;
	st->pend = p;
	p = &st->pend[st->npend];
	memset(p, 0, sizeof(*p));
	if ((p->bytes = malloc(len ? len : 1)) == NULL)
		return NULL;
	memcpy(p->bytes, bytes, len);
	p->len = len;
	p->id = st->next_pending_id++;
	p->ue = ue;
	p->svc = svc;
	p->msk = msk;
	p->csb_id = csb_id;
	p->resends_left = resends;
	p->dst = *dst;
	st->npend++;
	return p;
}

struct state_pending *
state_pending_by_csb(struct state *st, uint32_t csb_id)
{
	size_t i;

	for (i = 0; i < st->npend; i++)
		if (st->pend[i].csb_id == csb_id)
			return &st->pend[i];
	return NULL;
}

struct state_pending *
state_pending_by_id(struct state *st, uint64_t id)
{
	size_t i;

	for (i = 0; i < st->npend; i++)
		if (st->pend[i].id == id)
			return &st->pend[i];
	return NULL;
}

void
state_pending_remove(struct state *st, struct state_pending *p)
{
	size_t i = (size_t)(p - st->pend);

	if (i >= st->npend)
		return;
	free(p->bytes);
	st->pend[i] = st->pend[--st->npend];
}

/* A JSON string: quotes, backslash and control characters escaped. */
static void
json_str(struct bld *b, const char *s)
{
	char u[8];

	bld_u8(b, '"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\') {
			bld_u8(b, '\\');
			bld_u8(b, ch);
		} else if (ch < 0x20) {
			snprintf(u, sizeof(u), "\\u%04x", ch);
			bld_bytes(b, u, 6);
		} else
			bld_u8(b, ch);
	}
	bld_u8(b, '"');
}

static void
json_raw(struct bld *b, const char *s)
{
	bld_bytes(b, s, strlen(s));
}

void
state_status_json(const struct state *st, unsigned faults, struct bld *b)
{
	const struct conf *c = st->c;
	char buf[128], hex[16];
	size_t i, j, n;

	json_raw(b, "{\"services\":{");
	for (i = 0; i < c->nsvc; i++) {
		const struct conf_msk *k = &c->svc[i].msk[st->current[i]];
		const struct state_msk *m = &st->msk[st->base[i] + st->current[i]];

		if (i)
			bld_u8(b, ',');
		json_str(b, c->svc[i].id);
		hexstr_format(k->id, 4, hex);
		snprintf(buf, sizeof(buf), ":{\"current\":\"%s\",\"next_mtkid\":%u,", hex,
		    (unsigned)m->next_mtkid);
		json_raw(b, buf);
		json_raw(b, "\"registered\":[");
		for (j = 0, n = 0; j < c->nsub; j++)
			if (st->ue[j].registered[i]) {
				if (n++)
					bld_u8(b, ',');
				json_str(b, c->sub[j].btid);
			}
		json_raw(b, "]}");
	}
	json_raw(b, "},\"counters\":{");
	for (j = 0, n = 0; j < c->nsub; j++) {
		if (!st->ue[j].sent_any)
			continue;
		if (n++)
			bld_u8(b, ',');
		json_str(b, c->sub[j].btid);
		snprintf(buf, sizeof(buf), ":{\"last\":%lu,\"next\":%llu}",
		    (unsigned long)st->ue[j].last_counter,
		    (unsigned long long)st->ue[j].next_counter);
		json_raw(b, buf);
	}
	json_raw(b, "},\"pending\":[");
	for (i = 0; i < st->npend; i++) {
		const struct state_pending *p = &st->pend[i];

		if (i)
			bld_u8(b, ',');
		json_raw(b, "{\"btid\":");
		json_str(b, c->sub[p->ue].btid);
		hexstr_format(c->svc[p->svc].msk[p->msk].id, 4, hex);
		snprintf(buf, sizeof(buf), ",\"mskid\":\"%s\",\"csb_id\":\"%08lx\",\"resends\":%lu}",
		    hex, (unsigned long)p->csb_id, (unsigned long)p->resends_done);
		json_raw(b, buf);
	}
	snprintf(buf, sizeof(buf), "],\"v\":%d,\"faults\":", st->v_bit);
	json_raw(b, buf);
	{
		char list[256];

		fault_list(faults, list, sizeof(list));
		json_str(b, list);
	}
	bld_u8(b, '}');
}
