/*
 * rng: the BM-SC's seeded generator (splitmix64) for CSB IDs, RAND payloads and spreading
 * delays, so that a run with the same [node] seed repeats itself. Key material (MTKs, the
 * Digest nonce secret) comes from crypto_random, never from here.
 */
#ifndef BMSC_RNG_H
#define BMSC_RNG_H

#include <stddef.h>
#include <stdint.h>

struct rng {
	uint64_t s;
};

void	rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_u64(struct rng *r);
uint32_t rng_u32(struct rng *r);
/* Uniform in [0, n) without modulo bias; n > 0. */
uint64_t rng_below(struct rng *r, uint64_t n);
void	rng_bytes(struct rng *r, uint8_t *out, size_t n);

#endif
