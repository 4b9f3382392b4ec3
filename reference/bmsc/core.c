/* core: registrations, deliveries, verifications, rotations and MTKs of the reference BM-SC. */
#include "core.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cause.h"
#include "crypto.h"
#include "faults.h"
#include "hexstr.h"
#include "log.h"
#include "msgs.h"
#include "policy.h"
#include "protect.h"
#include "spread.h"

#define MIKEY_DGRAM_MAX	4096

/* Why an MSK message is sent: named in the log. */
enum why { WHY_PUSH, WHY_DELIVER, WHY_PULL };
static const char *const why_name[] = { "push", "deliver", "pull" };

static const char *
addr_text(const struct sockaddr_in *a, char *buf, size_t cap)
{
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
	snprintf(buf, cap, "%s:%u", ip, (unsigned)ntohs(a->sin_port));
	return buf;
}

static const char *
key_text(const struct conf *c, size_t svc, size_t msk, char out[9])
{
	hexstr_format(c->svc[svc].msk[msk].id, 4, out);
	return out;
}

int
core_init(struct core *k, const struct conf *c, unsigned faults, struct err *e)
{
	size_t i;

	memset(k, 0, sizeof(*k));
	k->udp = -1;
	k->c = c;
	k->faults = faults;
	timers_init(&k->tm);
	if (c->have_seed)
		rng_seed(&k->rng, c->seed);
	else {
		uint64_t s;

		if (crypto_random((uint8_t *)&s, sizeof(s), e) == -1)
			return -1;
		rng_seed(&k->rng, s);
	}
	if (c->nsub > 0 && (k->keys = calloc(c->nsub, sizeof(*k->keys))) == NULL)
		return err_set(e, "keys");
	for (i = 0; i < c->nsub; i++)
		if (keys_derive(c, i, &k->keys[i], e) == -1)
			goto fail;
	if (state_init(&k->st, c, e) == -1)
		goto fail;
	if ((k->udp = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1) {
		err_set(e, "MIKEY socket");
		goto fail;
	}
	if (bind(k->udp, (const struct sockaddr *)&c->mikey.sa, sizeof(c->mikey.sa)) == -1) {
		err_set(e, "MIKEY socket: bind %s", c->mikey.text);
		goto fail;
	}
	if (IN_MULTICAST(ntohl(c->mtk_dest.sa.sin_addr.s_addr))) {
		/* MTKs to a group: leave by the loopback interface and loop back to local UEs. */
		struct in_addr lo;
		unsigned char on = 1, ttl = 1;

		lo.s_addr = htonl(INADDR_LOOPBACK);
		if (setsockopt(k->udp, IPPROTO_IP, IP_MULTICAST_IF, &lo, sizeof(lo)) == -1 ||
		    setsockopt(k->udp, IPPROTO_IP, IP_MULTICAST_LOOP, &on, sizeof(on)) == -1 ||
		    setsockopt(k->udp, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) == -1) {
			err_set(e, "MIKEY socket: multicast options for %s", c->mtk_dest.text);
			goto fail;
		}
	}
	return 0;
fail:
	core_free(k);
	return -1;
}

void
core_free(struct core *k)
{
	if (k == NULL)
		return;
	if (k->udp != -1)
		close(k->udp);
	k->udp = -1;
	if (k->keys != NULL)
		crypto_cleanse(k->keys, k->c->nsub * sizeof(*k->keys));
	free(k->keys);
	k->keys = NULL;
	state_free(&k->st);
	timers_free(&k->tm);
}

static void
send_dgram(struct core *k, const uint8_t *p, size_t n, const struct sockaddr_in *dst,
    const char *what)
{
	char a[64];

	if (sendto(k->udp, p, n, 0, (const struct sockaddr *)dst, sizeof(*dst)) == -1)
		log_line("%s to %s: sendto failed: %s", what, addr_text(dst, a, sizeof(a)),
		    strerror(errno));
}

/* Builds and sends one MSK delivery (msk key data) or solicited pull (no key data). */
static void
send_msk(struct core *k, size_t ue, size_t svc, size_t msk, const struct sockaddr_in *dst,
    enum why why)
{
	const struct conf *c = k->c;
	const struct conf_msk *key = &c->svc[svc].msk[msk];
	struct msgs_msk p;
	struct state_pending *pend;
	uint8_t rand[CONF_RAND_MAX];
	struct bld out;
	struct err e;
	char a[64], id[9];
	int delivery = why != WHY_PULL;

	memset(&p, 0, sizeof(p));
	bld_init(&out);
	if (state_take_counter(&k->st, ue, delivery, (k->faults & FAULT_COUNTER_REUSE) != 0,
	    &p.counter) == -1) {
		log_line("%s MSK %s to %s: the MUK's TS counter is exhausted, not sent",
		    why_name[why], key_text(c, svc, msk, id), c->sub[ue].btid);
		return;
	}
	rng_bytes(&k->rng, rand, c->rand_len);
	p.csb_id = rng_u32(&k->rng);
	p.rand = rand;
	p.rand_len = c->rand_len;
	p.idi = c->fqdn;
	p.idr = c->sub[ue].btid;
	p.id_type = c->id_type;
	p.ext_type = c->keyid_ext_type;
	p.keyid_type = c->keyid_msk_type;
	p.kdid = c->svc[svc].kdid;
	p.mskid = key->id;
	p.v = delivery ? k->st.v_bit : 0;
	p.msk = delivery ? key->key : NULL;
	p.seql = key->seql;
	p.sequ = key->sequ;
	if (msgs_msk(&p, k->keys[ue].muk, k->keys[ue].muk_len, &out, &e) == -1) {
		log_line("%s MSK %s to %s: %s", why_name[why], key_text(c, svc, msk, id),
		    c->sub[ue].btid, e.msg);
		goto done;
	}
	if (delivery && (k->faults & FAULT_BAD_MAC) && msgs_flip_mac(out.buf, out.len, &e) == -1)
		log_line("bad-mac: %s", e.msg);
	send_dgram(k, out.buf, out.len, dst, why_name[why]);
	log_line("%s MSK %s (%s) to %s for %s counter %lu V=%d csb %08lx%s", why_name[why],
	    key_text(c, svc, msk, id), c->svc[svc].id, addr_text(dst, a, sizeof(a)),
	    c->sub[ue].btid, (unsigned long)p.counter, p.v, (unsigned long)p.csb_id,
	    delivery && (k->faults & FAULT_BAD_MAC) ? " (fault bad-mac: MAC bit flipped)" : "");
	if (!delivery)
		goto done;
	if (p.v == 0) {
		/* A V=0 delivery counts as held once sent (key-update.md §1). */
		state_hold(&k->st, ue, svc, msk);
		goto done;
	}
	pend = state_pending_add(&k->st, ue, svc, msk, p.csb_id, out.buf, out.len,
	    c->verify_resend, dst);
	if (pend == NULL)
		log_line("pending verification: out of memory");
	else {
		struct timer t;

		memset(&t, 0, sizeof(t));
		t.kind = TIMER_VERIFY;
		t.due = timers_now() + c->verify_timeout;
		t.ref = pend->id;
		pend->timer = timers_add(&k->tm, &t);
	}
done:
	bld_free(&out);
}

static struct sockaddr_in
ue_dest(const struct core *k, struct in_addr ip)
{
	struct sockaddr_in sa;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr = ip;
	sa.sin_port = htons(k->c->ue_mikey_port);
	return sa;
}

static void
queue_delivery(struct core *k, size_t ue, size_t svc, size_t msk, struct in_addr ip,
    enum why why)
{
	struct timer t;

	memset(&t, 0, sizeof(t));
	t.kind = TIMER_DELIVER;
	t.due = timers_now();
	t.ue = ue;
	t.svc = svc;
	t.msk = msk;
	t.ref = why;
	t.dst = ue_dest(k, ip);
	if (timers_add(&k->tm, &t) == 0)
		log_line("queueing a delivery: out of memory");
}

static void
do_register(struct core *k, size_t ue, struct in_addr from, const char *service, int *code)
{
	const struct conf *c = k->c;
	long svc = conf_service_find(c, service);
	struct policy_reg_verdict v;

	v = policy_register(svc >= 0, svc >= 0 && conf_entitled(c, ue, (size_t)svc), k->faults);
	*code = c->code[v.cause];
	log_line("register %s %s -> %s%s", c->sub[ue].btid, service, cause_name(v.cause),
	    svc < 0 ? " (unknown service)" : v.cause != CAUSE_SUCCESS ? " (not entitled)" :
	    !v.push ? " (fault no-push-after-register: no push)" : "");
	if (v.registers)
		state_register(&k->st, ue, (size_t)svc);
	if (v.push)
		queue_delivery(k, ue, (size_t)svc, k->st.current[svc], from, WHY_PUSH);
}

static void
do_deregister(struct core *k, size_t ue, const char *service, int *code)
{
	const struct conf *c = k->c;
	long svc = conf_service_find(c, service);
	struct policy_reg_verdict v = policy_deregister(k->faults);

	*code = c->code[v.cause];
	log_line("deregister %s %s -> %s%s", c->sub[ue].btid, service, cause_name(v.cause),
	    v.unregisters ? "" : " (fault ignore-deregister: stays registered)");
	if (v.unregisters && svc >= 0)
		state_unregister(&k->st, ue, (size_t)svc);
}

static void
do_key(struct core *k, size_t ue, struct in_addr from, const struct bodies_key *key,
    int *code)
{
	const struct conf *c = k->c;
	struct policy_key_facts f;
	struct policy_verdict v;
	size_t svc = 0, msk = 0;
	char kd[8], id[10];

	state_key_facts(&k->st, ue, key->kdid, key->mskid, &f, &svc, &msk);
	v = policy_key(&f, k->faults);
	*code = c->code[v.cause];
	hexstr_format(key->kdid, 3, kd);
	hexstr_format(key->mskid, 4, id);
	log_line("key request %s %s/%s -> %s%s", c->sub[ue].btid, kd, id, cause_name(v.cause),
	    !f.known ? " (unknown key)" : !f.registered ? " (not registered)" :
	    f.age < 0 ? " (rotated out)" : f.held && f.age == 0 ? " (held)" : "");
	switch (v.mikey) {
	case POLICY_NO_MIKEY:
		break;
	case POLICY_DELIVER_REQUESTED:
		if (v.cause != CAUSE_SUCCESS)
			log_line("fault deliver-on-reject: delivering %s anyway", id);
		queue_delivery(k, ue, svc, msk, from, WHY_DELIVER);
		break;
	case POLICY_DELIVER_FIRST_CURRENT:
		log_line("fault unknown-key-success: delivering the current MSK of %s",
		    c->svc[0].id);
		queue_delivery(k, ue, 0, k->st.current[0], from, WHY_DELIVER);
		break;
	}
}

void
core_request(struct core *k, size_t ue, struct in_addr from, const struct bodies_req *r,
    int *codes)
{
	size_t i;

	state_set_addr(&k->st, ue, from);
	for (i = 0; i < r->n; i++)
		switch (r->kind) {
		case BODIES_REGISTER:
			do_register(k, ue, from, r->services[i], &codes[i]);
			break;
		case BODIES_DEREGISTER:
			do_deregister(k, ue, r->services[i], &codes[i]);
			break;
		case BODIES_MSK:
			do_key(k, ue, from, &r->keys[i], &codes[i]);
			break;
		}
}

static void
reply(struct bld *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
reply(struct bld *b, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		bld_bytes(b, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* Makes the next MSK current and schedules one notice per registered UE (KU-BM-11). */
static int
rotate(struct core *k, size_t svc, size_t *notices)
{
	const struct conf *c = k->c;
	uint32_t *delays = NULL;
	size_t *who = NULL, n = 0, i;
	int64_t now = timers_now();
	char id[9];

	if (state_rotate(&k->st, svc) == -1)
		return -1;
	if (c->nsub > 0 && ((delays = calloc(c->nsub, sizeof(*delays))) == NULL ||
	    (who = calloc(c->nsub, sizeof(*who))) == NULL)) {
		log_line("rotate %s: out of memory for notices", c->svc[svc].id);
		free(delays);
		return 0;
	}
	for (i = 0; i < c->nsub; i++)
		if (state_registered(&k->st, i, svc) && k->st.ue[i].have_addr)
			who[n++] = i;
	spread_delays(&k->rng, n, c->w_spread, (k->faults & FAULT_PUSH_BURST) != 0, delays);
	log_line("rotate %s: current MSK %s, %zu notice(s) %s", c->svc[svc].id,
	    key_text(c, svc, k->st.current[svc], id), n,
	    (k->faults & FAULT_PUSH_BURST) ? "at once (fault push-burst)" : "spread over W_spread");
	for (i = 0; i < n; i++) {
		struct timer t;

		memset(&t, 0, sizeof(t));
		t.kind = TIMER_PULL;
		t.due = now + delays[i];
		t.ue = who[i];
		t.svc = svc;
		if (timers_add(&k->tm, &t) == 0)
			log_line("rotate: out of memory for a notice");
		else
			log_line("notice to %s in %lu ms", c->sub[who[i]].btid,
			    (unsigned long)delays[i]);
	}
	*notices = n;
	free(delays);
	free(who);
	return 0;
}

void
core_rotate(struct core *k, const char *service, struct bld *out)
{
	long svc = conf_service_find(k->c, service);
	size_t n = 0;
	char id[9];

	if (svc < 0) {
		reply(out, "ERR unknown service");
		return;
	}
	if (rotate(k, (size_t)svc, &n) == -1) {
		log_line("rotate %s: no next MSK", service);
		reply(out, "ERR no next MSK");
		return;
	}
	reply(out, "OK rotate %s %s notices %zu", service,
	    key_text(k->c, (size_t)svc, k->st.current[svc], id), n);
}

void
core_mtk(struct core *k, const char *service, struct bld *out)
{
	const struct conf *c = k->c;
	long svc = conf_service_find(c, service);
	const struct conf_msk *key;
	struct msgs_mtk p;
	uint8_t rand[CONF_RAND_MAX], mtk[16];
	struct bld msg;
	struct err e;
	size_t n;
	char id[9];
	int rc;

	if (svc < 0) {
		reply(out, "ERR unknown service");
		return;
	}
	memset(&p, 0, sizeof(p));
	if ((rc = state_take_mtk(&k->st, (size_t)svc, &p.mtkid, &p.counter)) == 1) {
		/* KU-BM-14: the next ID would pass SEQu, so the next MSK comes first. */
		log_line("mtk %s: MTK IDs of MSK %s exhausted, rotating first", service,
		    key_text(c, (size_t)svc, k->st.current[svc], id));
		if (rotate(k, (size_t)svc, &n) == -1) {
			log_line("mtk %s: no next MSK", service);
			reply(out, "ERR MTK IDs exhausted and no next MSK");
			return;
		}
		rc = state_take_mtk(&k->st, (size_t)svc, &p.mtkid, &p.counter);
	}
	if (rc != 0) {
		reply(out, "ERR MTK counter or IDs exhausted");
		return;
	}
	key = &c->svc[svc].msk[k->st.current[svc]];
	if (crypto_random(mtk, sizeof(mtk), &e) == -1) {
		reply(out, "ERR %s", e.msg);
		return;
	}
	rng_bytes(&k->rng, rand, c->rand_len);
	p.csb_id = rng_u32(&k->rng);
	p.rand = rand;
	p.rand_len = c->rand_len;
	p.ext_type = c->keyid_ext_type;
	p.keyid_type = c->keyid_mtk_type;
	p.kdid = c->svc[svc].kdid;
	p.mskid = key->id;
	p.mtk = mtk;
	bld_init(&msg);
	if (msgs_mtk(&p, key->key, sizeof(key->key), &msg, &e) == -1) {
		log_line("mtk %s: %s", service, e.msg);
		reply(out, "ERR %s", e.msg);
	} else {
		send_dgram(k, msg.buf, msg.len, &c->mtk_dest.sa, "mtk");
		log_line("mtk %s: MTK ID %u under MSK %s to %s counter %lu", service,
		    (unsigned)p.mtkid, key_text(c, (size_t)svc, k->st.current[svc], id),
		    c->mtk_dest.text, (unsigned long)p.counter);
		reply(out, "OK mtk %u", (unsigned)p.mtkid);
	}
	crypto_cleanse(mtk, sizeof(mtk));
	bld_free(&msg);
}

void
core_set_v(struct core *k, int v, struct bld *out)
{
	k->st.v_bit = v ? 1 : 0;
	log_line("V bit of MSK deliveries set to %d", k->st.v_bit);
	reply(out, "OK v %d", k->st.v_bit);
}

void
core_status(struct core *k, struct bld *out)
{
	reply(out, "OK ");
	state_status_json(&k->st, k->faults, out);
}

int
core_fd(const struct core *k)
{
	return k->udp;
}

static void
on_datagram(struct core *k, const uint8_t *buf, size_t n, const struct sockaddr_in *src)
{
	const struct conf *c = k->c;
	struct state_pending *p;
	uint8_t type;
	uint32_t csb;
	struct err e;
	char a[64], id[9];
	int rc;

	addr_text(src, a, sizeof(a));
	if (msgs_peek(buf, n, &type, &csb, &e) == -1) {
		log_line("MIKEY from %s: malformed, ignored: %s", a, e.msg);
		return;
	}
	if (type != 1) {
		log_line("MIKEY from %s: data type %u ignored (only verification messages are "
		    "expected)", a, type);
		return;
	}
	if ((p = state_pending_by_csb(&k->st, csb)) == NULL) {
		log_line("verification from %s: CSB ID %08lx matches no pending delivery, ignored",
		    a, (unsigned long)csb);
		return;
	}
	rc = msgs_verify(c->v_mac_reading, buf, n, p->bytes, p->len, k->keys[p->ue].muk,
	    k->keys[p->ue].muk_len, &e);
	if (rc != PROTECT_OK) {
		log_line("verification from %s for %s: rejected (%s): %s", a, c->sub[p->ue].btid,
		    rc == PROTECT_BAD_MAC ? "bad MAC" : "malformed", e.msg);
		return;
	}
	log_line("verification from %s: %s holds MSK %s", a, c->sub[p->ue].btid,
	    key_text(c, p->svc, p->msk, id));
	state_hold(&k->st, p->ue, p->svc, p->msk);
	timers_cancel(&k->tm, p->timer);
	state_pending_remove(&k->st, p);
}

void
core_on_readable(struct core *k)
{
	uint8_t buf[MIKEY_DGRAM_MAX];
	struct sockaddr_in src;
	socklen_t sl;
	ssize_t n;

	for (;;) {
		sl = sizeof(src);
		n = recvfrom(k->udp, buf, sizeof(buf), 0, (struct sockaddr *)&src, &sl);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_line("MIKEY socket: recvfrom: %s", strerror(errno));
			return;
		}
		if (src.sin_family != AF_INET)
			continue;
		on_datagram(k, buf, (size_t)n, &src);
	}
}

static void
on_verify_timeout(struct core *k, uint64_t ref)
{
	struct state_pending *p = state_pending_by_id(&k->st, ref);
	const struct conf *c = k->c;
	char a[64], id[9];

	if (p == NULL)
		return;
	addr_text(&p->dst, a, sizeof(a));
	key_text(c, p->svc, p->msk, id);
	if (p->resends_left == 0) {
		/* KU-BM-13: bounded re-sends, then the BM-SC gives up on this delivery. */
		log_line("no verification from %s for MSK %s after %lu re-send(s): giving up",
		    c->sub[p->ue].btid, id, (unsigned long)p->resends_done);
		state_pending_remove(&k->st, p);
		return;
	}
	p->resends_left--;
	p->resends_done++;
	send_dgram(k, p->bytes, p->len, &p->dst, "re-send");
	log_line("re-send MSK %s to %s for %s (same bytes, re-send %lu of %lu)", id, a,
	    c->sub[p->ue].btid, (unsigned long)p->resends_done, (unsigned long)c->verify_resend);
	{
		struct timer t;

		memset(&t, 0, sizeof(t));
		t.kind = TIMER_VERIFY;
		t.due = timers_now() + c->verify_timeout;
		t.ref = p->id;
		p->timer = timers_add(&k->tm, &t);
	}
}

void
core_run_timers(struct core *k, int64_t now)
{
	const struct conf *c = k->c;
	struct timer t;

	while (timers_pop_due(&k->tm, now, &t)) {
		switch (t.kind) {
		case TIMER_DELIVER:
			send_msk(k, t.ue, t.svc, t.msk, &t.dst, (enum why)t.ref);
			break;
		case TIMER_PULL:
			/* A UE that left during the spread window gets no notice (KU-BM-12). */
			if (!state_registered(&k->st, t.ue, t.svc)) {
				log_line("notice to %s for %s dropped: no longer registered",
				    c->sub[t.ue].btid, c->svc[t.svc].id);
				break;
			}
			t.dst = ue_dest(k, k->st.ue[t.ue].addr);
			send_msk(k, t.ue, t.svc, k->st.current[t.svc], &t.dst, WHY_PULL);
			break;
		case TIMER_VERIFY:
			on_verify_timeout(k, t.ref);
			break;
		}
	}
}

int64_t
core_next_due(const struct core *k)
{
	return timers_next(&k->tm);
}
