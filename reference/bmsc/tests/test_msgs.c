/*
 * test_msgs: the BM-SC's MIKEY messages decode and verify under the right key with the fields
 * of mikey.md §2; a flipped MAC and a wrong key are caught; a verification message answering a
 * delivery is accepted, a tampered one is not.
 */
#include <stdlib.h>
#include <string.h>

#include "mikey.h"
#include "msgs.h"
#include "protect.h"
#include "tu.h"

static const uint8_t muk[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
	19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };
static const uint8_t kdid[3] = { 0x00, 0xf1, 0x10 }, mskid[4] = { 0x00, 0x01, 0x00, 0x02 };
static const uint8_t msk[16] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99,
	0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
static const uint8_t rnd[16] = { 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9,
	0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf };

static struct msgs_msk
delivery(int pull, int v)
{
	struct msgs_msk p;

	memset(&p, 0, sizeof(p));
	p.csb_id = 0x01020304;
	p.counter = 7;
	p.rand = rnd;
	p.rand_len = sizeof(rnd);
	p.idi = "bmsc.example.org";
	p.idr = "B-TID-0001@bsf.example.org";
	p.id_type = 1;
	p.ext_type = 2;
	p.keyid_type = 0;
	p.kdid = kdid;
	p.mskid = mskid;
	p.v = v;
	p.msk = pull ? NULL : msk;
	p.seql = 1;
	p.sequ = 4095;
	return p;
}

static void
test_msk_delivery(void)
{
	struct msgs_msk p = delivery(0, 1);
	struct mikey_msg *m = malloc(sizeof(*m));
	const struct mikey_payload *x;
	struct bld out, plain;
	struct err e;
	size_t from = 0;
	uint8_t type, body[10] = { 0, 0, 7, 0x00, 0xf1, 0x10, 0x00, 0x01, 0x00, 0x02 };
	uint32_t csb;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	bld_init(&out);
	bld_init(&plain);
	CU_ASSERT_EQUAL_FATAL(msgs_msk(&p, muk, sizeof(muk), &out, &e), 0);
	CU_ASSERT_EQUAL_FATAL(protect_decode(out.buf, out.len, muk, sizeof(muk), m, &plain, &e),
	    PROTECT_OK);
	CU_ASSERT_EQUAL(m->hdr.version, 1);
	CU_ASSERT_EQUAL(m->hdr.data_type, 0);
	CU_ASSERT_EQUAL(m->hdr.v, 1);
	CU_ASSERT_EQUAL(m->hdr.prf, 0);
	CU_ASSERT_EQUAL(m->hdr.csb_id, 0x01020304);
	CU_ASSERT_EQUAL(m->hdr.cs_count, 0);
	CU_ASSERT_EQUAL(m->hdr.map_type, MIKEY_MAP_EMPTY);
	/* Payload order of the profile: EXT, T, RAND, ID, ID, KEMAC. */
	CU_ASSERT_EQUAL_FATAL(m->npayloads, 6);
	CU_ASSERT_EQUAL(m->p[0].type, MIKEY_PT_GENEXT);
	CU_ASSERT_EQUAL(m->p[0].u.ext.ext_type, 2);
	CU_ASSERT_EQUAL(m->p[0].u.ext.data.len, sizeof(body));
	CU_ASSERT_EQUAL(memcmp(m->p[0].u.ext.data.p, body, sizeof(body)), 0);
	CU_ASSERT_EQUAL(m->p[1].type, MIKEY_PT_T);
	CU_ASSERT_EQUAL(m->p[1].u.t.ts_type, MIKEY_TS_COUNTER);
	CU_ASSERT_EQUAL(mikey_ts_u64(&m->p[1].u.t.value), 7);
	CU_ASSERT_EQUAL(m->p[2].type, MIKEY_PT_RAND);
	CU_ASSERT_EQUAL(m->p[3].type, MIKEY_PT_ID);
	CU_ASSERT_EQUAL(m->p[3].u.id.data.len, strlen("bmsc.example.org"));
	CU_ASSERT_EQUAL(m->p[4].u.id.data.len, strlen("B-TID-0001@bsf.example.org"));
	x = mikey_find(m, MIKEY_PT_KEMAC, &from);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL(x->u.kemac.encr_alg, MIKEY_ENCR_AES_CM_128);
	CU_ASSERT_EQUAL(x->u.kemac.mac_alg, MIKEY_MAC_HMAC_SHA1_160);
	CU_ASSERT_EQUAL_FATAL(x->u.kemac.nkeys, 1);
	CU_ASSERT_EQUAL(x->u.kemac.keys[0].type, 0);
	CU_ASSERT_EQUAL(x->u.kemac.keys[0].kv, MIKEY_KV_INTERVAL);
	CU_ASSERT_EQUAL(memcmp(x->u.kemac.keys[0].key.p, msk, 16), 0);
	CU_ASSERT_EQUAL(x->u.kemac.keys[0].valid_from.len, 2);
	CU_ASSERT_EQUAL(x->u.kemac.keys[0].valid_to.p[0], 0x0f);
	CU_ASSERT_EQUAL(x->u.kemac.keys[0].valid_to.p[1], 0xff);
	CU_ASSERT_EQUAL(msgs_peek(out.buf, out.len, &type, &csb, &e), 0);
	CU_ASSERT_EQUAL(type, 0);
	CU_ASSERT_EQUAL(csb, 0x01020304);
	/* Not made with another MUK. */
	{
		uint8_t other[32];

		memcpy(other, muk, sizeof(other));
		other[0] ^= 1;
		CU_ASSERT_EQUAL(protect_decode(out.buf, out.len, other, sizeof(other), m, &plain,
		    &e), PROTECT_BAD_MAC);
	}
	/* The bad-mac fault: one bit of the MAC, and the MAC no longer verifies. */
	CU_ASSERT_EQUAL(msgs_flip_mac(out.buf, out.len, &e), 0);
	CU_ASSERT_EQUAL(protect_decode(out.buf, out.len, muk, sizeof(muk), m, &plain, &e),
	    PROTECT_BAD_MAC);
	CU_ASSERT_EQUAL(msgs_flip_mac(out.buf, out.len, &e), 0);
	CU_ASSERT_EQUAL(protect_decode(out.buf, out.len, muk, sizeof(muk), m, &plain, &e),
	    PROTECT_OK);
	CU_ASSERT_EQUAL(msgs_flip_mac(out.buf, 5, &e), -1);
	CU_ASSERT_EQUAL(msgs_peek(out.buf, 5, &type, &csb, &e), -1);
	bld_free(&out);
	bld_free(&plain);
	free(m);
}

