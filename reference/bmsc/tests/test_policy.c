/* test_policy: the cause decision tables, and what each fault changes in them. */
#include <stdio.h>

#include "faults.h"
#include "policy.h"
#include "tu.h"

/* One row: facts, faults, expected cause and MIKEY action. */
static const struct {
	const char *what;
	struct policy_key_facts f;	/* known, registered, age, held, redeliver */
	unsigned faults;
	enum cause cause;
	enum policy_mikey mikey;
} rows[] = {
	{ "current key, registered", { 1, 1, 0, 0, 0 }, 0, CAUSE_SUCCESS, POLICY_DELIVER_REQUESTED },
	{ "next key, registered", { 1, 1, 1, 0, 0 }, 0, CAUSE_SUCCESS, POLICY_DELIVER_REQUESTED },
	{ "next key, held", { 1, 1, 1, 1, 0 }, 0, CAUSE_SUCCESS, POLICY_DELIVER_REQUESTED },
	{ "current key, held", { 1, 1, 0, 1, 0 }, 0, CAUSE_NO_UPDATE_NEEDED, POLICY_NO_MIKEY },
	{ "current key, held, redeliver", { 1, 1, 0, 1, 1 }, 0, CAUSE_SUCCESS,
	  POLICY_DELIVER_REQUESTED },
	{ "rotated out", { 1, 1, -1, 0, 0 }, 0, CAUSE_NOT_AVAILABLE, POLICY_NO_MIKEY },
	{ "rotated out, held", { 1, 1, -1, 1, 0 }, 0, CAUSE_NOT_AVAILABLE, POLICY_NO_MIKEY },
	{ "not registered", { 1, 0, 0, 0, 0 }, 0, CAUSE_NOT_AUTHORIZED, POLICY_NO_MIKEY },
	{ "not registered, rotated out", { 1, 0, -1, 0, 0 }, 0, CAUSE_NOT_AUTHORIZED,
	  POLICY_NO_MIKEY },
	{ "unknown key", { 0, 0, 0, 0, 0 }, 0, CAUSE_UNKNOWN_KEY, POLICY_NO_MIKEY },
	/* Each fault, at the row it breaks. */
	{ "unknown-key-success", { 0, 0, 0, 0, 0 }, FAULT_UNKNOWN_KEY_SUCCESS, CAUSE_SUCCESS,
	  POLICY_DELIVER_FIRST_CURRENT },
	{ "wrong-cause", { 0, 0, 0, 0, 0 }, FAULT_WRONG_CAUSE, CAUSE_NOT_AUTHORIZED,
	  POLICY_NO_MIKEY },
	{ "deliver-on-reject", { 1, 0, 0, 0, 0 }, FAULT_DELIVER_ON_REJECT, CAUSE_NOT_AUTHORIZED,
	  POLICY_DELIVER_REQUESTED },
	/* ... and leaves the other rows alone. */
	{ "wrong-cause, registered", { 1, 1, 0, 0, 0 }, FAULT_WRONG_CAUSE, CAUSE_SUCCESS,
	  POLICY_DELIVER_REQUESTED },
	{ "wrong-cause, not registered", { 1, 0, 0, 0, 0 }, FAULT_WRONG_CAUSE,
	  CAUSE_NOT_AUTHORIZED, POLICY_NO_MIKEY },
	{ "deliver-on-reject, unknown", { 0, 0, 0, 0, 0 }, FAULT_DELIVER_ON_REJECT,
	  CAUSE_UNKNOWN_KEY, POLICY_NO_MIKEY },
	{ "deliver-on-reject, rotated out", { 1, 1, -1, 0, 0 }, FAULT_DELIVER_ON_REJECT,
	  CAUSE_NOT_AVAILABLE, POLICY_NO_MIKEY },
	{ "unknown-key-success, held", { 1, 1, 0, 1, 0 }, FAULT_UNKNOWN_KEY_SUCCESS,
	  CAUSE_NO_UPDATE_NEEDED, POLICY_NO_MIKEY },
	{ "other faults, unknown", { 0, 0, 0, 0, 0 }, FAULT_COUNTER_REUSE | FAULT_BAD_MAC |
	  FAULT_NO_401 | FAULT_PUSH_BURST | FAULT_NO_PUSH_AFTER_REGISTER | FAULT_IGNORE_DEREGISTER,
	  CAUSE_UNKNOWN_KEY, POLICY_NO_MIKEY },
	{ "other faults, not registered", { 1, 0, 0, 0, 0 }, FAULT_COUNTER_REUSE | FAULT_BAD_MAC |
	  FAULT_NO_401 | FAULT_PUSH_BURST | FAULT_NO_PUSH_AFTER_REGISTER | FAULT_IGNORE_DEREGISTER,
	  CAUSE_NOT_AUTHORIZED, POLICY_NO_MIKEY },
};

static void
test_key_table(void)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct policy_verdict v = policy_key(&rows[i].f, rows[i].faults);

		if (v.cause != rows[i].cause || v.mikey != rows[i].mikey)
			fprintf(stderr, "\n  %s: expected %s/%d vs actual %s/%d\n", rows[i].what,
			    cause_name(rows[i].cause), rows[i].mikey, cause_name(v.cause), v.mikey);
		CU_ASSERT_EQUAL(v.cause, rows[i].cause);
		CU_ASSERT_EQUAL(v.mikey, rows[i].mikey);
	}
}

