/* test_kdf: known answers for the key derivations (MIKEY PRF and keys, GBA KDF, Ks_NAF, MRK). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "hex.h"
#include "testutil.h"

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t
be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/* PRF of inkey computed chunk by chunk with our own PRF, XORed: the definition of RFC 3830 4.1.2. */
static int
prf_by_chunks(const uint8_t *inkey, size_t inkey_len, const uint8_t *label, size_t label_len,
    uint8_t *out, size_t out_len)
{
	uint8_t part[256];
	size_t off, chunk, j;
	struct err e;

	if (out_len > sizeof(part))
		return -1;
	memset(out, 0, out_len);
	for (off = 0; off < inkey_len; off += chunk) {
		chunk = inkey_len - off < 32 ? inkey_len - off : 32;
		if (crypto_mikey_prf(inkey + off, chunk, label, label_len, part, out_len, &e) == -1)
			return -1;
		for (j = 0; j < out_len; j++)
			out[j] ^= part[j];
	}
	return 0;
}

/*
 * Each record one-shot, every shorter output a prefix of it, and the chunk XOR redone by hand;
 * arg counts the records whose inkey spans several chunks.
 */
static void
mikey_prf_record(const char *file, const struct hex_record *r, const struct hex_field *const *f,
    void *arg)
{
	uint8_t out[256 + 1], ref[256];
	size_t n, *multi = arg;
	struct err e;
	int ok;

	CU_ASSERT_FATAL(f[2]->len < sizeof(out));
	CU_ASSERT_EQUAL(crypto_mikey_prf(f[0]->val, f[0]->len, f[1]->val, f[1]->len, out,
	    f[2]->len, &e), 0);
	CU_ASSERT_TRUE(tu_same(file, r->line, "one-shot", out, f[2]->val, f[2]->len));

	ok = 1;
	for (n = 1; n <= f[2]->len && ok; n++) {
		out[n] = 0xa5;
		ok = crypto_mikey_prf(f[0]->val, f[0]->len, f[1]->val, f[1]->len, out, n,
		    &e) == 0 && tu_same(file, r->line, "prefix", out, f[2]->val, n) &&
		    out[n] == 0xa5;
		if (!ok)
			fprintf(stderr, "\n%s:%zu: output of %zu bytes fails\n", file, r->line,
			    n);
	}
	CU_ASSERT_TRUE(ok);

	if (f[0]->len > 32) {
		(*multi)++;
		CU_ASSERT_EQUAL(prf_by_chunks(f[0]->val, f[0]->len, f[1]->val, f[1]->len,
		    ref, f[2]->len), 0);
		CU_ASSERT_TRUE(tu_same(file, r->line, "chunk XOR", ref, f[2]->val, f[2]->len));
	}
}

static void
test_mikey_prf(void)
{
	static const char *const names[] = { "inkey", "label", "out", NULL };
	size_t multi = 0;

	if (tu_kat_each("mikey-prf.txt", 10, names, mikey_prf_record, &multi) == -1)
		return;
	/* The file must exercise the multi-chunk path (the 40- and 72-byte inkeys). */
	CU_ASSERT_TRUE(multi >= 2);
}

/* Every inkey length from 1 to 100 against the chunk-by-chunk definition. */
static void
test_mikey_prf_chunks(void)
{
	static const uint8_t label[] = { 0x15, 0x05, 0x33, 0xe1, 0xff, 1, 2, 3, 4, 9, 8, 7 };
	uint8_t inkey[100], a[45], b[45], c[45];
	size_t len, i;
	struct err e;
	int ok = 1;

	for (i = 0; i < sizeof(inkey); i++)
		inkey[i] = (uint8_t)(i * 37 + 11);
	for (len = 1; len <= sizeof(inkey) && ok; len++) {
		ok = crypto_mikey_prf(inkey, len, label, sizeof(label), a, sizeof(a), &e) == 0 &&
		    prf_by_chunks(inkey, len, label, sizeof(label), b, sizeof(b)) == 0 &&
		    memcmp(a, b, sizeof(a)) == 0;
		if (!ok)
			fprintf(stderr, "\ninkey of %zu bytes: PRF differs from the chunk XOR\n", len);
	}
	CU_ASSERT_TRUE(ok);

	/* A 33rd byte is a second chunk: it must change the output (no silent truncation at 32). */
	CU_ASSERT_EQUAL(crypto_mikey_prf(inkey, 32, label, sizeof(label), a, sizeof(a), &e), 0);
	CU_ASSERT_EQUAL(crypto_mikey_prf(inkey, 33, label, sizeof(label), b, sizeof(b), &e), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(a, b, sizeof(a)), 0);
	/* And it is exactly PRF(first 32) XOR PRF(the 33rd byte alone). */
	CU_ASSERT_EQUAL(crypto_mikey_prf(inkey + 32, 1, label, sizeof(label), c, sizeof(c), &e), 0);
	for (i = 0; i < sizeof(c); i++)
		c[i] ^= a[i];
	CU_ASSERT_EQUAL(memcmp(b, c, sizeof(c)), 0);
}

