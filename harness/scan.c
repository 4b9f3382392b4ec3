/* scan: a capture turned into audit events, with the MTK fast path (see scan.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcast.h"
#include "protect.h"
#include "scan_int.h"

uint32_t
scan_hash(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	while (n-- > 0)
		h = (h ^ *p++) * 16777619u;
	return h;
}

size_t
scan_addr_key(const struct pkt_addr *a, uint8_t *out)
{
	out[0] = (uint8_t)a->family;
	memcpy(out + 1, a->addr, 16);
	out[17] = (uint8_t)(a->port >> 8);
	out[18] = (uint8_t)a->port;
	return 19;
}

/* Finds or (create) adds the entry with this key; NULL when absent or out of memory. */
static struct entry *
table_get(struct table *t, const uint8_t *key, size_t klen, int create)
{
	uint32_t h = scan_hash(key, klen) % NBUCKETS;
	struct entry *en;

	for (en = t->b[h]; en != NULL; en = en->next)
		if (en->klen == klen && memcmp(en->key, key, klen) == 0)
			return en;
	if (!create || klen > KEY_MAX || (en = calloc(1, sizeof(*en))) == NULL)
		return NULL;
	en->klen = klen;
	memcpy(en->key, key, klen);
	en->next = t->b[h];
	t->b[h] = en;
	return en;
}

static void
table_free(struct table *t)
{
	size_t i;
	struct entry *en, *next;

	for (i = 0; i < NBUCKETS; i++)
		for (en = t->b[i]; en != NULL; en = next) {
			next = en->next;
			free(en);
		}
}

static void
hexstr(const uint8_t *p, size_t n, char *out, size_t cap)
{
	size_t i;

	out[0] = '\0';
	for (i = 0; i < n && 2 * i + 2 < cap; i++)
		snprintf(out + 2 * i, cap - 2 * i, "%02x", p[i]);
}

static void finding(struct scan *s, const char *req, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records a finding at the current packet: counted always, kept in full up to a bound. */
static void
finding(struct scan *s, const char *req, const char *fmt, ...)
{
	struct scan_finding *f;
	struct req_count *c = NULL;
	va_list ap;
	size_t i;

	s->total++;
	for (i = 0; i < s->ncounts; i++)
		if (strcmp(s->counts[i].req, req) == 0)
			c = &s->counts[i];
	if (c == NULL && s->ncounts < sizeof(s->counts) / sizeof(s->counts[0])) {
		c = &s->counts[s->ncounts++];
		snprintf(c->req, sizeof(c->req), "%s", req);
	}
	if (c == NULL || c->n++ >= SCAN_DETAIL_MAX)
		return;
	if (s->nfindings == s->capfindings) {
		size_t cap = s->capfindings ? 2 * s->capfindings : 16;
		struct scan_finding *nf = realloc(s->findings, cap * sizeof(*nf));

		if (nf == NULL)
			return;
		s->findings = nf;
		s->capfindings = cap;
	}
	f = &s->findings[s->nfindings++];
	snprintf(f->req, sizeof(f->req), "%s", req);
	f->index = s->cur_index;
	f->time = s->cur_time;
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof(f->text), fmt, ap);
	va_end(ap);
}

struct qev *
scan_enqueue(struct scan *s, enum scan_ev_type type)
{
	struct qev *q;

	if (s->qlen == QUEUE_MAX)
		return NULL;
	q = &s->q[(s->qhead + s->qlen++) % QUEUE_MAX];
	memset(q, 0, sizeof(*q));
	q->type = type;
	q->index = s->cur_index;
	q->time = s->cur_time;
	return q;
}

void
scan_enqueue_error(struct scan *s, struct flow *f, const char *fmt, ...)
{
	struct qev *q = scan_enqueue(s, SCAN_EV_ERROR);
	va_list ap;

	s->st.errors++;
	if (q == NULL)
		return;
	q->flow_id = f != NULL ? f->id : 0;
	va_start(ap, fmt);
	vsnprintf(q->msg, sizeof(q->msg), fmt, ap);
	va_end(ap);
}

struct scan *
scan_open(const char *path, const struct scan_config *cfg, struct err *e)
{
	struct scan *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		err_set(e, "out of memory");
		return NULL;
	}
	s->cfg = *cfg;
	bld_init(&s->plain);
	if ((s->msg = malloc(sizeof(*s->msg))) == NULL ||
	    (s->msg2 = malloc(sizeof(*s->msg2))) == NULL) {
		err_set(e, "out of memory");
		scan_free(s);
		return NULL;
	}
	if ((s->r = capture_open(path, e)) == NULL) {
		scan_free(s);
		return NULL;
	}
	return s;
}

