/*
 * cause: the abstract per-item causes of key-update.md §2.4 as a {value, name} table. Their
 * numeric codes are profile data and come from the [causes] section of the configuration.
 */
#ifndef BMSC_CAUSE_H
#define BMSC_CAUSE_H

enum cause {
	CAUSE_SUCCESS,
	CAUSE_BAD_REQUEST,
	CAUSE_NOT_AUTHORIZED,
	CAUSE_UNKNOWN_KEY,
	CAUSE_NO_UPDATE_NEEDED,
	CAUSE_NOT_AVAILABLE,
	CAUSE_SERVER_ERROR,
	CAUSE_COUNT
};

/* "SUCCESS", "NOT_AUTHORIZED", ...; "?" for a value out of range. */
const char *cause_name(enum cause c);
/* The cause named name (exact, upper case), or -1. */
int	cause_value(const char *name);

#endif
