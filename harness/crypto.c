/* crypto: the MIKEY, GBA and HTTP primitives of mbmsct on OpenSSL 3 EVP and EVP_MAC. */
#include "crypto.h"

#include <limits.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

/* RFC 3830 4.1.2: the inkey is cut into 256-bit chunks. */
#define PRF_CHUNK	32

/* Largest length handed to one OpenSSL call whose length is an int. */
#define OSSL_STEP	(INT_MAX / 2)

/*
 * The one place where OpenSSL's error queue becomes our message: the earliest queued error is the
 * innermost cause, so it is the one named; the queue is emptied so that a later failure does not
 * report a stale reason.
 */
static int
ossl_fail(struct err *e, const char *what)
{
	const char *data = NULL;
	unsigned long code;
	char reason[256];
	int flags = 0;

	code = ERR_get_error_all(NULL, NULL, NULL, &data, &flags);
	if (code == 0)
		err_setx(e, "%s: OpenSSL failed without giving a reason", what);
	else {
		ERR_error_string_n(code, reason, sizeof(reason));
		if (data != NULL && (flags & ERR_TXT_STRING) && data[0] != '\0')
			err_setx(e, "%s: OpenSSL: %s (%s)", what, reason, data);
		else
			err_setx(e, "%s: OpenSSL: %s", what, reason);
	}
	ERR_clear_error();
	return -1;
}

const char *
crypto_md_name(enum crypto_md md)
{
	switch (md) {
	case CRYPTO_MD_MD5:
		return "MD5";
	case CRYPTO_MD_SHA1:
		return "SHA1";
	case CRYPTO_MD_SHA256:
		return "SHA256";
	}
	return NULL;
}

size_t
crypto_md_len(enum crypto_md md)
{
	switch (md) {
	case CRYPTO_MD_MD5:
		return CRYPTO_MD5_LEN;
	case CRYPTO_MD_SHA1:
		return CRYPTO_SHA1_LEN;
	case CRYPTO_MD_SHA256:
		return CRYPTO_SHA256_LEN;
	}
	return 0;
}

int
crypto_hash(enum crypto_md md, const struct crypto_iov *iov, size_t n, uint8_t *out,
    struct err *e)
{
	const char *name = crypto_md_name(md);
	EVP_MD_CTX *ctx = NULL;
	EVP_MD *alg = NULL;
	unsigned int outl;
	int rc = -1;
	size_t i;

	if (name == NULL)
		return err_setx(e, "hash: unknown digest %d", (int)md);
	if ((alg = EVP_MD_fetch(NULL, name, NULL)) == NULL) {
		ossl_fail(e, name);
		goto done;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL || !EVP_DigestInit_ex2(ctx, alg, NULL)) {
		ossl_fail(e, name);
		goto done;
	}
	for (i = 0; i < n; i++) {
		if (iov[i].len == 0)
			continue;
		if (!EVP_DigestUpdate(ctx, iov[i].p, iov[i].len)) {
			ossl_fail(e, name);
			goto done;
		}
	}
	if (!EVP_DigestFinal_ex(ctx, out, &outl)) {
		ossl_fail(e, name);
		goto done;
	}
	rc = 0;
done:
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(alg);
	return rc;
}

/*
 * Returns an HMAC context keyed with key, or NULL with e set. An empty key is legal HMAC
 * (RFC 2104), but OpenSSL reads a NULL key as "keep the old one", so it gets a real pointer.
 */
