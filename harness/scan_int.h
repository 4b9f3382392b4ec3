/*
 * scan_int: what scan.c (events, MIKEY, the fast path) and scan_tcp.c (TCP reassembly and HTTP)
 * share of the scanner. Private to those two files.
 */
#ifndef MBMS_SCAN_INT_H
#define MBMS_SCAN_INT_H

#include <stddef.h>
#include <stdint.h>

#include "builder.h"
#include "capture.h"
#include "http.h"
#include "mikey.h"
#include "scan.h"
#include "tcpflow.h"

#define NBUCKETS	1024
#define KEY_MAX		64	/* address, port and MSK identity */
#define QUEUE_MAX	256	/* events one packet can complete (pipelined HTTP) */

/* A table entry: an MTK stream (destination + MSK), a destination, or a known MSK. */
struct entry {
	struct entry *next;
	size_t klen;
	uint8_t key[KEY_MAX];
	/* stream: last MTK ID; destination: current MSK; key: the MSK and its SEQ range */
	int seen;
	uint32_t last;
	double time;
	uint8_t msk[KEY_MAX];
	size_t msk_len;
	uint8_t val[32];
	size_t val_len;
	uint32_t seql, sequ;
};

struct table {
	struct entry *b[NBUCKETS];
};

enum flow_kind { FLOW_UNKNOWN, FLOW_NOT_HTTP, FLOW_REQUESTS, FLOW_RESPONSES };

struct flow {
	struct flow *next;	/* hash chain, or the retired list */
	unsigned int id;
	struct pkt_addr end[2];	/* end[0] sent the first segment seen */
	struct tcpflow dir[2];	/* dir d carries the bytes end[d] sent */
	struct http_reader *rd[2];
	enum flow_kind kind[2];
	size_t nq[2];		/* messages of rd[d] already queued as events */
	int broken[2];
	int done;		/* both directions ended: the readers go once their events are out */
};

struct qev {
	enum scan_ev_type type;
	struct flow *flow;	/* HTTP: the connection whose reader holds the message */
	unsigned int flow_id;
	int dir;
	size_t index;
	double time;
	struct pkt_addr src, group;	/* MCAST: the member and the group */
	int action;			/* MCAST: enum mcast_action */
	char msg[ERR_MSG_MAX];
};

struct req_count {
	char req[16];
	size_t n;
};

struct scan {
	struct capture_reader *r;
	struct scan_config cfg;
	struct mikey_msg *msg, *msg2;	/* ~40 KB each: heap, not stack */
	struct mikey_violations viol;
	struct bld plain;
	struct table streams, dests, keys;
	struct flow *flows[NBUCKETS];
	struct flow *retired;
	unsigned int nflows;
	struct qev q[QUEUE_MAX];
	size_t qhead, qlen;
	int popping;			/* the last event handed out was an HTTP message */
	struct flow *pop_flow;
	int pop_dir;
	int eof, finished;
	struct scan_finding *findings;
	size_t nfindings, capfindings, total;
	struct req_count counts[32];
	size_t ncounts;
	struct scan_stats st;
	size_t cur_index;
	double cur_time;
};

/* FNV-1a of n bytes. */
uint32_t	scan_hash(const uint8_t *p, size_t n);
/* Writes the 19-byte key of an address and port into out; returns 19. */
size_t	scan_addr_key(const struct pkt_addr *a, uint8_t *out);
/* Queues an event at the current packet; NULL when QUEUE_MAX are pending. */
struct qev *scan_enqueue(struct scan *s, enum scan_ev_type type);
/* Queues an error event (counted as damage) with a formatted message. */
void	scan_enqueue_error(struct scan *s, struct flow *f, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* scan_tcp.c: one TCP segment of the capture; the end of the capture; the flows' memory. */
void	scan_tcp_segment(struct scan *s, const struct pkt_info *pi);
void	scan_tcp_finish(struct scan *s);
void	scan_tcp_free(struct scan *s);
/* After the event of an HTTP message of f was consumed: frees what an ended f no longer needs. */
void	scan_tcp_reclaim(struct flow *f);

#endif
