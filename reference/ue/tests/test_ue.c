/*
 * test_ue: the state machine driven through its entry points with a fake world — joining,
 * each trigger of rule 2, each outcome of a key request, every branch of rule 6 with and
 * without a still-valid older key, the mixed answer, retries, and every fault's effect on the
 * requests and leaves it causes. Also the control line protocol.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include "control.h"
#include "faults.h"
#include "policy.h"
#include "tu.h"
#include "ue.h"

int	test_ue_register(void);

static struct conf c;
static struct keys k;
static struct ue u;
static struct tu_world w;
static uint32_t muk_counter;

static void
start(const char *faults_conf)
{
	struct ue_io io;
	char extra[256] = "";

	if (faults_conf != NULL)
		snprintf(extra, sizeof(extra), "[fault]\nfault = %s\n", faults_conf);
	tu_conf(&c, extra);
	tu_keys(&k);
	tu_world_init(&w, &io);
	ue_init(&u, &c, &k, c.faults, &io);
	muk_counter = 0;
}

/* join, registration answered SUCCESS at time now. */
static void
join(int64_t now)
{
	struct err e;
	char body[512];

	CU_ASSERT_EQUAL_FATAL(ue_join(&u, 0, now, &e), 0);
	tu_reg_answer(body, sizeof(body), 200);
	tu_answer(&u, tu_last_post(&w)->id, body, now);
	CU_ASSERT_EQUAL(u.svc[0].state, SVC_JOINED);
}

static void
push(const uint8_t *mskid, const uint8_t *key, uint16_t seql, uint16_t sequ, int v, int64_t now)
{
	static uint8_t m[512];
	size_t n = tu_delivery(m, sizeof(m), tu_muk, ++muk_counter, TU_FQDN, TU_BTID, mskid, key,
	    seql, sequ, v);

	ue_mikey(&u, m, n, "peer", 4, "test", now);
}

static void
pull(const uint8_t *mskid, int64_t now)
{
	push(mskid, NULL, 0, 0, 0, now);
}

static void
mtk(const uint8_t *msk, const uint8_t *mskid, uint32_t counter, uint16_t id, int64_t now)
{
	static uint8_t m[512];
	size_t n = tu_mtk(m, sizeof(m), msk, counter, mskid, id);

	ue_mikey(&u, m, n, "peer", 4, "test", now);
}

/* Answers the last post (a key request) with codes for up to two keys. */
static void
answer_keys(const uint8_t *a, int code_a, const uint8_t *b, int code_b, int64_t now)
{
	char body[1024];

	tu_msk_answer(body, sizeof(body), a, code_a, b, code_b);
	tu_answer(&u, tu_last_post(&w)->id, body, now);
}

static int
last_names(const char *query, const char *text)
{
	const struct tu_post *p = tu_last_post(&w);
	size_t ql = strlen(query), ul;

	if (p == NULL)
		return 0;
	ul = strlen(p->url);
	return ul > ql && strcmp(p->url + ul - ql, query) == 0 && strstr(p->body, text) != NULL;
}