static EVP_MAC_CTX *
hmac_new(enum crypto_md md, const uint8_t *key, size_t key_len, struct err *e)
{
	static const uint8_t empty[1];
	const char *name = crypto_md_name(md);
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	EVP_MAC *mac;

	if (name == NULL) {
		err_setx(e, "HMAC: unknown digest %d", (int)md);
		return NULL;
	}
	if ((mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL)) == NULL) {
		ossl_fail(e, "HMAC");
		return NULL;
	}
	/* The context holds its own reference to the algorithm. */
	ctx = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);
	if (ctx == NULL) {
		ossl_fail(e, "HMAC");
		return NULL;
	}
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)name, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(ctx, key_len > 0 ? key : empty, key_len, params)) {
		ossl_fail(e, "HMAC");
		EVP_MAC_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/*
 * One MAC under the key ctx already holds: pre (may be empty), then iov[0..n), into out (cap
 * bytes). The context is restarted first, so one keyed context serves many MACs. out may
 * alias pre: every input is consumed before the output is written.
 */
static int
hmac_run(EVP_MAC_CTX *ctx, const uint8_t *pre, size_t pre_len, const struct crypto_iov *iov,
    size_t n, uint8_t *out, size_t cap, struct err *e)
{
	size_t i, outl;

	if (!EVP_MAC_init(ctx, NULL, 0, NULL))
		return ossl_fail(e, "HMAC");
	if (pre_len > 0 && !EVP_MAC_update(ctx, pre, pre_len))
		return ossl_fail(e, "HMAC");
	for (i = 0; i < n; i++)
		if (iov[i].len > 0 && !EVP_MAC_update(ctx, iov[i].p, iov[i].len))
			return ossl_fail(e, "HMAC");
	if (!EVP_MAC_final(ctx, out, &outl, cap))
		return ossl_fail(e, "HMAC");
	return 0;
}

int
crypto_hmac(enum crypto_md md, const uint8_t *key, size_t key_len, const struct crypto_iov *iov,
    size_t n, uint8_t *out, struct err *e)
{
	EVP_MAC_CTX *ctx;
	int rc;

	if ((ctx = hmac_new(md, key, key_len, e)) == NULL)
		return -1;
	rc = hmac_run(ctx, NULL, 0, iov, n, out, crypto_md_len(md), e);
	EVP_MAC_CTX_free(ctx);
	return rc;
}

int
crypto_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

int
crypto_random(uint8_t *out, size_t len, struct err *e)
{
	size_t step;

	for (; len > 0; out += step, len -= step) {
		step = len < OSSL_STEP ? len : OSSL_STEP;
		if (RAND_bytes(out, (int)step) != 1)
			return ossl_fail(e, "random");
	}
	return 0;
}

/* out[0..n) ^= x[0..n). */
static void
xor_into(uint8_t *out, const uint8_t *x, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] ^= x[i];
}

/*
 * RFC 3830 4.1.2 with the label given in pieces, so that derivations never assemble it:
 * for each chunk s of the inkey, A0 = label, Ai = HMAC(s, A(i-1)), and output block i is
 * HMAC(s, Ai || label); the chunks' outputs are XORed.
 */
static int
prf_iov(const uint8_t *inkey, size_t inkey_len, const struct crypto_iov *label, size_t nlabel,
    uint8_t *out, size_t out_len, struct err *e)
{
	uint8_t a[CRYPTO_SHA1_LEN], blk[CRYPTO_SHA1_LEN];
	EVP_MAC_CTX *ctx = NULL;
	size_t off, chunk, pos, take;
	int rc = -1;

	if (inkey_len == 0)
		return err_setx(e, "MIKEY PRF: empty inkey");
	if (out_len == 0)
		return err_setx(e, "MIKEY PRF: output length 0");
	memset(out, 0, out_len);
	for (off = 0; off < inkey_len; off += chunk) {
		/* The last chunk may be shorter than 256 bits (RFC 3830 4.1.2). */
		chunk = inkey_len - off < PRF_CHUNK ? inkey_len - off : PRF_CHUNK;
		EVP_MAC_CTX_free(ctx);
		if ((ctx = hmac_new(CRYPTO_MD_SHA1, inkey + off, chunk, e)) == NULL)
			goto done;
		/* A1 = HMAC(s, A0) with A0 = label. */
		if (hmac_run(ctx, NULL, 0, label, nlabel, a, sizeof(a), e) == -1)
			goto done;
		for (pos = 0; pos < out_len; pos += take) {
			if (hmac_run(ctx, a, sizeof(a), label, nlabel, blk, sizeof(blk), e) == -1)
				goto done;
			take = out_len - pos < sizeof(blk) ? out_len - pos : sizeof(blk);
			xor_into(out + pos, blk, take);
			if (pos + take < out_len &&
			    hmac_run(ctx, a, sizeof(a), NULL, 0, a, sizeof(a), e) == -1)
				goto done;
		}
	}
	rc = 0;
done:
	if (rc == -1) {
		err_prefix(e, "MIKEY PRF");
		OPENSSL_cleanse(out, out_len);
	}
	OPENSSL_cleanse(a, sizeof(a));
	OPENSSL_cleanse(blk, sizeof(blk));
	EVP_MAC_CTX_free(ctx);
	return rc;
}

