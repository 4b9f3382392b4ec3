/*
 * spread: the delays of the notices (solicited pulls) sent to the registered UEs after a key
 * change (key-update.md rule 3, KU-BM-11: no tenth of W_spread may hold more than
 * max(1, ceil(N/5)) notices).
 *
 * Each UE's delay is uniform over [0, W_spread] taken alone, but the draws are stratified:
 * every round of ten UEs gets the ten tenths of the window in a random order, and a delay lies
 * in the middle 70 % of its tenth. Independent uniform draws would put two of three UEs in the
 * same tenth 28 % of the time, which KU-BM-11 forbids; stratifying keeps each tenth at
 * ceil(N/10) notices at most, with a margin against scheduling jitter at the borders.
 */
#ifndef BMSC_SPREAD_H
#define BMSC_SPREAD_H

#include <stddef.h>
#include <stdint.h>

#include "rng.h"

/* Fills delays[0..n) (milliseconds); burst: all zero (the push-burst fault). */
void	spread_delays(struct rng *r, size_t n, uint32_t w_ms, int burst, uint32_t *delays);
/* The largest number of delays falling in one tenth [k W/10, (k+1) W/10) of the window. */
size_t	spread_max_per_tenth(const uint32_t *delays, size_t n, uint32_t w_ms);

#endif