/* KU-UE-01, KU-UE-06, KU-UE-16: registration, push stored, verification returned. */
static void
test_join_push(void)
{
	struct bld b;
	const struct tu_post *p;
	struct err e;

	start(NULL);
	CU_ASSERT_EQUAL_FATAL(ue_join(&u, 0, 0, &e), 0);
	p = tu_last_post(&w);
	CU_ASSERT_STRING_EQUAL(p->url,
	    "http://127.0.0.1:18280/keymanagement?requesttype=register");
	CU_ASSERT_STRING_EQUAL(p->type, "application/mbms-register+xml");
	CU_ASSERT_STRING_EQUAL(p->user, TU_BTID);
	CU_ASSERT_PTR_NOT_NULL(strstr(p->body, "<serviceId>" TU_SVC "</serviceId>"));
	CU_ASSERT_EQUAL(u.svc[0].state, SVC_REGISTERING);
	/* A push racing ahead of the registration answer is kept. */
	push(tu_msk1_id, tu_msk1, 1, 4095, 1, 5);
	CU_ASSERT_EQUAL(w.nsent, 1);
	CU_ASSERT_PTR_NOT_NULL(store_find(&u.st, tu_kdid, tu_msk1_id));
	{
		char body[512];

		tu_reg_answer(body, sizeof(body), 200);
		tu_answer(&u, p->id, body, 6);
	}
	CU_ASSERT_EQUAL(u.svc[0].state, SVC_JOINED);
	CU_ASSERT_EQUAL(u.svc[0].push_deadline, 0);	/* already has its key */
	ue_tick(&u, 10000);
	CU_ASSERT_EQUAL(w.nposts, 1);			/* no key request */
	mtk(tu_msk1, tu_msk1_id, 1, 7, 10001);
	CU_ASSERT(u.svc[0].mtk_seen);
	bld_init(&b);
	ue_status(&u, 10001, &b);
	bld_u8(&b, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)b.buf, "\"joined\":[\"" TU_SVC "\"]"));
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)b.buf, "\"last_mtk_id\":7"));
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)b.buf,
	    "\"mskid\":\"00010002\",\"seql\":1,\"sequ\":4095,\"v\":1,\"verified\":true"));
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)b.buf, "\"muk_counter\":1"));
	bld_free(&b);
}

static void
test_registration_refused(void)
{
	struct err e;
	char body[512];

	start(NULL);
	CU_ASSERT_EQUAL_FATAL(ue_join(&u, 0, 0, &e), 0);
	tu_reg_answer(body, sizeof(body), 401);
	tu_answer(&u, tu_last_post(&w)->id, body, 1);
	CU_ASSERT_EQUAL(u.svc[0].state, SVC_IDLE);
	CU_ASSERT_EQUAL_FATAL(ue_join(&u, 0, 2, &e), 0);
	tu_answer(&u, tu_last_post(&w)->id, NULL, 3);
	CU_ASSERT_EQUAL(u.svc[0].state, SVC_IDLE);
	ue_tick(&u, 100000);
	CU_ASSERT_EQUAL(tu_count(&w, "msk-request"), 0);
}

/* Rule 2b, then rule 6 without any older key, for each kind of failure (KU-UE-08..10). */
static void
test_joined_without_key_leaves(void)
{
	static const char *const how[] = { "rejected", "no-update", "timeout", "no-delivery" };
	size_t i;

	for (i = 0; i < 4; i++) {
		start(NULL);
		join(0);
		ue_tick(&u, 499);
		CU_ASSERT_EQUAL(tu_count(&w, "msk-request"), 0);
		ue_tick(&u, 500);
		CU_ASSERT_FATAL(last_names("msk-request", "mskId=\"00010002\""));
		switch (i) {
		case 0:
			answer_keys(tu_msk1_id, 401, NULL, 0, 510);
			break;
		case 1:
			answer_keys(tu_msk1_id, 304, NULL, 0, 510);
			break;
		case 2:
			tu_answer(&u, tu_last_post(&w)->id, NULL, 1000);
			break;
		case 3:
			answer_keys(tu_msk1_id, 200, NULL, 0, 510);
			CU_ASSERT_EQUAL(tu_count(&w, "deregister"), 0);
			ue_tick(&u, 1009);
			CU_ASSERT_EQUAL(tu_count(&w, "deregister"), 0);
			ue_tick(&u, 1010);
			break;
		}
		if (tu_count(&w, "deregister") != 1)
			fprintf(stderr, "\ncase %s: no deregistration\n", how[i]);
		CU_ASSERT_EQUAL(tu_count(&w, "deregister"), 1);
		CU_ASSERT(last_names("deregister", "<serviceId>" TU_SVC "</serviceId>"));
		CU_ASSERT_EQUAL(u.svc[0].state, SVC_IDLE);
	}
}

/* Fault no-leave: the same failures, no deregistration. */
static void
test_fault_no_leave(void)
{
	start("no-leave");
	join(0);
	ue_tick(&u, 500);
	answer_keys(tu_msk1_id, 503, NULL, 0, 510);
	ue_tick(&u, 5000);
	CU_ASSERT_EQUAL(tu_count(&w, "deregister"), 0);
	CU_ASSERT_EQUAL(u.svc[0].state, SVC_JOINED);
}

