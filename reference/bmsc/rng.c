/* rng: splitmix64, a small seeded generator with good statistical quality. */
#include "rng.h"

void
rng_seed(struct rng *r, uint64_t seed)
{
	r->s = seed;
}

uint64_t
rng_u64(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint32_t
rng_u32(struct rng *r)
{
	return (uint32_t)(rng_u64(r) >> 32);
}

uint64_t
rng_below(struct rng *r, uint64_t n)
{
	/* Reject the top partial block so that every residue is equally likely. */
	uint64_t limit = UINT64_MAX - UINT64_MAX % n, x;

	do
		x = rng_u64(r);
	while (x >= limit);
	return x % n;
}

void
rng_bytes(struct rng *r, uint8_t *out, size_t n)
{
	uint64_t x = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (i % 8 == 0)
			x = rng_u64(r);
		out[i] = (uint8_t)(x >> (8 * (i % 8)));
	}
}
