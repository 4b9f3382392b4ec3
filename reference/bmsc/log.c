/* log: one line per BM-SC decision on stderr, with a monotonic time stamp. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static int enabled = 1;
static struct timespec start;
static int started;

void
log_enable(int on)
{
	enabled = on;
}

void
log_line(const char *fmt, ...)
{
	struct timespec now;
	char buf[1024];
	double t;
	va_list ap;

	if (!enabled)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!started) {
		start = now;
		started = 1;
	}
	t = (double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* One fprintf per line keeps lines whole when stderr is shared with other processes. */
	fprintf(stderr, "mbms-bmsc %8.3f: %s\n", t, buf);
}
