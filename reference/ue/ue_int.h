/*
 * ue_int: what the parts of the UE state machine share with one another, and nothing else
 * includes. ue.h stays the contract for main.c, control.c and the tests; the machine itself is
 * split by job:
 *
 *	ue.c		sessions: set-up, join, the registration's outcome, leave
 *	ue_http.c	the HTTP requests it sends and the routing of their answers
 *	ue_keyreq.c	key requests: triggers (rule 2), sending, outcomes per key, timers
 *	ue_rule6.c	the rule 6 decision after a key was not obtained
 *	ue_mikey.c	what a received MIKEY message does to the machine
 *	ue_status.c	the status JSON
 */
#ifndef UE_UE_INT_H
#define UE_UE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "bodies.h"
#include "conf.h"
#include "err.h"
#include "httpc.h"
#include "policy.h"
#include "ue.h"

/* "00f110/00010002" for logs. */
struct keyname {
	char s[2 * (KDID_LEN + MSKID_LEN) + 2];
};

/* ue.c */
struct keyname ue_kname(const uint8_t *kdid, const uint8_t *mskid);
/* The active (registering or joined) service of a Key Domain ID, or -1. */
int	ue_svc_of_domain(const struct ue *u, const uint8_t kdid[KDID_LEN]);
/* Leaves service i: deregistration, and reception stops (keys and triggers dropped). */
void	ue_do_leave(struct ue *u, int i, const char *why);
/* The answer to a registration or deregistration (r is a copy; its slot is already free). */
void	ue_register_done(struct ue *u, struct ue_req *r, const struct httpc_result *res,
	    int64_t now);

/* ue_http.c */
/* A free request slot, zeroed, or NULL when UE_MAX_REQS are in flight. */
struct ue_req *ue_req_new(struct ue *u);
/* POSTs body as request kind; fills r (already allocated) with the id. */
int	ue_post(struct ue *u, enum ue_req_kind kind, const char *body, size_t len,
	    struct ue_req *r, struct err *e);
/* Sends the registration (deregister 0) or deregistration (1) of service i. */
int	ue_send_register(struct ue *u, int i, int deregister, struct err *e);

/* ue_keyreq.c */
const char *ue_pend_state_name(enum ue_pend_state s);
/* The key the UE is trying to obtain, or NULL. */
struct ue_pending *ue_pending_of(struct ue *u, const uint8_t *kdid, const uint8_t *mskid);
/* Rule 2: a trigger for key (kdid, mskid) of service i. */
void	ue_trigger(struct ue *u, int i, const uint8_t *kdid, const uint8_t *mskid,
	    enum policy_trigger t, int64_t now);
/* The answer to a key request (r is a copy; its slot is already free). */
void	ue_msk_done(struct ue *u, struct ue_req *r, const struct httpc_result *res,
	    int64_t now);

/* ue_rule6.c */
/* Rule 6 for service i, once nothing else the service asked for is still on its way. */
void	ue_maybe_decide(struct ue *u, int i, int64_t now);

#endif