void
scan_free(struct scan *s)
{
	if (s == NULL)
		return;
	scan_tcp_free(s);
	table_free(&s->streams);
	table_free(&s->dests);
	table_free(&s->keys);
	capture_close(s->r);
	bld_free(&s->plain);
	free(s->findings);
	free(s->msg);
	free(s->msg2);
	free(s);
}

/* ---- MIKEY ------------------------------------------------------------------------------ */

static int
is_mikey_port(const struct scan *s, const struct pkt_info *pi)
{
	size_t i;

	for (i = 0; i < s->cfg.nports; i++)
		if (pi->src.port == s->cfg.mikey_ports[i] || pi->dst.port == s->cfg.mikey_ports[i])
			return 1;
	return 0;
}

/* Checks one fast-kind message; returns 1 when it opens a new MSK toward its destination. */
static int
fast_check(struct scan *s, const struct pkt_info *pi, const uint8_t **msk_out, size_t *msk_len_out,
    uint32_t *mtkid_out)
{
	const struct scan_config *c = &s->cfg;
	const struct mikey_payload *ext;
	struct mikey_bytes id;
	struct entry *stream, *dest, *key;
	uint8_t k[KEY_MAX], type;
	size_t klen, msk_len = c->kdid_len + c->mskid_len, i;
	uint32_t mtkid = 0;
	char mskhex[2 * KEY_MAX + 1];
	struct err e;

	if (mikey_validate(&c->rules, s->msg, c->fast_kind, &s->viol) > 0)
		finding(s, "KU-MK-01", "%s: %s%s", c->fast_kind, s->viol.msg[0],
		    s->viol.n + s->viol.dropped > 1 ? " (and more)" : "");
	if ((ext = mikey_keyid_ext(&c->rules, s->msg)) == NULL ||
	    mikey_keyid_parse(&ext->u.ext.data, &type, &id, &e) == -1 ||
	    id.len != msk_len + c->mtkid_len || msk_len > KEY_MAX - 19 || c->mtkid_len > 4)
		return 0;	/* the validator has said what is wrong with the Key ID */
	for (i = msk_len; i < id.len; i++)
		mtkid = (mtkid << 8) | id.p[i];
	mskhex[0] = '\0';	/* formatted only when a finding needs it */
#define MSKHEX()	(hexstr(id.p, msk_len, mskhex, sizeof(mskhex)), 1)

	klen = scan_addr_key(&pi->dst, k);
	memcpy(k + klen, id.p, msk_len);
	if ((stream = table_get(&s->streams, k, klen + msk_len, 1)) == NULL)
		return 0;
	/* 6.3.3: MTK IDs of one MSK strictly increase (KU-BM-14). */
	if (stream->seen && mtkid <= stream->last && MSKHEX())
		finding(s, "KU-BM-14", "MTK ID %u under MSK %s is not above the %u sent before "
		    "to the same destination", mtkid, mskhex, stream->last);
	stream->seen = 1;
	stream->last = mtkid;
	stream->time = s->cur_time;
	memcpy(stream->msk, id.p, msk_len);
	stream->msk_len = msk_len;

	if ((key = table_get(&s->keys, id.p, msk_len, 0)) != NULL) {
		int rc;

		if (key->sequ != 0 && (mtkid < key->seql || mtkid > key->sequ) && MSKHEX())
			finding(s, "KU-BM-14", "MTK ID %u is outside SEQl..SEQu %u..%u of MSK %s",
			    mtkid, key->seql, key->sequ, mskhex);
		bld_reset(&s->plain);
		rc = protect_decode(pi->payload, pi->payload_len, key->val, key->val_len, s->msg2,
		    &s->plain, &e);
		if (rc == PROTECT_BAD_MAC && MSKHEX())
			finding(s, "KU-MK-02", "the KEMAC MAC does not verify under MSK %s", mskhex);
		else if (rc != PROTECT_OK && MSKHEX())
			finding(s, "KU-MK-02", "under MSK %s: %s", mskhex, e.msg);
	}

	klen = scan_addr_key(&pi->dst, k);
	if ((dest = table_get(&s->dests, k, klen, 1)) == NULL)
		return 0;
	if (dest->seen && dest->msk_len == msk_len && memcmp(dest->msk, id.p, msk_len) == 0)
		return 0;
	dest->seen = 1;
	memcpy(dest->msk, id.p, msk_len);
	dest->msk_len = msk_len;
	*msk_out = stream->msk;
	*msk_len_out = msk_len;
	*mtkid_out = mtkid;
	return 1;
#undef MSKHEX
}

