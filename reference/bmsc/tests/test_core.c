/*
 * test_core: the BM-SC's behaviour end to end inside one process — requests handed to the core
 * as the HTTP module would, MIKEY received on a loopback UDP socket standing for the UEs and
 * checked with the harness's protection code, verification messages sent back, every fault's
 * effect on the wire, and the control commands.
 */
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "control.h"
#include "core.h"
#include "faults.h"
#include "mikey.h"
#include "protect.h"
#include "tu.h"

#define MAXD 16

static struct conf c;
static struct core k;
static int ue_fd = -1;
static struct sockaddr_in ue_addr;

struct dgram {
	uint8_t b[2048];
	size_t len;
};
static struct dgram got[MAXD];
static size_t ngot;

/* Starts a core whose UEs (and MTK destination) are a fresh loopback UDP socket. */
static int
start(const char *from, const char *to, unsigned faults)
{
	char edit[256], port[16], *text = NULL;
	socklen_t sl = sizeof(ue_addr);
	struct err e;
	int rc;

	ngot = 0;
	memset(&ue_addr, 0, sizeof(ue_addr));
	ue_addr.sin_family = AF_INET;
	ue_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((ue_fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    bind(ue_fd, (struct sockaddr *)&ue_addr, sizeof(ue_addr)) == -1 ||
	    getsockname(ue_fd, (struct sockaddr *)&ue_addr, &sl) == -1)
		return -1;
	snprintf(port, sizeof(port), "%u", (unsigned)ntohs(ue_addr.sin_port));
	snprintf(edit, sizeof(edit), "ue_mikey_port = %s\nmtk_dest = 127.0.0.1:%s\n", port, port);
	if (from != NULL) {
		/* Two edits: the caller's, then the ports (in a copy of the base text). */
		const char *at = strstr(tu_base_conf, from);

		if (at == NULL || (text = malloc(strlen(tu_base_conf) + strlen(to) + 1)) == NULL)
			return -1;
		memcpy(text, tu_base_conf, (size_t)(at - tu_base_conf));
		strcpy(text + (at - tu_base_conf), to);
		strcat(text, at + strlen(from));
	}
	{
		const char *base = text ? text : tu_base_conf;
		const char *p = strstr(base, "ue_mikey_port = 12369\nmtk_dest = 127.0.0.1:12369\n");
		char *full;

		if (p == NULL || (full = malloc(strlen(base) + strlen(edit) + 1)) == NULL) {
			free(text);
			return -1;
		}
		memcpy(full, base, (size_t)(p - base));
		strcpy(full + (p - base), edit);
		strcat(full, p + strlen("ue_mikey_port = 12369\nmtk_dest = 127.0.0.1:12369\n"));
		rc = conf_parse("test.conf", full, &c, &e);
		free(full);
		free(text);
	}
	if (rc == -1 || core_init(&k, &c, faults, &e) == -1) {
		fprintf(stderr, "start: %s\n", e.msg);
		return -1;
	}
	return 0;
}

static void
stop(void)
{
	core_free(&k);
	core_free(&k);		/* safe twice */
	conf_free(&c);
	if (ue_fd != -1)
		close(ue_fd);
	ue_fd = -1;
}

/*
 * Runs the timers due now (the sends that follow a request), then collects what reaches the UE
 * socket: waiting up to ms for the first datagram, then until 20 ms pass quietly. Later timers
 * (re-sends, spread notices) wait for pump_for.
 */
static size_t
pump(int ms)
{
	struct pollfd p = { ue_fd, POLLIN, 0 };
	size_t before = ngot;

	core_run_timers(&k, timers_now());
	while (ngot < MAXD && poll(&p, 1, ngot == before ? ms : 20) == 1) {
		ssize_t n = recv(ue_fd, got[ngot].b, sizeof(got[ngot].b), 0);

		if (n <= 0)
			break;
		got[ngot++].len = (size_t)n;
	}
	return ngot - before;
}

/* Waits until every timer due within ms has run, collecting datagrams. */
static size_t
pump_for(int ms)
{
	int64_t end = timers_now() + ms;
	size_t n = 0;

	while (timers_now() < end) {
		core_on_readable(&k);
		n += pump(5);
	}
	return n;
}

static void
request(size_t ue, enum bodies_kind kind, const char *const *items, size_t n, int *codes)
{
	struct bodies_req r;
	struct in_addr lo;
	size_t i;

	memset(&r, 0, sizeof(r));
	r.kind = kind;
	r.n = n;
	if (kind == BODIES_MSK) {
		r.keys = calloc(n, sizeof(*r.keys));
		for (i = 0; i < n; i++) {
			tu_unhex("00f110", r.keys[i].kdid, 3);
			tu_unhex(items[i], r.keys[i].mskid, 4);
		}
	} else {
		r.services = calloc(n, sizeof(*r.services));
		for (i = 0; i < n; i++)
			r.services[i] = strdup(items[i]);
	}
	lo.s_addr = htonl(INADDR_LOOPBACK);
	core_request(&k, ue, lo, &r, codes);
	bodies_req_free(&r);
}

static int
reg(size_t ue, const char *svc)
{
	int code = 0;

	request(ue, BODIES_REGISTER, &svc, 1, &code);
	return code;
}

/* Decodes a received MSK message under UE ue's MUK; returns enum protect_status. */
static int
open_msk(size_t i, size_t ue, struct mikey_msg *m, struct bld *plain)
{
	struct err e;

	return protect_decode(got[i].b, got[i].len, k.keys[ue].muk, k.keys[ue].muk_len, m, plain,
	    &e);
}

static uint64_t
counter_of(const struct mikey_msg *m)
{
	size_t from = 0;
	const struct mikey_payload *t = mikey_find(m, MIKEY_PT_T, &from);

	return t ? mikey_ts_u64(&t->u.t.value) : 0;
}

static size_t
nkeys_of(const struct mikey_msg *m)
{
	size_t from = 0;
	const struct mikey_payload *x = mikey_find(m, MIKEY_PT_KEMAC, &from);

	return x ? x->u.kemac.nkeys : 0;
}

/* Sends the verification message answering received delivery i to the core. */
static void
verify(size_t i, size_t ue)
{
	struct mikey_msg *dm = malloc(sizeof(*dm)), *vm = calloc(1, sizeof(*vm));
	static const uint8_t zero[20];
	struct sockaddr_in core_addr;
	socklen_t sl = sizeof(core_addr);
	struct bld v;
	struct err e;

	CU_ASSERT_FATAL(dm != NULL && vm != NULL);
	bld_init(&v);
	CU_ASSERT_EQUAL_FATAL(mikey_decode(got[i].b, got[i].len, dm, &e), 0);
	vm->hdr = dm->hdr;
	vm->hdr.data_type = 1;
	vm->hdr.v = 0;
	vm->npayloads = 3;
	vm->p[0] = dm->p[1];
	vm->p[1] = dm->p[4];
	vm->p[2].type = MIKEY_PT_V;
	vm->p[2].u.v.auth_alg = 1;
	vm->p[2].u.v.data.p = zero;
	vm->p[2].u.v.data.len = 20;
	CU_ASSERT_EQUAL_FATAL(mikey_encode(vm, &v, &e), 0);
	CU_ASSERT_EQUAL_FATAL(protect_vmac_sign(PROTECT_VMAC_MYKEY, v.buf, v.len, dm,
	    k.keys[ue].muk, k.keys[ue].muk_len, &e), 0);
	getsockname(core_fd(&k), (struct sockaddr *)&core_addr, &sl);
	CU_ASSERT_FATAL(sendto(ue_fd, v.buf, v.len, 0, (struct sockaddr *)&core_addr,
	    sizeof(core_addr)) == (ssize_t)v.len);
	bld_free(&v);
	free(dm);
	free(vm);
}

static void
test_register_push_verify(void)
{
	struct mikey_msg *m = malloc(sizeof(*m));
	const char *key = "00010002";
	struct bld plain;
	int code;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	bld_init(&plain);
	CU_ASSERT_EQUAL_FATAL(start(NULL, NULL, 0), 0);
	/* KU-BM-03: SUCCESS and a push of the current MSK. */
	CU_ASSERT_EQUAL(reg(0, "urn:example:mbms:svc1"), 200);
	CU_ASSERT_EQUAL_FATAL(pump(200), 1);
	CU_ASSERT_EQUAL_FATAL(open_msk(0, 0, m, &plain), PROTECT_OK);
	CU_ASSERT_EQUAL(m->hdr.v, 1);
	CU_ASSERT_EQUAL(counter_of(m), 1);
	CU_ASSERT_EQUAL(nkeys_of(m), 1);
	CU_ASSERT_EQUAL(k.st.npend, 1);
	/* Not held before its verification: a request now gets the key again. */
	request(0, BODIES_MSK, &key, 1, &code);
	CU_ASSERT_EQUAL(code, 200);
	CU_ASSERT_EQUAL_FATAL(pump(200), 1);
	CU_ASSERT_EQUAL_FATAL(open_msk(1, 0, m, &plain), PROTECT_OK);
	CU_ASSERT_EQUAL(counter_of(m), 2);
	verify(1, 0);
	pump_for(50);
	CU_ASSERT_EQUAL(k.st.npend, 0);
	CU_ASSERT_TRUE(state_holds(&k.st, 0, 0, 0));
	/* KU-BM-08: held and current -> NO_UPDATE_NEEDED, no MIKEY. */
	request(0, BODIES_MSK, &key, 1, &code);
	CU_ASSERT_EQUAL(code, 304);
	CU_ASSERT_EQUAL(pump(100), 0);
	/* Not registered for svc2, not entitled either. */
	CU_ASSERT_EQUAL(reg(0, "urn:example:mbms:svc2"), 401);
	CU_ASSERT_EQUAL(reg(0, "urn:example:mbms:none"), 401);
	CU_ASSERT_EQUAL(pump(100), 0);
	stop();
	bld_free(&plain);
	free(m);
}

static void
test_resend(void)
{
	size_t n;

	CU_ASSERT_EQUAL_FATAL(start(NULL, NULL, 0), 0);
	CU_ASSERT_EQUAL(reg(1, "urn:example:mbms:svc1"), 200);
	/* KU-BM-13: the push, then verify_resend (2) re-sends of the same bytes, then nothing. */
	n = pump_for(550);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	CU_ASSERT_EQUAL(got[1].len, got[0].len);
	CU_ASSERT_EQUAL(memcmp(got[0].b, got[1].b, got[0].len), 0);
	CU_ASSERT_EQUAL(memcmp(got[0].b, got[2].b, got[0].len), 0);
	CU_ASSERT_EQUAL(k.st.npend, 0);
	CU_ASSERT_FALSE(state_holds(&k.st, 1, 0, 0));
	stop();
}

static void
test_mixed_and_v0(void)
{
	static const char *const keys[] = { "00010002", "00010003", "00020001", "00099999" };
	struct mikey_msg *m = malloc(sizeof(*m));
	struct bld plain;
	int codes[4];
	struct bld r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	bld_init(&plain);
	bld_init(&r);
	CU_ASSERT_EQUAL_FATAL(start(NULL, NULL, 0), 0);
	core_set_v(&k, 0, &r);
	CU_ASSERT_EQUAL(reg(0, "urn:example:mbms:svc1"), 200);
	CU_ASSERT_EQUAL(pump(200), 1);
	CU_ASSERT_EQUAL_FATAL(open_msk(0, 0, m, &plain), PROTECT_OK);
	CU_ASSERT_EQUAL(m->hdr.v, 0);
	/* V=0: held once sent, nothing pending. */
	CU_ASSERT_TRUE(state_holds(&k.st, 0, 0, 0));
	CU_ASSERT_EQUAL(k.st.npend, 0);
	/* KU-BM-09: one status per item, a delivery for the SUCCESS item only. */
	request(0, BODIES_MSK, keys, 4, codes);
	CU_ASSERT_EQUAL(codes[0], 304);
	CU_ASSERT_EQUAL(codes[1], 200);
	CU_ASSERT_EQUAL(codes[2], 401);
	CU_ASSERT_EQUAL(codes[3], 404);
	CU_ASSERT_EQUAL_FATAL(pump(200), 1);
	CU_ASSERT_EQUAL_FATAL(open_msk(1, 0, m, &plain), PROTECT_OK);
	CU_ASSERT_EQUAL(counter_of(m), 2);
	/* After a rotation the old key is NOT_AVAILABLE. */
	bld_reset(&r);
	core_rotate(&k, "urn:example:mbms:svc1", &r);
	request(0, BODIES_MSK, keys, 2, codes);
	CU_ASSERT_EQUAL(codes[0], 503);
	CU_ASSERT_EQUAL(codes[1], 304);
	/* KU-BM-12: after deregistration, NOT_AUTHORIZED and no notices. */
	request(0, BODIES_DEREGISTER, (const char *const[]){ "urn:example:mbms:svc1" }, 1, codes);
	CU_ASSERT_EQUAL(codes[0], 200);
	CU_ASSERT_FALSE(state_registered(&k.st, 0, 0));
	request(0, BODIES_MSK, keys + 1, 1, codes);
	CU_ASSERT_EQUAL(codes[0], 401);
	pump_for(1100);
	/* Only the pull of the rotation may have arrived (if it fell before deregistration). */
	CU_ASSERT_TRUE(ngot <= 3);
	stop();
	bld_free(&plain);
	bld_free(&r);
	free(m);
}

static void
test_rotation_spread(void)
{
	struct mikey_msg *m = malloc(sizeof(*m));
	int64_t t0, dues[3];
	struct bld plain, r;
	size_t i, j;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	bld_init(&plain);
	bld_init(&r);
	CU_ASSERT_EQUAL_FATAL(start(NULL, NULL, 0), 0);
	core_set_v(&k, 0, &r);
	for (i = 0; i < 3; i++)
		reg(i, "urn:example:mbms:svc1");
	CU_ASSERT_EQUAL(pump(200), 3);
	ngot = 0;
	bld_reset(&r);
	t0 = timers_now();
	core_rotate(&k, "urn:example:mbms:svc1", &r);
	bld_u8(&r, 0);
	CU_ASSERT_STRING_EQUAL((char *)r.buf, "OK rotate urn:example:mbms:svc1 00010003 notices 3");
	/* KU-BM-11: three notices in three different tenths of W_spread (1000 ms). */
	CU_ASSERT_EQUAL_FATAL(k.tm.n, 3);
	for (i = 0; i < 3; i++) {
		dues[i] = (k.tm.t[i].due - t0) / 100;
		CU_ASSERT_TRUE(k.tm.t[i].due - t0 < 1000);
	}
	for (i = 0; i < 3; i++)
		for (j = i + 1; j < 3; j++)
			CU_ASSERT_NOT_EQUAL(dues[i], dues[j]);
	pump_for(1050);
	CU_ASSERT_EQUAL_FATAL(ngot, 3);
	for (i = 0; i < 3; i++) {
		int ok = 0;

		/* Each notice is a pull (no key data) under one of the three MUKs. */
		for (j = 0; j < 3; j++)
			if (open_msk(i, j, m, &plain) == PROTECT_OK) {
				ok = 1;
				CU_ASSERT_EQUAL(nkeys_of(m), 0);
				CU_ASSERT_EQUAL(m->hdr.v, 0);
				CU_ASSERT_EQUAL(counter_of(m), 2);
			}
		CU_ASSERT_TRUE(ok);
	}
	bld_reset(&r);
	core_rotate(&k, "urn:example:mbms:svc1", &r);
	bld_u8(&r, 0);
	CU_ASSERT_STRING_EQUAL((char *)r.buf, "ERR no next MSK");
	stop();
	bld_free(&plain);
	bld_free(&r);
	free(m);
}

static void
test_fault_push_burst(void)
{
	struct bld r;
	size_t i;
	int64_t t0;

	bld_init(&r);
	CU_ASSERT_EQUAL_FATAL(start(NULL, NULL, FAULT_PUSH_BURST), 0);
	core_set_v(&k, 0, &r);
	for (i = 0; i < 3; i++)
		reg(i, "urn:example:mbms:svc1");
	pump(200);
	t0 = timers_now();
	core_rotate(&k, "urn:example:mbms:svc1", &r);
	CU_ASSERT_EQUAL_FATAL(k.tm.n, 3);
	for (i = 0; i < 3; i++)
		CU_ASSERT_TRUE(k.tm.t[i].due - t0 <= 1);
	stop();
	bld_free(&r);
}

static void
test_fault_counter_reuse(void)
{
	static const char *const key = "00010003";
	struct mikey_msg *m = malloc(sizeof(*m));
	struct bld plain, r;
	int code;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	bld_init(&plain);
	bld_init(&r);
	CU_ASSERT_EQUAL_FATAL(start(NULL, NULL, FAULT_COUNTER_REUSE), 0);
	core_set_v(&k, 0, &r);
	reg(0, "urn:example:mbms:svc1");
	request(0, BODIES_MSK, &key, 1, &code);
	CU_ASSERT_EQUAL(code, 200);
	CU_ASSERT_EQUAL_FATAL(pump(200), 2);
	CU_ASSERT_EQUAL_FATAL(open_msk(0, 0, m, &plain), PROTECT_OK);
	CU_ASSERT_EQUAL(counter_of(m), 1);
	CU_ASSERT_EQUAL_FATAL(open_msk(1, 0, m, &plain), PROTECT_OK);
	CU_ASSERT_EQUAL(counter_of(m), 1);	/* KU-BM-10 broken */
	stop();
	bld_free(&plain);
	bld_free(&r);
	free(m);
}

static void
test_fault_bad_mac(void)
{
	struct mikey_msg *m = malloc(sizeof(*m));
	struct bld plain;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	bld_init(&plain);
	CU_ASSERT_EQUAL_FATAL(start(NULL, NULL, FAULT_BAD_MAC), 0);
	reg(0, "urn:example:mbms:svc1");
	CU_ASSERT_EQUAL_FATAL(pump(200), 1);
	CU_ASSERT_EQUAL(open_msk(0, 0, m, &plain), PROTECT_BAD_MAC);	/* KU-BM-04 broken */
	stop();
	bld_free(&plain);
	free(m);
}

static void
test_fault_no_push(void)
{
	CU_ASSERT_EQUAL_FATAL(start(NULL, NULL, FAULT_NO_PUSH_AFTER_REGISTER), 0);
	CU_ASSERT_EQUAL(reg(0, "urn:example:mbms:svc1"), 200);
	CU_ASSERT_TRUE(state_registered(&k.st, 0, 0));
	CU_ASSERT_EQUAL(pump(200), 0);				/* KU-BM-03 broken */
	stop();
}

static void
test_fault_ignore_deregister(void)
{
	static const char *const svc = "urn:example:mbms:svc1";
	struct bld r;
	int code;

	bld_init(&r);
	CU_ASSERT_EQUAL_FATAL(start(NULL, NULL, FAULT_IGNORE_DEREGISTER | FAULT_PUSH_BURST), 0);
	core_set_v(&k, 0, &r);
	reg(0, svc);
	pump(200);
	request(0, BODIES_DEREGISTER, &svc, 1, &code);
	CU_ASSERT_EQUAL(code, 200);
	CU_ASSERT_TRUE(state_registered(&k.st, 0, 0));		/* KU-BM-12 broken */
	core_rotate(&k, svc, &r);
	CU_ASSERT_EQUAL(pump(200), 1);
	stop();
	bld_free(&r);
}

static void
test_fault_causes(void)
{
	static const char *const unknown = "00099999", *const svc2 = "00020001";
	struct mikey_msg *m = malloc(sizeof(*m));
	const struct mikey_payload *x;
	struct bld plain;
	size_t from = 0;
	int code;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	bld_init(&plain);
	/* wrong-cause: UNKNOWN_KEY answered with the NOT_AUTHORIZED code, no MIKEY. */
	CU_ASSERT_EQUAL_FATAL(start(NULL, NULL, FAULT_WRONG_CAUSE), 0);
	request(0, BODIES_MSK, &unknown, 1, &code);
	CU_ASSERT_EQUAL(code, 401);
	CU_ASSERT_EQUAL(pump(100), 0);
	stop();
	/* unknown-key-success: SUCCESS and the current MSK of the first service. */
	CU_ASSERT_EQUAL_FATAL(start(NULL, NULL, FAULT_UNKNOWN_KEY_SUCCESS), 0);
	request(0, BODIES_MSK, &unknown, 1, &code);
	CU_ASSERT_EQUAL(code, 200);
	CU_ASSERT_EQUAL_FATAL(pump(200), 1);
	CU_ASSERT_EQUAL_FATAL(open_msk(0, 0, m, &plain), PROTECT_OK);
	x = mikey_find(m, MIKEY_PT_GENEXT, &from);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL(x->u.ext.data.p[9], 0x02);	/* MSK ID 00010002 */
	stop();
	/* deliver-on-reject: NOT_AUTHORIZED and a delivery of the requested key anyway. */
	CU_ASSERT_EQUAL_FATAL(start(NULL, NULL, FAULT_DELIVER_ON_REJECT), 0);
	request(0, BODIES_MSK, &svc2, 1, &code);
	CU_ASSERT_EQUAL(code, 401);
	CU_ASSERT_EQUAL_FATAL(pump(200), 1);
	CU_ASSERT_EQUAL(open_msk(0, 0, m, &plain), PROTECT_OK);
	request(0, BODIES_MSK, &unknown, 1, &code);
	CU_ASSERT_EQUAL(code, 404);
	CU_ASSERT_EQUAL(pump(100), 0);
	stop();
	bld_free(&plain);
	free(m);
}

static void
control(const char *line, const char *want, int quit)
{
	struct bld r;

	bld_init(&r);
	CU_ASSERT_EQUAL(control_exec(&k, line, &r), quit);
	bld_u8(&r, 0);
	CU_ASSERT_TRUE(tu_has((char *)r.buf, want));
	bld_free(&r);
}

static void
test_control(void)
{
	struct mikey_msg *m = malloc(sizeof(*m));
	struct bld plain;
	size_t from;
	const struct mikey_payload *x;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	bld_init(&plain);
	/* MSK 00010002 valid for MTK IDs 1..2 only: the third MTK rotates first. */
	CU_ASSERT_EQUAL_FATAL(start("00112233445566778899aabbccddeeff 1 4095",
	    "00112233445566778899aabbccddeeff 1 2", 0), 0);
	control("status", "OK {\"services\":{", 0);
	control("quit", "OK", 1);
	control("bogus", "ERR unknown command", 0);
	control("", "ERR empty command", 0);
	control("rotate", "ERR usage", 0);
	control("rotate a b", "ERR usage", 0);
	control("rotate urn:nope", "ERR unknown service", 0);
	control("mtk urn:nope", "ERR unknown service", 0);
	control("v 2", "ERR usage", 0);
	control("v 0", "OK v 0", 0);
	control("v 1", "OK v 1", 0);
	control("v 0", "OK v 0", 0);
	reg(0, "urn:example:mbms:svc1");
	pump(200);
	ngot = 0;
	control("mtk urn:example:mbms:svc1", "OK mtk 1", 0);
	control("mtk urn:example:mbms:svc1", "OK mtk 2", 0);
	CU_ASSERT_EQUAL_FATAL(pump(200), 2);
	{
		static const uint8_t msk[16] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
			0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
		struct err e;

		CU_ASSERT_EQUAL_FATAL(protect_decode(got[1].b, got[1].len, msk, sizeof(msk), m,
		    &plain, &e), PROTECT_OK);
		from = 0;
		x = mikey_find(m, MIKEY_PT_KEMAC, &from);
		CU_ASSERT_PTR_NOT_NULL_FATAL(x);
		CU_ASSERT_EQUAL(x->u.kemac.keys[0].spi.p[1], 2);
		CU_ASSERT_EQUAL(counter_of(m), 2);
	}
	/* KU-BM-14: the next ID would pass SEQu = 2, so 00010003 becomes current first. */
	control("mtk urn:example:mbms:svc1", "OK mtk 4096", 0);
	control("status", "\"current\":\"00010003\",\"next_mtkid\":4097", 0);
	control("mtk urn:example:mbms:svc1", "OK mtk 4097", 0);
	control("mtk urn:example:mbms:svc1", "OK mtk 4098", 0);
	control("mtk urn:example:mbms:svc1", "ERR MTK IDs exhausted and no next MSK", 0);
	/* The rotation sent its notice to the registered UE within W_spread. */
	ngot = 0;
	pump_for(1050);
	CU_ASSERT_TRUE(ngot >= 4);
	stop();
	bld_free(&plain);
	free(m);
}

int
test_core_register(void)
{
	static const struct tu_test tests[] = {
		{ "register, push, verify, held", test_register_push_verify },
		{ "bounded re-sends without verification", test_resend },
		{ "mixed request, V=0, rotation, deregistration", test_mixed_and_v0 },
		{ "rotation notices spread", test_rotation_spread },
		{ "fault push-burst", test_fault_push_burst },
		{ "fault counter-reuse", test_fault_counter_reuse },
		{ "fault bad-mac", test_fault_bad_mac },
		{ "fault no-push-after-register", test_fault_no_push },
		{ "fault ignore-deregister", test_fault_ignore_deregister },
		{ "faults on causes", test_fault_causes },
		{ "control commands", test_control },
		{ NULL, NULL }
	};

	return tu_register("core", tests);
}
