/*
 * faults: the UE's fault switches. Each one makes the same binary break exactly one requirement
 * of the catalog (key-update.md §3.1) at run time; reference/README.md lists them with what
 * shows each on the wire. A fault set is a bit mask; 0 is the conformant UE.
 */
#ifndef UE_FAULTS_H
#define UE_FAULTS_H

#include <stddef.h>

enum fault {
	FAULT_NO_LEAVE = 1u << 0,		/* never leaves on no key (KU-UE-08) */
	FAULT_LEAVE_DESPITE_VALID = 1u << 1,	/* leaves holding a still-valid key (KU-UE-11) */
	FAULT_ACCEPT_REPLAY = 1u << 2,		/* no MUK counter check (KU-UE-07) */
	FAULT_ACCEPT_BAD_MAC = 1u << 3,		/* no MUK MAC check (KU-UE-07) */
	FAULT_NO_VERIFY_MSG = 1u << 4,		/* no verification message for V=1 (KU-UE-06) */
	FAULT_NO_MISSED_KEY_REQUEST = 1u << 5,	/* MTK under unknown MSK ignored (KU-UE-04) */
	FAULT_NO_NOTICE_REQUEST = 1u << 6,	/* solicited pull ignored (KU-UE-02) */
	FAULT_SYNC_REQUEST = 1u << 7,		/* no back-off after a notice (KU-UE-14) */
	FAULT_REQUEST_STORM = 1u << 8,		/* unbounded immediate retries (KU-UE-15) */
	FAULT_WRONG_BTID = 1u << 9		/* Digest username is not the B-TID (KU-UE-16) */
};

struct fault_info {
	unsigned bit;
	const char *name;
	const char *requirement;	/* the catalog id the fault violates */
};

/* The table of every fault, ended by a NULL name. */
extern const struct fault_info fault_table[];

/*
 * Adds the fault called name to *set. "none" adds nothing. Returns 0, or -1 for an unknown name.
 */
int	fault_add(unsigned *set, const char *name);
/* 1 when bit is in set. */
int	fault_on(unsigned set, unsigned bit);
/* Writes the names of the faults in set, comma-separated ("none" for 0), into out. */
void	fault_names(unsigned set, char *out, size_t size);

#endif
