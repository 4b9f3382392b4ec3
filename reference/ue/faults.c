/* faults: names and catalog ids of the UE's fault switches, and the bit-mask helpers. */
#include "faults.h"

#include <stdio.h>
#include <string.h>

const struct fault_info fault_table[] = {
	{ FAULT_NO_LEAVE, "no-leave", "KU-UE-08" },
	{ FAULT_LEAVE_DESPITE_VALID, "leave-despite-valid-key", "KU-UE-11" },
	{ FAULT_ACCEPT_REPLAY, "accept-replay", "KU-UE-07" },
	{ FAULT_ACCEPT_BAD_MAC, "accept-bad-mac", "KU-UE-07" },
	{ FAULT_NO_VERIFY_MSG, "no-verify-msg", "KU-UE-06" },
	{ FAULT_NO_MISSED_KEY_REQUEST, "no-missed-key-request", "KU-UE-04" },
	{ FAULT_NO_NOTICE_REQUEST, "no-notice-request", "KU-UE-02" },
	{ FAULT_SYNC_REQUEST, "sync-request", "KU-UE-14" },
	{ FAULT_REQUEST_STORM, "request-storm", "KU-UE-15" },
	{ FAULT_WRONG_BTID, "wrong-btid", "KU-UE-16" },
	{ 0, NULL, NULL }
};

int
fault_add(unsigned *set, const char *name)
{
	size_t i;

	if (strcmp(name, "none") == 0)
		return 0;
	for (i = 0; fault_table[i].name != NULL; i++)
		if (strcmp(fault_table[i].name, name) == 0) {
			*set |= fault_table[i].bit;
			return 0;
		}
	return -1;
}

int
fault_on(unsigned set, unsigned bit)
{
	return (set & bit) != 0;
}

void
fault_names(unsigned set, char *out, size_t size)
{
	size_t i, n = 0;

	if (size == 0)
		return;
	out[0] = '\0';
	if (set == 0) {
		snprintf(out, size, "none");
		return;
	}
	for (i = 0; fault_table[i].name != NULL; i++) {
		if (!(set & fault_table[i].bit))
			continue;
		if (n < size)
			n += (size_t)snprintf(out + n, size - n, "%s%s", n ? "," : "",
			    fault_table[i].name);
	}
}
