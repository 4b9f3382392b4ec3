/*
 * policy: the BM-SC's decision tables — which cause each item of a registration,
 * deregistration or key request gets, and whether MIKEY follows — as pure functions of what
 * the state says about the item and of the fault switches. No I/O, no state: the HTTP module
 * gathers the facts, the core acts on the verdict.
 */
#ifndef BMSC_POLICY_H
#define BMSC_POLICY_H

#include "cause.h"

/* What the BM-SC sends by MIKEY for one item after answering it. */
enum policy_mikey {
	POLICY_NO_MIKEY,
	POLICY_DELIVER_REQUESTED,	/* MSK delivery of the requested (or registered) key */
	POLICY_DELIVER_FIRST_CURRENT	/* unknown-key-success: current MSK of the first service */
};

struct policy_verdict {
	enum cause cause;
	enum policy_mikey mikey;
};

/* Facts about one item of a key request (basic MSK request, TS 33.246 6.3.2.2.1). */
struct policy_key_facts {
	int known;		/* some service owns (Key Domain ID, MSK ID) */
	int registered;		/* the UE is registered for that service */
	int age;		/* <0 rotated out, 0 current, >0 not yet current */
	int held;		/* the UE holds the key (V=0 delivered, or V=1 verified) */
	int redeliver;		/* held_key_answer = redeliver */
};

struct policy_verdict policy_key(const struct policy_key_facts *f, unsigned faults);

/* Registration (6.3.2.1A) of one service. */
struct policy_reg_verdict {
	enum cause cause;
	int registers;		/* the UE becomes registered */
	int unregisters;	/* the registration is removed */
	int push;		/* push the service's current MSK */
};
struct policy_reg_verdict policy_register(int known, int entitled, unsigned faults);

/* Deregistration (6.3.2.1B) of one service: always SUCCESS; unregisters unless faulted. */
struct policy_reg_verdict policy_deregister(unsigned faults);

/* Authentication of an HTTP request before the Digest response is checked (KU-BM-01/02). */
enum policy_auth {
	POLICY_AUTH_CHALLENGE,		/* 401 with a Digest challenge */
	POLICY_AUTH_CHECK_DIGEST,	/* a known, valid B-TID: check its Digest response */
	POLICY_AUTH_AS_FIRST		/* no-401: serve as the first subscriber */
};
enum policy_auth policy_auth(int has_credentials, int known_btid, int expired,
	    int have_subscribers, unsigned faults);

#endif
