/*
 * crypto: every cryptographic primitive mbmsct uses. The only file that includes OpenSSL
 * (OpenSSL 3, EVP and EVP_MAC only). Errors from OpenSSL's queue become our message here.
 *
 * All functions return 0 on success and -1 with a message in e. Output buffers are caller-owned.
 * Key material never lives in static storage.
 */
#ifndef MBMS_CRYPTO_H
#define MBMS_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define CRYPTO_MD5_LEN		16
#define CRYPTO_SHA1_LEN		20
#define CRYPTO_SHA256_LEN	32
#define CRYPTO_MAX_MD		32

/* A piece of a message fed to a hash or MAC without concatenating first. */
struct crypto_iov {
	const void *p;
	size_t len;
};

enum crypto_md {
	CRYPTO_MD_MD5,
	CRYPTO_MD_SHA1,
	CRYPTO_MD_SHA256
};

/* RFC 3830 4.1.3 constants of the MIKEY-1 key derivation [V]. */
#define CRYPTO_C_MSG_ENC	0x150533E1u
#define CRYPTO_C_MSG_AUTH	0x2D22AC75u
#define CRYPTO_C_MSG_SALT	0x29B88916u
#define CRYPTO_C_TEK		0x2AD01C64u
#define CRYPTO_C_TGK_AUTH	0x1B5C7973u
#define CRYPTO_C_TGK_ENC	0x15798CEFu
#define CRYPTO_C_TGK_SALT	0x39A2C14Bu

/* Lengths RFC 3830 uses with AES-CM-128 and HMAC-SHA-1-160. */
#define CRYPTO_ENC_KEY_LEN	16
#define CRYPTO_AUTH_KEY_LEN	20
#define CRYPTO_SALT_LEN		14

/* Returns the name of a digest ("MD5", "SHA1", "SHA256"). */
const char *crypto_md_name(enum crypto_md md);
/* Output length of a digest. */
size_t	crypto_md_len(enum crypto_md md);

/* Hash of the concatenation of iov[0..n). out must hold crypto_md_len(md) bytes. */
int	crypto_hash(enum crypto_md md, const struct crypto_iov *iov, size_t n,
	    uint8_t *out, struct err *e);
/* HMAC of the concatenation of iov[0..n). out must hold crypto_md_len(md) bytes. */
int	crypto_hmac(enum crypto_md md, const uint8_t *key, size_t key_len,
	    const struct crypto_iov *iov, size_t n, uint8_t *out, struct err *e);
/* Constant-time equality (CRYPTO_memcmp); 1 when equal. */
int	crypto_equal(const void *a, const void *b, size_t len);
/* Wipes key material in a way the compiler cannot elide (OPENSSL_cleanse). */
void	crypto_cleanse(void *p, size_t len);
/* Cryptographically strong random bytes. */
int	crypto_random(uint8_t *out, size_t len, struct err *e);

/*
 * MIKEY-1 PRF (RFC 3830 4.1.2): inkey split in 256-bit chunks, each through P(s, label, m) with
 * HMAC-SHA-1, results XORed; output truncated to out_len. Any inkey length >= 1, any label.
 */
int	crypto_mikey_prf(const uint8_t *inkey, size_t inkey_len, const uint8_t *label,
	    size_t label_len, uint8_t *out, size_t out_len, struct err *e);

/*
 * Derivation from a TGK/PSK/envelope key (RFC 3830 4.1.3/4.1.4):
 *   label = constant(32) || cs_id(8) || csb_id(32) || rand   when cs_id >= 0 (from a TGK)
 *   label = constant(32) || 0xFF     || csb_id(32) || rand   when cs_id < 0  (message keys)
 */
int	crypto_mikey_derive(const uint8_t *key, size_t key_len, uint32_t constant, int cs_id,
	    uint32_t csb_id, const uint8_t *rand, size_t rand_len, uint8_t *out, size_t out_len,
	    struct err *e);

/* The three message keys from a PSK (enc 16, auth 20, salt 14 bytes). */
struct crypto_msg_keys {
	uint8_t enc[CRYPTO_ENC_KEY_LEN];
	uint8_t auth[CRYPTO_AUTH_KEY_LEN];
	uint8_t salt[CRYPTO_SALT_LEN];
};
int	crypto_mikey_msg_keys(const uint8_t *psk, size_t psk_len, uint32_t csb_id,
	    const uint8_t *rand, size_t rand_len, struct crypto_msg_keys *k, struct err *e);

/* RFC 3830 4.2.3: IV = (salt XOR (0x0000 || csb_id || t64)) || 0x0000, salt 14 bytes. */
void	crypto_kemac_iv(const uint8_t salt[CRYPTO_SALT_LEN], uint32_t csb_id, uint64_t t64,
	    uint8_t iv[16]);
/* AES-CM-128 (AES-128-CTR, big-endian 128-bit counter starting at iv); in may equal out. */
int	crypto_aes_cm(const uint8_t key[16], const uint8_t iv[16], const uint8_t *in,
	    uint8_t *out, size_t len, struct err *e);

/*
 * TS 33.220 B.2 KDF: HMAC-SHA-256(key, FC || P0 || L0 || ... || Pn || Ln), Li = 2-byte length
 * of Pi. Fails if a parameter is longer than 65535 bytes.
 */
int	crypto_gba_kdf(const uint8_t *key, size_t key_len, uint8_t fc,
	    const struct crypto_iov *params, size_t nparams, uint8_t out[CRYPTO_SHA256_LEN],
	    struct err *e);
/*
 * TS 33.220 B.3: Ks_(ext)_NAF = KDF(Ks, "gba-me", RAND, IMPI, NAF_Id) with FC 0x01; p0 names
 * the variant ("gba-me", or "gba-u" for the GBA_U internal key).
 */
int	crypto_ks_naf(const uint8_t *ks, size_t ks_len, const char *p0, const uint8_t *rand,
	    size_t rand_len, const char *impi, const uint8_t *naf_id, size_t naf_id_len,
	    uint8_t out[CRYPTO_SHA256_LEN], struct err *e);

/* RFC 4648 base64 with padding; out must hold 4*ceil(n/3)+1 bytes. Returns the length. */
size_t	crypto_base64(const uint8_t *in, size_t n, char *out);

#endif
