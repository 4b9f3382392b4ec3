/* run: the CUnit runner of the reference UE's unit tests (build/ref-ue-tests [SUITE...]). */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

int	test_store_register(void);
int	test_policy_register(void);
int	test_conf_register(void);
int	test_bodies_register(void);
int	test_rx_register(void);
int	test_ue_register(void);

static const struct {
	const char *name;
	int (*reg)(void);
} suites[] = {
	{ "store", test_store_register },
	{ "policy", test_policy_register },
	{ "conf", test_conf_register },
	{ "bodies", test_bodies_register },
	{ "rx", test_rx_register },
	{ "ue", test_ue_register },
};

int
main(int argc, char **argv)
{
	unsigned int failures;
	size_t i;
	int a, wanted;

	/* Decision logs would drown the test report; MBMS_UE_LOG=1 shows them. */
	ulog_quiet(getenv("MBMS_UE_LOG") == NULL);
	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "ref-ue-tests: CUnit: %s\n", CU_get_error_msg());
		return 2;
	}
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		for (a = 1, wanted = argc == 1; a < argc; a++)
			wanted |= strcmp(argv[a], suites[i].name) == 0;
		if (!wanted)
			continue;
		if (suites[i].reg() != 0) {
			fprintf(stderr, "ref-ue-tests: registering %s: %s\n", suites[i].name,
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
