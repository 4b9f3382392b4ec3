/*
 * test_protect: PSK protection checked against the mikey.md §4 key/IV vectors by recomputing
 * the KEMAC encryption and MAC by hand, tamper sweeps, and both verification-MAC readings.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "hex.h"
#include "protect.h"
#include "testutil.h"

/* mikey.md §4: inkey 00..1f, CSB ID 01020304, RAND 0011..ff; T = COUNTER 7. */
#define MUK	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define ENC_KEY	"d310fbb571467acd70b125bcfdea6bf4"
#define AUTH_KEY "fa7572d5d4e78a10a7791317a67fa1c213b7a33d"
#define IV_T7	"ab4df49402ba7868f1b5af84176b0000"

static int
load1(const char *path, struct hex_msgs *v)
{
	struct err e;

	if (hex_msgs_load(path, v, &e) == -1) {
		fprintf(stderr, "\n%s\n", e.msg);
		return -1;
	}
	return 0;
}

static void
test_kemac_by_hand(void)
{
	struct hex_msgs v;
	struct bld muk, enc, auth, iv;
	struct mikey_msg *m = malloc(sizeof(*m));
	const struct mikey_payload *k;
	uint8_t plain[64], mac[20];
	struct crypto_iov iov;
	struct err e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL_FATAL(load1("vectors/mikey/valid/mbms-msk-delivery.hex", &v), 0);
	tu_hex(&muk, MUK);
	tu_hex(&enc, ENC_KEY);
	tu_hex(&auth, AUTH_KEY);
	tu_hex(&iv, IV_T7);
	CU_ASSERT_EQUAL_FATAL(mikey_decode(v.m[0].buf, v.m[0].len, m, &e), 0);
	k = mikey_find(m, MIKEY_PT_KEMAC, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_EQUAL_FATAL(k->u.kemac.encr.len, 26);
	/* Decrypt with the spec's key and IV, not with protect's derivation. */
	CU_ASSERT_EQUAL(crypto_aes_cm(enc.buf, iv.buf, k->u.kemac.encr.p, plain, 26, &e), 0);
	TU_ASSERT_HEX(plain, 26, "00 02 0010 00112233445566778899aabbccddeeff 02 0001 02 0fff");
	/* The MAC covers everything before it (the KEMAC is the last payload). */
	iov.p = v.m[0].buf;
	iov.len = k->u.kemac.mac_offset;
	CU_ASSERT_EQUAL(crypto_hmac(CRYPTO_MD_SHA1, auth.buf, auth.len, &iov, 1, mac, &e), 0);
	CU_ASSERT_EQUAL(memcmp(mac, k->u.kemac.mac.p, 20), 0);
	CU_ASSERT_EQUAL(k->u.kemac.mac_offset + 20, v.m[0].len);
	bld_free(&muk);
	bld_free(&enc);
	bld_free(&auth);
	bld_free(&iv);
	hex_msgs_free(&v);
	free(m);
}

static void
test_unprotect(void)
{
	struct hex_msgs v;
	struct bld muk, plain;
	struct mikey_msg *m = malloc(sizeof(*m));
	const struct mikey_payload *k;
	uint8_t *t;
	struct err e;
	size_t i;
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL_FATAL(load1("vectors/mikey/valid/mbms-msk-delivery.hex", &v), 0);
	tu_hex(&muk, MUK);
	bld_init(&plain);
	CU_ASSERT_EQUAL(protect_decode(v.m[0].buf, v.m[0].len, muk.buf, muk.len, m, &plain, &e),
	    PROTECT_OK);
	k = mikey_find(m, MIKEY_PT_KEMAC, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_EQUAL(k->u.kemac.nkeys, 1);
	TU_ASSERT_HEX(k->u.kemac.keys[0].key.p, 16, "00112233445566778899aabbccddeeff");
	TU_ASSERT_HEX(k->u.kemac.keys[0].valid_to.p, 2, "0fff");
	/* Another key: decodes, but the MAC fails. */
	muk.buf[0] ^= 1;
	CU_ASSERT_EQUAL(protect_decode(v.m[0].buf, v.m[0].len, muk.buf, muk.len, m, &plain, &e),
	    PROTECT_BAD_MAC);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "MAC mismatch"));
	muk.buf[0] ^= 1;
	/* Flipping any bit of any byte never yields an accepted message. */
	t = malloc(v.m[0].len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (i = 0; i < v.m[0].len * 8; i++) {
		memcpy(t, v.m[0].buf, v.m[0].len);
		t[i / 8] ^= (uint8_t)(1u << (i % 8));
		rc = protect_decode(t, v.m[0].len, muk.buf, muk.len, m, &plain, &e);
		CU_ASSERT_NOT_EQUAL(rc, PROTECT_OK);
	}
	free(t);
	/* Malformed is told apart from a bad MAC. */
	CU_ASSERT_EQUAL(protect_decode(v.m[0].buf, 40, muk.buf, muk.len, m, &plain, &e),
	    PROTECT_MALFORMED);
	bld_free(&plain);
	bld_free(&muk);
	hex_msgs_free(&v);
	free(m);
}

/* protect_encode reproduces the vector byte for byte from its decoded content. */
static void
test_protect_roundtrip(void)
{
	struct hex_msgs v;
	struct bld muk, plain, out;
	struct mikey_msg *m = malloc(sizeof(*m));
	struct err e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL_FATAL(load1("vectors/mikey/valid/mbms-mtk-delivery.hex", &v), 0);
	tu_hex(&muk, "00112233445566778899aabbccddeeff");	/* the MSK protects MTKs */
	bld_init(&plain);
	bld_init(&out);
	CU_ASSERT_EQUAL_FATAL(protect_decode(v.m[0].buf, v.m[0].len, muk.buf, muk.len, m, &plain,
	    &e), PROTECT_OK);
	CU_ASSERT_EQUAL(protect_encode(m, muk.buf, muk.len, &out, &e), 0);
	CU_ASSERT_EQUAL(out.len, v.m[0].len);
	CU_ASSERT_EQUAL(memcmp(out.buf, v.m[0].buf, out.len), 0);
	/* No RAND: the message keys cannot be derived. */
	m->npayloads = 0;
	bld_reset(&out);
	CU_ASSERT_EQUAL(protect_encode(m, muk.buf, muk.len, &out, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "KEMAC: payload missing"));
	bld_free(&out);
	bld_free(&plain);
	bld_free(&muk);
	hex_msgs_free(&v);
	free(m);
}

static void
test_vmac(void)
{
	struct hex_msgs dv, vv;
	struct bld muk, auth;
	struct mikey_msg *d = malloc(sizeof(*d)), *vm = malloc(sizeof(*vm));
	const struct mikey_payload *t, *vp;
	struct crypto_iov iov[4];
	uint8_t mac[20], *tampered;
	struct err e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	CU_ASSERT_EQUAL_FATAL(load1("vectors/mikey/valid/mbms-msk-delivery.hex", &dv), 0);
	CU_ASSERT_EQUAL_FATAL(load1("vectors/mikey/valid/mbms-verification.hex", &vv), 0);
	tu_hex(&muk, MUK);
	tu_hex(&auth, AUTH_KEY);
	CU_ASSERT_EQUAL_FATAL(mikey_decode(dv.m[0].buf, dv.m[0].len, d, &e), 0);
	CU_ASSERT_EQUAL_FATAL(mikey_decode(vv.m[0].buf, vv.m[0].len, vm, &e), 0);
	CU_ASSERT_EQUAL(protect_vmac_verify(PROTECT_VMAC_MYKEY, vv.m[0].buf, vv.m[0].len, d,
	    muk.buf, muk.len, &e), PROTECT_OK);
	CU_ASSERT_EQUAL(protect_vmac_verify(PROTECT_VMAC_MINISIP, vv.m[0].buf, vv.m[0].len, d,
	    muk.buf, muk.len, &e), PROTECT_BAD_MAC);
	/* Recompute the mykey reading by hand (mikey.md §2) with the spec's auth key. */
	t = mikey_find(d, MIKEY_PT_T, NULL);
	vp = mikey_find(vm, MIKEY_PT_V, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_PTR_NOT_NULL_FATAL(vp);
	iov[0] = (struct crypto_iov){ vv.m[0].buf, vp->u.v.data_offset };
	iov[1] = (struct crypto_iov){ "bmsc.example.org", 16 };
	iov[2] = (struct crypto_iov){ "B-TID-0001@bsf.example.org", 26 };
	iov[3] = (struct crypto_iov){ t->u.t.value.p, 4 };
	CU_ASSERT_EQUAL(crypto_hmac(CRYPTO_MD_SHA1, auth.buf, auth.len, iov, 4, mac, &e), 0);
	CU_ASSERT_EQUAL(memcmp(mac, vp->u.v.data.p, 20), 0);
	/* The minisip reading leaves out IDi || IDr; sign with it and it verifies only so. */
	tampered = malloc(vv.m[0].len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tampered);
	memcpy(tampered, vv.m[0].buf, vv.m[0].len);
	CU_ASSERT_EQUAL(protect_vmac_sign(PROTECT_VMAC_MINISIP, tampered, vv.m[0].len, d, muk.buf,
	    muk.len, &e), 0);
	CU_ASSERT_EQUAL(protect_vmac_verify(PROTECT_VMAC_MINISIP, tampered, vv.m[0].len, d,
	    muk.buf, muk.len, &e), PROTECT_OK);
	iov[1].len = iov[2].len = 0;
	CU_ASSERT_EQUAL(crypto_hmac(CRYPTO_MD_SHA1, auth.buf, auth.len, iov, 4, mac, &e), 0);
	CU_ASSERT_EQUAL(memcmp(mac, tampered + vp->u.v.data_offset, 20), 0);
	/* A changed header byte breaks the MAC. */
	memcpy(tampered, vv.m[0].buf, vv.m[0].len);
	tampered[4] ^= 0x80;
	CU_ASSERT_EQUAL(protect_vmac_verify(PROTECT_VMAC_MYKEY, tampered, vv.m[0].len, d, muk.buf,
	    muk.len, &e), PROTECT_BAD_MAC);
	CU_ASSERT_EQUAL(protect_vmac_reading("mykey"), PROTECT_VMAC_MYKEY);
	CU_ASSERT_EQUAL(protect_vmac_reading("other"), -1);
	free(tampered);
	bld_free(&muk);
	bld_free(&auth);
	hex_msgs_free(&dv);
	hex_msgs_free(&vv);
	free(d);
	free(vm);
}

int
test_protect_register(void)
{
	static const struct tu_test tests[] = {
		{ "KEMAC encryption and MAC recomputed with the spec's keys", test_kemac_by_hand },
		{ "unprotect: keys out, wrong key = bad MAC, no bit flip accepted", test_unprotect },
		{ "protect reproduces a vector byte for byte", test_protect_roundtrip },
		{ "verification MAC, both readings, recomputed by hand", test_vmac },
		{ NULL, NULL }
	};

	return tu_register("protect", tests);
}
