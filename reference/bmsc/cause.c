/* cause: names of the abstract causes (key-update.md §2.4). */
#include "cause.h"

#include <string.h>

static const struct {
	enum cause value;
	const char *name;
} causes[] = {
	{ CAUSE_SUCCESS, "SUCCESS" },
	{ CAUSE_BAD_REQUEST, "BAD_REQUEST" },
	{ CAUSE_NOT_AUTHORIZED, "NOT_AUTHORIZED" },
	{ CAUSE_UNKNOWN_KEY, "UNKNOWN_KEY" },
	{ CAUSE_NO_UPDATE_NEEDED, "NO_UPDATE_NEEDED" },
	{ CAUSE_NOT_AVAILABLE, "NOT_AVAILABLE" },
	{ CAUSE_SERVER_ERROR, "SERVER_ERROR" },
};

const char *
cause_name(enum cause c)
{
	size_t i;

	for (i = 0; i < sizeof(causes) / sizeof(causes[0]); i++)
		if (causes[i].value == c)
			return causes[i].name;
	return "?";
}

int
cause_value(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(causes) / sizeof(causes[0]); i++)
		if (strcmp(causes[i].name, name) == 0)
			return (int)causes[i].value;
	return -1;
}
