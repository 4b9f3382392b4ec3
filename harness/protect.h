/*
 * protect: MIKEY PSK protection of whole messages (RFC 3830 4.1, 4.2, 5.2) — build, encrypt,
 * MAC on the way out; MAC-check, decrypt, decode on the way in — and the MAC of the MBMS
 * verification message (V payload) in both readings found in implementations.
 *
 * A failure on the way in is one of two kinds so that a caller can tell "the peer's bytes are
 * broken" from "the bytes are fine but not made with this key".
 */
#ifndef MBMS_PROTECT_H
#define MBMS_PROTECT_H

#include <stddef.h>
#include <stdint.h>

#include "builder.h"
#include "err.h"
#include "mikey.h"

enum protect_status {
	PROTECT_OK = 0,
	PROTECT_MALFORMED = -1,	/* does not decode, lacks KEMAC/RAND/T, or bad key data */
	PROTECT_BAD_MAC = -2	/* decodes, but the MAC does not verify under this key */
};

/*
 * Encodes m with its KEMAC's plaintext keys (keys[0..nkeys)) encrypted under the message
 * encryption key derived from psk with the message's CSB ID and RAND, and the MAC computed with
 * the message authentication key over everything but the MAC itself. The KEMAC's encr and mac
 * views in m are ignored. Appends to out.
 */
int	protect_encode(const struct mikey_msg *m, const uint8_t *psk, size_t psk_len,
	    struct bld *out, struct err *e);

/*
 * Decodes buf into m, verifies the KEMAC MAC under psk (constant time), decrypts the key data
 * into plain (owned by the caller; m's keys borrow it) and parses it. Returns enum
 * protect_status.
 */
int	protect_decode(const uint8_t *buf, size_t len, const uint8_t *psk, size_t psk_len,
	    struct mikey_msg *m, struct bld *plain, struct err *e);

/* The two readings of RFC 3830 5.2 for the verification MAC input (a profile switch). */
enum protect_vmac_reading {
	PROTECT_VMAC_MYKEY,	/* msg through auth alg || IDi data || IDr data || T value */
	PROTECT_VMAC_MINISIP	/* msg through auth alg || T value */
};

/* Parses "mykey" / "minisip"; -1 for an unknown name. */
int	protect_vmac_reading(const char *name);

/*
 * Computes the V payload MAC of an encoded verification message vmsg (its V data may hold
 * anything) answering the decoded delivery, keyed by the authentication key derived from psk
 * with the delivery's CSB ID and RAND. IDi/IDr are the delivery's first two ID payloads (or its
 * IDR payloads with roles 1 and 2).
 */
int	protect_vmac(enum protect_vmac_reading reading, const uint8_t *vmsg, size_t vlen,
	    const struct mikey_msg *delivery, const uint8_t *psk, size_t psk_len,
	    uint8_t mac[20], struct err *e);
/* Writes the MAC into vmsg's V payload in place. */
int	protect_vmac_sign(enum protect_vmac_reading reading, uint8_t *vmsg, size_t vlen,
	    const struct mikey_msg *delivery, const uint8_t *psk, size_t psk_len, struct err *e);
/* Returns enum protect_status for a received verification message. */
int	protect_vmac_verify(enum protect_vmac_reading reading, const uint8_t *vmsg, size_t vlen,
	    const struct mikey_msg *delivery, const uint8_t *psk, size_t psk_len, struct err *e);

#endif
