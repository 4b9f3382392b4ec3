/*
 * core: the BM-SC's behaviour — what a registration, deregistration or key request does
 * beyond its answer, MSK pushes and deliveries with their counters and verification, key
 * rotation with spread notices, MTK messages — over the MIKEY UDP socket it owns.
 *
 * The HTTP module hands it authenticated, parsed requests and gets one cause code per item;
 * the control module hands it commands. MIKEY sends that follow an HTTP answer are queued as
 * timers due at once, so the answer leaves before the MIKEY message it announces.
 */
#ifndef BMSC_CORE_H
#define BMSC_CORE_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "bodies.h"
#include "builder.h"
#include "conf.h"
#include "err.h"
#include "keys.h"
#include "rng.h"
#include "state.h"
#include "timers.h"

struct core {
	const struct conf *c;
	struct keys *keys;		/* per subscriber, owned */
	struct state st;
	struct timers tm;
	struct rng rng;
	int udp;			/* MIKEY socket, owned */
	unsigned faults;
};

/* Derives every subscriber's keys, opens the MIKEY socket. c must outlive the core. */
int	core_init(struct core *k, const struct conf *c, unsigned faults, struct err *e);
void	core_free(struct core *k);

/*
 * Handles a parsed request from subscriber ue whose HTTP source address is from; writes one
 * cause code per item into codes (r->n entries) and queues the MIKEY messages that follow.
 */
void	core_request(struct core *k, size_t ue, struct in_addr from, const struct bodies_req *r,
	    int *codes);

/* Control commands; each appends one reply line (without newline) to reply. */
void	core_rotate(struct core *k, const char *service, struct bld *reply);
void	core_mtk(struct core *k, const char *service, struct bld *reply);
void	core_set_v(struct core *k, int v, struct bld *reply);
void	core_status(struct core *k, struct bld *reply);

/* Event loop hooks. */
int	core_fd(const struct core *k);
void	core_on_readable(struct core *k);
void	core_run_timers(struct core *k, int64_t now);
/* The earliest timer due time (monotonic ms), or -1. */
int64_t	core_next_due(const struct core *k);

#endif
