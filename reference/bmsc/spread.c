/* spread: stratified random delays over W_spread for key-change notices (KU-BM-11). */
#include "spread.h"

void
spread_delays(struct rng *r, size_t n, uint32_t w_ms, int burst, uint32_t *delays)
{
	unsigned perm[10];
	size_t j;

	for (j = 0; j < n; j++) {
		uint64_t lo, hi, span, margin;
		unsigned k;

		if (burst || w_ms == 0) {
			delays[j] = 0;
			continue;
		}
		if (j % 10 == 0) {
			unsigned i;

			/* A fresh random order of the ten tenths for every ten UEs. */
			for (i = 0; i < 10; i++)
				perm[i] = i;
			for (i = 9; i > 0; i--) {
				unsigned s = (unsigned)rng_below(r, i + 1), t = perm[i];

				perm[i] = perm[s];
				perm[s] = t;
			}
		}
		k = perm[j % 10];
		lo = (uint64_t)w_ms * k / 10;
		hi = (uint64_t)w_ms * (k + 1) / 10;
		span = hi - lo;
		margin = span * 15 / 100;
		if (span <= 2 * margin)
			delays[j] = (uint32_t)lo;
		else
			delays[j] = (uint32_t)(lo + margin + rng_below(r, span - 2 * margin));
	}
}

size_t
spread_max_per_tenth(const uint32_t *delays, size_t n, uint32_t w_ms)
{
	size_t count[10] = { 0 }, j, max = 0;

	for (j = 0; j < n; j++) {
		uint64_t k = w_ms ? (uint64_t)delays[j] * 10 / w_ms : 0;

		if (k > 9)
			k = 9;
		if (++count[k] > max)
			max = count[k];
	}
	return max;
}
