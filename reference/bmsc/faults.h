/*
 * faults: the fault switches of the reference BM-SC. Each one makes the same binary break
 * exactly one requirement (the table in reference/README.md names it); they are runtime bits,
 * tested where the rule they break is applied.
 */
#ifndef BMSC_FAULTS_H
#define BMSC_FAULTS_H

#include <stddef.h>

enum fault {
	FAULT_UNKNOWN_KEY_SUCCESS = 1u << 0,	/* UNKNOWN_KEY answered SUCCESS + delivery */
	FAULT_WRONG_CAUSE = 1u << 1,		/* UNKNOWN_KEY answered with NOT_AUTHORIZED */
	FAULT_COUNTER_REUSE = 1u << 2,		/* deliveries repeat the first counter value */
	FAULT_BAD_MAC = 1u << 3,		/* one bit of every delivery's MAC flipped */
	FAULT_NO_401 = 1u << 4,			/* no credentials: served as the first subscriber */
	FAULT_DELIVER_ON_REJECT = 1u << 5,	/* NOT_AUTHORIZED items also get a delivery */
	FAULT_PUSH_BURST = 1u << 6,		/* rotation notices all at once */
	FAULT_NO_PUSH_AFTER_REGISTER = 1u << 7,	/* no MSK push after registration */
	FAULT_IGNORE_DEREGISTER = 1u << 8	/* deregistration has no effect */
};

/* The bit of a fault name, 0 for "none", or -1 for an unknown name. */
long	fault_parse(const char *name);
/* The name of one fault bit, or NULL. */
const char *fault_name(unsigned bit);
/* Writes the names of the set bits, comma-separated ("none" if empty), into out. */
void	fault_list(unsigned faults, char *out, size_t cap);

#endif
