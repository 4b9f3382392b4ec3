/*
 * timers: the BM-SC's pending timed actions (deferred MIKEY sends, spread notices,
 * verification time-outs) on the monotonic millisecond clock. A small array: the event loop
 * asks for the next due time and pops due timers in due order (ties in insertion order).
 */
#ifndef BMSC_TIMERS_H
#define BMSC_TIMERS_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

enum timer_kind {
	TIMER_DELIVER,		/* MSK delivery: ue, svc, msk */
	TIMER_PULL,		/* solicited pull naming the current MSK: ue, svc */
	TIMER_VERIFY		/* verification time-out of pending id ref */
};

struct timer {
	int64_t due;
	uint64_t id;		/* set by timers_add */
	enum timer_kind kind;
	size_t ue, svc, msk;
	uint64_t ref;
	struct sockaddr_in dst;
};

struct timers {
	struct timer *t;
	size_t n, cap;
	uint64_t next_id;
};

/* Monotonic clock in milliseconds. */
int64_t	timers_now(void);
void	timers_init(struct timers *ts);
void	timers_free(struct timers *ts);
/* Adds a copy of t; returns its id (never 0), or 0 when out of memory. */
uint64_t timers_add(struct timers *ts, const struct timer *t);
/* Removes the timer with this id (no-op if gone). */
void	timers_cancel(struct timers *ts, uint64_t id);
/* The earliest due time, or -1 when empty. */
int64_t	timers_next(const struct timers *ts);
/* Moves the earliest timer due at or before now into out; 1 if one was due, else 0. */
int	timers_pop_due(struct timers *ts, int64_t now, struct timer *out);

#endif
