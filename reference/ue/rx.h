/*
 * rx: reception of one MIKEY datagram by the UE — what it is, whether it may be believed, and
 * (for an MSK delivery with V=1) the verification message to send back.
 *
 * Checks in the order mikey.md §2 gives for a receiver: the message decodes, HDR is MIKEY-1
 * PSK (version 1, data type 0, PRF 0), the Key ID names an MSK or an MTK, the identities match
 * (IDi = BM-SC FQDN, IDr = own B-TID), the MAC verifies under the MUK (or the MSK), the
 * counter is fresh, the key data is well formed. Accepted messages advance the replay
 * counters in the store; anything else is dropped with the reason, and nothing is ever sent
 * back for a dropped message (no MIKEY error message, TS 33.246 / TS 33.501 W.4 restatement).
 * Decisions about keys (storing, requesting, leaving) belong to the caller.
 */
#ifndef UE_RX_H
#define UE_RX_H

#include <stddef.h>
#include <stdint.h>

#include "builder.h"
#include "conf.h"
#include "err.h"
#include "store.h"

enum rx_kind {
	RX_DROP,		/* discarded; why says why */
	RX_DELIVERY,		/* a verified MSK delivery (msk filled in) */
	RX_PULL,		/* a verified solicited pull naming kdid/mskid */
	RX_MTK,			/* an MTK message accepted under a held MSK */
	RX_MTK_UNKNOWN		/* a well-formed MTK message under an MSK the UE lacks */
};

struct rx_ctx {
	const struct conf *c;
	const uint8_t *muk;
	size_t muk_len;
	unsigned faults;
	struct store *st;	/* counters are checked against and advanced in it */
	/* 1 when the UE takes part in a service of this Key Domain (others are dropped). */
	int (*domain_active)(void *arg, const uint8_t kdid[KDID_LEN]);
	void *arg;
};

struct rx_out {
	enum rx_kind kind;
	char why[ERR_MSG_MAX];
	uint8_t kdid[KDID_LEN], mskid[MSKID_LEN];
	uint64_t counter;
	struct store_msk msk;		/* RX_DELIVERY: key, SEQl, SEQu, v */
	uint32_t mtk_id;		/* RX_MTK, RX_MTK_UNKNOWN */
	int fault_used;			/* a fault switch changed the outcome */
	int have_verification;
	struct bld verification;	/* the verification message to return to the sender */
};

void	rx_out_init(struct rx_out *o);
void	rx_out_free(struct rx_out *o);
/* Classifies, verifies and (when accepted) records one datagram. Returns o->kind. */
enum rx_kind rx_handle(const struct rx_ctx *ctx, const uint8_t *buf, size_t len,
	    struct rx_out *o);
const char *rx_kind_name(enum rx_kind k);

#endif
