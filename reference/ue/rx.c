/* rx: decoding, verification and classification of the MIKEY messages a UE receives. */
#include "rx.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "cursor.h"
#include "faults.h"
#include "mikey.h"
#include "protect.h"

/* mikey.md §2 [A]: Key ID = Key Domain ID || MSK ID [|| MTK ID of 2 bytes]. */
#define MTKID_LEN	2
#define MSK_KEYID_LEN	(KDID_LEN + MSKID_LEN)
#define MTK_KEYID_LEN	(KDID_LEN + MSKID_LEN + MTKID_LEN)

static enum rx_kind
drop(struct rx_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static enum rx_kind
drop(struct rx_out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(o->why, sizeof(o->why), fmt, ap);
	va_end(ap);
	o->kind = RX_DROP;
	o->have_verification = 0;
	return RX_DROP;
}

void
rx_out_init(struct rx_out *o)
{
	memset(o, 0, sizeof(*o));
	bld_init(&o->verification);
}

void
rx_out_free(struct rx_out *o)
{
	bld_free(&o->verification);
	crypto_cleanse(&o->msk, sizeof(o->msk));
}

const char *
rx_kind_name(enum rx_kind k)
{
	switch (k) {
	case RX_DROP:
		return "dropped";
	case RX_DELIVERY:
		return "MSK delivery";
	case RX_PULL:
		return "solicited pull";
	case RX_MTK:
		return "MTK message";
	case RX_MTK_UNKNOWN:
		return "MTK message under an unknown MSK";
	}
	return "?";
}

/* The Key ID extension body: key ID type(8) | key ID len(16) | key ID [A: mikey.md §1]. */
static int
key_id(const struct conf *c, const struct mikey_msg *m, uint8_t *type, struct mikey_bytes *id,
    char *why, size_t size)
{
	const struct mikey_payload *p;
	struct cur cu;
	uint16_t len;
	size_t from = 0;

	while ((p = mikey_find(m, MIKEY_PT_GENEXT, &from)) != NULL) {
		if (p->u.ext.ext_type != c->keyid_ext_type)
			continue;
		cur_init(&cu, p->u.ext.data.p, p->u.ext.data.len);
		if (cur_get_u8(&cu, type) == -1 || cur_get_u16(&cu, &len) == -1 ||
		    cur_get_bytes(&cu, len, &id->p) == -1 || cur_remaining(&cu) != 0) {
			snprintf(why, size, "Key ID extension at offset %zu is malformed",
			    p->offset);
			return -1;
		}
		id->len = len;
		return 0;
	}
	snprintf(why, size, "no Key ID extension (General Extension type %d)", c->keyid_ext_type);
	return -1;
}

/* The T payload as a COUNTER (the only TS type MBMS uses [A]). */
static int
counter_of(const struct mikey_msg *m, uint64_t *counter, char *why, size_t size)
{
	const struct mikey_payload *t;
	size_t from = 0;

	if ((t = mikey_find(m, MIKEY_PT_T, &from)) == NULL) {
		snprintf(why, size, "no T payload");
		return -1;
	}
	if (t->u.t.ts_type != MIKEY_TS_COUNTER) {
		snprintf(why, size, "T is %s (%u), not COUNTER",
		    mikey_name(mikey_ts_names, t->u.t.ts_type) ? mikey_name(mikey_ts_names,
		    t->u.t.ts_type) : "?", t->u.t.ts_type);
		return -1;
	}
	*counter = mikey_ts_u64(&t->u.t.value);
	return 0;
}

/* IDi and IDr: the first two ID payloads, or IDR payloads with roles 1 and 2. */
static int
identities(const struct mikey_msg *m, struct mikey_bytes *idi, struct mikey_bytes *idr)
{
	size_t i, nid = 0;
	int hi = 0, hr = 0;

	for (i = 0; i < m->npayloads; i++) {
		const struct mikey_payload *p = &m->p[i];

		if (p->type == MIKEY_PT_ID && nid == 0) {
			*idi = p->u.id.data;
			hi = 1;
			nid++;
		} else if (p->type == MIKEY_PT_ID && nid == 1) {
			*idr = p->u.id.data;
			hr = 1;
			nid++;
		} else if (p->type == MIKEY_PT_IDR && p->u.idr.role == 1 && !hi) {
			*idi = p->u.idr.data;
			hi = 1;
		} else if (p->type == MIKEY_PT_IDR && p->u.idr.role == 2 && !hr) {
			*idr = p->u.idr.data;
			hr = 1;
		}
	}
	return hi && hr ? 0 : -1;
}

static int
bytes_eq_str(const struct mikey_bytes *b, const char *s)
{
	return b->len == strlen(s) && memcmp(b->p, s, b->len) == 0;
}

/* Prints an identity for a log line (bytes outside printable ASCII as '.'). */
static void
printable(const struct mikey_bytes *b, char *out, size_t size)
{
	size_t i, n = b->len < size - 1 ? b->len : size - 1;

	for (i = 0; i < n; i++)
		out[i] = b->p[i] >= 0x20 && b->p[i] < 0x7f ? (char)b->p[i] : '.';
	out[n] = '\0';
}

static struct mikey_payload *
kemac_of(struct mikey_msg *m)
{
	size_t i;

	for (i = 0; i < m->npayloads; i++)
		if (m->p[i].type == MIKEY_PT_KEMAC)
			return &m->p[i];
	return NULL;
}

/*
 * Fault accept-bad-mac only: decrypts and parses the key data as protect_decode would, but
 * without checking the MAC, so that a UE with this fault uses what a conformant one discards.
 */
static int
open_unchecked(const uint8_t *buf, size_t len, const uint8_t *psk, size_t psk_len,
    struct mikey_msg *m, struct bld *plain, struct err *e)
{
	struct crypto_msg_keys k;
	const struct mikey_payload *r, *t;
	struct mikey_payload *km;
	size_t from;
	uint8_t iv[16];
	int rc = -1;

	if (mikey_decode(buf, len, m, e) == -1)
		return -1;
	from = 0;
	r = mikey_find(m, MIKEY_PT_RAND, &from);
	from = 0;
	t = mikey_find(m, MIKEY_PT_T, &from);
	if ((km = kemac_of(m)) == NULL || r == NULL || t == NULL)
		return err_setx(e, "KEMAC, RAND or T missing");
	if (crypto_mikey_msg_keys(psk, psk_len, m->hdr.csb_id, r->u.rand.data.p,
	    r->u.rand.data.len, &k, e) == -1)
		return -1;
	bld_reset(plain);
	bld_bytes(plain, km->u.kemac.encr.p, km->u.kemac.encr.len);
	if (bld_finish(plain, e) == -1)
		goto done;
	if (km->u.kemac.encr_alg == MIKEY_ENCR_AES_CM_128) {
		crypto_kemac_iv(k.salt, m->hdr.csb_id, mikey_ts_u64(&t->u.t.value), iv);
		if (crypto_aes_cm(k.enc, iv, plain->buf, plain->buf, plain->len, e) == -1)
			goto done;
	} else if (km->u.kemac.encr_alg != MIKEY_ENCR_NULL) {
		err_setx(e, "KEMAC: encr alg %u not supported", km->u.kemac.encr_alg);
		goto done;
	}
	rc = mikey_parse_keys(plain->buf, plain->len, km->offset + 4, &km->u.kemac, e);
done:
	crypto_cleanse(&k, sizeof(k));
	return rc;
}

/* A 1..4 byte big-endian integer (SEQl, SEQu are 2 bytes in the default profile [A]). */
static int
uint_of(const struct mikey_bytes *b, uint32_t *v)
{
	size_t i;

	if (b->len < 1 || b->len > 4)
		return -1;
	*v = 0;
	for (i = 0; i < b->len; i++)
		*v = *v << 8 | b->p[i];
	return 0;
}

/*
 * The verification message (mikey.md §2): HDR(data type 1, the delivery's CSB ID, V=0),
 * T (echo of the delivery's), ID (copy of the delivery's IDr), V (HMAC-SHA-1 under the MUK's
 * authentication key derived with the delivery's CSB ID and RAND).
 */
static int
build_verification(const struct rx_ctx *ctx, const struct mikey_msg *d, struct bld *out,
    struct err *e)
{
	static const uint8_t zero[20];
	const struct mikey_payload *t, *idr = NULL;
	struct mikey_msg *v;
	size_t i, from = 0, nid = 0;
	int rc = -1;

	if ((t = mikey_find(d, MIKEY_PT_T, &from)) == NULL)
		return err_setx(e, "delivery has no T");
	for (i = 0; i < d->npayloads; i++) {
		if (d->p[i].type == MIKEY_PT_ID && ++nid == 2)
			idr = &d->p[i];
		if (d->p[i].type == MIKEY_PT_IDR && d->p[i].u.idr.role == 2 && idr == NULL)
			idr = &d->p[i];
	}
	if (idr == NULL)
		return err_setx(e, "delivery has no IDr");
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return err_set(e, "verification");
	v->hdr = d->hdr;
	v->hdr.data_type = 1;
	v->hdr.v = 0;
	v->npayloads = 3;
	v->p[0].type = MIKEY_PT_T;
	v->p[0].u.t.ts_type = t->u.t.ts_type;
	v->p[0].u.t.value = t->u.t.value;
	v->p[1].type = MIKEY_PT_ID;
	if (idr->type == MIKEY_PT_ID) {
		v->p[1].u.id.id_type = idr->u.id.id_type;
		v->p[1].u.id.data = idr->u.id.data;
	} else {
		v->p[1].u.id.id_type = idr->u.idr.id_type;
		v->p[1].u.id.data = idr->u.idr.data;
	}
	v->p[2].type = MIKEY_PT_V;
	v->p[2].u.v.auth_alg = MIKEY_MAC_HMAC_SHA1_160;
	v->p[2].u.v.data.p = zero;
	v->p[2].u.v.data.len = sizeof(zero);
	bld_reset(out);
	if (mikey_encode(v, out, e) == -1)
		goto done;
	rc = protect_vmac_sign((enum protect_vmac_reading)ctx->c->v_mac_reading, out->buf,
	    out->len, d, ctx->muk, ctx->muk_len, e);
done:
	free(v);
	return rc;
}

/* An MSK delivery or solicited pull, protected by the MUK. */
static enum rx_kind
under_muk(const struct rx_ctx *ctx, const uint8_t *buf, size_t len, struct mikey_msg *m,
    struct rx_out *o)
{
	struct mikey_bytes idi = { NULL, 0 }, idr = { NULL, 0 };
	struct mikey_payload *km;
	struct bld plain;
	struct err e;
	char a[64], b[64], why[256];
	enum rx_kind kind;
	int st;

	/* The MUK is found by (IDi, IDr): the UE knows one BM-SC and one identity of its own. */
	if (identities(m, &idi, &idr) == -1)
		return drop(o, "no IDi/IDr payloads");
	if (!bytes_eq_str(&idi, ctx->c->fqdn) || !bytes_eq_str(&idr, ctx->c->btid)) {
		printable(&idi, a, sizeof(a));
		printable(&idr, b, sizeof(b));
		return drop(o, "identities IDi '%s' / IDr '%s' are not BM-SC '%s' / own B-TID '%s'",
		    a, b, ctx->c->fqdn, ctx->c->btid);
	}
	if (counter_of(m, &o->counter, why, sizeof(why)) == -1)
		return drop(o, "%s", why);
	bld_init(&plain);
	/* RFC 3830 5.2: the MAC is verified before anything of the content is used. */
	st = protect_decode(buf, len, ctx->muk, ctx->muk_len, m, &plain, &e);
	if (st == PROTECT_BAD_MAC && fault_on(ctx->faults, FAULT_ACCEPT_BAD_MAC)) {
		if (open_unchecked(buf, len, ctx->muk, ctx->muk_len, m, &plain, &e) == 0) {
			st = PROTECT_OK;
			o->fault_used = 1;
		}
	}
	if (st == PROTECT_BAD_MAC) {
		kind = drop(o, "MAC does not verify under the MUK (%.300s)", e.msg);
		goto done;
	}
	if (st != PROTECT_OK) {
		kind = drop(o, "malformed under the MUK: %.400s", e.msg);
		goto done;
	}
	/* Replay: only a counter above the last accepted under this MUK [A]. */
	if (!store_muk_counter_ok(ctx->st, o->counter)) {
		if (!fault_on(ctx->faults, FAULT_ACCEPT_REPLAY)) {
			kind = drop(o, "counter %llu is not above the last accepted %llu for the "
			    "MUK (replay)", (unsigned long long)o->counter,
			    (unsigned long long)ctx->st->muk_counter);
			goto done;
		}
		o->fault_used = 1;
	}
	km = kemac_of(m);
	if (km->u.kemac.nkeys == 0) {
		/* A KEMAC without key data is the solicited pull [A: mikey.md §2]. */
		kind = o->kind = RX_PULL;
	} else {
		const struct mikey_keydata *kd = &km->u.kemac.keys[0];

		if (km->u.kemac.nkeys != 1)
			kind = drop(o, "MSK delivery carries %zu keys, expected 1",
			    km->u.kemac.nkeys);
		else if (kd->key.len == 0 || kd->key.len > STORE_KEY_MAX)
			kind = drop(o, "MSK of %zu bytes", kd->key.len);
		else if (kd->kv != MIKEY_KV_INTERVAL ||
		    uint_of(&kd->valid_from, &o->msk.seql) == -1 ||
		    uint_of(&kd->valid_to, &o->msk.sequ) == -1)
			kind = drop(o, "MSK key data lacks a SEQl..SEQu key validity (KV %u)",
			    kd->kv);
		else if (o->msk.seql > o->msk.sequ)
			kind = drop(o, "key validity SEQl %u above SEQu %u", o->msk.seql,
			    o->msk.sequ);
		else {
			memcpy(o->msk.kdid, o->kdid, KDID_LEN);
			memcpy(o->msk.mskid, o->mskid, MSKID_LEN);
			memcpy(o->msk.key, kd->key.p, kd->key.len);
			o->msk.key_len = kd->key.len;
			o->msk.v = m->hdr.v;
			kind = o->kind = RX_DELIVERY;
		}
		if (kind == RX_DROP)
			goto done;
		/* 6.3.2.3.1: V=1 asks for the verification message (fault: none is sent). */
		if (m->hdr.v && !fault_on(ctx->faults, FAULT_NO_VERIFY_MSG)) {
			if (build_verification(ctx, m, &o->verification, &e) == -1) {
				kind = drop(o, "cannot build the verification message: %.300s",
				    e.msg);
				goto done;
			}
			o->have_verification = 1;
			o->msk.verified = 1;
		}
	}
	store_muk_accept(ctx->st, o->counter);
done:
	crypto_cleanse(plain.buf, plain.len);
	bld_free(&plain);
	return kind;
}

/* An MTK message, protected by the MSK its Key ID names. */
static enum rx_kind
under_msk(const struct rx_ctx *ctx, const uint8_t *buf, size_t len, struct mikey_msg *m,
    struct rx_out *o)
{
	struct store_msk *msk;
	struct mikey_payload *km;
	struct bld plain;
	struct err e;
	enum store_mtk v;
	enum rx_kind kind;
	char why[256];
	int st;

	if ((msk = store_find(ctx->st, o->kdid, o->mskid)) == NULL) {
		o->kind = RX_MTK_UNKNOWN;
		return RX_MTK_UNKNOWN;
	}
	if (counter_of(m, &o->counter, why, sizeof(why)) == -1)
		return drop(o, "%s", why);
	bld_init(&plain);
	st = protect_decode(buf, len, msk->key, msk->key_len, m, &plain, &e);
	if (st == PROTECT_BAD_MAC) {
		kind = drop(o, "MAC does not verify under the MSK (%.300s)", e.msg);
		goto done;
	}
	if (st != PROTECT_OK) {
		kind = drop(o, "malformed under the MSK: %.400s", e.msg);
		goto done;
	}
	km = kemac_of(m);
	if (km->u.kemac.nkeys != 1 || km->u.kemac.keys[0].key.len == 0) {
		kind = drop(o, "MTK message carries %zu keys, expected one MTK", km->u.kemac.nkeys);
		goto done;
	}
	if (km->u.kemac.keys[0].kv == MIKEY_KV_SPI) {
		uint32_t spi;

		/* The SPI repeats the MTK ID [A]; a disagreement means a forged or broken Key ID. */
		if (uint_of(&km->u.kemac.keys[0].spi, &spi) == -1 || spi != o->mtk_id) {
			kind = drop(o, "MTK key data SPI does not match the Key ID's MTK ID %u",
			    o->mtk_id);
			goto done;
		}
	}
	if ((v = store_mtk_check(msk, o->counter, o->mtk_id)) != STORE_MTK_OK) {
		kind = drop(o, "MTK ID %u counter %llu: %s (last MTK ID %s%u, SEQ %u..%u)",
		    o->mtk_id, (unsigned long long)o->counter, store_mtk_name(v),
		    msk->have_mtk ? "" : "none/", msk->last_mtk, msk->seql, msk->sequ);
		goto done;
	}
	store_mtk_accept(msk, o->counter, o->mtk_id);
	kind = o->kind = RX_MTK;
done:
	crypto_cleanse(plain.buf, plain.len);
	bld_free(&plain);
	return kind;
}

enum rx_kind
rx_handle(const struct rx_ctx *ctx, const uint8_t *buf, size_t len, struct rx_out *o)
{
	struct mikey_msg *m;
	struct mikey_bytes id;
	struct err e;
	uint8_t type;
	enum rx_kind kind;
	char why[256];

	o->kind = RX_DROP;
	o->why[0] = '\0';
	o->have_verification = 0;
	o->fault_used = 0;
	/* A decoded message is ~40 KB: kept off the stack. */
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return drop(o, "out of memory");
	if (mikey_decode(buf, len, m, &e) == -1) {
		kind = drop(o, "malformed MIKEY: %.400s", e.msg);
		goto done;
	}
	/* MIKEY-1 with pre-shared key, as MBMS uses it [V: RFC 3830, mikey.md §2]. */
	if (m->hdr.version != 1 || m->hdr.prf != 0) {
		kind = drop(o, "HDR version %u / PRF %u, expected 1 / 0", m->hdr.version,
		    m->hdr.prf);
		goto done;
	}
	if (m->hdr.data_type != 0) {
		kind = drop(o, "data type %s (%u) is not for a UE",
		    mikey_name(mikey_data_type_names, m->hdr.data_type) ?
		    mikey_name(mikey_data_type_names, m->hdr.data_type) : "?", m->hdr.data_type);
		goto done;
	}
	if (key_id(ctx->c, m, &type, &id, why, sizeof(why)) == -1) {
		kind = drop(o, "%s", why);
		goto done;
	}
	if (type == ctx->c->keyid_msk_type) {
		if (id.len != MSK_KEYID_LEN) {
			kind = drop(o, "MSK Key ID of %zu bytes, expected %d", id.len,
			    MSK_KEYID_LEN);
			goto done;
		}
		memcpy(o->kdid, id.p, KDID_LEN);
		memcpy(o->mskid, id.p + KDID_LEN, MSKID_LEN);
		if (!ctx->domain_active(ctx->arg, o->kdid)) {
			kind = drop(o, "Key Domain %02x%02x%02x: no service of it joined", o->kdid[0],
			    o->kdid[1], o->kdid[2]);
			goto done;
		}
		kind = under_muk(ctx, buf, len, m, o);
	} else if (type == ctx->c->keyid_mtk_type) {
		if (id.len != MTK_KEYID_LEN) {
			kind = drop(o, "MTK Key ID of %zu bytes, expected %d", id.len,
			    MTK_KEYID_LEN);
			goto done;
		}
		memcpy(o->kdid, id.p, KDID_LEN);
		memcpy(o->mskid, id.p + KDID_LEN, MSKID_LEN);
		o->mtk_id = (uint32_t)id.p[KDID_LEN + MSKID_LEN] << 8 | id.p[KDID_LEN + MSKID_LEN + 1];
		if (!ctx->domain_active(ctx->arg, o->kdid)) {
			kind = drop(o, "Key Domain %02x%02x%02x: no service of it joined", o->kdid[0],
			    o->kdid[1], o->kdid[2]);
			goto done;
		}
		kind = under_msk(ctx, buf, len, m, o);
	} else
		kind = drop(o, "Key ID type %u is neither MSK (%d) nor MTK (%d)", type,
		    ctx->c->keyid_msk_type, ctx->c->keyid_mtk_type);
done:
	free(m);
	return kind;
}
