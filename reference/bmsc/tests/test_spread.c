/* test_spread: notice delays over W_spread (KU-BM-11), checked over many seeds and sizes. */
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "spread.h"
#include "tu.h"

#define MAXN 64

static void
test_bound(void)
{
	uint32_t d[MAXN];
	struct rng r;
	size_t n, i;
	uint64_t seed;

	for (seed = 1; seed <= 200; seed++)
		for (n = 1; n <= MAXN; n++) {
			size_t limit = (n + 4) / 5, max;

			rng_seed(&r, seed);
			spread_delays(&r, n, 1000, 0, d);
			for (i = 0; i < n; i++)
				CU_ASSERT_TRUE(d[i] < 1000);
			max = spread_max_per_tenth(d, n, 1000);
			/* KU-BM-11: at most max(1, ceil(N/5)); the stratification gives ceil(N/10). */
			CU_ASSERT_TRUE(max <= (limit > 1 ? limit : 1));
			CU_ASSERT_TRUE(max <= (n + 9) / 10);
		}
}

static void
test_margins(void)
{
	uint32_t d[MAXN];
	struct rng r;
	size_t i;

	/* Delays keep 15 % of a tenth away from its borders (scheduling jitter). */
	rng_seed(&r, 3);
	spread_delays(&r, MAXN, 10000, 0, d);
	for (i = 0; i < MAXN; i++) {
		uint32_t in = d[i] % 1000;

		CU_ASSERT_TRUE(in >= 150 && in < 850);
	}
}

static void
test_uniform(void)
{
	/* Taken alone, one UE's delay is spread over the whole window. */
	size_t count[10] = { 0 }, k;
	uint32_t d[3];
	struct rng r;
	int i;

	rng_seed(&r, 11);
	for (i = 0; i < 10000; i++) {
		spread_delays(&r, 3, 1000, 0, d);
		count[d[0] / 100]++;
	}
	for (k = 0; k < 10; k++)
		CU_ASSERT_TRUE(count[k] > 850 && count[k] < 1150);
}

static void
test_span(void)
{
	uint32_t d[10], lo = UINT32_MAX, hi = 0;
	struct rng r;
	size_t i;

	rng_seed(&r, 5);
	spread_delays(&r, 10, 1000, 0, d);
	for (i = 0; i < 10; i++) {
		lo = d[i] < lo ? d[i] : lo;
		hi = d[i] > hi ? d[i] : hi;
	}
	CU_ASSERT_TRUE(hi - lo >= 700);
}

static void
test_burst_and_edges(void)
{
	uint32_t d[8];
	struct rng r;
	size_t i;

	rng_seed(&r, 1);
	/* push-burst: everything at once, so all notices fall in the first tenth. */
	spread_delays(&r, 8, 1000, 1, d);
	for (i = 0; i < 8; i++)
		CU_ASSERT_EQUAL(d[i], 0);
	CU_ASSERT_EQUAL(spread_max_per_tenth(d, 8, 1000), 8);
	spread_delays(&r, 8, 0, 0, d);
	for (i = 0; i < 8; i++)
		CU_ASSERT_EQUAL(d[i], 0);
	/* Tiny windows still stay inside [0, W). */
	spread_delays(&r, 8, 5, 0, d);
	for (i = 0; i < 8; i++)
		CU_ASSERT_TRUE(d[i] < 5);
	spread_delays(&r, 0, 1000, 0, d);
}

static void
test_rng(void)
{
	struct rng a, b;
	uint8_t x[13], y[13];
	int i;

	rng_seed(&a, 42);
	rng_seed(&b, 42);
	rng_bytes(&a, x, sizeof(x));
	rng_bytes(&b, y, sizeof(y));
	CU_ASSERT_EQUAL(memcmp(x, y, sizeof(x)), 0);
	CU_ASSERT_EQUAL(rng_u64(&a), rng_u64(&b));
	for (i = 0; i < 1000; i++)
		CU_ASSERT_TRUE(rng_below(&a, 7) < 7);
	CU_ASSERT_EQUAL(rng_below(&a, 1), 0);
}

int
test_spread_register(void)
{
	static const struct tu_test tests[] = {
		{ "KU-BM-11 bound over seeds and N", test_bound },
		{ "margins inside a tenth", test_margins },
		{ "marginal distribution uniform", test_uniform },
		{ "span of ten delays", test_span },
		{ "burst and small windows", test_burst_and_edges },
		{ "seeded generator", test_rng },
		{ NULL, NULL }
	};

	return tu_register("spread", tests);
}