/* Message keys from a PSK, each derivation alone, the label by hand, and the KEMAC IV. */
static void
msg_keys_record(const char *file, const struct hex_record *r, const struct hex_field *const *f,
    void *arg)
{
	struct crypto_msg_keys mk;
	uint8_t out[CRYPTO_AUTH_KEY_LEN], label[9 + 64], iv[16];
	struct err e;
	uint32_t csb;

	(void)arg;
	CU_ASSERT_EQUAL_FATAL(f[1]->len, 4);
	CU_ASSERT_EQUAL_FATAL(f[3]->len, 8);
	CU_ASSERT_FATAL(f[2]->len <= 64);
	csb = be32(f[1]->val);

	memset(&mk, 0xa5, sizeof(mk));
	CU_ASSERT_EQUAL(crypto_mikey_msg_keys(f[0]->val, f[0]->len, csb, f[2]->val,
	    f[2]->len, &mk, &e), 0);
	CU_ASSERT_TRUE(tu_same(file, r->line, "enc", mk.enc, f[4]->val, f[4]->len));
	CU_ASSERT_TRUE(tu_same(file, r->line, "auth", mk.auth, f[5]->val, f[5]->len));
	CU_ASSERT_TRUE(tu_same(file, r->line, "salt", mk.salt, f[6]->val, f[6]->len));
	CU_ASSERT_EQUAL(f[4]->len, sizeof(mk.enc));
	CU_ASSERT_EQUAL(f[5]->len, sizeof(mk.auth));
	CU_ASSERT_EQUAL(f[6]->len, sizeof(mk.salt));

	CU_ASSERT_EQUAL(crypto_mikey_derive(f[0]->val, f[0]->len, CRYPTO_C_MSG_AUTH, -1, csb,
	    f[2]->val, f[2]->len, out, CRYPTO_AUTH_KEY_LEN, &e), 0);
	CU_ASSERT_TRUE(tu_same(file, r->line, "derive auth", out, f[5]->val, f[5]->len));

	/* RFC 3830 4.1.4 label by hand: const || 0xFF || CSB ID || RAND. */
	label[0] = 0x15, label[1] = 0x05, label[2] = 0x33, label[3] = 0xe1;
	label[4] = 0xff;
	memcpy(label + 5, f[1]->val, 4);
	memcpy(label + 9, f[2]->val, f[2]->len);
	CU_ASSERT_EQUAL(crypto_mikey_prf(f[0]->val, f[0]->len, label, 9 + f[2]->len, out,
	    CRYPTO_ENC_KEY_LEN, &e), 0);
	CU_ASSERT_TRUE(tu_same(file, r->line, "PRF enc", out, f[4]->val, f[4]->len));

	memset(iv, 0xa5, sizeof(iv));
	crypto_kemac_iv(mk.salt, csb, be64(f[3]->val), iv);
	CU_ASSERT_TRUE(tu_same(file, r->line, "IV", iv, f[7]->val, sizeof(iv)));
	CU_ASSERT_EQUAL(f[7]->len, sizeof(iv));
}

static void
test_mikey_msg_keys(void)
{
	static const char *const names[] = { "psk", "csb_id", "rand", "t64", "enc", "auth", "salt",
	    "iv", NULL };

	(void)tu_kat_each("mikey-keys.txt", 2, names, msg_keys_record, NULL);
}

