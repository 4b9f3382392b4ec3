/* msgs: MBMS MIKEY messages of the BM-SC, built on the harness's codec and protection. */
#include "msgs.h"

#include <stdlib.h>
#include <string.h>

#include "mikey.h"
#include "protect.h"

/* The MBMS profile's header (mikey.md §2): version 1, MIKEY-1 PRF, #CS 0, Empty map. */
static void
header(struct mikey_msg *m, uint32_t csb_id, int v)
{
	m->hdr.version = 1;
	m->hdr.data_type = 0;		/* Pre-shared key, initiator */
	m->hdr.v = (uint8_t)(v ? 1 : 0);
	m->hdr.prf = 0;
	m->hdr.csb_id = csb_id;
	m->hdr.cs_count = 0;
	m->hdr.map_type = MIKEY_MAP_EMPTY;
}

static struct mikey_payload *
add(struct mikey_msg *m, uint8_t type)
{
	struct mikey_payload *p = &m->p[m->npayloads++];

	memset(p, 0, sizeof(*p));
	p->type = type;
	return p;
}

/* Key ID body: key ID type(8) | key ID len(16) | key ID [A: mikey.md §1]. */
static void
keyid_body(uint8_t *out, uint8_t type, const uint8_t *id, size_t n)
{
	out[0] = type;
	out[1] = (uint8_t)(n >> 8);
	out[2] = (uint8_t)n;
	memcpy(out + 3, id, n);
}

static void
be32(uint8_t out[4], uint32_t v)
{
	out[0] = (uint8_t)(v >> 24);
	out[1] = (uint8_t)(v >> 16);
	out[2] = (uint8_t)(v >> 8);
	out[3] = (uint8_t)v;
}

static void
be16(uint8_t out[2], uint16_t v)
{
	out[0] = (uint8_t)(v >> 8);
	out[1] = (uint8_t)v;
}

/*
 * The payloads MSK and MTK messages begin alike with (mikey.md §2): the Key ID extension, T (a
 * counter) and RAND. The buffers are the caller's and must outlive the encoding.
 */
static void
add_keyid_t_rand(struct mikey_msg *m, uint8_t ext_type, const uint8_t *ext, size_t ext_len,
    const uint8_t counter[4], const uint8_t *rand, size_t rand_len)
{
	struct mikey_payload *x;

	x = add(m, MIKEY_PT_GENEXT);
	x->u.ext.ext_type = ext_type;
	x->u.ext.data.p = ext;
	x->u.ext.data.len = ext_len;
	x = add(m, MIKEY_PT_T);
	x->u.t.ts_type = MIKEY_TS_COUNTER;
	x->u.t.value.p = counter;
	x->u.t.value.len = 4;
	x = add(m, MIKEY_PT_RAND);
	x->u.rand.data.p = rand;
	x->u.rand.data.len = rand_len;
}

/* The KEMAC of both (AES-CM, HMAC-SHA1), its key data left to the caller. */
static struct mikey_payload *
add_kemac(struct mikey_msg *m)
{
	struct mikey_payload *x = add(m, MIKEY_PT_KEMAC);

	x->u.kemac.encr_alg = MIKEY_ENCR_AES_CM_128;
	x->u.kemac.mac_alg = MIKEY_MAC_HMAC_SHA1_160;
	x->u.kemac.keys_parsed = 1;
	return x;
}

int
msgs_msk(const struct msgs_msk *p, const uint8_t *muk, size_t muk_len, struct bld *out,
    struct err *e)
{
	struct mikey_msg *m;
	struct mikey_payload *x;
	uint8_t ext[3 + 7], id[7], counter[4], from[2], to[2];
	int rc;

