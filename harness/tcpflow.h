/*
 * tcpflow: one direction of a captured TCP connection put back in order — the byte stream a
 * receiver would have read, rebuilt from segments as a capture holds them (retransmitted,
 * overlapping, out of order, or starting mid-connection).
 *
 * Segments ahead of the expected sequence number are copied and held until the gap before them
 * fills; more than TCPFLOW_MAX_PENDING held bytes means the capture lost a segment for good: the
 * stream is marked broken (the message names the missing range) and delivers nothing more.
 * Ownership: a tcpflow owns its held copies; tcpflow_free() releases them and accepts NULL.
 */
#ifndef MBMS_TCPFLOW_H
#define MBMS_TCPFLOW_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define TCPFLOW_MAX_PENDING	(1024 * 1024)

#define TCPFLOW_FIN	0x01
#define TCPFLOW_SYN	0x02
#define TCPFLOW_RST	0x04

struct tcpflow_seg;

struct tcpflow {
	int started;		/* next_seq is known (SYN seen, or the first segment) */
	uint32_t next_seq;	/* sequence number of the next byte to deliver */
	int fin_seen;
	uint32_t fin_seq;	/* sequence number the FIN occupies */
	int ended;		/* FIN reached in order, or RST */
	int broken;		/* a segment was lost; nothing more is delivered */
	size_t delivered;	/* bytes handed to the callback */
	size_t pending_bytes;
	struct tcpflow_seg *pending;	/* held segments, sorted by sequence number */
};

/* Receives in-order stream bytes; returns 0, or -1 with e set to stop the flow. */
typedef int (*tcpflow_deliver_fn)(void *ctx, const uint8_t *p, size_t n, struct err *e);

void	tcpflow_init(struct tcpflow *f);
void	tcpflow_free(struct tcpflow *f);
/*
 * Adds one captured segment (flags: TCPFLOW_* bits taken from the TCP header). Delivers every
 * byte that is now in order. Returns 0, or -1 when the stream broke (lost segment) or the
 * callback failed; e says which. A broken flow ignores later segments and returns 0.
 */
int	tcpflow_segment(struct tcpflow *f, uint32_t seq, unsigned int flags, const uint8_t *p,
	    size_t n, tcpflow_deliver_fn cb, void *ctx, struct err *e);

#endif
