/* policy: back-off, retry budget and trigger handling of the UE's key requests. */
#include "policy.h"

#include <stdio.h>
#include <string.h>

#include "faults.h"

void
policy_rng_seed(struct policy_rng *r, uint64_t seed)
{
	r->state = seed;
}

uint64_t
policy_rng_next(struct policy_rng *r)
{
	uint64_t z;

	/* splitmix64 (Steele, Lea, Flood 2014): full period, good enough for timing. */
	r->state += 0x9e3779b97f4a7c15ULL;
	z = r->state;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

long
policy_rng_uniform(struct policy_rng *r, long max)
{
	if (max <= 0)
		return 0;
	/* The modulo bias is below 2^-40 for any window a profile uses. */
	return (long)(policy_rng_next(r) % ((uint64_t)max + 1));
}

const char *
policy_trigger_name(enum policy_trigger t)
{
	switch (t) {
	case TRIG_NOTICE:
		return "notice (solicited pull)";
	case TRIG_MISSED_KEY:
		return "missed key update (MTK under an unknown MSK)";
	case TRIG_JOINED:
		return "joined without key";
	case TRIG_RETRY:
		return "retry";
	}
	return "?";
}

int
policy_request(enum policy_trigger t, long w_spread, unsigned faults, struct policy_rng *r,
    long *delay_ms)
{
	*delay_ms = 0;
	switch (t) {
	case TRIG_NOTICE:
		if (fault_on(faults, FAULT_NO_NOTICE_REQUEST))
			return 0;
		/* Rule 3: a notice may reach every UE, so requests spread over W_spread [D]. */
		if (!fault_on(faults, FAULT_SYNC_REQUEST))
			*delay_ms = policy_rng_uniform(r, w_spread);
		return 1;
	case TRIG_MISSED_KEY:
		/* KU-UE-14: a missed-key trigger may be answered at once. */
		return !fault_on(faults, FAULT_NO_MISSED_KEY_REQUEST);
	case TRIG_JOINED:
		return 1;
	case TRIG_RETRY:
		if (!fault_on(faults, FAULT_REQUEST_STORM))
			*delay_ms = policy_rng_uniform(r, w_spread);
		else
			*delay_ms = POLICY_STORM_GAP_MS;
		return 1;
	}
	return 0;
}

/* Forgets the send times that left the window. */
static void
expire(struct policy_budget *b, int64_t now, long window)
{
	size_t i = 0, keep = 0;

	for (i = 0; i < b->n; i++)
		if (now - b->sent[i] < window)
			b->sent[keep++] = b->sent[i];
	b->n = keep;
}

int
policy_budget_allows(struct policy_budget *b, int64_t now, long max, long window,
    unsigned faults)
{
	if (fault_on(faults, FAULT_REQUEST_STORM))
		return 1;
	expire(b, now, window);
	return (long)b->n < max && b->n < POLICY_MAX_SENDS;
}

void
policy_budget_record(struct policy_budget *b, int64_t now)
{
	if (b->n == POLICY_MAX_SENDS) {
		/* Only under request-storm: keep the most recent sends. */
		memmove(&b->sent[0], &b->sent[1], (POLICY_MAX_SENDS - 1) * sizeof(b->sent[0]));
		b->n--;
	}
	b->sent[b->n++] = now;
}

void
policy_username(const char *btid, unsigned faults, char *out, size_t size)
{
	/* Fault wrong-btid: a B-TID the BM-SC never issued (KU-UE-16). */
	if (fault_on(faults, FAULT_WRONG_BTID))
		snprintf(out, size, "wrong-%s", btid);
	else
		snprintf(out, size, "%s", btid);
}
