/* run-tests: the CUnit runner of the reference BM-SC's own logic (build/ref-bmsc-tests). */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>

#include "bodies.h"
#include "log.h"
#include "tu.h"

static const struct {
	const char *name;
	int (*reg)(void);
} suites[] = {
	{ "conf", test_conf_register },
	{ "keys", test_keys_register },
	{ "policy", test_policy_register },
	{ "state", test_state_register },
	{ "bodies", test_bodies_register },
	{ "spread", test_spread_register },
	{ "msgs", test_msgs_register },
	{ "core", test_core_register },
};

int
main(int argc, char **argv)
{
	unsigned int failures;
	size_t i;

	/* The decision log goes to stderr in the program; the tests run quietly. */
	log_enable(0);
	bodies_init();
	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "ref-bmsc-tests: CUnit: %s\n", CU_get_error_msg());
		return 2;
	}
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		/* Optional arguments limit the run to the named suites. */
		if (argc > 1) {
			int wanted = 0;

			for (int a = 1; a < argc; a++)
				wanted |= strcmp(argv[a], suites[i].name) == 0;
			if (!wanted)
				continue;
		}
		if (suites[i].reg() != 0) {
			fprintf(stderr, "ref-bmsc-tests: registering %s: %s\n", suites[i].name,
			    CU_get_error_msg());
			CU_cleanup_registry();
			return 2;
		}
	}
	CU_basic_set_mode(CU_BRM_NORMAL);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	bodies_cleanup();
	return failures == 0 ? 0 : 1;
}
