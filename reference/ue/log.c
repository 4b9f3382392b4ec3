/* log: one stderr line per decision, stamped with monotonic seconds since the first line. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static int quiet;
static int started;
static struct timespec t0;

void
ulog_quiet(int q)
{
	quiet = q;
}

void
ulog(const char *fmt, ...)
{
	struct timespec now;
	char line[1024];
	va_list ap;
	double s;

	if (quiet)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!started) {
		t0 = now;
		started = 1;
	}
	s = (double)(now.tv_sec - t0.tv_sec) + (double)(now.tv_nsec - t0.tv_nsec) / 1e9;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One fprintf per line so that lines from a crash or a fast loop never interleave. */
	fprintf(stderr, "mbms-ue: [%9.3f] %s\n", s, line);
}
