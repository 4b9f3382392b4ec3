/*
 * ue: the UE's key-update state machine (key-update.md §1) — joining and leaving user
 * services, the three key-request triggers of rule 2 (joined without key, notice, missed key),
 * the outcome of each requested key, and rule 6 (leave on no key, unless a still-valid older
 * key is held).
 *
 * Single-threaded and clock-free: every entry point takes the current monotonic time in
 * milliseconds, and the outside world is reached through struct ue_io (HTTP POST, MIKEY send),
 * so that main.c owns sockets and the poll loop and unit tests can drive the machine directly.
 * Every decision is logged as one line (log.h).
 *
 * This header is the machine's contract; it is implemented by ue.c and the ue_*.c files, one
 * job each, which share their internals through ue_int.h.
 */
#ifndef UE_UE_H
#define UE_UE_H

#include <stddef.h>
#include <stdint.h>

#include "bodies.h"
#include "builder.h"
#include "conf.h"
#include "err.h"
#include "httpc.h"
#include "keys.h"
#include "policy.h"
#include "store.h"

#define UE_MAX_PENDING	64
#define UE_MAX_REQS	64
#define UE_MAX_BUDGETS	64

/* What the machine asks of the world. */
struct ue_io {
	void *arg;
	/* Starts an HTTP POST (httpc_post); the answer comes back through ue_http_done. */
	int (*post)(void *arg, const struct httpc_req *req, unsigned long *id, struct err *e);
	/* Sends a MIKEY datagram to peer (the sender of the message it answers). */
	int (*send)(void *arg, const uint8_t *buf, size_t len, const void *peer, size_t peer_len,
	    struct err *e);
};

enum ue_svc_state { SVC_IDLE, SVC_REGISTERING, SVC_JOINED };

struct ue_svc {
	enum ue_svc_state state;
	unsigned gen;			/* bumped by join and leave: stale answers are ignored */
	int64_t push_deadline;		/* registration SUCCESS + T_delivery; 0: not waiting */
	int mtk_seen;			/* an MTK message was accepted since joining */
	int have_traffic;
	uint32_t traffic_mtk;		/* MTK ID of the latest MTK message of the service */
	int failed;			/* a key was not obtained; rule 6 decision due */
	int64_t failed_at;
	int deferred_logged;
	struct bodies_key failed_key;
};

enum ue_pend_state { PEND_SCHEDULED, PEND_IN_FLIGHT, PEND_AWAIT_DELIVERY };

/* One key the UE is trying to obtain. */
struct ue_pending {
	int used;
	int svc;
	unsigned gen;
	struct bodies_key key;
	enum ue_pend_state st;
	enum policy_trigger trig;
	int64_t at;			/* send time, or the end of the wait for the delivery */
	unsigned long req;		/* HTTP request carrying it (in flight) */
};

enum ue_req_kind { REQ_REGISTER, REQ_DEREGISTER, REQ_MSK };

struct ue_req {
	int used;
	unsigned long id;
	enum ue_req_kind kind;
	int svc;			/* (de)registration */
	unsigned gen;
	size_t nkeys;			/* key request */
	struct bodies_key keys[BODIES_MAX_ITEMS];
};

struct ue_stats {
	unsigned long requests, verifications, leaves, dropped, mtk_accepted;
};

struct ue {
	const struct conf *c;
	const struct keys *k;
	unsigned faults;
	char username[CONF_STR + 16];
	struct ue_io io;
	struct store st;
	struct policy_rng rng;
	struct ue_svc svc[CONF_MAX_SERVICES];
	struct ue_pending pend[UE_MAX_PENDING];
	struct ue_req req[UE_MAX_REQS];
	struct policy_budget budget[UE_MAX_BUDGETS];
	int have_last_mtk;
	uint32_t last_mtk;		/* the last MTK ID accepted, any service */
	struct ue_stats stats;
};

/* Sets the machine up; c and k must outlive it. faults = c->faults | command-line faults. */
void	ue_init(struct ue *u, const struct conf *c, const struct keys *k, unsigned faults,
	    const struct ue_io *io);
/* Wipes key material. */
void	ue_free(struct ue *u);

/* Control: join or leave the service with index i. Returns 0 or -1 with e set. */
int	ue_join(struct ue *u, int i, int64_t now, struct err *e);
int	ue_leave(struct ue *u, int i, int64_t now, struct err *e);

/* A MIKEY datagram arrived from peer (from: printable address for the log). */
void	ue_mikey(struct ue *u, const uint8_t *buf, size_t len, const void *peer,
	    size_t peer_len, const char *from, int64_t now);
/* An HTTP request finished (httpc_done_fn shape, with the time). */
void	ue_http_done(struct ue *u, unsigned long id, const struct httpc_result *r, int64_t now);
/* Runs every timer due at now. */
void	ue_tick(struct ue *u, int64_t now);
/* The next time ue_tick has something to do, or INT64_MAX. */
int64_t	ue_next_deadline(const struct ue *u);

/* Appends the state as one line of compact JSON (the control's `status`). */
void	ue_status(const struct ue *u, int64_t now, struct bld *out);

const char *ue_svc_state_name(enum ue_svc_state s);

#endif
