/*
 * test_rx: MIKEY reception against the repository's golden vectors (vectors/mikey/valid) and
 * messages built through the harness codec: what is accepted, what is dropped and why, the
 * verification message byte for byte, and each MIKEY fault switch.
 */
#include <CUnit/CUnit.h>
#include <string.h>

#include "faults.h"
#include "rx.h"
#include "tu.h"

int	test_rx_register(void);

static struct conf c;
static struct store st;
static int active = 1;

static int
domain(void *arg, const uint8_t kdid[3])
{
	(void)arg;
	return active && memcmp(kdid, tu_kdid, 3) == 0;
}

static struct rx_ctx
ctx(unsigned faults)
{
	struct rx_ctx x;

	memset(&x, 0, sizeof(x));
	x.c = &c;
	x.muk = tu_muk;
	x.muk_len = 32;
	x.faults = faults;
	x.st = &st;
	x.domain_active = domain;
	return x;
}

static int
setup(void)
{
	tu_conf(&c, NULL);
	return 0;
}

static enum rx_kind
run(unsigned faults, const uint8_t *buf, size_t len, struct rx_out *o)
{
	struct rx_ctx x = ctx(faults);

	rx_out_free(o);
	rx_out_init(o);
	return rx_handle(&x, buf, len, o);
}

/* The vector delivery (V=1) is accepted and answered with exactly the vector verification. */
static void
test_vector_delivery(void)
{
	static uint8_t d[512], v[512];
	size_t dl = tu_vector("mbms-msk-delivery.hex", d, sizeof(d));
	size_t vl = tu_vector("mbms-verification.hex", v, sizeof(v));
	struct rx_out o;

	CU_ASSERT_FATAL(dl > 0 && vl > 0);
	store_init(&st);
	rx_out_init(&o);
	CU_ASSERT_EQUAL_FATAL(run(0, d, dl, &o), RX_DELIVERY);
	CU_ASSERT_EQUAL(memcmp(o.mskid, tu_msk1_id, 4), 0);
	CU_ASSERT_EQUAL(o.counter, 7);
	CU_ASSERT_EQUAL(o.msk.key_len, 16);
	CU_ASSERT_EQUAL(memcmp(o.msk.key, tu_msk1, 16), 0);
	CU_ASSERT_EQUAL(o.msk.seql, 1);
	CU_ASSERT_EQUAL(o.msk.sequ, 4095);
	CU_ASSERT_EQUAL(o.msk.v, 1);
	CU_ASSERT_EQUAL_FATAL(o.have_verification, 1);
	CU_ASSERT_EQUAL(o.verification.len, vl);
	CU_ASSERT_EQUAL(memcmp(o.verification.buf, v, vl), 0);
	CU_ASSERT(st.have_muk_counter && st.muk_counter == 7);
	/* The same message again is a replay. */
	CU_ASSERT_EQUAL(run(0, d, dl, &o), RX_DROP);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.why, "replay"));
	CU_ASSERT_EQUAL(o.have_verification, 0);
	/* Fault accept-replay takes it (and answers it). */
	CU_ASSERT_EQUAL(run(FAULT_ACCEPT_REPLAY, d, dl, &o), RX_DELIVERY);
	CU_ASSERT(o.fault_used);
	CU_ASSERT(o.have_verification);
	/* Fault no-verify-msg: the key, but no verification. */
	store_init(&st);
	CU_ASSERT_EQUAL(run(FAULT_NO_VERIFY_MSG, d, dl, &o), RX_DELIVERY);
	CU_ASSERT_EQUAL(o.have_verification, 0);
	CU_ASSERT_EQUAL(o.msk.verified, 0);
	rx_out_free(&o);
}

static void
test_bad_mac(void)
{
	static uint8_t d[512];
	size_t dl = tu_vector("mbms-msk-delivery.hex", d, sizeof(d));
	struct rx_out o;

	CU_ASSERT_FATAL(dl > 0);
	d[dl - 1] ^= 0x01;		/* last MAC byte */
	store_init(&st);
	rx_out_init(&o);
	CU_ASSERT_EQUAL(run(0, d, dl, &o), RX_DROP);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.why, "MAC does not verify"));
	CU_ASSERT_FALSE(st.have_muk_counter);
	/* Fault accept-bad-mac: the MSK is taken anyway. */
	CU_ASSERT_EQUAL(run(FAULT_ACCEPT_BAD_MAC, d, dl, &o), RX_DELIVERY);
	CU_ASSERT(o.fault_used);
	CU_ASSERT_EQUAL(memcmp(o.msk.key, tu_msk1, 16), 0);
	rx_out_free(&o);
}

static void
test_identities(void)
{
	static uint8_t d[512];
	struct rx_out o;
	size_t n;

	store_init(&st);
	rx_out_init(&o);
	n = tu_delivery(d, sizeof(d), tu_muk, 1, "other.example.org", TU_BTID, tu_msk1_id, tu_msk1,
	    1, 10, 1);
	CU_ASSERT_EQUAL(run(0, d, n, &o), RX_DROP);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.why, "identities"));
	n = tu_delivery(d, sizeof(d), tu_muk, 1, TU_FQDN, "B-TID-0002@bsf", tu_msk1_id, tu_msk1, 1,
	    10, 1);
	CU_ASSERT_EQUAL(run(0, d, n, &o), RX_DROP);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.why, "identities"));
	/* Not even fault accept-bad-mac takes a message for another identity. */
	CU_ASSERT_EQUAL(run(FAULT_ACCEPT_BAD_MAC | FAULT_ACCEPT_REPLAY, d, n, &o), RX_DROP);
	CU_ASSERT_FALSE(st.have_muk_counter);
	rx_out_free(&o);
}