/* KU-UE-11: a still-valid older key keeps the UE joined; leave-despite-valid-key leaves. */
static void
test_valid_older_key(void)
{
	int fault;

	for (fault = 0; fault < 2; fault++) {
		const struct ue_pending *p;
		int64_t at;
		size_t i;

		start(fault ? "leave-despite-valid-key" : NULL);
		join(0);
		push(tu_msk1_id, tu_msk1, 1, 4095, 1, 1);
		mtk(tu_msk1, tu_msk1_id, 1, 1, 2);
		pull(tu_msk2_id, 3);
		for (i = 0, p = NULL; i < UE_MAX_PENDING; i++)
			if (u.pend[i].used)
				p = &u.pend[i];
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		at = p->at;
		CU_ASSERT(at >= 3 && at <= 3 + 1000);		/* back-off in [0, W_spread] */
		ue_tick(&u, at - 1);
		CU_ASSERT_EQUAL(tu_count(&w, "msk-request"), 0);
		ue_tick(&u, at);
		CU_ASSERT_FATAL(last_names("msk-request", "mskId=\"00010003\""));
		answer_keys(tu_msk2_id, 503, NULL, 0, at + 1);
		ue_tick(&u, at + 5000);
		CU_ASSERT_EQUAL(tu_count(&w, "deregister"), fault ? 1 : 0);
		if (!fault) {
			/* ... and keeps accepting MTKs under the older key, asking nothing. */
			mtk(tu_msk1, tu_msk1_id, 2, 2, at + 5001);
			CU_ASSERT_EQUAL(u.last_mtk, 2);
			CU_ASSERT_EQUAL(tu_count(&w, "msk-request"), 1);
		}
	}
}

/* KU-UE-12: the traffic moved beyond the older key's SEQu (missed-key MTK): leave. */
static void
test_expired_older_key(void)
{
	start(NULL);
	join(0);
	push(tu_msk1_id, tu_msk1, 1, 4095, 1, 1);
	mtk(tu_msk1, tu_msk1_id, 1, 4095, 2);
	mtk(tu_msk2, tu_msk2_id, 1, 4096, 3);
	ue_tick(&u, 3);
	CU_ASSERT_FATAL(last_names("msk-request", "mskId=\"00010003\""));	/* at once */
	answer_keys(tu_msk2_id, 503, NULL, 0, 4);
	CU_ASSERT_EQUAL(tu_count(&w, "deregister"), 1);
}

/* KU-UE-13: one request for two keys; one delivered, the other rejected: the UE stays. */
static void
test_mixed_answer(void)
{
	int delivered;

	for (delivered = 1; delivered >= 0; delivered--) {
		start(NULL);
		join(0);
		mtk(tu_msk1, tu_msk1_id, 1, 1, 1);
		mtk(tu_msk2, tu_msk2_id, 1, 4096, 1);
		ue_tick(&u, 1);
		CU_ASSERT_EQUAL(tu_count(&w, "msk-request"), 1);
		CU_ASSERT(last_names("msk-request", "mskId=\"00010002\""));
		CU_ASSERT(last_names("msk-request", "mskId=\"00010003\""));
		answer_keys(tu_msk1_id, 200, tu_msk2_id, 503, 2);
		CU_ASSERT_EQUAL(tu_count(&w, "deregister"), 0);	/* deferred */
		if (delivered) {
			push(tu_msk1_id, tu_msk1, 1, 4095, 1, 3);
			ue_tick(&u, 5000);
			CU_ASSERT_EQUAL(tu_count(&w, "deregister"), 0);
			CU_ASSERT_PTR_NOT_NULL(store_find(&u.st, tu_kdid, tu_msk1_id));
		} else {
			ue_tick(&u, 502);
			CU_ASSERT_EQUAL(tu_count(&w, "deregister"), 1);
		}
	}
}