/* Fills the event with what the rules read of a decoded message: kind, violations, fields. */
static void
describe(struct scan *s, const struct mikey_kind_rules *kind, struct scan_event *ev)
{
	const struct mikey_msg *m = s->msg;
	const struct mikey_payload *ext;
	uint8_t type;
	size_t i, n;

	ev->decoded = 1;
	ev->kind = kind != NULL ? kind->name : NULL;
	ev->csb_id = m->hdr.csb_id;
	ev->v = m->hdr.v;
	if (mikey_validate(&s->cfg.rules, m, kind != NULL ? kind->name : NULL, &s->viol) > 0)
		for (i = 0; i < s->viol.n; i++) {
			n = strlen(ev->viol);
			snprintf(ev->viol + n, sizeof(ev->viol) - n, "%s%s", i ? "; " : "",
			    s->viol.msg[i]);
		}
	for (i = 0; i < m->npayloads; i++) {
		const struct mikey_payload *p = &m->p[i];

		if (p->type == MIKEY_PT_T && !ev->has_counter) {
			ev->has_counter = 1;
			ev->counter = mikey_ts_u64(&p->u.t.value);
		} else if (p->type == MIKEY_PT_ID && ev->nids < 2)
			ev->ids[ev->nids++] = p->u.id.data;
		else if (p->type == MIKEY_PT_IDR && ev->nids < 2)
			ev->ids[ev->nids++] = p->u.idr.data;
	}
	if ((ext = mikey_keyid_ext(&s->cfg.rules, m)) != NULL &&
	    mikey_keyid_parse(&ext->u.ext.data, &type, &ev->keyid, NULL) == 0)
		ev->has_keyid = 1;
}

static void
on_udp(struct scan *s, const struct pkt_info *pi, struct scan_event *pending)
{
	const struct mikey_kind_rules *kind = NULL;
	struct err e;
	struct qev *q;
	int ok;

	if (!is_mikey_port(s, pi)) {
		s->st.other++;
		return;
	}
	s->st.mikey++;
	ok = mikey_decode(pi->payload, pi->payload_len, s->msg, &e) == 0;
	if (ok)
		kind = mikey_rules_infer(&s->cfg.rules, s->msg);
	if (ok && kind != NULL && s->cfg.fast_kind[0] != '\0' &&
	    strcmp(kind->name, s->cfg.fast_kind) == 0) {
		s->st.fast++;
		if (!fast_check(s, pi, &pending->msk, &pending->msk_len, &pending->mtkid))
			return;
		q = scan_enqueue(s, SCAN_EV_MTK);
	} else {
		q = scan_enqueue(s, SCAN_EV_MIKEY);
		if (q != NULL && ok)
			describe(s, kind, pending);
		else if (q != NULL)
			snprintf(pending->msg, sizeof(pending->msg), "%s", e.msg);
	}
	if (q == NULL)
		return;
	pending->has_addr = 1;
	pending->src = pi->src;
	pending->dst = pi->dst;
	pending->payload = pi->payload;
	pending->payload_len = pi->payload_len;
}

/* ---- the event loop --------------------------------------------------------------------- */

/*
 * An IGMP/MLD message: each record that joins or leaves a group is an event (a UE leaving the
 * service's group leaves the user service, key-update.md §2.5). Returns 0 when the packet is
 * not a membership message.
 */
static int
on_membership(struct scan *s, const struct pkt_info *pi)
{
	struct mcast_msg m;
	struct qev *q;
	struct err e;
	size_t i;
	int rc;

	if (pi->ip_fragment || pi->payload == NULL ||
	    (rc = mcast_dissect(pi->src.family, pi->ip_proto, pi->payload, pi->payload_len, &m,
	    &e)) == 0)
		return 0;
	s->st.mcast++;
	if (rc == -1) {
		scan_enqueue_error(s, NULL, "packet %zu: %s", s->cur_index, e.msg);
		return 1;
	}
	for (i = 0; i < m.nrec; i++) {
		if (m.rec[i].action != MCAST_JOIN && m.rec[i].action != MCAST_LEAVE)
			continue;
		if ((q = scan_enqueue(s, SCAN_EV_MCAST)) == NULL)
			break;
		q->src = pi->src;
		q->group = m.rec[i].group;
		q->action = m.rec[i].action;
	}
	return 1;
}

