/*
 * state: what the BM-SC remembers at run time — per UE (subscriber) its address, its
 * registrations, the keys it holds and its MUK's TS counter; per service the current MSK; per
 * MSK the MTK counter and next MTK ID; the deliveries awaiting verification.
 *
 * Ownership: state_init allocates everything from the configuration, which must outlive the
 * state; state_free releases it (safe twice). Indices are those of the configuration's
 * subscribers (ue), services (svc) and a service's MSK list (msk).
 */
#ifndef BMSC_STATE_H
#define BMSC_STATE_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "builder.h"
#include "conf.h"
#include "err.h"
#include "policy.h"

struct state_ue {
	int have_addr;
	struct in_addr addr;		/* HTTP source address of its latest request */
	uint8_t *registered;		/* per service */
	uint8_t *held;			/* per key (flattened index) */
	uint64_t next_counter;		/* the MUK's TS counter (KU-BM-10) */
	int have_first_delivery;
	uint32_t first_delivery_counter;
	int sent_any;
	uint32_t last_counter;
};

struct state_msk {
	uint64_t next_mtk_counter;	/* TS counter of MTK messages under this MSK */
	uint32_t next_mtkid;		/* SEQl..SEQu, grows by one (KU-BM-14) */
};

struct state_pending {
	uint64_t id;
	size_t ue, svc, msk;
	uint32_t csb_id;
	uint8_t *bytes;			/* owned: the delivery exactly as sent */
	size_t len;
	uint32_t resends_left;
	uint32_t resends_done;
	uint64_t timer;			/* timers id of the next time-out */
	struct sockaddr_in dst;
};

struct state {
	const struct conf *c;
	struct state_ue *ue;		/* c->nsub */
	size_t *current;		/* per service: index of the current MSK */
	size_t *base;			/* per service: flattened index of its first MSK */
	size_t nkeys;
	struct state_msk *msk;		/* flattened */
	struct state_pending *pend;
	size_t npend;
	uint64_t next_pending_id;
	int v_bit;
};

int	state_init(struct state *st, const struct conf *c, struct err *e);
void	state_free(struct state *st);

/* Finds the service and MSK index of (kdid, mskid); 1 if found, else 0. */
int	state_find_key(const struct state *st, const uint8_t kdid[3], const uint8_t mskid[4],
	    size_t *svc, size_t *msk);
/* Gathers the policy facts of a key request item of UE ue (svc/msk set when known). */
void	state_key_facts(const struct state *st, size_t ue, const uint8_t kdid[3],
	    const uint8_t mskid[4], struct policy_key_facts *f, size_t *svc, size_t *msk);

void	state_set_addr(struct state *st, size_t ue, struct in_addr addr);
/*
 * Registers (unregisters) UE ue for service svc. Both forget the keys of svc the UE held and its
 * deliveries of them awaiting verification: a UE that (re)joins holds no key of the service.
 */
void	state_register(struct state *st, size_t ue, size_t svc);
void	state_unregister(struct state *st, size_t ue, size_t svc);
int	state_registered(const struct state *st, size_t ue, size_t svc);
void	state_hold(struct state *st, size_t ue, size_t svc, size_t msk);
int	state_holds(const struct state *st, size_t ue, size_t svc, size_t msk);

/*
 * Takes the TS counter for the next MSK message to UE ue: counter_start, then +1 per message.
 * With reuse (the counter-reuse fault) every delivery repeats the first delivery's value.
 * Returns -1 when the 32-bit counter is exhausted.
 */
int	state_take_counter(struct state *st, size_t ue, int delivery, int reuse, uint32_t *out);

/* Makes the next MSK of the list current; -1 when there is none. */
int	state_rotate(struct state *st, size_t svc);
/*
 * Takes the next MTK ID and MTK counter under the current MSK of svc. Returns 1 when the next
 * ID would pass the MSK's SEQu (the caller rotates first), -1 when the counter is exhausted.
 */
int	state_take_mtk(struct state *st, size_t svc, uint16_t *mtkid, uint32_t *counter);

/* Records a delivery awaiting verification (replacing one for the same UE and key). */
struct state_pending *state_pending_add(struct state *st, size_t ue, size_t svc, size_t msk,
	    uint32_t csb_id, const uint8_t *bytes, size_t len, uint32_t resends,
	    const struct sockaddr_in *dst);
struct state_pending *state_pending_by_csb(struct state *st, uint32_t csb_id);
struct state_pending *state_pending_by_id(struct state *st, uint64_t id);
/* Removes a pending entry (the pointer is invalid afterwards). */
void	state_pending_remove(struct state *st, struct state_pending *p);

/* Appends the status object (JSON, one line) to b. */
void	state_status_json(const struct state *st, unsigned faults, struct bld *b);

#endif
