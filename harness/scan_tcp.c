/* scan_tcp: the scanner's TCP side — connections tracked, streams reassembled, HTTP read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan_int.h"

static int
same_addr(const struct pkt_addr *a, const struct pkt_addr *b)
{
	return a->family == b->family && a->port == b->port &&
	    memcmp(a->addr, b->addr, a->family == 4 ? 4 : 16) == 0;
}

static uint32_t
flow_hash(const struct pkt_addr *a, const struct pkt_addr *b)
{
	uint8_t ka[19], kb[19];

	scan_addr_key(a, ka);
	scan_addr_key(b, kb);
	return (scan_hash(ka, sizeof(ka)) ^ scan_hash(kb, sizeof(kb))) % NBUCKETS;
}

/*
 * What the first bytes of a direction say it carries: a status line, or a request line (an
 * upper-case method, a space and, when the line is complete, " HTTP/" in it). Anything else
 * (a control protocol's "OK ...", TLS, binary) is not HTTP and is left alone.
 */
static enum flow_kind
sniff(const uint8_t *p, size_t n)
{
	size_t i;
	const uint8_t *eol;

	if (n >= 5 && memcmp(p, "HTTP/", 5) == 0)
		return FLOW_RESPONSES;
	for (i = 0; i < n && i < 16; i++) {
		if (p[i] == ' ')
			break;
		if (p[i] < 'A' || p[i] > 'Z')
			return FLOW_NOT_HTTP;
	}
	if (i == 0 || i == n || i == 16)
		return FLOW_NOT_HTTP;
	if ((eol = memchr(p, '\n', n)) == NULL)
		return FLOW_REQUESTS;
	for (; p + i + 6 <= eol; i++)
		if (memcmp(p + i, " HTTP/", 6) == 0)
			return FLOW_REQUESTS;
	return FLOW_NOT_HTTP;
}

struct deliver_ctx {
	struct scan *s;
	struct flow *f;
	int d;
};

static void
queue_messages(struct scan *s, struct flow *f, int d, int queued)
{
	struct qev *q;

	while (queued > 0 && (size_t)queued > f->nq[d]) {
		if ((q = scan_enqueue(s, SCAN_EV_HTTP)) == NULL)
			return;
		q->flow = f;
		q->flow_id = f->id;
		q->dir = d;
		f->nq[d]++;
		s->st.http++;
	}
}

static int
on_stream(void *ctx, const uint8_t *p, size_t n, struct err *e)
{
	struct deliver_ctx *dc = ctx;
	struct flow *f = dc->f;
	int d = dc->d, queued;

	if (f->kind[d] == FLOW_UNKNOWN) {
		f->kind[d] = sniff(p, n);
		if (f->kind[d] != FLOW_NOT_HTTP &&
		    (f->rd[d] = http_reader_new(f->kind[d] == FLOW_RESPONSES ? HTTP_KIND_RESPONSE :
		    HTTP_KIND_REQUEST, NULL, e)) == NULL)
			return -1;
	}
	if (f->kind[d] == FLOW_NOT_HTTP || f->broken[d])
		return 0;
	if ((queued = http_reader_feed(f->rd[d], p, n, e)) == -1)
		return -1;
	queue_messages(dc->s, f, d, queued);
	return 0;
}

static void
stream_failed(struct scan *s, struct flow *f, int d, const char *why)
{
	char a[46], b[46];

	f->broken[d] = 1;
	pkt_addr_str(&f->end[d], a, sizeof(a));
	pkt_addr_str(&f->end[1 - d], b, sizeof(b));
	scan_enqueue_error(s, f, "TCP connection %u, %s:%u -> %s:%u: %s", f->id, a, f->end[d].port, b,
	    f->end[1 - d].port, why);
}

/* The end of one direction's bytes: a message still open there is cut short. */
static void
finish_dir(struct scan *s, struct flow *f, int d)
{
	struct err e;
	int queued;

	if (f->rd[d] == NULL || f->broken[d])
		return;
	if (f->dir[d].pending_bytes > 0) {
		char why[160];

		snprintf(why, sizeof(why), "TCP segment lost: bytes from sequence %u never arrived "
		    "(%zu bytes held after the gap when the capture ended)", f->dir[d].next_seq,
		    f->dir[d].pending_bytes);
		stream_failed(s, f, d, why);
		return;
	}
	if ((queued = http_reader_finish(f->rd[d], &e)) == -1) {
		stream_failed(s, f, d, e.msg);
		return;
	}
	queue_messages(s, f, d, queued);
	f->broken[d] = 1;	/* nothing more may be fed */
}

