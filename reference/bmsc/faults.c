/* faults: names of the fault switches and their bits. */
#include "faults.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

static const struct {
	unsigned bit;
	const char *name;
} faults[] = {
	{ FAULT_UNKNOWN_KEY_SUCCESS, "unknown-key-success" },
	{ FAULT_WRONG_CAUSE, "wrong-cause" },
	{ FAULT_COUNTER_REUSE, "counter-reuse" },
	{ FAULT_BAD_MAC, "bad-mac" },
	{ FAULT_NO_401, "no-401" },
	{ FAULT_DELIVER_ON_REJECT, "deliver-on-reject" },
	{ FAULT_PUSH_BURST, "push-burst" },
	{ FAULT_NO_PUSH_AFTER_REGISTER, "no-push-after-register" },
	{ FAULT_IGNORE_DEREGISTER, "ignore-deregister" },
};

long
fault_parse(const char *name)
{
	size_t i;

	if (strcmp(name, "none") == 0)
		return 0;
	for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
		if (strcmp(faults[i].name, name) == 0)
			return (long)faults[i].bit;
	return -1;
}

const char *
fault_name(unsigned bit)
{
	size_t i;

	for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
		if (faults[i].bit == bit)
			return faults[i].name;
	return NULL;
}

void
fault_list(unsigned set, char *out, size_t cap)
{
	size_t i, n = 0;

	if (cap == 0)
		return;
	out[0] = '\0';
	for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		if (!(set & faults[i].bit))
			continue;
		n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%s%s", n ? "," : "",
		    faults[i].name);
		if (n >= cap)
			break;
	}
	if (n == 0)
		snprintf(out, cap, "none");
}
