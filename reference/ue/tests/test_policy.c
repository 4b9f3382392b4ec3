/* test_policy: back-off range and spread, trigger handling under faults, retry budget. */
#include <CUnit/CUnit.h>
#include <string.h>

#include "faults.h"
#include "policy.h"

int	test_policy_register(void);

static void
test_rng_reproducible(void)
{
	struct policy_rng a, b, c;
	int i, same = 1, differ = 0;

	policy_rng_seed(&a, 7);
	policy_rng_seed(&b, 7);
	policy_rng_seed(&c, 8);
	for (i = 0; i < 100; i++) {
		uint64_t x = policy_rng_next(&a), y = policy_rng_next(&b), z = policy_rng_next(&c);

		same &= x == y;
		differ |= x != z;
	}
	CU_ASSERT(same);
	CU_ASSERT(differ);
}

/* KU-UE-14: delays uniform in [0, W_spread], spread over the window. */
static void
test_backoff_range(void)
{
	struct policy_rng r;
	long w = 10000, d, lo = w, hi = 0;
	int i, first_tenth = 0, n = 20000;

	policy_rng_seed(&r, 1);
	for (i = 0; i < n; i++) {
		CU_ASSERT_EQUAL_FATAL(policy_request(TRIG_NOTICE, w, 0, &r, &d), 1);
		CU_ASSERT_FATAL(d >= 0 && d <= w);
		if (d < lo)
			lo = d;
		if (d > hi)
			hi = d;
		first_tenth += d < w / 10;
	}
	/* Uniform: the extremes are reached and a tenth of the window holds about a tenth. */
	CU_ASSERT(lo < w / 100);
	CU_ASSERT(hi > w - w / 100);
	CU_ASSERT(first_tenth > n / 10 - n / 50 && first_tenth < n / 10 + n / 50);
	/* The scenario's criterion over 10 notices holds for every seed we try. */
	for (i = 1; i <= 50; i++) {
		long mn = w, mx = 0;
		int k, early = 0;

		policy_rng_seed(&r, (uint64_t)i);
		for (k = 0; k < 10; k++) {
			policy_request(TRIG_NOTICE, w, 0, &r, &d);
			mn = d < mn ? d : mn;
			mx = d > mx ? d : mx;
			early += d < w / 10;
		}
		CU_ASSERT(mx - mn >= 3 * w / 10);
		CU_ASSERT(early <= 5);
	}
	CU_ASSERT_EQUAL(policy_rng_uniform(&r, 0), 0);
	CU_ASSERT_EQUAL(policy_rng_uniform(&r, -5), 0);
}

static void
test_triggers_and_faults(void)
{
	struct policy_rng r;
	long d;

	policy_rng_seed(&r, 3);
	/* Missed key and join: at once. */
	CU_ASSERT_EQUAL(policy_request(TRIG_MISSED_KEY, 1000, 0, &r, &d), 1);
	CU_ASSERT_EQUAL(d, 0);
	CU_ASSERT_EQUAL(policy_request(TRIG_JOINED, 1000, 0, &r, &d), 1);
	CU_ASSERT_EQUAL(d, 0);
	/* sync-request: notices without back-off. */
	CU_ASSERT_EQUAL(policy_request(TRIG_NOTICE, 1000, FAULT_SYNC_REQUEST, &r, &d), 1);
	CU_ASSERT_EQUAL(d, 0);
	/* no-notice-request / no-missed-key-request: no request at all. */
	CU_ASSERT_EQUAL(policy_request(TRIG_NOTICE, 1000, FAULT_NO_NOTICE_REQUEST, &r, &d), 0);
	CU_ASSERT_EQUAL(policy_request(TRIG_MISSED_KEY, 1000, FAULT_NO_MISSED_KEY_REQUEST, &r,
	    &d), 0);
	/* ... and each leaves the other trigger alone. */
	CU_ASSERT_EQUAL(policy_request(TRIG_MISSED_KEY, 1000, FAULT_NO_NOTICE_REQUEST, &r, &d), 1);
	CU_ASSERT_EQUAL(policy_request(TRIG_NOTICE, 1000, FAULT_NO_MISSED_KEY_REQUEST, &r, &d), 1);
	CU_ASSERT(d >= 0 && d <= 1000);
	/* Retries back off; request-storm retries at once. */
	CU_ASSERT_EQUAL(policy_request(TRIG_RETRY, 1000, FAULT_REQUEST_STORM, &r, &d), 1);
	CU_ASSERT_EQUAL(d, POLICY_STORM_GAP_MS);
	CU_ASSERT_EQUAL(policy_request(TRIG_RETRY, 1000, 0, &r, &d), 1);
	CU_ASSERT(d >= 0 && d <= 1000);
}

