/* store: held MSKs, replay counters, MTK ID rules and the rule 6 leave decision. */
#include "store.h"

#include <string.h>

#include "crypto.h"
#include "faults.h"

/* The key group is the first two bytes of the MSK ID [V: TS 31.102, mikey.md §2]. */
#define GROUP_LEN	2

void
store_init(struct store *s)
{
	crypto_cleanse(s, sizeof(*s));
	memset(s, 0, sizeof(*s));
}

struct store_msk *
store_find(struct store *s, const uint8_t kdid[KDID_LEN], const uint8_t mskid[MSKID_LEN])
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (memcmp(s->msk[i].kdid, kdid, KDID_LEN) == 0 &&
		    memcmp(s->msk[i].mskid, mskid, MSKID_LEN) == 0)
			return &s->msk[i];
	return NULL;
}

static void
remove_at(struct store *s, size_t i)
{
	crypto_cleanse(&s->msk[i], sizeof(s->msk[i]));
	memmove(&s->msk[i], &s->msk[i + 1], (s->n - i - 1) * sizeof(s->msk[0]));
	s->n--;
	memset(&s->msk[s->n], 0, sizeof(s->msk[0]));
}

static int
same_group(const struct store_msk *a, const struct store_msk *b)
{
	return memcmp(a->kdid, b->kdid, KDID_LEN) == 0 &&
	    memcmp(a->mskid, b->mskid, GROUP_LEN) == 0;
}

enum store_put
store_put(struct store *s, const struct store_msk *in, struct store_msk *dropped)
{
	struct store_msk *old;
	size_t i, lowest = 0, ngroup = 0;
	int found = 0;

	if ((old = store_find(s, in->kdid, in->mskid)) != NULL) {
		int same = old->key_len == in->key_len &&
		    memcmp(old->key, in->key, in->key_len) == 0;
		struct store_msk keep = *old;

		*old = *in;
		/* The same key delivered again keeps its replay state; a new key starts afresh. */
		if (same) {
			old->have_counter = keep.have_counter;
			old->counter = keep.counter;
			old->have_mtk = keep.have_mtk;
			old->last_mtk = keep.last_mtk;
		}
		crypto_cleanse(&keep, sizeof(keep));
		return STORE_PUT_REPLACED;
	}
	for (i = 0; i < s->n; i++) {
		if (!same_group(&s->msk[i], in))
			continue;
		if (!found || s->msk[i].sequ < s->msk[lowest].sequ)
			lowest = i;
		found = 1;
		ngroup++;
	}
	if (ngroup >= STORE_GROUP_LIMIT) {
		/* Of the three, the one with the lowest SEQu goes (the new one on a tie). */
		if (in->sequ <= s->msk[lowest].sequ)
			return STORE_PUT_NOT_KEPT;
		if (dropped != NULL)
			*dropped = s->msk[lowest];
		s->msk[lowest] = *in;
		return STORE_PUT_NEW_DROPPED_OLDER;
	}
	if (s->n == STORE_MAX_MSKS)
		return STORE_PUT_FULL;
	s->msk[s->n++] = *in;
	return STORE_PUT_NEW;
}

size_t
store_drop_domain(struct store *s, const uint8_t kdid[KDID_LEN])
{
	size_t i = 0, n = 0;

	while (i < s->n) {
		if (memcmp(s->msk[i].kdid, kdid, KDID_LEN) == 0) {
			remove_at(s, i);
			n++;
		} else
			i++;
	}
	return n;
}

size_t
store_count_domain(const struct store *s, const uint8_t kdid[KDID_LEN])
{
	size_t i, n = 0;

	for (i = 0; i < s->n; i++)
		n += memcmp(s->msk[i].kdid, kdid, KDID_LEN) == 0;
	return n;
}

int
store_muk_counter_ok(const struct store *s, uint64_t counter)
{
	return !s->have_muk_counter || counter > s->muk_counter;
}

void
store_muk_accept(struct store *s, uint64_t counter)
{
	s->have_muk_counter = 1;
	s->muk_counter = counter;
}

enum store_mtk
store_mtk_check(const struct store_msk *m, uint64_t counter, uint32_t mtk_id)
{
	/* One TS counter per MSK for MTK messages [V: TS 31.102]; first one free [D]. */
	if (m->have_counter && counter <= m->counter)
		return STORE_MTK_REPLAY;
	/* The MTK ID grows (mikey.md §2) and stays inside the MSK's key validity [A]. */
	if (m->have_mtk && mtk_id <= m->last_mtk)
		return STORE_MTK_ID_NOT_NEWER;
	if (mtk_id < m->seql || mtk_id > m->sequ)
		return STORE_MTK_ID_OUTSIDE;
	return STORE_MTK_OK;
}

void
store_mtk_accept(struct store_msk *m, uint64_t counter, uint32_t mtk_id)
{
	m->have_counter = 1;
	m->counter = counter;
	m->have_mtk = 1;
	m->last_mtk = mtk_id;
}

const char *
store_mtk_name(enum store_mtk v)
{
	switch (v) {
	case STORE_MTK_OK:
		return "accepted";
	case STORE_MTK_REPLAY:
		return "counter not greater than the last under this MSK (replay)";
	case STORE_MTK_ID_NOT_NEWER:
		return "MTK ID not greater than the last accepted";
	case STORE_MTK_ID_OUTSIDE:
		return "MTK ID outside the MSK's SEQl..SEQu";
	}
	return "?";
}

const struct store_msk *
store_valid_key(const struct store *s, const uint8_t kdid[KDID_LEN], int mtk_seen,
    uint32_t mtk_id)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct store_msk *m = &s->msk[i];

		if (memcmp(m->kdid, kdid, KDID_LEN) != 0)
			continue;
		/* Before any MTK since joining every held MSK counts as valid [D]. */
		if (!mtk_seen)
			return m;
		/* Otherwise its validity must cover the traffic in use [A]. */
		if (mtk_id >= m->seql && mtk_id <= m->sequ)
			return m;
	}
	return NULL;
}

enum store_decision
store_leave_decision(int have_valid_key, unsigned faults)
{
	/* Rule 6: leave unless a still-valid older key is held. */
	if (have_valid_key)
		return fault_on(faults, FAULT_LEAVE_DESPITE_VALID) ? STORE_LEAVE_FAULT : STORE_STAY;
	return fault_on(faults, FAULT_NO_LEAVE) ? STORE_STAY_FAULT : STORE_LEAVE;
}

int
store_decision_leaves(enum store_decision d)
{
	return d == STORE_LEAVE || d == STORE_LEAVE_FAULT;
}

const char *
store_decision_name(enum store_decision d)
{
	switch (d) {
	case STORE_STAY:
		return "stay (holds a still-valid older key)";
	case STORE_LEAVE:
		return "leave (no still-valid older key)";
	case STORE_STAY_FAULT:
		return "stay (fault no-leave; rule 6 says leave)";
	case STORE_LEAVE_FAULT:
		return "leave (fault leave-despite-valid-key; rule 6 says stay)";
	}
	return "?";
}