int
crypto_mikey_prf(const uint8_t *inkey, size_t inkey_len, const uint8_t *label, size_t label_len,
    uint8_t *out, size_t out_len, struct err *e)
{
	struct crypto_iov l = { label, label_len };

	return prf_iov(inkey, inkey_len, &l, 1, out, out_len, e);
}

int
crypto_mikey_derive(const uint8_t *key, size_t key_len, uint32_t constant, int cs_id,
    uint32_t csb_id, const uint8_t *rand, size_t rand_len, uint8_t *out, size_t out_len,
    struct err *e)
{
	struct crypto_iov label[2];
	uint8_t head[9];

	if (cs_id > 0xff)
		return err_setx(e, "MIKEY derivation: CS ID %d does not fit 8 bits", cs_id);
	/* RFC 3830 4.1.3: const || CS ID || CSB ID || RAND; 4.1.4 puts 0xFF in the CS ID place. */
	head[0] = (uint8_t)(constant >> 24);
	head[1] = (uint8_t)(constant >> 16);
	head[2] = (uint8_t)(constant >> 8);
	head[3] = (uint8_t)constant;
	head[4] = cs_id < 0 ? 0xff : (uint8_t)cs_id;
	head[5] = (uint8_t)(csb_id >> 24);
	head[6] = (uint8_t)(csb_id >> 16);
	head[7] = (uint8_t)(csb_id >> 8);
	head[8] = (uint8_t)csb_id;
	label[0].p = head;
	label[0].len = sizeof(head);
	label[1].p = rand;
	label[1].len = rand_len;
	return prf_iov(key, key_len, label, 2, out, out_len, e);
}

int
crypto_mikey_msg_keys(const uint8_t *psk, size_t psk_len, uint32_t csb_id, const uint8_t *rand,
    size_t rand_len, struct crypto_msg_keys *k, struct err *e)
{
	if (crypto_mikey_derive(psk, psk_len, CRYPTO_C_MSG_ENC, -1, csb_id, rand, rand_len,
	    k->enc, sizeof(k->enc), e) == -1 ||
	    crypto_mikey_derive(psk, psk_len, CRYPTO_C_MSG_AUTH, -1, csb_id, rand, rand_len,
	    k->auth, sizeof(k->auth), e) == -1 ||
	    crypto_mikey_derive(psk, psk_len, CRYPTO_C_MSG_SALT, -1, csb_id, rand, rand_len,
	    k->salt, sizeof(k->salt), e) == -1) {
		OPENSSL_cleanse(k, sizeof(*k));
		return -1;
	}
	return 0;
}

void
crypto_kemac_iv(const uint8_t salt[CRYPTO_SALT_LEN], uint32_t csb_id, uint64_t t64,
    uint8_t iv[16])
{
	int i;

	/* RFC 3830 4.2.3: IV = (salt XOR (0x0000 || CSB ID || T)) || 0x0000. */
	memcpy(iv, salt, CRYPTO_SALT_LEN);
	for (i = 0; i < 4; i++)
		iv[2 + i] ^= (uint8_t)(csb_id >> (24 - 8 * i));
	for (i = 0; i < 8; i++)
		iv[6 + i] ^= (uint8_t)(t64 >> (56 - 8 * i));
	iv[14] = 0;
	iv[15] = 0;
}

