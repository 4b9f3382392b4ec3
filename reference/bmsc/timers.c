/* timers: an unsorted array of timed actions, scanned for the earliest (a handful at a time). */
#include "timers.h"

#include <stdlib.h>
#include <time.h>

int64_t
timers_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
timers_init(struct timers *ts)
{
	ts->t = NULL;
	ts->n = ts->cap = 0;
	ts->next_id = 1;
}

void
timers_free(struct timers *ts)
{
	if (ts == NULL)
		return;
	free(ts->t);
	ts->t = NULL;
	ts->n = ts->cap = 0;
}

uint64_t
timers_add(struct timers *ts, const struct timer *t)
{
	if (ts->n == ts->cap) {
		size_t cap = ts->cap ? 2 * ts->cap : 16;
		struct timer *nt = realloc(ts->t, cap * sizeof(*nt));

		if (nt == NULL)
			return 0;
		ts->t = nt;
		ts->cap = cap;
	}
	ts->t[ts->n] = *t;
	ts->t[ts->n].id = ts->next_id++;
	return ts->t[ts->n++].id;
}

void
timers_cancel(struct timers *ts, uint64_t id)
{
	size_t i;

	for (i = 0; i < ts->n; i++)
		if (ts->t[i].id == id) {
			ts->t[i] = ts->t[--ts->n];
			return;
		}
}

static long
earliest(const struct timers *ts)
{
	long best = -1;
	size_t i;

	for (i = 0; i < ts->n; i++)
		if (best < 0 || ts->t[i].due < ts->t[best].due ||
		    (ts->t[i].due == ts->t[best].due && ts->t[i].id < ts->t[best].id))
			best = (long)i;
	return best;
}

int64_t
timers_next(const struct timers *ts)
{
	long i = earliest(ts);

	return i < 0 ? -1 : ts->t[i].due;
}

int
timers_pop_due(struct timers *ts, int64_t now, struct timer *out)
{
	long i = earliest(ts);

	if (i < 0 || ts->t[i].due > now)
		return 0;
	*out = ts->t[i];
	ts->t[i] = ts->t[--ts->n];
	return 1;
}