static void
test_pull(void)
{
	struct msgs_msk p = delivery(1, 1);
	struct mikey_msg *m = malloc(sizeof(*m));
	const struct mikey_payload *x;
	struct bld out, plain;
	struct err e;
	size_t from = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	bld_init(&out);
	bld_init(&plain);
	CU_ASSERT_EQUAL_FATAL(msgs_msk(&p, muk, sizeof(muk), &out, &e), 0);
	CU_ASSERT_EQUAL_FATAL(protect_decode(out.buf, out.len, muk, sizeof(muk), m, &plain, &e),
	    PROTECT_OK);
	/* A solicited pull is V=0 whatever the delivery setting, with no key data. */
	CU_ASSERT_EQUAL(m->hdr.v, 0);
	x = mikey_find(m, MIKEY_PT_KEMAC, &from);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL(x->u.kemac.encr.len, 0);
	CU_ASSERT_EQUAL(x->u.kemac.nkeys, 0);
	bld_free(&out);
	bld_free(&plain);
	free(m);
}

static void
test_mtk(void)
{
	static const uint8_t mtk[16] = { 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9 };
	struct mikey_msg *m = malloc(sizeof(*m));
	const struct mikey_payload *x;
	struct msgs_mtk p;
	struct bld out, plain;
	struct err e;
	size_t from = 0;
	uint8_t body[12] = { 1, 0, 9, 0x00, 0xf1, 0x10, 0x00, 0x01, 0x00, 0x02, 0x10, 0x01 };

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	memset(&p, 0, sizeof(p));
	p.csb_id = 5;
	p.counter = 3;
	p.rand = rnd;
	p.rand_len = sizeof(rnd);
	p.ext_type = 2;
	p.keyid_type = 1;
	p.kdid = kdid;
	p.mskid = mskid;
	p.mtkid = 0x1001;
	p.mtk = mtk;
	bld_init(&out);
	bld_init(&plain);
	CU_ASSERT_EQUAL_FATAL(msgs_mtk(&p, msk, sizeof(msk), &out, &e), 0);
	CU_ASSERT_EQUAL_FATAL(protect_decode(out.buf, out.len, msk, sizeof(msk), m, &plain, &e),
	    PROTECT_OK);
	CU_ASSERT_EQUAL(m->hdr.v, 0);
	/* EXT, T, RAND, KEMAC: no identities on the bearer. */
	CU_ASSERT_EQUAL_FATAL(m->npayloads, 4);
	CU_ASSERT_EQUAL(m->p[0].u.ext.data.len, sizeof(body));
	CU_ASSERT_EQUAL(memcmp(m->p[0].u.ext.data.p, body, sizeof(body)), 0);
	CU_ASSERT_EQUAL(mikey_ts_u64(&m->p[1].u.t.value), 3);
	x = mikey_find(m, MIKEY_PT_KEMAC, &from);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL_FATAL(x->u.kemac.nkeys, 1);
	CU_ASSERT_EQUAL(x->u.kemac.keys[0].type, 2);
	CU_ASSERT_EQUAL(x->u.kemac.keys[0].kv, MIKEY_KV_SPI);
	CU_ASSERT_EQUAL(x->u.kemac.keys[0].spi.len, 2);
	CU_ASSERT_EQUAL(x->u.kemac.keys[0].spi.p[1], 0x01);
	CU_ASSERT_EQUAL(memcmp(x->u.kemac.keys[0].key.p, mtk, 16), 0);
	bld_free(&out);
	bld_free(&plain);
	free(m);
}

