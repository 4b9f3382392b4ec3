/*
 * log: the UE's decision log — one line per decision on stderr, stamped with the seconds since
 * start, so that a campaign log reads as the story of what the UE did and why.
 */
#ifndef UE_LOG_H
#define UE_LOG_H

/* Writes "mbms-ue: [  12.345] <message>\n" to stderr (unless quiet). */
void	ulog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Silences the log (unit tests); 0 turns it back on. */
void	ulog_quiet(int quiet);

#endif
