/* test_crypto: known answers for the crypto primitives, one-shot and split, and the error paths. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "hex.h"
#include "testutil.h"

/* The key derivations built on these primitives are tested in test_kdf.c. */

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
aes_record(const char *file, const struct hex_record *r, const struct hex_field *const *f,
    void *arg)
{
	uint8_t *buf, iv[16];
	struct err e;
	size_t n, len;
	int ok;

	(void)arg;
	CU_ASSERT_EQUAL_FATAL(f[0]->len, 16);
	CU_ASSERT_EQUAL_FATAL(f[1]->len, 16);
	CU_ASSERT_EQUAL_FATAL(f[2]->len, f[3]->len);
	len = f[2]->len;
	buf = malloc(len + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);

	CU_ASSERT_EQUAL(crypto_aes_cm(f[0]->val, f[1]->val, f[2]->val, buf, len, &e), 0);
	CU_ASSERT_TRUE(tu_same(file, r->line, "one-shot", buf, f[3]->val, len));

	memcpy(buf, f[2]->val, len);
	CU_ASSERT_EQUAL(crypto_aes_cm(f[0]->val, f[1]->val, buf, buf, len, &e), 0);
	CU_ASSERT_TRUE(tu_same(file, r->line, "in place", buf, f[3]->val, len));

	CU_ASSERT_EQUAL(crypto_aes_cm(f[0]->val, f[1]->val, f[3]->val, buf, len, &e), 0);
	CU_ASSERT_TRUE(tu_same(file, r->line, "decrypt", buf, f[2]->val, len));

	ok = 1;
	for (n = 0; n <= len && ok; n++) {
		buf[n] = 0xa5;
		ok = crypto_aes_cm(f[0]->val, f[1]->val, f[2]->val, buf, n, &e) == 0 &&
		    tu_same(file, r->line, "prefix", buf, f[3]->val, n) && buf[n] == 0xa5;
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
		    tu_same(file, r->line, "split at a block", buf, f[3]->val, len);
	}
	CU_ASSERT_TRUE(ok);
	free(buf);
}

static void
aes_file(const char *file)
{
	static const char *const names[] = { "key", "iv", "pt", "ct", NULL };

	(void)tu_kat_each(file, 3, names, aes_record, NULL);
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
	CU_ASSERT_TRUE(tu_same(file, line, "one-shot", out, exp, exp_len));

	ok = 1;
	for (n = 0; n <= data->len && ok; n++) {
		two[0].len = n;
		two[1].p = data->val + n;
		two[1].len = data->len - n;
		memset(out, 0, sizeof(out));
		ok = RUN(two, 2) == 0 && tu_same(file, line, "split", out, exp, exp_len);
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
	CU_ASSERT_TRUE(tu_same(file, line, "byte by byte", out, exp, exp_len));
	free(many);
#undef RUN
}

/* arg points to the enum crypto_md of the file. */
static void
hmac_record(const char *file, const struct hex_record *r, const struct hex_field *const *f,
    void *arg)
{
	digest_splits(file, r->line, *(const enum crypto_md *)arg, f[0], f[1], f[2]->val,
	    f[2]->len);
}

static void
hmac_file(const char *file, enum crypto_md md)
{
	static const char *const names[] = { "key", "data", "mac", NULL };

	(void)tu_kat_each(file, 7, names, hmac_record, &md);
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
hash_record(const char *file, const struct hex_record *r, const struct hex_field *const *f,
    void *arg)
{
	static const enum crypto_md mds[] = { CRYPTO_MD_MD5, CRYPTO_MD_SHA1, CRYPTO_MD_SHA256 };
	static const char *const md_names[] = { "md5", "sha1", "sha256" };
	size_t j;

	(void)arg;
	for (j = 0; j < 3; j++)
		if (f[0]->len == strlen(md_names[j]) &&
		    memcmp(f[0]->val, md_names[j], f[0]->len) == 0)
			break;
	CU_ASSERT_FATAL(j < 3);
	CU_ASSERT_EQUAL(f[2]->len, crypto_md_len(mds[j]));
	digest_splits(file, r->line, mds[j], NULL, f[1], f[2]->val, f[2]->len);
}

static void
test_hash(void)
{
	static const char *const names[] = { "md", "data", "digest", NULL };

	(void)tu_kat_each("hash.txt", 8, names, hash_record, NULL);
}

static void
base64_record(const char *file, const struct hex_record *r, const struct hex_field *const *f,
    void *arg)
{
	char out[64];
	size_t n;

	(void)arg;
	CU_ASSERT_FATAL(f[1]->len + 2 <= sizeof(out));
	memset(out, 'X', sizeof(out));
	n = crypto_base64(f[0]->val, f[0]->len, out);
	CU_ASSERT_EQUAL(n, f[1]->len);
	CU_ASSERT_EQUAL(n, 4 * ((f[0]->len + 2) / 3));
	CU_ASSERT_TRUE(tu_same(file, r->line, "base64", (const uint8_t *)out, f[1]->val,
	    f[1]->len));
	/* The terminating NUL is written and nothing past it. */
	CU_ASSERT_EQUAL(out[n], '\0');
	CU_ASSERT_EQUAL(out[n + 1], 'X');
}

static void
test_base64(void)
{
	static const char *const names[] = { "in", "out", NULL };

	/* RFC 4648 10: "", "f", ..., "foobar", every tail length 0, 1 and 2. */
	(void)tu_kat_each("base64.txt", 7, names, base64_record, NULL);
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
		{ "base64 RFC 4648 section 10", test_base64 },
		{ "constant-time equality", test_equal },
		{ "error paths", test_errors },
		{ "empty and NULL inputs", test_empty_inputs },
		{ "random bytes", test_random },
		{ NULL, NULL }
	};

	return tu_register("crypto", tests);
}
