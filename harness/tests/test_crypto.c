/* test_crypto: known answers for every crypto primitive, one-shot and split, and the error paths. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "hex.h"
#include "testutil.h"

#define MAX_FIELDS 8

/* Loads vectors/kat/<name> (below $MBMSCT_HOME when set); fails the test if it holds < min records. */
static int
kat_open(const char *name, size_t min, struct hex_kat *k)
{
	const char *home = getenv("MBMSCT_HOME");
	char path[1024];
	struct err e;

	snprintf(path, sizeof(path), "%s%svectors/kat/%s", home ? home : "", home ? "/" : "", name);
	if (hex_kat_load(path, k, &e) == -1) {
		fprintf(stderr, "\n%s\n", e.msg);
		CU_FAIL("KAT file unreadable");
		return -1;
	}
	if (k->nrec < min) {
		fprintf(stderr, "\n%s: %zu records, expected at least %zu\n", path, k->nrec, min);
		CU_FAIL("KAT file has too few records");
		hex_kat_free(k);
		return -1;
	}
	return 0;
}

/* Fetches the named fields (a NULL-terminated list) of a record; fails the test if one is missing. */
static int
kat_fields(const char *file, const struct hex_record *r, const struct hex_field **f,
    const char *const *names)
{
	size_t i;

	for (i = 0; names[i] != NULL; i++) {
		if ((f[i] = hex_kat_get(r, names[i])) == NULL) {
			fprintf(stderr, "\n%s:%zu: field %s missing\n", file, r->line, names[i]);
			CU_FAIL("KAT record lacks a field");
			return -1;
		}
	}
	return 0;
}

/* Compares n bytes; on mismatch prints where, what, expected and actual. Returns 1 when equal. */
static int
same(const char *file, size_t line, const char *what, const uint8_t *got, const uint8_t *exp,
    size_t n)
{
	char *a, *b;

	if (n == 0 || memcmp(got, exp, n) == 0)
		return 1;
	a = malloc(2 * n + 1);
	b = malloc(2 * n + 1);
	if (a != NULL && b != NULL) {
		hex_encode(exp, n, a);
		hex_encode(got, n, b);
		fprintf(stderr, "\n%s:%zu: %s: expected %s vs actual %s\n", file, line, what, a, b);
	}
	free(a);
	free(b);
	return 0;
}

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

/* iv += k as a 128-bit big-endian integer. */
static void
iv_add(uint8_t iv[16], size_t k)
{
	unsigned int carry = 0;
	int i;

	for (i = 15; i >= 0; i--) {
		carry += iv[i] + (unsigned int)(k & 0xff);
		iv[i] = (uint8_t)carry;
		carry >>= 8;
		k >>= 8;
	}
}

/*
 * AES-CM: one-shot, in place, decryption, every prefix (its output must be the prefix of the
 * ciphertext and nothing past it may be written), and every split at a block boundary with the
 * second half started from IV + blocks.
 */