static void
tgk_record(const char *file, const struct hex_record *r, const struct hex_field *const *f,
    void *arg)
{
	uint8_t out[64];
	struct err e;

	(void)arg;
	CU_ASSERT_FATAL(f[1]->len == 4 && f[2]->len == 1 && f[3]->len == 4);
	CU_ASSERT_FATAL(f[5]->len <= sizeof(out));
	CU_ASSERT_EQUAL(crypto_mikey_derive(f[0]->val, f[0]->len, be32(f[1]->val),
	    f[2]->val[0], be32(f[3]->val), f[4]->val, f[4]->len, out, f[5]->len, &e), 0);
	CU_ASSERT_TRUE(tu_same(file, r->line, "derive", out, f[5]->val, f[5]->len));
}

static void
test_mikey_tgk(void)
{
	static const char *const names[] = { "tgk", "const", "cs_id", "csb_id", "rand", "out",
	    NULL };

	(void)tu_kat_each("mikey-tgk.txt", 5, names, tgk_record, NULL);
}

/* Collects the p0, p1, ... fields of a record in order. */
static size_t
gba_params(const struct hex_record *r, struct crypto_iov *p, size_t cap)
{
	const struct hex_field *f;
	char name[8];
	size_t n;

	for (n = 0; n < cap; n++) {
		snprintf(name, sizeof(name), "p%zu", n);
		if ((f = hex_kat_get(r, name)) == NULL)
			break;
		p[n].p = f->val;
		p[n].len = f->len;
	}
	return n;
}

/*
 * GBA KDF one-shot, S assembled and fed to HMAC split at every offset, and Ks_NAF where it fits;
 * arg counts the Ks_NAF records.
 */
static void
gba_kdf_record(const char *file, const struct hex_record *r, const struct hex_field *const *f,
    void *arg)
{
	const struct hex_field *kf = f[0];
	struct crypto_iov p[HEX_MAX_FIELDS], two[2];
	uint8_t out[CRYPTO_SHA256_LEN];
	size_t n, np, *naf = arg;
	char impi[256];
	struct bld s;
	struct err e;
	int ok;

	CU_ASSERT_FATAL(f[1]->len == 1 && f[2]->len == CRYPTO_SHA256_LEN);
	np = gba_params(r, p, HEX_MAX_FIELDS);
	CU_ASSERT_EQUAL(crypto_gba_kdf(kf->val, kf->len, f[1]->val[0], p, np, out, &e), 0);
	CU_ASSERT_TRUE(tu_same(file, r->line, "KDF", out, f[2]->val, sizeof(out)));

	tu_gba_s(&s, f[1]->val[0], p, np);
	CU_ASSERT_EQUAL_FATAL(bld_finish(&s, &e), 0);
	ok = 1;
	for (n = 0; n <= s.len && ok; n++) {
		two[0].p = s.buf;
		two[0].len = n;
		two[1].p = s.buf + n;
		two[1].len = s.len - n;
		ok = crypto_hmac(CRYPTO_MD_SHA256, kf->val, kf->len, two, 2, out, &e) == 0 &&
		    tu_same(file, r->line, "HMAC of S split", out, f[2]->val, sizeof(out));
	}
	CU_ASSERT_TRUE(ok);
	bld_free(&s);

	/* The Ks_NAF records: FC 01 and the four parameters of TS 33.220 B.3. */
	if (f[1]->val[0] == 0x01 && np == 4 && p[2].len < sizeof(impi) &&
	    memchr(p[0].p, '\0', p[0].len) == NULL) {
		char p0[16];

		CU_ASSERT_FATAL(p[0].len < sizeof(p0));
		memcpy(p0, p[0].p, p[0].len);
		p0[p[0].len] = '\0';
		memcpy(impi, p[2].p, p[2].len);
		impi[p[2].len] = '\0';
		CU_ASSERT_EQUAL(crypto_ks_naf(kf->val, kf->len, p0, p[1].p, p[1].len, impi,
		    p[3].p, p[3].len, out, &e), 0);
		CU_ASSERT_TRUE(tu_same(file, r->line, "Ks_NAF", out, f[2]->val, sizeof(out)));
		(*naf)++;
	}
}

static void
test_gba_kdf(void)
{
	static const char *const names[] = { "key", "fc", "out", NULL };
	size_t naf = 0;

	if (tu_kat_each("gba-kdf.txt", 5, names, gba_kdf_record, &naf) == -1)
		return;
	CU_ASSERT_EQUAL(naf, 2);
}