/* Reads packets until one yields an event; returns 0 at the end, -1 on an unreadable file. */
static int
fill(struct scan *s, struct scan_event *pending, struct err *e)
{
	struct capture_pkt cp;
	struct pkt_info pi;
	struct err de;
	int rc;

	while (s->qlen == 0 && !s->eof) {
		if ((rc = capture_next(s->r, &cp, e)) == -1)
			return -1;
		if (rc == 0) {
			s->eof = 1;
			break;
		}
		s->st.packets++;
		s->cur_index = cp.index;
		s->cur_time = (double)cp.ts_sec + cp.ts_usec / 1e6;
		if (s->st.packets == 1)
			s->st.first_time = s->cur_time;
		s->st.last_time = s->cur_time;
		if (pkt_dissect(cp.linktype, cp.data, cp.caplen, cp.wirelen, &pi, &de) == -1) {
			scan_enqueue_error(s, NULL, "packet %zu: %s", cp.index, de.msg);
			continue;
		}
		if (pi.proto == PKT_PROTO_UDP) {
			if (pi.payload_len < pi.payload_wire_len && is_mikey_port(s, &pi)) {
				scan_enqueue_error(s, NULL, "packet %zu: UDP payload cut by the capture's "
				    "snap length (%zu of %zu bytes)", cp.index, pi.payload_len,
				    pi.payload_wire_len);
				continue;
			}
			on_udp(s, &pi, pending);
		} else if (pi.proto == PKT_PROTO_TCP)
			scan_tcp_segment(s, &pi);
		else if (!on_membership(s, &pi))
			s->st.other++;
	}
	if (s->qlen == 0 && s->eof && !s->finished) {
		s->finished = 1;
		scan_tcp_finish(s);
	}
	return 0;
}

int
scan_next(struct scan *s, struct scan_event *ev, struct err *e)
{
	struct scan_event pending;
	struct qev *q;

	if (s->popping) {
		http_reader_pop(s->pop_flow->rd[s->pop_dir]);
		s->pop_flow->nq[s->pop_dir]--;
		s->popping = 0;
		scan_tcp_reclaim(s->pop_flow);
	}
	memset(&pending, 0, sizeof(pending));
	if (fill(s, &pending, e) == -1)
		return -1;
	if (s->qlen == 0)
		return 0;
	q = &s->q[s->qhead];
	s->qhead = (s->qhead + 1) % QUEUE_MAX;
	s->qlen--;
	*ev = pending;
	ev->type = q->type;
	ev->index = q->index;
	ev->time = q->time;
	ev->flow = q->flow_id;
	switch (q->type) {
	case SCAN_EV_HTTP:
		ev->http = http_reader_peek(q->flow->rd[q->dir]);
		ev->has_addr = 1;
		ev->src = q->flow->end[q->dir];
		ev->dst = q->flow->end[1 - q->dir];
		s->popping = 1;
		s->pop_flow = q->flow;
		s->pop_dir = q->dir;
		break;
	case SCAN_EV_ERROR:
		memcpy(ev->msg, q->msg, sizeof(ev->msg));
		break;
	case SCAN_EV_MIKEY:
		break;		/* described by on_udp into pending */
	case SCAN_EV_MCAST:
		ev->has_addr = 1;
		ev->src = q->src;
		ev->dst = q->group;
		ev->group = q->group;
		ev->action = q->action == MCAST_JOIN ? "join" : "leave";
		break;
	default:
		break;
	}
	return 1;
}

int
scan_add_key(struct scan *s, const uint8_t *msk, size_t msk_len, const uint8_t *key,
    size_t key_len, uint32_t seql, uint32_t sequ, struct err *e)
{
	struct entry *en;

	if (key_len > sizeof(en->val))
		return err_setx(e, "MSK of %zu bytes is longer than %zu", key_len, sizeof(en->val));
	if ((en = table_get(&s->keys, msk, msk_len, 1)) == NULL)
		return err_setx(e, "MSK identity of %zu bytes is too long", msk_len);
	memcpy(en->val, key, key_len);
	en->val_len = key_len;
	en->seql = seql;
	en->sequ = sequ;
	return 0;
}

int
scan_mtk_latest(const struct scan *s, const uint8_t *kdid, size_t kdid_len, const uint8_t **msk,
    size_t *msk_len, uint32_t *mtkid, double *time)
{
	const struct entry *en, *best = NULL;
	size_t i;

	for (i = 0; i < NBUCKETS; i++)
		for (en = s->streams.b[i]; en != NULL; en = en->next)
			if (en->msk_len >= kdid_len && memcmp(en->msk, kdid, kdid_len) == 0 &&
			    (best == NULL || en->time > best->time))
				best = en;
	if (best == NULL)
		return 0;
	*msk = best->msk;
	*msk_len = best->msk_len;
	*mtkid = best->last;
	*time = best->time;
	return 1;
}

const struct scan_finding *
scan_findings(const struct scan *s, size_t *n)
{
	*n = s->nfindings;
	return s->findings;
}

size_t
scan_findings_total(const struct scan *s)
{
	return s->total;
}

void
scan_get_stats(const struct scan *s, struct scan_stats *st)
{
	*st = s->st;
}