/* KU-UE-05: a notice for a held MSK asks nothing; KU-UE-02 with each notice fault. */
static void
test_notices(void)
{
	static const char *const faults[] = { NULL, "sync-request", "no-notice-request" };
	size_t i;

	for (i = 0; i < 3; i++) {
		start(faults[i]);
		join(0);
		push(tu_msk1_id, tu_msk1, 1, 4095, 0, 1);
		pull(tu_msk1_id, 2);
		ue_tick(&u, 10000);
		CU_ASSERT_EQUAL(tu_count(&w, "msk-request"), 0);
		pull(tu_msk2_id, 10001);
		ue_tick(&u, 10001);
		switch (i) {
		case 0:
			/* seed 7 draws a non-zero back-off (the range is test_policy's). */
			CU_ASSERT_EQUAL(tu_count(&w, "msk-request"), 0);
			ue_tick(&u, 11001);
			CU_ASSERT_EQUAL(tu_count(&w, "msk-request"), 1);
			break;
		case 1:
			CU_ASSERT_EQUAL(tu_count(&w, "msk-request"), 1);
			break;
		case 2:
			ue_tick(&u, 20000);
			CU_ASSERT_EQUAL(tu_count(&w, "msk-request"), 0);
			break;
		}
	}
}

/* KU-UE-04 and fault no-missed-key-request. */
static void
test_missed_key(void)
{
	int fault;

	for (fault = 0; fault < 2; fault++) {
		start(fault ? "no-missed-key-request" : NULL);
		join(0);
		push(tu_msk1_id, tu_msk1, 1, 4095, 0, 1);
		mtk(tu_msk2, tu_msk2_id, 1, 4096, 2);
		ue_tick(&u, 2);
		CU_ASSERT_EQUAL(tu_count(&w, "msk-request"), fault ? 0 : 1);
		/* A second MTK while the request is out asks nothing more. */
		mtk(tu_msk2, tu_msk2_id, 2, 4097, 3);
		ue_tick(&u, 3);
		CU_ASSERT_EQUAL(tu_count(&w, "msk-request"), fault ? 0 : 1);
	}
}

/* KU-UE-15: repeated failures bounded per key per window; request-storm is not. */
static void
test_retries(void)
{
	int storm;

	for (storm = 0; storm < 2; storm++) {
		int64_t t = 10;
		int i;

		start(storm ? "request-storm" : "sync-request");
		if (storm)
			u.faults |= FAULT_SYNC_REQUEST;
		join(0);
		push(tu_msk1_id, tu_msk1, 1, 4095, 0, 1);
		for (i = 0; i < 6; i++, t += 1000) {
			size_t next = w.nposts;
			int64_t tt = t;
			int rounds;

			pull(tu_msk2_id, t);
			ue_tick(&u, t);
			/* Every request is answered SERVER_ERROR (a storm is cut at 20 rounds). */
			for (rounds = 0; next < w.nposts && rounds < 20; rounds++) {
				char body[1024];

				tu_msk_answer(body, sizeof(body), tu_msk2_id, 500, NULL, 0);
				tu_answer(&u, w.post[next++].id, body, ++tt);
				tt += POLICY_STORM_GAP_MS;
				ue_tick(&u, tt);
			}
		}
		if (!storm) {
			CU_ASSERT_EQUAL(tu_count(&w, "msk-request"), 3);
		} else {
			CU_ASSERT(tu_count(&w, "msk-request") > 20);
		}
		CU_ASSERT_EQUAL(tu_count(&w, "deregister"), 0);
		if (!storm) {
			/* Once the window has passed, a notice is answered again. */
			pull(tu_msk2_id, 6100);
			ue_tick(&u, 6100);
			CU_ASSERT_EQUAL(tu_count(&w, "msk-request"), 4);
		}
	}
}