/* The MRK of the default profile and its base64; its Ks_NAF is the first record of gba-kdf.txt. */
static void
test_mrk(void)
{
	static const char *const names[] = { "ks_naf", "label", "mrk", "mrk_b64", NULL };
	const struct hex_field *f[TU_KAT_MAX_FIELDS], *naf;
	uint8_t out[CRYPTO_SHA256_LEN];
	char b64[4 * (CRYPTO_SHA256_LEN + 2) / 3 + 1];
	struct hex_kat k, g;
	struct crypto_iov p;
	struct err e;

	if (tu_kat_open("mrk.txt", 1, &k) == -1)
		return;
	if (tu_kat_fields("mrk.txt", &k.rec[0], f, names) == 0) {
		const struct hex_record *r = &k.rec[0];

		CU_ASSERT_FATAL(f[0]->len == CRYPTO_SHA256_LEN && f[2]->len == CRYPTO_SHA256_LEN);
		p.p = f[1]->val;
		p.len = f[1]->len;
		CU_ASSERT_EQUAL(crypto_gba_kdf(f[0]->val, f[0]->len, 0x01, &p, 1, out, &e), 0);
		CU_ASSERT_TRUE(tu_same("mrk.txt", r->line, "MRK", out, f[2]->val, sizeof(out)));
		CU_ASSERT_EQUAL(crypto_base64(out, sizeof(out), b64), f[3]->len);
		CU_ASSERT_TRUE(tu_same("mrk.txt", r->line, "base64", (const uint8_t *)b64,
		    f[3]->val, f[3]->len));
		if (tu_kat_open("gba-kdf.txt", 1, &g) == 0) {
			naf = hex_kat_get(&g.rec[0], "out");
			CU_ASSERT_TRUE(naf != NULL && naf->len == f[0]->len &&
			    memcmp(naf->val, f[0]->val, naf->len) == 0);
			hex_kat_free(&g);
		}
	}
	hex_kat_free(&k);
}

/* TS 33.220 B.2: a 65535-byte parameter is the largest a 2-byte length can name. */
static void
test_gba_param_len(void)
{
	static const uint8_t key[32] = { 1, 2, 3 };
	uint8_t *big, out[CRYPTO_SHA256_LEN], exp[CRYPTO_SHA256_LEN], keep[CRYPTO_SHA256_LEN];
	struct crypto_iov p[3], s1;
	struct bld s;
	struct err e;

	big = calloc(65536, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	p[0].p = "x";
	p[0].len = 1;
	p[1].p = "";
	p[1].len = 0;
	p[2].p = big;
	p[2].len = 65535;
	CU_ASSERT_EQUAL(crypto_gba_kdf(key, sizeof(key), 0x01, p, 3, out, &e), 0);
	tu_gba_s(&s, 0x01, p, 3);
	CU_ASSERT_EQUAL_FATAL(bld_finish(&s, &e), 0);
	CU_ASSERT_EQUAL(s.len, 1 + 1 + 2 + 0 + 2 + 65535 + 2);
	s1.p = s.buf;
	s1.len = s.len;
	CU_ASSERT_EQUAL(crypto_hmac(CRYPTO_MD_SHA256, key, sizeof(key), &s1, 1, exp, &e), 0);
	CU_ASSERT_EQUAL(memcmp(out, exp, sizeof(out)), 0);
	bld_free(&s);

	/* One more byte fails cleanly, names the parameter, and leaves out alone. */
	p[2].len = 65536;
	memset(out, 0xa5, sizeof(out));
	memcpy(keep, out, sizeof(out));
	e.msg[0] = '\0';
	CU_ASSERT_EQUAL(crypto_gba_kdf(key, sizeof(key), 0x01, p, 3, out, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "P2"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "65535"));
	CU_ASSERT_EQUAL(memcmp(out, keep, sizeof(out)), 0);
	free(big);
}

int
test_kdf_register(void)
{
	static const struct tu_test tests[] = {
		{ "MIKEY-1 PRF vectors, prefixes, chunk XOR", test_mikey_prf },
		{ "MIKEY-1 PRF inkeys of 1..100 bytes", test_mikey_prf_chunks },
		{ "MIKEY message keys and KEMAC IV", test_mikey_msg_keys },
		{ "MIKEY TGK derivations", test_mikey_tgk },
		{ "GBA KDF and Ks_NAF", test_gba_kdf },
		{ "MRK of the default profile [A]", test_mrk },
		{ "GBA KDF parameter longer than 65535 bytes", test_gba_param_len },
		{ NULL, NULL }
	};

	return tu_register("kdf", tests);
}