static void
aes_file(const char *file)
{
	static const char *const names[] = { "key", "iv", "pt", "ct", NULL };
	const struct hex_field *f[MAX_FIELDS];
	uint8_t *buf, iv[16];
	struct hex_kat k;
	struct err e;
	size_t i, n, len;
	int ok;

	if (kat_open(file, 3, &k) == -1)
		return;
	for (i = 0; i < k.nrec; i++) {
		const struct hex_record *r = &k.rec[i];

		if (kat_fields(file, r, f, names) == -1)
			continue;
		CU_ASSERT_EQUAL_FATAL(f[0]->len, 16);
		CU_ASSERT_EQUAL_FATAL(f[1]->len, 16);
		CU_ASSERT_EQUAL_FATAL(f[2]->len, f[3]->len);
		len = f[2]->len;
		buf = malloc(len + 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(buf);

		CU_ASSERT_EQUAL(crypto_aes_cm(f[0]->val, f[1]->val, f[2]->val, buf, len, &e), 0);
		CU_ASSERT_TRUE(same(file, r->line, "one-shot", buf, f[3]->val, len));

		memcpy(buf, f[2]->val, len);
		CU_ASSERT_EQUAL(crypto_aes_cm(f[0]->val, f[1]->val, buf, buf, len, &e), 0);
		CU_ASSERT_TRUE(same(file, r->line, "in place", buf, f[3]->val, len));

		CU_ASSERT_EQUAL(crypto_aes_cm(f[0]->val, f[1]->val, f[3]->val, buf, len, &e), 0);
		CU_ASSERT_TRUE(same(file, r->line, "decrypt", buf, f[2]->val, len));

		ok = 1;
		for (n = 0; n <= len && ok; n++) {
			buf[n] = 0xa5;
			ok = crypto_aes_cm(f[0]->val, f[1]->val, f[2]->val, buf, n, &e) == 0 &&
			    same(file, r->line, "prefix", buf, f[3]->val, n) && buf[n] == 0xa5;
			if (!ok)
				fprintf(stderr, "\n%s:%zu: prefix of %zu bytes fails\n", file, r->line, n);
		}
		CU_ASSERT_TRUE(ok);

		ok = 1;
		for (n = 16; n < len && ok; n += 16) {
			memcpy(iv, f[1]->val, 16);
			iv_add(iv, n / 16);
			ok = crypto_aes_cm(f[0]->val, f[1]->val, f[2]->val, buf, n, &e) == 0 &&
			    crypto_aes_cm(f[0]->val, iv, f[2]->val + n, buf + n, len - n, &e) == 0 &&
			    same(file, r->line, "split at a block", buf, f[3]->val, len);
		}
		CU_ASSERT_TRUE(ok);
		free(buf);
	}
	hex_kat_free(&k);
}

static void
test_aes_cm_rfc3711(void)
{
	aes_file("aes-cm.txt");
}

static void
test_aes_ctr_carry(void)
{
	aes_file("aes-ctr-carry.txt");
}

/*
 * Checks one HMAC or hash of data against exp (compared over exp_len, which may be a
 * truncation): the message whole, split in two at every offset, and byte by byte with empty
 * pieces between the bytes. key == NULL selects the plain hash.
 */
static void
digest_splits(const char *file, size_t line, enum crypto_md md, const struct hex_field *key,
    const struct hex_field *data, const uint8_t *exp, size_t exp_len)
{
	struct crypto_iov two[2], *many;
	uint8_t out[CRYPTO_MAX_MD];
	size_t n, nmany;
	struct err e;
	int ok;

#define RUN(iov, cnt) (key != NULL ?						\
	crypto_hmac(md, key->val, key->len, (iov), (cnt), out, &e) :		\
	crypto_hash(md, (iov), (cnt), out, &e))

	CU_ASSERT_FATAL(exp_len >= 12 && exp_len <= crypto_md_len(md));
	two[0].p = data->val;
	two[0].len = data->len;
	CU_ASSERT_EQUAL(RUN(two, 1), 0);
	CU_ASSERT_TRUE(same(file, line, "one-shot", out, exp, exp_len));

	ok = 1;
	for (n = 0; n <= data->len && ok; n++) {
		two[0].len = n;
		two[1].p = data->val + n;
		two[1].len = data->len - n;
		memset(out, 0, sizeof(out));
		ok = RUN(two, 2) == 0 && same(file, line, "split", out, exp, exp_len);
		if (!ok)
			fprintf(stderr, "\n%s:%zu: split at %zu fails\n", file, line, n);
	}
	CU_ASSERT_TRUE(ok);

	nmany = 2 * data->len + 1;
	many = calloc(nmany, sizeof(*many));
	CU_ASSERT_PTR_NOT_NULL_FATAL(many);
	for (n = 0; n < data->len; n++) {
		many[2 * n + 1].p = data->val + n;
		many[2 * n + 1].len = 1;
	}
	memset(out, 0, sizeof(out));
	CU_ASSERT_EQUAL(RUN(many, nmany), 0);
	CU_ASSERT_TRUE(same(file, line, "byte by byte", out, exp, exp_len));
	free(many);
#undef RUN
}