/* KU-UE-06/07: no-verify-msg sends nothing; a replayed delivery is not answered. */
static void
test_verification_faults(void)
{
	start("no-verify-msg");
	join(0);
	push(tu_msk1_id, tu_msk1, 1, 4095, 1, 1);
	CU_ASSERT_EQUAL(w.nsent, 0);
	CU_ASSERT_PTR_NOT_NULL(store_find(&u.st, tu_kdid, tu_msk1_id));
	start(NULL);
	join(0);
	push(tu_msk1_id, tu_msk1, 1, 4095, 1, 1);
	muk_counter = 0;	/* the next push replays counter 1 */
	push(tu_msk2_id, tu_msk2, 4096, 8191, 1, 2);
	CU_ASSERT_EQUAL(w.nsent, 1);
	CU_ASSERT_PTR_NULL(store_find(&u.st, tu_kdid, tu_msk2_id));
	/* A new join starts a new session: counter 1 is accepted again. */
	join(3);
	push(tu_msk1_id, tu_msk1, 1, 4095, 1, 4);
	CU_ASSERT_EQUAL(w.nsent, 2);
}

static void
test_wrong_btid(void)
{
	struct err e;

	start("wrong-btid");
	CU_ASSERT_EQUAL_FATAL(ue_join(&u, 0, 0, &e), 0);
	CU_ASSERT_STRING_NOT_EQUAL(tu_last_post(&w)->user, TU_BTID);
}

static void
test_control(void)
{
	struct bld r;
	int quit;

	start(NULL);
	bld_init(&r);
	quit = ctl_exec(&u, "join " TU_SVC, 0, &r);
	bld_u8(&r, 0);
	CU_ASSERT_EQUAL(quit, 0);
	CU_ASSERT_STRING_EQUAL((char *)r.buf, "OK joining " TU_SVC);
	CU_ASSERT_EQUAL(u.svc[0].state, SVC_REGISTERING);
	bld_reset(&r);
	ctl_exec(&u, "join urn:nope", 0, &r);
	bld_u8(&r, 0);
	CU_ASSERT_STRING_EQUAL((char *)r.buf, "ERR unknown service 'urn:nope'");
	bld_reset(&r);
	ctl_exec(&u, "status", 0, &r);
	bld_u8(&r, 0);
	CU_ASSERT_EQUAL(strncmp((char *)r.buf, "OK {\"joined\":[]", 15), 0);
	CU_ASSERT_PTR_NULL(strchr((char *)r.buf, '\n'));
	bld_reset(&r);
	ctl_exec(&u, "leave " TU_SVC, 0, &r);
	bld_u8(&r, 0);
	CU_ASSERT_STRING_EQUAL((char *)r.buf, "OK leaving " TU_SVC);
	CU_ASSERT_EQUAL(tu_count(&w, "deregister"), 1);
	bld_reset(&r);
	ctl_exec(&u, "dance", 0, &r);
	bld_u8(&r, 0);
	CU_ASSERT_STRING_EQUAL((char *)r.buf, "ERR unknown command");
	bld_reset(&r);
	ctl_exec(&u, "", 0, &r);
	bld_u8(&r, 0);
	CU_ASSERT_STRING_EQUAL((char *)r.buf, "ERR unknown command");
	bld_reset(&r);
	CU_ASSERT_EQUAL(ctl_exec(&u, "quit", 0, &r), 1);
	bld_free(&r);
}

int
test_ue_register(void)
{
	CU_pSuite s = CU_add_suite("ue", NULL, NULL);

	if (s == NULL ||
	    !CU_add_test(s, "join, push, verification, status", test_join_push) ||
	    !CU_add_test(s, "registration refused or unanswered", test_registration_refused) ||
	    !CU_add_test(s, "joined without key: each failure leaves",
	    test_joined_without_key_leaves) ||
	    !CU_add_test(s, "fault no-leave", test_fault_no_leave) ||
	    !CU_add_test(s, "still-valid older key; leave-despite-valid-key",
	    test_valid_older_key) ||
	    !CU_add_test(s, "expired older key leaves", test_expired_older_key) ||
	    !CU_add_test(s, "mixed answer", test_mixed_answer) ||
	    !CU_add_test(s, "notices and their faults", test_notices) ||
	    !CU_add_test(s, "missed key and its fault", test_missed_key) ||
	    !CU_add_test(s, "retry limit and request-storm", test_retries) ||
	    !CU_add_test(s, "verification faults and replays", test_verification_faults) ||
	    !CU_add_test(s, "wrong-btid", test_wrong_btid) ||
	    !CU_add_test(s, "control line protocol", test_control))
		return -1;
	return 0;
}