/* KU-UE-15: at most retry_max requests per key per retry_window. */
static void
test_budget(void)
{
	struct policy_budget b;
	int64_t t = 1000;
	int i;

	memset(&b, 0, sizeof(b));
	for (i = 0; i < 3; i++) {
		CU_ASSERT(policy_budget_allows(&b, t + i * 10, 3, 6000, 0));
		policy_budget_record(&b, t + i * 10);
	}
	CU_ASSERT_FALSE(policy_budget_allows(&b, t + 100, 3, 6000, 0));
	CU_ASSERT_FALSE(policy_budget_allows(&b, t + 5999, 3, 6000, 0));
	/* The first send leaves the window. */
	CU_ASSERT(policy_budget_allows(&b, t + 6000, 3, 6000, 0));
	policy_budget_record(&b, t + 6000);
	CU_ASSERT_FALSE(policy_budget_allows(&b, t + 6005, 3, 6000, 0));
	/* request-storm: no limit at all, and the record never overflows. */
	for (i = 0; i < 3 * POLICY_MAX_SENDS; i++) {
		CU_ASSERT_FATAL(policy_budget_allows(&b, t + 7000, 3, 6000, FAULT_REQUEST_STORM));
		policy_budget_record(&b, t + 7000);
	}
	CU_ASSERT(b.n <= POLICY_MAX_SENDS);
}

static void
test_username(void)
{
	char u[128];

	policy_username("B-TID-1@bsf", 0, u, sizeof(u));
	CU_ASSERT_STRING_EQUAL(u, "B-TID-1@bsf");
	policy_username("B-TID-1@bsf", FAULT_WRONG_BTID, u, sizeof(u));
	CU_ASSERT_STRING_NOT_EQUAL(u, "B-TID-1@bsf");
	CU_ASSERT_PTR_NOT_NULL(strstr(u, "B-TID-1@bsf"));
}

static void
test_fault_names(void)
{
	unsigned set = 0;
	char out[512];
	size_t i;

	CU_ASSERT_EQUAL(fault_add(&set, "none"), 0);
	CU_ASSERT_EQUAL(set, 0);
	fault_names(set, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "none");
	CU_ASSERT_EQUAL(fault_add(&set, "no-such-fault"), -1);
	for (i = 0; fault_table[i].name != NULL; i++) {
		unsigned one = 0;

		CU_ASSERT_EQUAL(fault_add(&one, fault_table[i].name), 0);
		CU_ASSERT_EQUAL(one, fault_table[i].bit);
		/* Each breaks a requirement of the UE catalog. */
		CU_ASSERT_EQUAL(strncmp(fault_table[i].requirement, "KU-UE-", 6), 0);
		set |= one;
	}
	CU_ASSERT_EQUAL(i, 10);
	fault_names(FAULT_NO_LEAVE | FAULT_WRONG_BTID, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "no-leave,wrong-btid");
}

int
test_policy_register(void)
{
	CU_pSuite s = CU_add_suite("policy", NULL, NULL);

	if (s == NULL ||
	    !CU_add_test(s, "generator reproducible by seed", test_rng_reproducible) ||
	    !CU_add_test(s, "notice back-off uniform in [0, W_spread]", test_backoff_range) ||
	    !CU_add_test(s, "triggers under each request fault", test_triggers_and_faults) ||
	    !CU_add_test(s, "retry budget per key per window", test_budget) ||
	    !CU_add_test(s, "Digest username and wrong-btid", test_username) ||
	    !CU_add_test(s, "fault table", test_fault_names))
		return -1;
	return 0;
}