	/* Messages are large structs: keep them off the stack. */
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return err_set(e, "MSK message");
	header(m, p->csb_id, p->msk != NULL ? p->v : 0);
	memcpy(id, p->kdid, 3);
	memcpy(id + 3, p->mskid, 4);
	keyid_body(ext, p->keyid_type, id, sizeof(id));
	be32(counter, p->counter);
	add_keyid_t_rand(m, p->ext_type, ext, sizeof(ext), counter, p->rand, p->rand_len);
	x = add(m, MIKEY_PT_ID);
	x->u.id.id_type = p->id_type;
	x->u.id.data.p = (const uint8_t *)p->idi;
	x->u.id.data.len = strlen(p->idi);
	x = add(m, MIKEY_PT_ID);
	x->u.id.id_type = p->id_type;
	x->u.id.data.p = (const uint8_t *)p->idr;
	x->u.id.data.len = strlen(p->idr);
	x = add_kemac(m);
	if (p->msk != NULL) {
		/* One TGK with its validity as MTK IDs SEQl..SEQu (KV interval) [A]. */
		struct mikey_keydata *k = &x->u.kemac.keys[0];

		be16(from, p->seql);
		be16(to, p->sequ);
		k->type = 0;
		k->kv = MIKEY_KV_INTERVAL;
		k->key.p = p->msk;
		k->key.len = 16;
		k->valid_from.p = from;
		k->valid_from.len = 2;
		k->valid_to.p = to;
		k->valid_to.len = 2;
		x->u.kemac.nkeys = 1;
	}
	rc = protect_encode(m, muk, muk_len, out, e);
	free(m);
	return rc;
}

int
msgs_mtk(const struct msgs_mtk *p, const uint8_t *msk, size_t msk_len, struct bld *out,
    struct err *e)
{
	struct mikey_msg *m;
	struct mikey_payload *x;
	struct mikey_keydata *k;
	uint8_t ext[3 + 9], id[9], counter[4], spi[2];
	int rc;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return err_set(e, "MTK message");
	header(m, p->csb_id, 0);
	be16(spi, p->mtkid);
	memcpy(id, p->kdid, 3);
	memcpy(id + 3, p->mskid, 4);
	memcpy(id + 7, spi, 2);
	keyid_body(ext, p->keyid_type, id, sizeof(id));
	be32(counter, p->counter);
	add_keyid_t_rand(m, p->ext_type, ext, sizeof(ext), counter, p->rand, p->rand_len);
	x = add_kemac(m);
	x->u.kemac.nkeys = 1;
	/* One TEK with the MTK ID as its SPI [A]. */
	k = &x->u.kemac.keys[0];
	k->type = 2;
	k->kv = MIKEY_KV_SPI;
	k->key.p = p->mtk;
	k->key.len = 16;
	k->spi.p = spi;
	k->spi.len = 2;
	rc = protect_encode(m, msk, msk_len, out, e);
	free(m);
	return rc;
}

/* Locates the KEMAC MAC by decoding what was encoded, then flips its last bit. */
int
msgs_flip_mac(uint8_t *buf, size_t len, struct err *e)
{
	struct mikey_msg *m;
	const struct mikey_payload *k;
	size_t from = 0;
	int rc = -1;

	if ((m = malloc(sizeof(*m))) == NULL)
		return err_set(e, "flip MAC");
	if (mikey_decode(buf, len, m, e) == 0) {
		if ((k = mikey_find(m, MIKEY_PT_KEMAC, &from)) == NULL || k->u.kemac.mac.len == 0)
			err_setx(e, "flip MAC: no KEMAC MAC");
		else {
			buf[k->u.kemac.mac_offset + k->u.kemac.mac.len - 1] ^= 0x01;
			rc = 0;
		}
	}
	free(m);
	return rc;
}

int
msgs_peek(const uint8_t *buf, size_t len, uint8_t *data_type, uint32_t *csb_id,
    struct err *e)
{
	struct mikey_msg *m;
	int rc;

	if ((m = malloc(sizeof(*m))) == NULL)
		return err_set(e, "peek");
	if ((rc = mikey_decode(buf, len, m, e)) == 0) {
		*data_type = m->hdr.data_type;
		*csb_id = m->hdr.csb_id;
	}
	free(m);
	return rc;
}

int
msgs_verify(int reading, const uint8_t *vmsg, size_t vlen, const uint8_t *delivery,
    size_t dlen, const uint8_t *muk, size_t muk_len, struct err *e)
{
	struct mikey_msg *d;
	int rc;

	if ((d = malloc(sizeof(*d))) == NULL) {
		err_set(e, "verify");
		return PROTECT_MALFORMED;
	}
	if (mikey_decode(delivery, dlen, d, e) == -1) {
		err_prefix(e, "the delivery");
		rc = PROTECT_MALFORMED;
	} else
		rc = protect_vmac_verify((enum protect_vmac_reading)reading, vmsg, vlen, d, muk,
		    muk_len, e);
	free(d);
	return rc;
}
