/* policy: the cause decision tables of registration, deregistration and key requests. */
#include "policy.h"

#include "faults.h"

struct policy_verdict
policy_key(const struct policy_key_facts *f, unsigned faults)
{
	struct policy_verdict v = { CAUSE_SUCCESS, POLICY_DELIVER_REQUESTED };

	/*
	 * An unknown (Key Domain ID, MSK ID) is UNKNOWN_KEY whoever asks (key-update.md §2.4:
	 * "unknown service ID, Key Domain ID or MSK ID"); a known key of a service the UE is
	 * not registered for is NOT_AUTHORIZED (KU-BM-05, KU-BM-06).
	 */
	if (!f->known) {
		if (faults & FAULT_UNKNOWN_KEY_SUCCESS) {
			v.cause = CAUSE_SUCCESS;
			v.mikey = POLICY_DELIVER_FIRST_CURRENT;
			return v;
		}
		v.cause = (faults & FAULT_WRONG_CAUSE) ? CAUSE_NOT_AUTHORIZED : CAUSE_UNKNOWN_KEY;
		v.mikey = POLICY_NO_MIKEY;
		return v;
	}
	if (!f->registered) {
		v.cause = CAUSE_NOT_AUTHORIZED;
		v.mikey = (faults & FAULT_DELIVER_ON_REJECT) ? POLICY_DELIVER_REQUESTED :
		    POLICY_NO_MIKEY;
		return v;
	}
	if (f->age < 0) {
		/* Rotated out: no updated key available under that name (rule 6). */
		v.cause = CAUSE_NOT_AVAILABLE;
		v.mikey = POLICY_NO_MIKEY;
		return v;
	}
	if (f->age == 0 && f->held && !f->redeliver) {
		/* KU-BM-08: the UE holds the current key and no newer one exists. */
		v.cause = CAUSE_NO_UPDATE_NEEDED;
		v.mikey = POLICY_NO_MIKEY;
		return v;
	}
	return v;
}

struct policy_reg_verdict
policy_register(int known, int entitled, unsigned faults)
{
	struct policy_reg_verdict v = { CAUSE_NOT_AUTHORIZED, 0, 0, 0 };

	if (known && entitled) {
		v.cause = CAUSE_SUCCESS;
		v.registers = 1;
		v.push = !(faults & FAULT_NO_PUSH_AFTER_REGISTER);
	}
	return v;
}

struct policy_reg_verdict
policy_deregister(unsigned faults)
{
	struct policy_reg_verdict v = { CAUSE_SUCCESS, 0, 1, 0 };

	if (faults & FAULT_IGNORE_DEREGISTER)
		v.unregisters = 0;
	return v;
}

enum policy_auth
policy_auth(int has_credentials, int known_btid, int expired, int have_subscribers,
    unsigned faults)
{
	if (!has_credentials)
		return (faults & FAULT_NO_401) && have_subscribers ? POLICY_AUTH_AS_FIRST :
		    POLICY_AUTH_CHALLENGE;
	/* Unknown or expired B-TID: challenge again (TS 33.246 6.2.1, KU-BM-02). */
	if (!known_btid || expired)
		return POLICY_AUTH_CHALLENGE;
	return POLICY_AUTH_CHECK_DIGEST;
}
