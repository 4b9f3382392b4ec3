/* test_state: counters per MUK, MTK IDs per MSK, rotation, held keys, pending verifications. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "state.h"
#include "tu.h"

static struct conf c;
static struct state st;

static int
setup(const char *from, const char *to)
{
	struct err e;

	if (tu_conf(&c, from, to, &e) == -1 || state_init(&st, &c, &e) == -1) {
		fprintf(stderr, "setup: %s\n", e.msg);
		return -1;
	}
	return 0;
}

static void
teardown(void)
{
	state_free(&st);
	state_free(&st);	/* safe twice */
	conf_free(&c);
}

static void
test_counter(void)
{
	uint32_t v;

	CU_ASSERT_EQUAL_FATAL(setup(NULL, NULL), 0);
	/* KU-BM-10: counter_start, then +1 per message, whatever the kind. */
	CU_ASSERT_EQUAL(state_take_counter(&st, 0, 1, 0, &v), 0);
	CU_ASSERT_EQUAL(v, 1);
	CU_ASSERT_EQUAL(state_take_counter(&st, 0, 0, 0, &v), 0);
	CU_ASSERT_EQUAL(v, 2);
	CU_ASSERT_EQUAL(state_take_counter(&st, 0, 1, 0, &v), 0);
	CU_ASSERT_EQUAL(v, 3);
	/* One counter per MUK: another UE starts on its own. */
	CU_ASSERT_EQUAL(state_take_counter(&st, 1, 1, 0, &v), 0);
	CU_ASSERT_EQUAL(v, 1);
	CU_ASSERT_EQUAL(st.ue[0].last_counter, 3);
	/* Exhaustion: never wrap. */
	st.ue[1].next_counter = UINT32_MAX;
	CU_ASSERT_EQUAL(state_take_counter(&st, 1, 1, 0, &v), 0);
	CU_ASSERT_EQUAL(v, UINT32_MAX);
	CU_ASSERT_EQUAL(state_take_counter(&st, 1, 1, 0, &v), -1);
	teardown();

	CU_ASSERT_EQUAL_FATAL(setup("counter_start = 1", "counter_start = 100"), 0);
	CU_ASSERT_EQUAL(state_take_counter(&st, 2, 1, 0, &v), 0);
	CU_ASSERT_EQUAL(v, 100);
	teardown();
}

static void
test_counter_reuse(void)
{
	uint32_t v;
	int i;

	CU_ASSERT_EQUAL_FATAL(setup(NULL, NULL), 0);
	/* A pull first takes 1; the first delivery 2; every later delivery repeats 2. */
	CU_ASSERT_EQUAL(state_take_counter(&st, 0, 0, 1, &v), 0);
	CU_ASSERT_EQUAL(v, 1);
	for (i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL(state_take_counter(&st, 0, 1, 1, &v), 0);
		CU_ASSERT_EQUAL(v, 2);
	}
	/* Pulls keep counting. */
	CU_ASSERT_EQUAL(state_take_counter(&st, 0, 0, 1, &v), 0);
	CU_ASSERT_EQUAL(v, 3);
	teardown();
}

