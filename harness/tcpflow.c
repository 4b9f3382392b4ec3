/* tcpflow: reassembly of one direction of a captured TCP connection (see tcpflow.h). */
#include <stdlib.h>
#include <string.h>

#include "tcpflow.h"

struct tcpflow_seg {
	struct tcpflow_seg *next;
	uint32_t seq;
	size_t len;
	uint8_t data[];
};

/* Signed distance from a to b in sequence space (RFC 9293 3.4: arithmetic modulo 2^32). */
static int64_t
seq_diff(uint32_t b, uint32_t a)
{
	return (int64_t)(int32_t)(b - a);
}

void
tcpflow_init(struct tcpflow *f)
{
	memset(f, 0, sizeof(*f));
}

void
tcpflow_free(struct tcpflow *f)
{
	struct tcpflow_seg *s, *next;

	if (f == NULL)
		return;
	for (s = f->pending; s != NULL; s = next) {
		next = s->next;
		free(s);
	}
	f->pending = NULL;
	f->pending_bytes = 0;
}

/* Hands over the part of [seq, seq+n) at or after next_seq; the part before was seen already. */
static int
deliver(struct tcpflow *f, uint32_t seq, const uint8_t *p, size_t n, tcpflow_deliver_fn cb,
    void *ctx, struct err *e)
{
	int64_t skip = seq_diff(f->next_seq, seq);

	if (skip < 0 || (uint64_t)skip >= n)
		return 0;
	p += skip;
	n -= (size_t)skip;
	f->next_seq += (uint32_t)n;
	f->delivered += n;
	return cb(ctx, p, n, e);
}

static int
hold(struct tcpflow *f, uint32_t seq, const uint8_t *p, size_t n, struct err *e)
{
	struct tcpflow_seg *s, **at;

	if (f->pending_bytes + n > TCPFLOW_MAX_PENDING) {
		f->broken = 1;
		tcpflow_free(f);
		return err_setx(e, "TCP segment lost: bytes from sequence %u never arrived "
		    "(%zu bytes held after the gap)", f->next_seq, f->pending_bytes + n);
	}
	if ((s = malloc(sizeof(*s) + n)) == NULL)
		return err_set(e, "out of memory holding a TCP segment");
	s->seq = seq;
	s->len = n;
	memcpy(s->data, p, n);
	for (at = &f->pending; *at != NULL && seq_diff(seq, (*at)->seq) >= 0; at = &(*at)->next)
		;
	s->next = *at;
	*at = s;
	f->pending_bytes += n;
	return 0;
}

/* Delivers held segments that the stream has reached; drops the ones wholly behind it. */
static int
drain(struct tcpflow *f, tcpflow_deliver_fn cb, void *ctx, struct err *e)
{
	struct tcpflow_seg *s;
	int rc = 0;

	while ((s = f->pending) != NULL && seq_diff(s->seq, f->next_seq) <= 0) {
		f->pending = s->next;
		f->pending_bytes -= s->len;
		if (rc == 0)
			rc = deliver(f, s->seq, s->data, s->len, cb, ctx, e);
		free(s);
	}
	return rc;
}

int
tcpflow_segment(struct tcpflow *f, uint32_t seq, unsigned int flags, const uint8_t *p, size_t n,
    tcpflow_deliver_fn cb, void *ctx, struct err *e)
{
	if (f->broken || f->ended)
		return 0;
	if (flags & TCPFLOW_SYN) {
		/* The SYN occupies one sequence number; data, if any, follows it. */
		if (!f->started) {
			f->started = 1;
			f->next_seq = seq + 1;
		}
		seq += 1;
	} else if (!f->started) {
		/* The capture began mid-connection: the first segment seen starts the stream. */
		f->started = 1;
		f->next_seq = seq;
	}
	if (flags & TCPFLOW_RST) {
		f->ended = 1;
		tcpflow_free(f);
		return 0;
	}
	if (flags & TCPFLOW_FIN) {
		f->fin_seen = 1;
		f->fin_seq = seq + (uint32_t)n;
	}
	if (n > 0) {
		int64_t ahead = seq_diff(seq, f->next_seq);

		if (ahead > 0) {
			if (hold(f, seq, p, n, e) == -1)
				return -1;
		} else if (deliver(f, seq, p, n, cb, ctx, e) == -1 ||
		    drain(f, cb, ctx, e) == -1) {
			f->broken = 1;
			tcpflow_free(f);
			return -1;
		}
	}
	if (f->fin_seen && seq_diff(f->fin_seq, f->next_seq) <= 0)
		f->ended = 1;
	return 0;
}