/* A verification message as a UE writes it (mikey.md §2), signed with the harness codec. */
static void
verification(const struct bld *d, struct bld *v, int reading)
{
	struct mikey_msg *dm = malloc(sizeof(*dm)), *vm = calloc(1, sizeof(*vm));
	struct err e;

	CU_ASSERT_FATAL(dm != NULL && vm != NULL);
	CU_ASSERT_EQUAL_FATAL(mikey_decode(d->buf, d->len, dm, &e), 0);
	vm->hdr = dm->hdr;
	vm->hdr.data_type = 1;
	vm->hdr.v = 0;
	vm->npayloads = 3;
	vm->p[0] = dm->p[1];		/* T echoed */
	vm->p[1] = dm->p[4];		/* IDr */
	vm->p[2].type = MIKEY_PT_V;
	vm->p[2].u.v.auth_alg = 1;
	{
		static const uint8_t zero[20];

		vm->p[2].u.v.data.p = zero;
		vm->p[2].u.v.data.len = 20;
	}
	CU_ASSERT_EQUAL_FATAL(mikey_encode(vm, v, &e), 0);
	CU_ASSERT_EQUAL_FATAL(protect_vmac_sign(reading, v->buf, v->len, dm, muk, sizeof(muk), &e),
	    0);
	free(dm);
	free(vm);
}

static void
test_verify(void)
{
	struct msgs_msk p = delivery(0, 1);
	struct bld d, v;
	struct err e;
	uint8_t type;
	uint32_t csb;

	bld_init(&d);
	bld_init(&v);
	CU_ASSERT_EQUAL_FATAL(msgs_msk(&p, muk, sizeof(muk), &d, &e), 0);
	verification(&d, &v, PROTECT_VMAC_MYKEY);
	CU_ASSERT_EQUAL(msgs_peek(v.buf, v.len, &type, &csb, &e), 0);
	CU_ASSERT_EQUAL(type, 1);
	CU_ASSERT_EQUAL(csb, p.csb_id);
	CU_ASSERT_EQUAL(msgs_verify(PROTECT_VMAC_MYKEY, v.buf, v.len, d.buf, d.len, muk,
	    sizeof(muk), &e), PROTECT_OK);
	/* The other reading of RFC 3830 5.2 does not accept it. */
	CU_ASSERT_EQUAL(msgs_verify(PROTECT_VMAC_MINISIP, v.buf, v.len, d.buf, d.len, muk,
	    sizeof(muk), &e), PROTECT_BAD_MAC);
	v.buf[v.len - 1] ^= 0x80;
	CU_ASSERT_EQUAL(msgs_verify(PROTECT_VMAC_MYKEY, v.buf, v.len, d.buf, d.len, muk,
	    sizeof(muk), &e), PROTECT_BAD_MAC);
	CU_ASSERT_EQUAL(msgs_verify(PROTECT_VMAC_MYKEY, v.buf, 7, d.buf, d.len, muk,
	    sizeof(muk), &e), PROTECT_MALFORMED);
	bld_reset(&v);
	verification(&d, &v, PROTECT_VMAC_MINISIP);
	CU_ASSERT_EQUAL(msgs_verify(PROTECT_VMAC_MINISIP, v.buf, v.len, d.buf, d.len, muk,
	    sizeof(muk), &e), PROTECT_OK);
	bld_free(&d);
	bld_free(&v);
}

int
test_msgs_register(void)
{
	static const struct tu_test tests[] = {
		{ "MSK delivery", test_msk_delivery },
		{ "solicited pull", test_pull },
		{ "MTK delivery", test_mtk },
		{ "verification", test_verify },
		{ NULL, NULL }
	};

	return tu_register("msgs", tests);
}