static void
test_mtk(void)
{
	uint16_t id;
	uint32_t ctr;

	CU_ASSERT_EQUAL_FATAL(setup("current = 00010002", "current = 00010003"), 0);
	/* KU-BM-14: IDs from SEQl, +1, never past SEQu (4096..4098 here). */
	CU_ASSERT_EQUAL(state_take_mtk(&st, 0, &id, &ctr), 0);
	CU_ASSERT_EQUAL(id, 4096);
	CU_ASSERT_EQUAL(ctr, 1);
	CU_ASSERT_EQUAL(state_take_mtk(&st, 0, &id, &ctr), 0);
	CU_ASSERT_EQUAL(id, 4097);
	CU_ASSERT_EQUAL(ctr, 2);
	CU_ASSERT_EQUAL(state_take_mtk(&st, 0, &id, &ctr), 0);
	CU_ASSERT_EQUAL(id, 4098);
	CU_ASSERT_EQUAL(state_take_mtk(&st, 0, &id, &ctr), 1);
	CU_ASSERT_EQUAL(state_take_mtk(&st, 0, &id, &ctr), 1);
	/* The last MSK of the list: no rotation possible. */
	CU_ASSERT_EQUAL(state_rotate(&st, 0), -1);
	/* Another service has its own IDs and counter. */
	CU_ASSERT_EQUAL(state_take_mtk(&st, 1, &id, &ctr), 0);
	CU_ASSERT_EQUAL(id, 1);
	CU_ASSERT_EQUAL(ctr, 1);
	teardown();

	/* SEQu = 65535 ends without wrapping the 16-bit ID. */
	CU_ASSERT_EQUAL_FATAL(setup(NULL, NULL), 0);
	st.msk[st.base[1]].next_mtkid = 65535;
	CU_ASSERT_EQUAL(state_take_mtk(&st, 1, &id, &ctr), 0);
	CU_ASSERT_EQUAL(id, 65535);
	CU_ASSERT_EQUAL(state_take_mtk(&st, 1, &id, &ctr), 1);
	teardown();
}

static void
test_rotate_and_facts(void)
{
	static const uint8_t kd[3] = { 0x00, 0xf1, 0x10 };
	static const uint8_t k2[4] = { 0x00, 0x01, 0x00, 0x02 }, k3[4] = { 0x00, 0x01, 0x00, 0x03 };
	static const uint8_t kx[4] = { 0x00, 0x09, 0x00, 0x09 };
	struct policy_key_facts f;
	size_t svc, msk;
	uint16_t id;
	uint32_t ctr;

	CU_ASSERT_EQUAL_FATAL(setup(NULL, NULL), 0);
	state_key_facts(&st, 0, kd, kx, &f, &svc, &msk);
	CU_ASSERT_FALSE(f.known);
	state_key_facts(&st, 0, kd, k2, &f, &svc, &msk);
	CU_ASSERT_TRUE(f.known);
	CU_ASSERT_FALSE(f.registered);
	CU_ASSERT_EQUAL(svc, 0);
	CU_ASSERT_EQUAL(msk, 0);
	CU_ASSERT_EQUAL(f.age, 0);
	state_register(&st, 0, 0);
	state_hold(&st, 0, 0, 0);
	state_key_facts(&st, 0, kd, k2, &f, &svc, &msk);
	CU_ASSERT_TRUE(f.registered && f.held);
	CU_ASSERT_FALSE(f.redeliver);
	state_key_facts(&st, 0, kd, k3, &f, &svc, &msk);
	CU_ASSERT_EQUAL(f.age, 1);
	CU_ASSERT_FALSE(f.held);
	CU_ASSERT_EQUAL(state_take_mtk(&st, 0, &id, &ctr), 0);
	CU_ASSERT_EQUAL(id, 1);
	CU_ASSERT_EQUAL(state_rotate(&st, 0), 0);
	state_key_facts(&st, 0, kd, k2, &f, &svc, &msk);
	CU_ASSERT_EQUAL(f.age, -1);
	state_key_facts(&st, 0, kd, k3, &f, &svc, &msk);
	CU_ASSERT_EQUAL(f.age, 0);
	/* The new MSK starts its own MTK IDs at its SEQl and its own counter. */
	CU_ASSERT_EQUAL(state_take_mtk(&st, 0, &id, &ctr), 0);
	CU_ASSERT_EQUAL(id, 4096);
	CU_ASSERT_EQUAL(ctr, 1);
	/* (Re)registering and unregistering forget the keys held of the service, not others. */
	state_register(&st, 0, 1);
	state_hold(&st, 0, 1, 0);
	state_hold(&st, 0, 0, 1);
	state_register(&st, 0, 0);
	CU_ASSERT_TRUE(state_registered(&st, 0, 0));
	CU_ASSERT_FALSE(state_holds(&st, 0, 0, 1));
	CU_ASSERT_TRUE(state_holds(&st, 0, 1, 0));
	state_hold(&st, 0, 0, 1);
	state_unregister(&st, 0, 0);
	CU_ASSERT_FALSE(state_registered(&st, 0, 0));
	CU_ASSERT_FALSE(state_holds(&st, 0, 0, 1));
	CU_ASSERT_TRUE(state_registered(&st, 0, 1));
	CU_ASSERT_TRUE(state_holds(&st, 0, 1, 0));
	teardown();
}

