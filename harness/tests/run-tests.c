/* run-tests: the CUnit runner for every harness module (basic mode; see README for why). */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>

#define T(name) int test_##name##_register(void);
#include "registry.h"
#undef T

struct suite_entry {
	const char *name;
	int (*reg)(void);
};

static const struct suite_entry suites[] = {
#define T(name) { #name, test_##name##_register },
#include "registry.h"
#undef T
};

int
main(int argc, char **argv)
{
	unsigned int failures;
	size_t i;

	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "run-tests: CUnit: %s\n", CU_get_error_msg());
		return 2;
	}
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		/* An optional argument limits the run to the named suites. */
		if (argc > 1) {
			int wanted = 0;

			for (int a = 1; a < argc; a++)
				wanted |= strcmp(argv[a], suites[i].name) == 0;
			if (!wanted)
				continue;
		}
		if (suites[i].reg() != 0) {
			fprintf(stderr, "run-tests: registering %s: %s\n", suites[i].name,
			    CU_get_error_msg());
			CU_cleanup_registry();
			return 2;
		}
	}
	CU_basic_set_mode(CU_BRM_NORMAL);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failures == 0 ? 0 : 1;
}
