/* test_store: key group limit, SEQ intervals, replay counters, MTK ID rules and rule 6. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include "faults.h"
#include "store.h"

int	test_store_register(void);

static const uint8_t KD[3] = { 0x00, 0xf1, 0x10 };
static const uint8_t KD2[3] = { 0x00, 0xf1, 0x20 };

static struct store_msk
msk(const uint8_t *kdid, uint32_t id, uint32_t seql, uint32_t sequ, uint8_t keybyte)
{
	struct store_msk m;

	memset(&m, 0, sizeof(m));
	memcpy(m.kdid, kdid, 3);
	m.mskid[0] = (uint8_t)(id >> 24);
	m.mskid[1] = (uint8_t)(id >> 16);
	m.mskid[2] = (uint8_t)(id >> 8);
	m.mskid[3] = (uint8_t)id;
	memset(m.key, keybyte, 16);
	m.key_len = 16;
	m.seql = seql;
	m.sequ = sequ;
	return m;
}

static int
holds(struct store *s, const uint8_t *kdid, uint32_t id)
{
	struct store_msk m = msk(kdid, id, 0, 0, 0);

	return store_find(s, kdid, m.mskid) != NULL;
}

static void
test_put_find(void)
{
	static struct store s;
	struct store_msk a = msk(KD, 0x00010002, 1, 4095, 1);

	store_init(&s);
	CU_ASSERT_EQUAL(store_put(&s, &a, NULL), STORE_PUT_NEW);
	CU_ASSERT(holds(&s, KD, 0x00010002));
	CU_ASSERT(!holds(&s, KD, 0x00010003));
	CU_ASSERT(!holds(&s, KD2, 0x00010002));
	CU_ASSERT_EQUAL(store_count_domain(&s, KD), 1);
	CU_ASSERT_EQUAL(store_count_domain(&s, KD2), 0);
}

/* TS 31.102: at most two MSKs per key group; the third drops the lowest SEQu. */
static void
test_group_limit(void)
{
	static struct store s;
	struct store_msk a = msk(KD, 0x00010002, 1, 100, 1), b = msk(KD, 0x00010003, 101, 200, 2);
	struct store_msk c = msk(KD, 0x00010004, 201, 300, 3), dropped;

	store_init(&s);
	CU_ASSERT_EQUAL(store_put(&s, &a, &dropped), STORE_PUT_NEW);
	CU_ASSERT_EQUAL(store_put(&s, &b, &dropped), STORE_PUT_NEW);
	CU_ASSERT_EQUAL(store_put(&s, &c, &dropped), STORE_PUT_NEW_DROPPED_OLDER);
	CU_ASSERT_EQUAL(dropped.sequ, 100);
	CU_ASSERT(!holds(&s, KD, 0x00010002));
	CU_ASSERT(holds(&s, KD, 0x00010003));
	CU_ASSERT(holds(&s, KD, 0x00010004));
	CU_ASSERT_EQUAL(store_count_domain(&s, KD), 2);
}

static void
test_group_limit_new_is_oldest(void)
{
	static struct store s;
	struct store_msk a = msk(KD, 0x00010002, 101, 200, 1), b = msk(KD, 0x00010003, 201, 300, 2);
	struct store_msk old = msk(KD, 0x00010001, 1, 100, 3);

	store_init(&s);
	store_put(&s, &a, NULL);
	store_put(&s, &b, NULL);
	CU_ASSERT_EQUAL(store_put(&s, &old, NULL), STORE_PUT_NOT_KEPT);
	CU_ASSERT(!holds(&s, KD, 0x00010001));
	CU_ASSERT_EQUAL(store_count_domain(&s, KD), 2);
}