int
crypto_aes_cm(const uint8_t key[16], const uint8_t iv[16], const uint8_t *in, uint8_t *out,
    size_t len, struct err *e)
{
	EVP_CIPHER_CTX *ctx = NULL;
	EVP_CIPHER *alg = NULL;
	int outl, rc = -1;
	size_t step;

	if (len == 0)
		return 0;
	/* AES-CM of RFC 3711 4.1.1 is CTR mode with the whole block as big-endian counter. */
	if ((alg = EVP_CIPHER_fetch(NULL, "AES-128-CTR", NULL)) == NULL ||
	    (ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    !EVP_EncryptInit_ex2(ctx, alg, key, iv, NULL)) {
		ossl_fail(e, "AES-CM");
		goto done;
	}
	for (; len > 0; in += step, out += step, len -= step) {
		step = len < OSSL_STEP ? len : OSSL_STEP;
		if (!EVP_EncryptUpdate(ctx, out, &outl, in, (int)step) || (size_t)outl != step) {
			ossl_fail(e, "AES-CM");
			goto done;
		}
	}
	rc = 0;
done:
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(alg);
	return rc;
}

int
crypto_gba_kdf(const uint8_t *key, size_t key_len, uint8_t fc, const struct crypto_iov *params,
    size_t nparams, uint8_t out[CRYPTO_SHA256_LEN], struct err *e)
{
	EVP_MAC_CTX *ctx;
	uint8_t l[2];
	size_t i, outl;
	int rc = -1;

	/* TS 33.220 B.2.1: each Li is a 2-byte length, so no Pi may exceed 65535 bytes. */
	for (i = 0; i < nparams; i++)
		if (params[i].len > 0xffff)
			return err_setx(e, "GBA KDF: P%zu is %zu bytes, more than 65535", i,
			    params[i].len);
	if ((ctx = hmac_new(CRYPTO_MD_SHA256, key, key_len, e)) == NULL)
		return err_prefix(e, "GBA KDF");
	if (!EVP_MAC_update(ctx, &fc, 1))
		goto fail;
	for (i = 0; i < nparams; i++) {
		l[0] = (uint8_t)(params[i].len >> 8);
		l[1] = (uint8_t)params[i].len;
		if ((params[i].len > 0 && !EVP_MAC_update(ctx, params[i].p, params[i].len)) ||
		    !EVP_MAC_update(ctx, l, sizeof(l)))
			goto fail;
	}
	if (!EVP_MAC_final(ctx, out, &outl, CRYPTO_SHA256_LEN))
		goto fail;
	rc = 0;
	goto done;
fail:
	ossl_fail(e, "GBA KDF");
done:
	EVP_MAC_CTX_free(ctx);
	return rc;
}

int
crypto_ks_naf(const uint8_t *ks, size_t ks_len, const char *p0, const uint8_t *rand,
    size_t rand_len, const char *impi, const uint8_t *naf_id, size_t naf_id_len,
    uint8_t out[CRYPTO_SHA256_LEN], struct err *e)
{
	struct crypto_iov p[4];

	if (p0 == NULL || impi == NULL)
		return err_setx(e, "Ks_NAF: %s missing", p0 == NULL ? "P0" : "IMPI");
	/* TS 33.220 B.3: FC 0x01, P0 = "gba-me", P1 = RAND, P2 = IMPI, P3 = NAF_Id. */
	p[0].p = p0;
	p[0].len = strlen(p0);
	p[1].p = rand;
	p[1].len = rand_len;
	p[2].p = impi;
	p[2].len = strlen(impi);
	p[3].p = naf_id;
	p[3].len = naf_id_len;
	return crypto_gba_kdf(ks, ks_len, 0x01, p, 4, out, e);
}

size_t
crypto_base64(const uint8_t *in, size_t n, char *out)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;
	uint32_t v;

	/* RFC 4648 4: each 3 bytes become 4 characters; a short tail is padded with '='. */
	for (i = 0; i + 3 <= n; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = alphabet[(v >> 6) & 63];
		out[o++] = alphabet[v & 63];
	}
	if (n - i > 0) {
		v = (uint32_t)in[i] << 16;
		if (n - i == 2)
			v |= (uint32_t)in[i + 1] << 8;
		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = n - i == 2 ? alphabet[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

void
crypto_cleanse(void *p, size_t len)
{
	OPENSSL_cleanse(p, len);
}