static void
test_pending(void)
{
	static const uint8_t bytes[3] = { 1, 2, 3 };
	struct sockaddr_in dst;
	struct state_pending *p;
	uint64_t id1;

	memset(&dst, 0, sizeof(dst));
	CU_ASSERT_EQUAL_FATAL(setup(NULL, NULL), 0);
	p = state_pending_add(&st, 0, 0, 0, 0x11111111, bytes, sizeof(bytes), 2, &dst);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	id1 = p->id;
	CU_ASSERT_EQUAL(p->resends_left, 2);
	CU_ASSERT_PTR_NOT_NULL(state_pending_add(&st, 1, 0, 0, 0x22222222, bytes, 3, 2, &dst));
	CU_ASSERT_EQUAL(st.npend, 2);
	/* A new delivery of the same key to the same UE replaces the old one. */
	CU_ASSERT_PTR_NOT_NULL(state_pending_add(&st, 0, 0, 0, 0x33333333, bytes, 3, 2, &dst));
	CU_ASSERT_EQUAL(st.npend, 2);
	CU_ASSERT_PTR_NULL(state_pending_by_csb(&st, 0x11111111));
	CU_ASSERT_PTR_NULL(state_pending_by_id(&st, id1));
	CU_ASSERT_PTR_NOT_NULL(state_pending_by_csb(&st, 0x33333333));
	/* Leaving the service drops that UE's pending deliveries of it. */
	state_register(&st, 0, 0);
	state_unregister(&st, 0, 0);
	CU_ASSERT_EQUAL(st.npend, 1);
	p = state_pending_by_csb(&st, 0x22222222);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->len, 3);
	CU_ASSERT_EQUAL(memcmp(p->bytes, bytes, 3), 0);
	state_pending_remove(&st, p);
	CU_ASSERT_EQUAL(st.npend, 0);
	teardown();
}

static void
test_status(void)
{
	struct bld b;
	uint32_t v;
	char *s;

	CU_ASSERT_EQUAL_FATAL(setup(NULL, NULL), 0);
	state_register(&st, 0, 0);
	state_register(&st, 1, 0);
	state_take_counter(&st, 1, 1, 0, &v);
	bld_init(&b);
	state_status_json(&st, 0, &b);
	bld_u8(&b, 0);
	CU_ASSERT_EQUAL_FATAL(bld_finish(&b, NULL), 0);
	s = (char *)b.buf;
	CU_ASSERT_TRUE(tu_has(s, "{\"services\":{\"urn:example:mbms:svc1\":{\"current\":\"00010002\","
	    "\"next_mtkid\":1,\"registered\":[\"B-TID-0001@bsf.example.org\","
	    "\"B-TID-0002@bsf.example.org\"]},"));
	CU_ASSERT_TRUE(tu_has(s, "\"counters\":{\"B-TID-0002@bsf.example.org\":{\"last\":1,"
	    "\"next\":2}}"));
	CU_ASSERT_TRUE(tu_has(s, "\"pending\":[],\"v\":1,\"faults\":\"none\"}"));
	CU_ASSERT_PTR_NULL(strchr(s, '\n'));
	bld_free(&b);
	teardown();
}

int
test_state_register(void)
{
	static const struct tu_test tests[] = {
		{ "TS counter per MUK", test_counter },
		{ "counter-reuse fault", test_counter_reuse },
		{ "MTK IDs within SEQl..SEQu", test_mtk },
		{ "rotation and key facts", test_rotate_and_facts },
		{ "pending verifications", test_pending },
		{ "status JSON", test_status },
		{ NULL, NULL }
	};

	return tu_register("state", tests);
}