/* Other key groups (MSK ID bytes 0-1) and other Key Domains do not count. */
static void
test_group_limit_per_group(void)
{
	static struct store s;
	struct store_msk m[5] = {
		msk(KD, 0x00010002, 1, 10, 1), msk(KD, 0x00010003, 11, 20, 2),
		msk(KD, 0x00020002, 1, 10, 3), msk(KD2, 0x00010002, 1, 10, 4),
		msk(KD2, 0x00010003, 11, 20, 5)
	};
	size_t i;

	store_init(&s);
	for (i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(store_put(&s, &m[i], NULL), STORE_PUT_NEW);
	CU_ASSERT_EQUAL(s.n, 5);
}

static void
test_redelivery(void)
{
	static struct store s;
	struct store_msk a = msk(KD, 0x00010002, 1, 4095, 1), same = a, other = a;
	struct store_msk *h;

	store_init(&s);
	store_put(&s, &a, NULL);
	h = store_find(&s, a.kdid, a.mskid);
	store_mtk_accept(h, 9, 50);
	/* The same key again keeps its replay state. */
	same.seql = 1;
	same.sequ = 5000;
	CU_ASSERT_EQUAL(store_put(&s, &same, NULL), STORE_PUT_REPLACED);
	h = store_find(&s, a.kdid, a.mskid);
	CU_ASSERT_EQUAL(h->sequ, 5000);
	CU_ASSERT_EQUAL(h->counter, 9);
	CU_ASSERT_EQUAL(h->last_mtk, 50);
	/* A different key under the same ID starts afresh. */
	memset(other.key, 0x77, 16);
	CU_ASSERT_EQUAL(store_put(&s, &other, NULL), STORE_PUT_REPLACED);
	h = store_find(&s, a.kdid, a.mskid);
	CU_ASSERT_FALSE(h->have_counter);
	CU_ASSERT_FALSE(h->have_mtk);
	CU_ASSERT_EQUAL(s.n, 1);
}

static void
test_drop_domain(void)
{
	static struct store s;
	struct store_msk a = msk(KD, 0x00010002, 1, 10, 1), b = msk(KD2, 0x00010002, 1, 10, 2);
	struct store_msk c = msk(KD, 0x00020002, 1, 10, 3);

	store_init(&s);
	store_put(&s, &a, NULL);
	store_put(&s, &b, NULL);
	store_put(&s, &c, NULL);
	CU_ASSERT_EQUAL(store_drop_domain(&s, KD), 2);
	CU_ASSERT_EQUAL(s.n, 1);
	CU_ASSERT(holds(&s, KD2, 0x00010002));
}

/* mikey.md §2: first message under the MUK with any counter, then strictly greater. */
static void
test_muk_counter(void)
{
	static struct store s;

	store_init(&s);
	CU_ASSERT(store_muk_counter_ok(&s, 0));
	CU_ASSERT(store_muk_counter_ok(&s, 1000));
	store_muk_accept(&s, 5);
	CU_ASSERT_FALSE(store_muk_counter_ok(&s, 4));
	CU_ASSERT_FALSE(store_muk_counter_ok(&s, 5));
	CU_ASSERT(store_muk_counter_ok(&s, 6));
	store_muk_accept(&s, 6);
	CU_ASSERT_FALSE(store_muk_counter_ok(&s, 6));
}

/* KU-UE-17: counter per MSK, MTK ID growing and inside SEQl..SEQu. */
static void
test_mtk_rules(void)
{
	struct store_msk m = msk(KD, 0x00010002, 10, 20, 1);

	CU_ASSERT_EQUAL(store_mtk_check(&m, 0, 10), STORE_MTK_OK);	/* first: any counter */
	CU_ASSERT_EQUAL(store_mtk_check(&m, 1, 20), STORE_MTK_OK);	/* SEQu itself */
	CU_ASSERT_EQUAL(store_mtk_check(&m, 1, 9), STORE_MTK_ID_OUTSIDE);
	CU_ASSERT_EQUAL(store_mtk_check(&m, 1, 21), STORE_MTK_ID_OUTSIDE);
	store_mtk_accept(&m, 3, 12);
	CU_ASSERT_EQUAL(store_mtk_check(&m, 3, 13), STORE_MTK_REPLAY);
	CU_ASSERT_EQUAL(store_mtk_check(&m, 2, 13), STORE_MTK_REPLAY);
	CU_ASSERT_EQUAL(store_mtk_check(&m, 4, 12), STORE_MTK_ID_NOT_NEWER);
	CU_ASSERT_EQUAL(store_mtk_check(&m, 4, 11), STORE_MTK_ID_NOT_NEWER);
	CU_ASSERT_EQUAL(store_mtk_check(&m, 4, 21), STORE_MTK_ID_OUTSIDE);
	CU_ASSERT_EQUAL(store_mtk_check(&m, 4, 13), STORE_MTK_OK);
	CU_ASSERT_STRING_NOT_EQUAL(store_mtk_name(STORE_MTK_REPLAY), "?");
}

/* "Still-valid older key": covers the traffic MTK ID; before any MTK, every held key. */
static void
test_valid_key(void)
{
	static struct store s;
	struct store_msk a = msk(KD, 0x00010002, 1, 4095, 1), b = msk(KD2, 0x00010002, 1, 99999, 2);

	store_init(&s);
	CU_ASSERT_PTR_NULL(store_valid_key(&s, KD, 0, 0));
	store_put(&s, &a, NULL);
	store_put(&s, &b, NULL);
	CU_ASSERT_PTR_NOT_NULL(store_valid_key(&s, KD, 0, 0));		/* no MTK yet */
	CU_ASSERT_PTR_NOT_NULL(store_valid_key(&s, KD, 0, 9000));	/* still none seen */
	CU_ASSERT_PTR_NOT_NULL(store_valid_key(&s, KD, 1, 1));
	CU_ASSERT_PTR_NOT_NULL(store_valid_key(&s, KD, 1, 4095));
	CU_ASSERT_PTR_NULL(store_valid_key(&s, KD, 1, 4096));		/* expired */
	CU_ASSERT_PTR_NULL(store_valid_key(&s, KD, 1, 0));		/* not yet valid */
}

/*
 * Rule 6 as a table: a failure to obtain a key, with or without a still-valid older key
 * (none held; held and covering the traffic; held before any MTK; held but expired), under
 * each fault that touches the decision.
 */
static void
test_rule6_table(void)
{
	static const struct {
		const char *what;
		int hold;		/* 0: none, 1: SEQ 1..4095 held */
		int mtk_seen;
		uint32_t traffic;
		unsigned faults;
		enum store_decision want;
	} rows[] = {
		{ "no key", 0, 0, 0, 0, STORE_LEAVE },
		{ "no key, MTK seen", 0, 1, 5, 0, STORE_LEAVE },
		{ "valid older key", 1, 1, 5, 0, STORE_STAY },
		{ "older key before any MTK", 1, 0, 0, 0, STORE_STAY },
		{ "expired older key", 1, 1, 4096, 0, STORE_LEAVE },
		{ "no key, no-leave", 0, 0, 0, FAULT_NO_LEAVE, STORE_STAY_FAULT },
		{ "expired, no-leave", 1, 1, 9000, FAULT_NO_LEAVE, STORE_STAY_FAULT },
		{ "valid, no-leave", 1, 1, 5, FAULT_NO_LEAVE, STORE_STAY },
		{ "valid, leave-despite", 1, 1, 5, FAULT_LEAVE_DESPITE_VALID, STORE_LEAVE_FAULT },
		{ "before MTK, leave-despite", 1, 0, 0, FAULT_LEAVE_DESPITE_VALID, STORE_LEAVE_FAULT },
		{ "no key, leave-despite", 0, 0, 0, FAULT_LEAVE_DESPITE_VALID, STORE_LEAVE },
		{ "expired, leave-despite", 1, 1, 4096, FAULT_LEAVE_DESPITE_VALID, STORE_LEAVE },
		{ "no key, other faults", 0, 0, 0, FAULT_REQUEST_STORM | FAULT_SYNC_REQUEST,
		    STORE_LEAVE },
		{ "valid, other faults", 1, 1, 5, FAULT_ACCEPT_REPLAY | FAULT_WRONG_BTID,
		    STORE_STAY },
	};
	static struct store s;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct store_msk a = msk(KD, 0x00010002, 1, 4095, 1);
		const struct store_msk *v;
		enum store_decision d;

		store_init(&s);
		if (rows[i].hold)
			store_put(&s, &a, NULL);
		v = store_valid_key(&s, KD, rows[i].mtk_seen, rows[i].traffic);
		d = store_leave_decision(v != NULL, rows[i].faults);
		if (d != rows[i].want)
			fprintf(stderr, "\nrule 6 row '%s': %s, expected %s\n", rows[i].what,
			    store_decision_name(d), store_decision_name(rows[i].want));
		CU_ASSERT_EQUAL(d, rows[i].want);
		CU_ASSERT_EQUAL(store_decision_leaves(d),
		    rows[i].want == STORE_LEAVE || rows[i].want == STORE_LEAVE_FAULT);
	}
}

int
test_store_register(void)
{
	CU_pSuite s = CU_add_suite("store", NULL, NULL);

	if (s == NULL ||
	    !CU_add_test(s, "put and find", test_put_find) ||
	    !CU_add_test(s, "two MSKs per key group: lowest SEQu dropped", test_group_limit) ||
	    !CU_add_test(s, "two per group: a new oldest key is not kept",
	    test_group_limit_new_is_oldest) ||
	    !CU_add_test(s, "limit is per key group and Key Domain", test_group_limit_per_group) ||
	    !CU_add_test(s, "re-delivery keeps or resets replay state", test_redelivery) ||
	    !CU_add_test(s, "leaving drops the domain's keys", test_drop_domain) ||
	    !CU_add_test(s, "MUK counter: first free, then strictly greater", test_muk_counter) ||
	    !CU_add_test(s, "MTK counter, MTK ID growth and SEQ interval", test_mtk_rules) ||
	    !CU_add_test(s, "still-valid older key", test_valid_key) ||
	    !CU_add_test(s, "rule 6 decision table with faults", test_rule6_table))
		return -1;
	return 0;
}
