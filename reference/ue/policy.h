/*
 * policy: when the UE sends key requests — the random back-off after a broadcast trigger
 * (key-update.md rule 3, KU-UE-14), the retry budget per key (KU-UE-15), and what each trigger
 * does under the fault switches. Pure functions over a seeded generator, so that runs are
 * reproducible (CONF.md [node] seed) and every branch is a unit test.
 */
#ifndef UE_POLICY_H
#define UE_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"

/* A small deterministic generator (splitmix64); not for keys, only for timing. */
struct policy_rng {
	uint64_t state;
};
void	policy_rng_seed(struct policy_rng *r, uint64_t seed);
uint64_t policy_rng_next(struct policy_rng *r);
/* Uniform in [0, max] (inclusive). */
long	policy_rng_uniform(struct policy_rng *r, long max);

/* What a trigger leads to. */
enum policy_trigger {
	TRIG_NOTICE,		/* solicited pull naming an MSK the UE lacks (rule 2a) */
	TRIG_MISSED_KEY,	/* MTK under an MSK the UE lacks (rule 2c) */
	TRIG_JOINED,		/* joined without key after T_delivery (rule 2b) */
	TRIG_RETRY		/* a failed request tried again */
};
const char *policy_trigger_name(enum policy_trigger t);

/*
 * Fault request-storm retries "at once"; this floor only keeps a storm against a closed port
 * from spinning the CPU (a retry every 20 ms is still far beyond any retry limit).
 */
#define POLICY_STORM_GAP_MS	20

/*
 * Whether a trigger leads to a key request, and after how many milliseconds (*delay_ms).
 * Notices wait uniform [0, W_spread] (fault sync-request: 0; fault no-notice-request: no
 * request); missed keys and joins go at once (fault no-missed-key-request: none for missed keys);
 * retries wait uniform [0, W_spread] (fault request-storm: POLICY_STORM_GAP_MS). Returns 1 to request, 0 not.
 */
int	policy_request(enum policy_trigger t, long w_spread, unsigned faults,
	    struct policy_rng *r, long *delay_ms);

/* The retry budget of one key: send times within the window (KU-UE-15). */
#define POLICY_MAX_SENDS	64
struct policy_budget {
	uint8_t kdid[KDID_LEN], mskid[MSKID_LEN];
	int used;
	size_t n;
	int64_t sent[POLICY_MAX_SENDS];
};

/*
 * 1 when one more request for this key may go at now: fewer than max sent in the last window
 * milliseconds (fault request-storm: always).
 */
int	policy_budget_allows(struct policy_budget *b, int64_t now, long max, long window,
	    unsigned faults);
/* Records a request sent at now. */
void	policy_budget_record(struct policy_budget *b, int64_t now);

/* The Digest username: the B-TID (fault wrong-btid: a different one). */
void	policy_username(const char *btid, unsigned faults, char *out, size_t size);

#endif
