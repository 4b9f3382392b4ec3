/*
 * log: the BM-SC's decision log — one line per decision on stderr, prefixed with the seconds
 * since start, so that a test run can be read next to a capture.
 */
#ifndef BMSC_LOG_H
#define BMSC_LOG_H

/* Writes "mbms-bmsc <t>: <message>\n" to stderr. */
void	log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Silences (0) or restores (1) the log; the unit tests run quietly. */
void	log_enable(int on);

#endif