static void
retire(struct scan *s, struct flow *f)
{
	struct flow **at = &s->flows[flow_hash(&f->end[0], &f->end[1])];

	finish_dir(s, f, 0);
	finish_dir(s, f, 1);
	while (*at != f)
		at = &(*at)->next;
	*at = f->next;
	f->next = s->retired;
	s->retired = f;
}

void
scan_tcp_segment(struct scan *s, const struct pkt_info *pi)
{
	uint32_t h = flow_hash(&pi->src, &pi->dst);
	struct flow *f;
	struct deliver_ctx dc;
	unsigned int flags = 0;
	struct err e;
	int d = 0;

	s->st.tcp_segments++;
	for (f = s->flows[h]; f != NULL; f = f->next) {
		if (same_addr(&f->end[0], &pi->src) && same_addr(&f->end[1], &pi->dst)) {
			d = 0;
			break;
		}
		if (same_addr(&f->end[1], &pi->src) && same_addr(&f->end[0], &pi->dst)) {
			d = 1;
			break;
		}
	}
	/* A new SYN on a finished 4-tuple is a new connection. */
	if (f != NULL && (pi->tcp_flags & 0x12) == 0x02 && f->dir[d].started) {
		retire(s, f);
		f = NULL;
	}
	if (f == NULL) {
		if ((f = calloc(1, sizeof(*f))) == NULL) {
			scan_enqueue_error(s, NULL, "out of memory tracking a TCP connection");
			return;
		}
		f->id = ++s->nflows;
		f->end[0] = pi->src;
		f->end[1] = pi->dst;
		tcpflow_init(&f->dir[0]);
		tcpflow_init(&f->dir[1]);
		f->next = s->flows[h];
		s->flows[h] = f;
		d = 0;
	}
	if (pi->tcp_flags & 0x01)
		flags |= TCPFLOW_FIN;
	if (pi->tcp_flags & 0x02)
		flags |= TCPFLOW_SYN;
	if (pi->tcp_flags & 0x04)
		flags |= TCPFLOW_RST;
	if (pi->payload_len < pi->payload_wire_len && !f->broken[d]) {
		stream_failed(s, f, d, "segment cut by the capture's snap length");
		return;
	}
	dc.s = s;
	dc.f = f;
	dc.d = d;
	if (tcpflow_segment(&f->dir[d], pi->tcp_seq, flags, pi->payload, pi->payload_len,
	    on_stream, &dc, &e) == -1 && !f->broken[d]) {
		stream_failed(s, f, d, e.msg);
		return;
	}
	if (f->dir[d].ended) {
		finish_dir(s, f, d);
		if (f->dir[1 - d].ended) {
			f->done = 1;
			scan_tcp_reclaim(f);
		}
	}
}

/*
 * A connection closed both ways keeps only its small record (so that a late retransmission is
 * recognised as belonging to it, not taken for a new stream); its readers and held segments,
 * the memory a long capture of many connections would pile up, go once its last queued
 * message was handed out.
 */
void
scan_tcp_reclaim(struct flow *f)
{
	if (!f->done || f->nq[0] != 0 || f->nq[1] != 0)
		return;
	http_reader_free(f->rd[0]);
	http_reader_free(f->rd[1]);
	f->rd[0] = f->rd[1] = NULL;
	tcpflow_free(&f->dir[0]);
	tcpflow_free(&f->dir[1]);
}

void
scan_tcp_finish(struct scan *s)
{
	struct flow *f;
	size_t i;

	for (i = 0; i < NBUCKETS; i++)
		for (f = s->flows[i]; f != NULL; f = f->next) {
			finish_dir(s, f, 0);
			finish_dir(s, f, 1);
		}
}

static void
flow_free(struct flow *f)
{
	tcpflow_free(&f->dir[0]);
	tcpflow_free(&f->dir[1]);
	http_reader_free(f->rd[0]);
	http_reader_free(f->rd[1]);
	free(f);
}

void
scan_tcp_free(struct scan *s)
{
	struct flow *f, *next;
	size_t i;

	for (i = 0; i < NBUCKETS; i++)
		for (f = s->flows[i]; f != NULL; f = next) {
			next = f->next;
			flow_free(f);
		}
	for (f = s->retired; f != NULL; f = next) {
		next = f->next;
		flow_free(f);
	}
}