static void
hmac_file(const char *file, enum crypto_md md)
{
	static const char *const names[] = { "key", "data", "mac", NULL };
	const struct hex_field *f[MAX_FIELDS];
	struct hex_kat k;
	size_t i;

	if (kat_open(file, 7, &k) == -1)
		return;
	for (i = 0; i < k.nrec; i++)
		if (kat_fields(file, &k.rec[i], f, names) == 0)
			digest_splits(file, k.rec[i].line, md, f[0], f[1], f[2]->val, f[2]->len);
	hex_kat_free(&k);
}

static void
test_hmac_md5(void)
{
	hmac_file("hmac-md5.txt", CRYPTO_MD_MD5);
}

static void
test_hmac_sha1(void)
{
	hmac_file("hmac-sha1.txt", CRYPTO_MD_SHA1);
}

static void
test_hmac_sha256(void)
{
	hmac_file("hmac-sha256.txt", CRYPTO_MD_SHA256);
}

static void
test_hash(void)
{
	static const char *const names[] = { "md", "data", "digest", NULL };
	static const enum crypto_md mds[] = { CRYPTO_MD_MD5, CRYPTO_MD_SHA1, CRYPTO_MD_SHA256 };
	static const char *const md_names[] = { "md5", "sha1", "sha256" };
	const struct hex_field *f[MAX_FIELDS];
	const char *file = "hash.txt";
	struct hex_kat k;
	size_t i, j;

	if (kat_open(file, 8, &k) == -1)
		return;
	for (i = 0; i < k.nrec; i++) {
		if (kat_fields(file, &k.rec[i], f, names) == -1)
			continue;
		for (j = 0; j < 3; j++)
			if (f[0]->len == strlen(md_names[j]) &&
			    memcmp(f[0]->val, md_names[j], f[0]->len) == 0)
				break;
		CU_ASSERT_FATAL(j < 3);
		CU_ASSERT_EQUAL(f[2]->len, crypto_md_len(mds[j]));
		digest_splits(file, k.rec[i].line, mds[j], NULL, f[1], f[2]->val, f[2]->len);
	}
	hex_kat_free(&k);
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

/* Each record one-shot, every shorter output a prefix of it, and the chunk XOR redone by hand. */
static void
test_mikey_prf(void)
{
	static const char *const names[] = { "inkey", "label", "out", NULL };
	const struct hex_field *f[MAX_FIELDS];
	const char *file = "mikey-prf.txt";
	uint8_t out[256 + 1], ref[256];
	size_t i, n, multi = 0;
	struct hex_kat k;
	struct err e;
	int ok;

	if (kat_open(file, 10, &k) == -1)
		return;
	for (i = 0; i < k.nrec; i++) {
		const struct hex_record *r = &k.rec[i];

		if (kat_fields(file, r, f, names) == -1)
			continue;
		CU_ASSERT_FATAL(f[2]->len < sizeof(out));
		CU_ASSERT_EQUAL(crypto_mikey_prf(f[0]->val, f[0]->len, f[1]->val, f[1]->len, out,
		    f[2]->len, &e), 0);
		CU_ASSERT_TRUE(same(file, r->line, "one-shot", out, f[2]->val, f[2]->len));

		ok = 1;
		for (n = 1; n <= f[2]->len && ok; n++) {
			out[n] = 0xa5;
			ok = crypto_mikey_prf(f[0]->val, f[0]->len, f[1]->val, f[1]->len, out, n,
			    &e) == 0 && same(file, r->line, "prefix", out, f[2]->val, n) &&
			    out[n] == 0xa5;
			if (!ok)
				fprintf(stderr, "\n%s:%zu: output of %zu bytes fails\n", file, r->line,
				    n);
		}
		CU_ASSERT_TRUE(ok);

		if (f[0]->len > 32) {
			multi++;
			CU_ASSERT_EQUAL(prf_by_chunks(f[0]->val, f[0]->len, f[1]->val, f[1]->len,
			    ref, f[2]->len), 0);
			CU_ASSERT_TRUE(same(file, r->line, "chunk XOR", ref, f[2]->val, f[2]->len));
		}
	}
	/* The file must exercise the multi-chunk path (the 40- and 72-byte inkeys). */
	CU_ASSERT_TRUE(multi >= 2);
	hex_kat_free(&k);
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
test_mikey_msg_keys(void)
{
	static const char *const names[] = { "psk", "csb_id", "rand", "t64", "enc", "auth", "salt",
	    "iv", NULL };
	const struct hex_field *f[MAX_FIELDS];
	const char *file = "mikey-keys.txt";
	struct crypto_msg_keys mk;
	uint8_t out[CRYPTO_AUTH_KEY_LEN], label[9 + 64], iv[16];
	struct hex_kat k;
	struct err e;
	uint32_t csb;
	size_t i;

	if (kat_open(file, 2, &k) == -1)
		return;
	for (i = 0; i < k.nrec; i++) {
		const struct hex_record *r = &k.rec[i];

		if (kat_fields(file, r, f, names) == -1)
			continue;
		CU_ASSERT_EQUAL_FATAL(f[1]->len, 4);
		CU_ASSERT_EQUAL_FATAL(f[3]->len, 8);
		CU_ASSERT_FATAL(f[2]->len <= 64);
		csb = be32(f[1]->val);

		memset(&mk, 0xa5, sizeof(mk));
		CU_ASSERT_EQUAL(crypto_mikey_msg_keys(f[0]->val, f[0]->len, csb, f[2]->val,
		    f[2]->len, &mk, &e), 0);
		CU_ASSERT_TRUE(same(file, r->line, "enc", mk.enc, f[4]->val, f[4]->len));
		CU_ASSERT_TRUE(same(file, r->line, "auth", mk.auth, f[5]->val, f[5]->len));
		CU_ASSERT_TRUE(same(file, r->line, "salt", mk.salt, f[6]->val, f[6]->len));
		CU_ASSERT_EQUAL(f[4]->len, sizeof(mk.enc));
		CU_ASSERT_EQUAL(f[5]->len, sizeof(mk.auth));
		CU_ASSERT_EQUAL(f[6]->len, sizeof(mk.salt));

		CU_ASSERT_EQUAL(crypto_mikey_derive(f[0]->val, f[0]->len, CRYPTO_C_MSG_AUTH, -1, csb,
		    f[2]->val, f[2]->len, out, CRYPTO_AUTH_KEY_LEN, &e), 0);
		CU_ASSERT_TRUE(same(file, r->line, "derive auth", out, f[5]->val, f[5]->len));

		/* RFC 3830 4.1.4 label by hand: const || 0xFF || CSB ID || RAND. */
		label[0] = 0x15, label[1] = 0x05, label[2] = 0x33, label[3] = 0xe1;
		label[4] = 0xff;
		memcpy(label + 5, f[1]->val, 4);
		memcpy(label + 9, f[2]->val, f[2]->len);
		CU_ASSERT_EQUAL(crypto_mikey_prf(f[0]->val, f[0]->len, label, 9 + f[2]->len, out,
		    CRYPTO_ENC_KEY_LEN, &e), 0);
		CU_ASSERT_TRUE(same(file, r->line, "PRF enc", out, f[4]->val, f[4]->len));

		memset(iv, 0xa5, sizeof(iv));
		crypto_kemac_iv(mk.salt, csb, be64(f[3]->val), iv);
		CU_ASSERT_TRUE(same(file, r->line, "IV", iv, f[7]->val, sizeof(iv)));
		CU_ASSERT_EQUAL(f[7]->len, sizeof(iv));
	}
	hex_kat_free(&k);
}

static void
test_mikey_tgk(void)
{
	static const char *const names[] = { "tgk", "const", "cs_id", "csb_id", "rand", "out",
	    NULL };
	const struct hex_field *f[MAX_FIELDS];
	const char *file = "mikey-tgk.txt";
	uint8_t out[64];
	struct hex_kat k;
	struct err e;
	size_t i;

	if (kat_open(file, 5, &k) == -1)
		return;
	for (i = 0; i < k.nrec; i++) {
		const struct hex_record *r = &k.rec[i];

		if (kat_fields(file, r, f, names) == -1)
			continue;
		CU_ASSERT_FATAL(f[1]->len == 4 && f[2]->len == 1 && f[3]->len == 4);
		CU_ASSERT_FATAL(f[5]->len <= sizeof(out));
		CU_ASSERT_EQUAL(crypto_mikey_derive(f[0]->val, f[0]->len, be32(f[1]->val),
		    f[2]->val[0], be32(f[3]->val), f[4]->val, f[4]->len, out, f[5]->len, &e), 0);
		CU_ASSERT_TRUE(same(file, r->line, "derive", out, f[5]->val, f[5]->len));
	}
	hex_kat_free(&k);
}

/* Assembles S = FC || P0 || L0 || ... into b, as TS 33.220 B.2 writes it. */
static void
gba_s(struct bld *b, uint8_t fc, const struct crypto_iov *p, size_t n)
{
	size_t i;

	bld_init(b);
	bld_u8(b, fc);
	for (i = 0; i < n; i++) {
		bld_bytes(b, p[i].p, p[i].len);
		bld_u16(b, (uint16_t)p[i].len);
	}
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

/* GBA KDF one-shot, S assembled and fed to HMAC split at every offset, and Ks_NAF where it fits. */
static void
test_gba_kdf(void)
{
	static const char *const names[] = { "key", "fc", "out", NULL };
	const struct hex_field *f[MAX_FIELDS], *kf;
	struct crypto_iov p[HEX_MAX_FIELDS], two[2];
	uint8_t out[CRYPTO_SHA256_LEN];
	const char *file = "gba-kdf.txt";
	char impi[256];
	size_t i, n, np, naf = 0;
	struct hex_kat k;
	struct bld s;
	struct err e;
	int ok;

	if (kat_open(file, 5, &k) == -1)
		return;
	for (i = 0; i < k.nrec; i++) {
		const struct hex_record *r = &k.rec[i];

		if (kat_fields(file, r, f, names) == -1)
			continue;
		kf = f[0];
		CU_ASSERT_FATAL(f[1]->len == 1 && f[2]->len == CRYPTO_SHA256_LEN);
		np = gba_params(r, p, HEX_MAX_FIELDS);
		CU_ASSERT_EQUAL(crypto_gba_kdf(kf->val, kf->len, f[1]->val[0], p, np, out, &e), 0);
		CU_ASSERT_TRUE(same(file, r->line, "KDF", out, f[2]->val, sizeof(out)));

		gba_s(&s, f[1]->val[0], p, np);
		CU_ASSERT_EQUAL_FATAL(bld_finish(&s, &e), 0);
		ok = 1;
		for (n = 0; n <= s.len && ok; n++) {
			two[0].p = s.buf;
			two[0].len = n;
			two[1].p = s.buf + n;
			two[1].len = s.len - n;
			ok = crypto_hmac(CRYPTO_MD_SHA256, kf->val, kf->len, two, 2, out, &e) == 0 &&
			    same(file, r->line, "HMAC of S split", out, f[2]->val, sizeof(out));
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
			CU_ASSERT_TRUE(same(file, r->line, "Ks_NAF", out, f[2]->val, sizeof(out)));
			naf++;
		}
	}
	CU_ASSERT_EQUAL(naf, 2);
	hex_kat_free(&k);
}

/* The MRK of the default profile and its base64; its Ks_NAF is the first record of gba-kdf.txt. */
static void
test_mrk(void)
{
	static const char *const names[] = { "ks_naf", "label", "mrk", "mrk_b64", NULL };
	const struct hex_field *f[MAX_FIELDS], *naf;
	uint8_t out[CRYPTO_SHA256_LEN];
	char b64[4 * (CRYPTO_SHA256_LEN + 2) / 3 + 1];
	struct hex_kat k, g;
	struct crypto_iov p;
	struct err e;

	if (kat_open("mrk.txt", 1, &k) == -1)
		return;
	if (kat_fields("mrk.txt", &k.rec[0], f, names) == 0) {
		const struct hex_record *r = &k.rec[0];

		CU_ASSERT_FATAL(f[0]->len == CRYPTO_SHA256_LEN && f[2]->len == CRYPTO_SHA256_LEN);
		p.p = f[1]->val;
		p.len = f[1]->len;
		CU_ASSERT_EQUAL(crypto_gba_kdf(f[0]->val, f[0]->len, 0x01, &p, 1, out, &e), 0);
		CU_ASSERT_TRUE(same("mrk.txt", r->line, "MRK", out, f[2]->val, sizeof(out)));
		CU_ASSERT_EQUAL(crypto_base64(out, sizeof(out), b64), f[3]->len);
		CU_ASSERT_TRUE(same("mrk.txt", r->line, "base64", (const uint8_t *)b64, f[3]->val,
		    f[3]->len));
		if (kat_open("gba-kdf.txt", 1, &g) == 0) {
			naf = hex_kat_get(&g.rec[0], "out");
			CU_ASSERT_TRUE(naf != NULL && naf->len == f[0]->len &&
			    memcmp(naf->val, f[0]->val, naf->len) == 0);
			hex_kat_free(&g);
		}
	}
	hex_kat_free(&k);
}

static void
test_base64(void)
{
	static const char *const names[] = { "in", "out", NULL };
	const struct hex_field *f[MAX_FIELDS];
	const char *file = "base64.txt";
	char out[64];
	struct hex_kat k;
	size_t i, n;

	/* RFC 4648 10: "", "f", ..., "foobar", every tail length 0, 1 and 2. */
	if (kat_open(file, 7, &k) == -1)
		return;
	for (i = 0; i < k.nrec; i++) {
		const struct hex_record *r = &k.rec[i];

		if (kat_fields(file, r, f, names) == -1)
			continue;
		CU_ASSERT_FATAL(f[1]->len + 2 <= sizeof(out));
		memset(out, 'X', sizeof(out));
		n = crypto_base64(f[0]->val, f[0]->len, out);
		CU_ASSERT_EQUAL(n, f[1]->len);
		CU_ASSERT_EQUAL(n, 4 * ((f[0]->len + 2) / 3));
		CU_ASSERT_TRUE(same(file, r->line, "base64", (const uint8_t *)out, f[1]->val,
		    f[1]->len));
		/* The terminating NUL is written and nothing past it. */
		CU_ASSERT_EQUAL(out[n], '\0');
		CU_ASSERT_EQUAL(out[n + 1], 'X');
	}
	hex_kat_free(&k);
}

static void
test_equal(void)
{
	uint8_t a[40], b[40];
	size_t len, i;
	int ok = 1;

	for (i = 0; i < sizeof(a); i++)
		a[i] = b[i] = (uint8_t)(i * 5 + 1);
	CU_ASSERT_EQUAL(crypto_equal(a, b, 0), 1);
	CU_ASSERT_EQUAL(crypto_equal(a, b, sizeof(a)), 1);
	/* A one-bit difference at every position of every length is seen. */
	for (len = 1; len <= sizeof(a); len++)
		for (i = 0; i < len; i++) {
			b[i] ^= 0x80;
			ok &= crypto_equal(a, b, len) == 0;
			b[i] ^= 0x80;
			ok &= crypto_equal(a, b, len) == 1;
		}
	CU_ASSERT_TRUE(ok);
	/* Bytes past len do not count. */
	b[39] ^= 1;
	CU_ASSERT_EQUAL(crypto_equal(a, b, 39), 1);
	CU_ASSERT_EQUAL(crypto_equal(a, b, 40), 0);
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
	gba_s(&s, 0x01, p, 3);
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

/* Misuse that the functions must refuse with a message rather than compute something. */
static void
test_errors(void)
{
	static const uint8_t key[16], rnd[16];
	uint8_t out[32], iv[16] = { 0 };
	struct crypto_msg_keys mk;
	struct crypto_iov v = { "abc", 3 };
	struct err e;

	e.msg[0] = '\0';
	CU_ASSERT_EQUAL(crypto_mikey_prf(key, sizeof(key), rnd, 4, out, 0, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "output length"));
	e.msg[0] = '\0';
	CU_ASSERT_EQUAL(crypto_mikey_prf(key, 0, rnd, 4, out, 16, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "inkey"));
	e.msg[0] = '\0';
	CU_ASSERT_EQUAL(crypto_mikey_derive(key, sizeof(key), CRYPTO_C_TEK, 256, 1, rnd,
	    sizeof(rnd), out, 16, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "CS ID"));
	/* A NULL err slot is allowed: the failure is still reported by the return value. */
	CU_ASSERT_EQUAL(crypto_mikey_prf(key, sizeof(key), rnd, 4, out, 0, NULL), -1);

	/* A failed derivation does not leave half the message keys behind. */
	memset(&mk, 0xa5, sizeof(mk));
	CU_ASSERT_EQUAL(crypto_mikey_msg_keys(key, 0, 1, rnd, sizeof(rnd), &mk, &e), -1);
	CU_ASSERT_EQUAL(mk.enc[0] | mk.auth[0] | mk.salt[CRYPTO_SALT_LEN - 1], 0);

	e.msg[0] = '\0';
	CU_ASSERT_EQUAL(crypto_hash((enum crypto_md)99, &v, 1, out, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "unknown digest"));
	e.msg[0] = '\0';
	CU_ASSERT_EQUAL(crypto_hmac((enum crypto_md)99, key, 16, &v, 1, out, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "unknown digest"));
	CU_ASSERT_PTR_NULL(crypto_md_name((enum crypto_md)99));
	CU_ASSERT_EQUAL(crypto_md_len((enum crypto_md)99), 0);
	CU_ASSERT_STRING_EQUAL(crypto_md_name(CRYPTO_MD_SHA256), "SHA256");

	CU_ASSERT_EQUAL(crypto_ks_naf(key, 16, NULL, rnd, 16, "impi", rnd, 4, out, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "P0"));
	CU_ASSERT_EQUAL(crypto_ks_naf(key, 16, "gba-me", rnd, 16, NULL, rnd, 4, out, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "IMPI"));

	/* Length 0 with NULL buffers is a no-op, not a crash. */
	CU_ASSERT_EQUAL(crypto_aes_cm(key, iv, NULL, NULL, 0, &e), 0);
	CU_ASSERT_EQUAL(crypto_random(NULL, 0, &e), 0);
}

/* Empty inputs given as NULL pointers with length 0 are the empty string. */
static void
test_empty_inputs(void)
{
	static const uint8_t label9[9] = { 0x2a, 0xd0, 0x1c, 0x64, 0x03, 0, 0, 0, 5 };
	static const uint8_t k20[20] = { 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
	    0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b };
	struct crypto_iov gap[3] = { { NULL, 0 }, { "abc", 3 }, { NULL, 0 } };
	uint8_t out[CRYPTO_SHA256_LEN], exp[16];
	char b64[4];
	struct err e;

	/* HMAC(empty key, empty message): python3 hmac.new(b'', b'', sha1/sha256). */
	CU_ASSERT_EQUAL(crypto_hmac(CRYPTO_MD_SHA1, NULL, 0, NULL, 0, out, &e), 0);
	TU_ASSERT_HEX(out, CRYPTO_SHA1_LEN, "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d");
	CU_ASSERT_EQUAL(crypto_hmac(CRYPTO_MD_SHA256, NULL, 0, NULL, 0, out, &e), 0);
	TU_ASSERT_HEX(out, CRYPTO_SHA256_LEN,
	    "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
	/* FIPS 180-2 SHA-256 of "" and of "abc" with empty pieces around it. */
	CU_ASSERT_EQUAL(crypto_hash(CRYPTO_MD_SHA256, NULL, 0, out, &e), 0);
	TU_ASSERT_HEX(out, CRYPTO_SHA256_LEN,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	CU_ASSERT_EQUAL(crypto_hash(CRYPTO_MD_SHA256, gap, 3, out, &e), 0);
	TU_ASSERT_HEX(out, CRYPTO_SHA256_LEN,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	/* The gba-kdf.txt record with no parameters, given as NULL. */
	CU_ASSERT_EQUAL(crypto_gba_kdf(k20, sizeof(k20), 0x01, NULL, 0, out, &e), 0);
	TU_ASSERT_HEX(out, CRYPTO_SHA256_LEN,
	    "23a1e0a09eb9d617f9a1d98a8947e8b188092787a8d54e4cb3c303a31b466d4e");
	/* A derivation with no RAND is the PRF of the 9-byte label. */
	CU_ASSERT_EQUAL(crypto_mikey_derive(k20, sizeof(k20), CRYPTO_C_TEK, 3, 5, NULL, 0, out,
	    sizeof(exp), &e), 0);
	CU_ASSERT_EQUAL(crypto_mikey_prf(k20, sizeof(k20), label9, sizeof(label9),
	    exp, sizeof(exp), &e), 0);
	CU_ASSERT_EQUAL(memcmp(out, exp, sizeof(exp)), 0);
	/* An empty label is legal for the PRF. */
	CU_ASSERT_EQUAL(crypto_mikey_prf(k20, sizeof(k20), NULL, 0, out, 20, &e), 0);
	CU_ASSERT_EQUAL(crypto_base64(NULL, 0, b64), 0);
	CU_ASSERT_EQUAL(b64[0], '\0');
}

static void
test_random(void)
{
	static const uint8_t zero[64];
	uint8_t a[64], b[64];
	struct err e;

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	CU_ASSERT_EQUAL(crypto_random(a, sizeof(a), &e), 0);
	CU_ASSERT_EQUAL(crypto_random(b, sizeof(b), &e), 0);
	/* 2^-512 chance of a false failure. */
	CU_ASSERT_NOT_EQUAL(memcmp(a, b, sizeof(a)), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(a, zero, sizeof(a)), 0);
}

int
test_crypto_register(void)
{
	static const struct tu_test tests[] = {
		{ "AES-CM RFC 3711 B.2, one-shot, in place, prefixes, block splits",
		    test_aes_cm_rfc3711 },
		{ "AES-CTR counter carry and partial block", test_aes_ctr_carry },
		{ "HMAC-MD5 RFC 2202, one-shot and split", test_hmac_md5 },
		{ "HMAC-SHA-1 RFC 2202, one-shot and split", test_hmac_sha1 },
		{ "HMAC-SHA-256 RFC 4231, one-shot and split", test_hmac_sha256 },
		{ "hashes FIPS 180-2 / RFC 1321, one-shot and split", test_hash },
		{ "MIKEY-1 PRF vectors, prefixes, chunk XOR", test_mikey_prf },
		{ "MIKEY-1 PRF inkeys of 1..100 bytes", test_mikey_prf_chunks },
		{ "MIKEY message keys and KEMAC IV", test_mikey_msg_keys },
		{ "MIKEY TGK derivations", test_mikey_tgk },
		{ "GBA KDF and Ks_NAF", test_gba_kdf },
		{ "MRK of the default profile [A]", test_mrk },
		{ "base64 RFC 4648 section 10", test_base64 },
		{ "constant-time equality", test_equal },
		{ "GBA KDF parameter longer than 65535 bytes", test_gba_param_len },
		{ "error paths", test_errors },
		{ "empty and NULL inputs", test_empty_inputs },
		{ "random bytes", test_random },
		{ NULL, NULL }
	};

	return tu_register("crypto", tests);
}
