/*
 * store: the keys the UE holds and the rules that go with them — at most two MSKs per key group
 * (mikey.md §2, TS 31.102), replay counters per MUK and per MSK, MTK ID rules (KU-UE-17), and
 * the leave-on-no-key decision of key-update.md §1 rule 6 with its "still-valid older key"
 * exception.
 *
 * Pure data: no I/O, no clock, no logging, so that every rule is a unit test. Functions that
 * judge return an enum whose names say why.
 */
#ifndef UE_STORE_H
#define UE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"

#define STORE_MAX_MSKS		64
#define STORE_KEY_MAX		32
#define STORE_GROUP_LIMIT	2	/* MSKs per (Key Domain ID, Key Group) [V: TS 31.102] */

struct store_msk {
	uint8_t kdid[KDID_LEN];
	uint8_t mskid[MSKID_LEN];
	uint8_t key[STORE_KEY_MAX];
	size_t key_len;
	uint32_t seql, sequ;		/* key validity: the MTK IDs this MSK may protect */
	int v;				/* the delivery asked for verification (V=1) */
	int verified;			/* ... and the UE sent the verification message */
	int have_counter;		/* a message under this MSK was accepted */
	uint64_t counter;		/* its TS counter */
	int have_mtk;
	uint32_t last_mtk;		/* last accepted MTK ID under this MSK */
};

struct store {
	struct store_msk msk[STORE_MAX_MSKS];
	size_t n;
	int have_muk_counter;		/* a message under the MUK was accepted */
	uint64_t muk_counter;
};

void	store_init(struct store *s);

/* The held MSK (kdid, mskid), or NULL. */
struct store_msk *store_find(struct store *s, const uint8_t kdid[KDID_LEN],
	    const uint8_t mskid[MSKID_LEN]);

/*
 * Stores a delivered MSK. A re-delivery of a held MSK replaces its key and validity (keeping
 * its counters when the key bytes are the same). A third MSK of a key group (first two bytes
 * of the MSK ID) drops the one of the three with the lowest SEQu — which may be the new one.
 * Returns STORE_PUT_* and copies the dropped entry into *dropped when one was.
 */
enum store_put {
	STORE_PUT_NEW,
	STORE_PUT_REPLACED,
	STORE_PUT_NEW_DROPPED_OLDER,	/* stored; *dropped left the group */
	STORE_PUT_NOT_KEPT,		/* the new key is the oldest of three: not stored */
	STORE_PUT_FULL			/* STORE_MAX_MSKS reached */
};
enum store_put store_put(struct store *s, const struct store_msk *in, struct store_msk *dropped);

/* Removes every MSK of a Key Domain ID (leaving the service); returns how many. */
size_t	store_drop_domain(struct store *s, const uint8_t kdid[KDID_LEN]);
/* Number of held MSKs of a Key Domain ID. */
size_t	store_count_domain(const struct store *s, const uint8_t kdid[KDID_LEN]);

/*
 * Replay check of a message under the MUK: the first one is accepted with any counter, later
 * ones only with a strictly greater counter [D: mikey.md §2]. store_muk_accept records it.
 */
int	store_muk_counter_ok(const struct store *s, uint64_t counter);
void	store_muk_accept(struct store *s, uint64_t counter);

/* The verdict on an MTK message under a held MSK (KU-UE-17, mikey.md §2). */
enum store_mtk {
	STORE_MTK_OK,
	STORE_MTK_REPLAY,		/* counter not greater than the last under this MSK */
	STORE_MTK_ID_NOT_NEWER,		/* MTK ID not greater than the last accepted */
	STORE_MTK_ID_OUTSIDE		/* MTK ID outside SEQl..SEQu */
};
enum store_mtk store_mtk_check(const struct store_msk *m, uint64_t counter, uint32_t mtk_id);
void	store_mtk_accept(struct store_msk *m, uint64_t counter, uint32_t mtk_id);
const char *store_mtk_name(enum store_mtk v);

/*
 * "Still-valid older key" (key-update.md §1, rule 6 definitions): a held MSK of the Key Domain
 * whose SEQl..SEQu covers the current traffic MTK ID; before any MTK has been seen since joining
 * (mtk_seen == 0) every held MSK of the domain counts. Returns one such MSK, or NULL.
 */
const struct store_msk *store_valid_key(const struct store *s, const uint8_t kdid[KDID_LEN],
	    int mtk_seen, uint32_t mtk_id);

/* Rule 6, with the fault switches that break it. */
enum store_decision {
	STORE_STAY,		/* holds a still-valid older key: stays joined */
	STORE_LEAVE,		/* no still-valid key: leaves the service */
	STORE_STAY_FAULT,	/* fault no-leave: stays although it must leave */
	STORE_LEAVE_FAULT	/* fault leave-despite-valid-key: leaves although it may stay */
};
enum store_decision store_leave_decision(int have_valid_key, unsigned faults);
/* 1 when the decision is to leave. */
int	store_decision_leaves(enum store_decision d);
const char *store_decision_name(enum store_decision d);

#endif
