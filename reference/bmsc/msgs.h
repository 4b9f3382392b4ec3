/*
 * msgs: the MIKEY messages the BM-SC sends (mikey.md §2) — MSK delivery, solicited pull and
 * MTK delivery — built as a struct mikey_msg and protected with the harness's protect_encode,
 * plus the check of a UE's verification message against the delivery it answers.
 *
 * The HDR constants (version 1, PRF MIKEY-1, #CS 0, Empty map) are the MBMS profile's; the Key
 * ID extension type, Key ID types, ID type and RAND length come from the configuration.
 */
#ifndef BMSC_MSGS_H
#define BMSC_MSGS_H

#include <stddef.h>
#include <stdint.h>

#include "builder.h"
#include "err.h"

/* An MSK delivery; with msk NULL, a solicited pull (KEMAC without key data). */
struct msgs_msk {
	uint32_t csb_id;
	uint32_t counter;
	const uint8_t *rand;
	size_t rand_len;
	const char *idi;	/* BM-SC FQDN */
	const char *idr;	/* B-TID */
	uint8_t id_type;
	uint8_t ext_type;	/* General Extension type carrying the Key ID */
	uint8_t keyid_type;
	const uint8_t *kdid;	/* 3 bytes */
	const uint8_t *mskid;	/* 4 bytes */
	int v;
	const uint8_t *msk;	/* 16 bytes, or NULL */
	uint16_t seql, sequ;
};

/* An MTK delivery under an MSK. */
struct msgs_mtk {
	uint32_t csb_id;
	uint32_t counter;
	const uint8_t *rand;
	size_t rand_len;
	uint8_t ext_type;
	uint8_t keyid_type;
	const uint8_t *kdid;
	const uint8_t *mskid;
	uint16_t mtkid;
	const uint8_t *mtk;	/* 16 bytes */
};

/* Appends the protected MSK message (PSK = MUK) to out. */
int	msgs_msk(const struct msgs_msk *p, const uint8_t *muk, size_t muk_len, struct bld *out,
	    struct err *e);
/* Appends the protected MTK message (PSK = MSK) to out. */
int	msgs_mtk(const struct msgs_mtk *p, const uint8_t *msk, size_t msk_len, struct bld *out,
	    struct err *e);
/* Flips the lowest bit of the KEMAC MAC of an encoded message in place (the bad-mac fault). */
int	msgs_flip_mac(uint8_t *buf, size_t len, struct err *e);
/* Reads the data type and CSB ID of a received message; -1 when it does not decode. */
int	msgs_peek(const uint8_t *buf, size_t len, uint8_t *data_type, uint32_t *csb_id,
	    struct err *e);
/*
 * Checks a verification message against the delivery (as sent) under the MUK. Returns
 * PROTECT_OK, PROTECT_MALFORMED or PROTECT_BAD_MAC (protect.h).
 */
int	msgs_verify(int reading, const uint8_t *vmsg, size_t vlen, const uint8_t *delivery,
	    size_t dlen, const uint8_t *muk, size_t muk_len, struct err *e);

#endif