static void
test_register(void)
{
	struct policy_reg_verdict v;

	v = policy_register(1, 1, 0);
	CU_ASSERT_EQUAL(v.cause, CAUSE_SUCCESS);
	CU_ASSERT_TRUE(v.registers && v.push && !v.unregisters);
	v = policy_register(1, 0, 0);
	CU_ASSERT_EQUAL(v.cause, CAUSE_NOT_AUTHORIZED);
	CU_ASSERT_FALSE(v.registers || v.push);
	v = policy_register(0, 0, 0);
	CU_ASSERT_EQUAL(v.cause, CAUSE_NOT_AUTHORIZED);
	CU_ASSERT_FALSE(v.registers || v.push);
	v = policy_register(1, 1, FAULT_NO_PUSH_AFTER_REGISTER);
	CU_ASSERT_EQUAL(v.cause, CAUSE_SUCCESS);
	CU_ASSERT_TRUE(v.registers);
	CU_ASSERT_FALSE(v.push);
	/* deliver-on-reject is about key requests: a refused registration still pushes nothing. */
	v = policy_register(1, 0, FAULT_DELIVER_ON_REJECT);
	CU_ASSERT_FALSE(v.registers || v.push);
}

static void
test_deregister(void)
{
	struct policy_reg_verdict v;

	v = policy_deregister(0);
	CU_ASSERT_EQUAL(v.cause, CAUSE_SUCCESS);
	CU_ASSERT_TRUE(v.unregisters);
	v = policy_deregister(FAULT_IGNORE_DEREGISTER);
	CU_ASSERT_EQUAL(v.cause, CAUSE_SUCCESS);
	CU_ASSERT_FALSE(v.unregisters);
	v = policy_deregister(FAULT_NO_PUSH_AFTER_REGISTER | FAULT_BAD_MAC);
	CU_ASSERT_TRUE(v.unregisters);
}

static void
test_auth(void)
{
	/* KU-BM-01: no credentials -> challenge; KU-BM-02: unknown or expired -> challenge. */
	CU_ASSERT_EQUAL(policy_auth(0, 0, 0, 1, 0), POLICY_AUTH_CHALLENGE);
	CU_ASSERT_EQUAL(policy_auth(1, 0, 0, 1, 0), POLICY_AUTH_CHALLENGE);
	CU_ASSERT_EQUAL(policy_auth(1, 1, 1, 1, 0), POLICY_AUTH_CHALLENGE);
	CU_ASSERT_EQUAL(policy_auth(1, 1, 0, 1, 0), POLICY_AUTH_CHECK_DIGEST);
	/* no-401 changes only the request without credentials. */
	CU_ASSERT_EQUAL(policy_auth(0, 0, 0, 1, FAULT_NO_401), POLICY_AUTH_AS_FIRST);
	CU_ASSERT_EQUAL(policy_auth(0, 0, 0, 0, FAULT_NO_401), POLICY_AUTH_CHALLENGE);
	CU_ASSERT_EQUAL(policy_auth(1, 0, 0, 1, FAULT_NO_401), POLICY_AUTH_CHALLENGE);
	CU_ASSERT_EQUAL(policy_auth(1, 1, 1, 1, FAULT_NO_401), POLICY_AUTH_CHALLENGE);
	CU_ASSERT_EQUAL(policy_auth(1, 1, 0, 1, FAULT_NO_401), POLICY_AUTH_CHECK_DIGEST);
	CU_ASSERT_EQUAL(policy_auth(0, 0, 0, 1, FAULT_WRONG_CAUSE | FAULT_BAD_MAC),
	    POLICY_AUTH_CHALLENGE);
}

static void
test_fault_names(void)
{
	char list[256];

	CU_ASSERT_EQUAL(fault_parse("none"), 0);
	CU_ASSERT_EQUAL(fault_parse("wrong-cause"), FAULT_WRONG_CAUSE);
	CU_ASSERT_EQUAL(fault_parse("ignore-deregister"), FAULT_IGNORE_DEREGISTER);
	CU_ASSERT_EQUAL(fault_parse("Wrong-Cause"), -1);
	CU_ASSERT_STRING_EQUAL(fault_name(FAULT_NO_401), "no-401");
	CU_ASSERT_PTR_NULL(fault_name(1u << 20));
	fault_list(0, list, sizeof(list));
	CU_ASSERT_STRING_EQUAL(list, "none");
	fault_list(FAULT_BAD_MAC | FAULT_NO_401, list, sizeof(list));
	CU_ASSERT_STRING_EQUAL(list, "bad-mac,no-401");
	CU_ASSERT_STRING_EQUAL(cause_name(CAUSE_NOT_AVAILABLE), "NOT_AVAILABLE");
	CU_ASSERT_EQUAL(cause_value("UNKNOWN_KEY"), CAUSE_UNKNOWN_KEY);
	CU_ASSERT_EQUAL(cause_value("unknown_key"), -1);
}

int
test_policy_register(void)
{
	static const struct tu_test tests[] = {
		{ "key request table with faults", test_key_table },
		{ "registration", test_register },
		{ "deregistration", test_deregister },
		{ "authentication and no-401", test_auth },
		{ "fault and cause names", test_fault_names },
		{ NULL, NULL }
	};

	return tu_register("policy", tests);
}