static void
test_pull(void)
{
	static uint8_t p[512];
	size_t pl = tu_vector("mbms-solicited-pull.hex", p, sizeof(p));
	struct rx_out o;

	CU_ASSERT_FATAL(pl > 0);
	store_init(&st);
	rx_out_init(&o);
	CU_ASSERT_EQUAL(run(0, p, pl, &o), RX_PULL);
	CU_ASSERT_EQUAL(memcmp(o.mskid, tu_msk2_id, 4), 0);
	CU_ASSERT_EQUAL(o.counter, 8);
	CU_ASSERT_EQUAL(o.have_verification, 0);
	CU_ASSERT_EQUAL(run(0, p, pl, &o), RX_DROP);	/* replayed notice (KU-UE-03) */
	/* Not for a Key Domain the UE takes part in. */
	store_init(&st);
	active = 0;
	CU_ASSERT_EQUAL(run(0, p, pl, &o), RX_DROP);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.why, "no service"));
	active = 1;
	rx_out_free(&o);
}

static void
test_mtk(void)
{
	static uint8_t m[512];
	size_t ml = tu_vector("mbms-mtk-delivery.hex", m, sizeof(m));
	struct store_msk k;
	struct rx_out o;
	size_t n;

	CU_ASSERT_FATAL(ml > 0);
	store_init(&st);
	rx_out_init(&o);
	/* Unknown MSK: the missed-key trigger, with the MTK ID read from the Key ID. */
	CU_ASSERT_EQUAL(run(0, m, ml, &o), RX_MTK_UNKNOWN);
	CU_ASSERT_EQUAL(o.mtk_id, 5);
	CU_ASSERT_EQUAL(memcmp(o.mskid, tu_msk1_id, 4), 0);
	memset(&k, 0, sizeof(k));
	memcpy(k.kdid, tu_kdid, 3);
	memcpy(k.mskid, tu_msk1_id, 4);
	memcpy(k.key, tu_msk1, 16);
	k.key_len = 16;
	k.seql = 1;
	k.sequ = 4095;
	store_put(&st, &k, NULL);
	CU_ASSERT_EQUAL(run(0, m, ml, &o), RX_MTK);
	CU_ASSERT_EQUAL(o.mtk_id, 5);
	CU_ASSERT_EQUAL(run(0, m, ml, &o), RX_DROP);		/* same counter */
	CU_ASSERT_PTR_NOT_NULL(strstr(o.why, "replay"));
	n = tu_mtk(m, sizeof(m), tu_msk1, 2, tu_msk1_id, 5);	/* fresh counter, same ID */
	CU_ASSERT_EQUAL(run(0, m, n, &o), RX_DROP);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.why, "not greater"));
	n = tu_mtk(m, sizeof(m), tu_msk1, 3, tu_msk1_id, 4096);	/* beyond SEQu */
	CU_ASSERT_EQUAL(run(0, m, n, &o), RX_DROP);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.why, "outside"));
	n = tu_mtk(m, sizeof(m), tu_msk2, 4, tu_msk1_id, 6);	/* under another key */
	CU_ASSERT_EQUAL(run(FAULT_ACCEPT_BAD_MAC, m, n, &o), RX_DROP);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.why, "MAC"));
	n = tu_mtk(m, sizeof(m), tu_msk1, 5, tu_msk1_id, 6);
	CU_ASSERT_EQUAL(run(0, m, n, &o), RX_MTK);
	CU_ASSERT_EQUAL(store_find(&st, tu_kdid, tu_msk1_id)->last_mtk, 6);
	rx_out_free(&o);
}

/* STYLE 16: every prefix of every vector is dropped cleanly, never accepted. */
static void
test_truncation_sweep(void)
{
	static const char *const names[] = {
		"mbms-msk-delivery.hex", "mbms-solicited-pull.hex", "mbms-mtk-delivery.hex",
		"mbms-verification.hex", "mbms-error.hex"
	};
	static uint8_t b[512];
	struct rx_out o;
	size_t i, n, len;

	rx_out_init(&o);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		len = tu_vector(names[i], b, sizeof(b));
		CU_ASSERT_FATAL(len > 0);
		for (n = 0; n < len; n++) {
			store_init(&st);
			CU_ASSERT_EQUAL(run(0, b, n, &o), RX_DROP);
		}
	}
	/* Verification and error messages are not for a UE, even whole. */
	len = tu_vector("mbms-verification.hex", b, sizeof(b));
	CU_ASSERT_EQUAL(run(0, b, len, &o), RX_DROP);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.why, "data type"));
	rx_out_free(&o);
}

int
test_rx_register(void)
{
	CU_pSuite s = CU_add_suite("rx", setup, NULL);

	if (s == NULL ||
	    !CU_add_test(s, "vector delivery, verification byte for byte, replay",
	    test_vector_delivery) ||
	    !CU_add_test(s, "bad MAC dropped; accept-bad-mac", test_bad_mac) ||
	    !CU_add_test(s, "wrong IDi / IDr dropped", test_identities) ||
	    !CU_add_test(s, "solicited pull", test_pull) ||
	    !CU_add_test(s, "MTK messages: unknown MSK, counter, MTK ID rules", test_mtk) ||
	    !CU_add_test(s, "truncation sweep over the vectors", test_truncation_sweep))
		return -1;
	return 0;
}
