/* protect: PSK protection of MIKEY messages and the MBMS verification MAC. */
#include "protect.h"

#include <stdlib.h>
#include <string.h>

#include "crypto.h"

/* Finds the one payload of a type the protection needs; absent or repeated is malformed. */
static const struct mikey_payload *
need_one(const struct mikey_msg *m, uint8_t type, struct err *e)
{
	const struct mikey_payload *p;
	size_t from = 0;

	if ((p = mikey_find(m, type, &from)) == NULL) {
		err_setx(e, "%s: payload missing", mikey_name(mikey_payload_names, type));
		return NULL;
	}
	if (mikey_find(m, type, &from) != NULL) {
		err_setx(e, "%s: payload present twice", mikey_name(mikey_payload_names, type));
		return NULL;
	}
	return p;
}

static int
msg_keys(const struct mikey_msg *m, const uint8_t *psk, size_t psk_len,
    struct crypto_msg_keys *k, struct err *e)
{
	const struct mikey_payload *r;

	if ((r = need_one(m, MIKEY_PT_RAND, e)) == NULL)
		return -1;
	return crypto_mikey_msg_keys(psk, psk_len, m->hdr.csb_id, r->u.rand.data.p,
	    r->u.rand.data.len, k, e);
}

/* AES-CM over data in place with the RFC 3830 4.2.3 IV built from the message's T. */
static int
kemac_crypt(const struct mikey_msg *m, const struct crypto_msg_keys *k, uint8_t encr_alg,
    uint8_t *data, size_t len, struct err *e)
{
	const struct mikey_payload *t;
	uint8_t iv[16];

	switch (encr_alg) {
	case MIKEY_ENCR_NULL:
		return 0;
	case MIKEY_ENCR_AES_CM_128:
		if ((t = need_one(m, MIKEY_PT_T, e)) == NULL)
			return -1;
		crypto_kemac_iv(k->salt, m->hdr.csb_id, mikey_ts_u64(&t->u.t.value), iv);
		return crypto_aes_cm(k->enc, iv, data, data, len, e);
	}
	return err_setx(e, "KEMAC: encr alg %u is not supported for protection", encr_alg);
}

/* HMAC-SHA-1 over the message minus the MAC field at [mac_off, mac_off + 20). */
static int
kemac_mac(const uint8_t *msg, size_t len, size_t mac_off, const struct crypto_msg_keys *k,
    uint8_t out[20], struct err *e)
{
	struct crypto_iov iov[2] = {
		{ msg, mac_off },
		{ msg + mac_off + 20, len - mac_off - 20 }
	};

	return crypto_hmac(CRYPTO_MD_SHA1, k->auth, sizeof(k->auth), iov, 2, out, e);
}

int
protect_encode(const struct mikey_msg *m, const uint8_t *psk, size_t psk_len, struct bld *out,
    struct err *e)
{
	static const uint8_t zero_mac[20];
	struct crypto_msg_keys k;
	struct mikey_msg *copy = NULL, *dec = NULL;
	struct mikey_payload *km;
	struct bld plain, msg;
	size_t i;
	int rc = -1;

	bld_init(&plain);
	bld_init(&msg);
	if (need_one(m, MIKEY_PT_KEMAC, e) == NULL)
		goto done;
	/* Messages are large structs; keep them off the stack of callers like Lua bindings. */
	if ((copy = malloc(sizeof(*copy))) == NULL || (dec = malloc(sizeof(*dec))) == NULL) {
		err_set(e, "protect");
		goto done;
	}
	*copy = *m;
	for (i = 0, km = NULL; i < copy->npayloads; i++)
		if (copy->p[i].type == MIKEY_PT_KEMAC)
			km = &copy->p[i];
	if (mikey_encode_keys(km->u.kemac.keys, km->u.kemac.nkeys, &plain, e) == -1)
		goto done;
	if (msg_keys(copy, psk, psk_len, &k, e) == -1 ||
	    kemac_crypt(copy, &k, km->u.kemac.encr_alg, plain.buf, plain.len, e) == -1)
		goto done;
	km->u.kemac.encr.p = plain.buf;
	km->u.kemac.encr.len = plain.len;
	if (mikey_mac_len(km->u.kemac.mac_alg) < 0) {
		err_setx(e, "KEMAC: unknown mac alg %u", km->u.kemac.mac_alg);
		goto done;
	}
	km->u.kemac.mac.p = zero_mac;
	km->u.kemac.mac.len = (size_t)mikey_mac_len(km->u.kemac.mac_alg);
	if (mikey_encode(copy, &msg, e) == -1)
		goto done;
	if (km->u.kemac.mac_alg == MIKEY_MAC_HMAC_SHA1_160) {
		const struct mikey_payload *dk;

		/* Locate the MAC field by decoding what was just encoded: one source of truth. */
		if (mikey_decode(msg.buf, msg.len, dec, e) == -1 ||
		    (dk = need_one(dec, MIKEY_PT_KEMAC, e)) == NULL)
			goto done;
		if (kemac_mac(msg.buf, msg.len, dk->u.kemac.mac_offset, &k,
		    msg.buf + dk->u.kemac.mac_offset, e) == -1)
			goto done;
	}
	bld_bytes(out, msg.buf, msg.len);
	rc = bld_finish(out, e);
done:
	crypto_cleanse(&k, sizeof(k));
	free(copy);
	free(dec);
	bld_free(&plain);
	bld_free(&msg);
	return rc;
}

int
protect_decode(const uint8_t *buf, size_t len, const uint8_t *psk, size_t psk_len,
    struct mikey_msg *m, struct bld *plain, struct err *e)
{
	struct crypto_msg_keys k;
	struct mikey_payload *km = NULL;
	uint8_t mac[20];
	size_t i;
	int rc = PROTECT_MALFORMED;

	if (mikey_decode(buf, len, m, e) == -1)
		return PROTECT_MALFORMED;
	if (need_one(m, MIKEY_PT_KEMAC, e) == NULL)
		return PROTECT_MALFORMED;
	for (i = 0; i < m->npayloads; i++)
		if (m->p[i].type == MIKEY_PT_KEMAC)
			km = &m->p[i];
	if (msg_keys(m, psk, psk_len, &k, e) == -1)
		goto done;
	/* RFC 3830 5.2: the MAC is checked before anything of the content is used. */
	if (km->u.kemac.mac_alg == MIKEY_MAC_HMAC_SHA1_160) {
		if (kemac_mac(buf, len, km->u.kemac.mac_offset, &k, mac, e) == -1)
			goto done;
		if (!crypto_equal(mac, km->u.kemac.mac.p, sizeof(mac))) {
			err_setx(e, "KEMAC: MAC mismatch (message not protected by this key) at "
			    "offset %zu", km->u.kemac.mac_offset);
			rc = PROTECT_BAD_MAC;
			goto done;
		}
	} else if (km->u.kemac.mac_alg != MIKEY_MAC_NULL) {
		err_setx(e, "KEMAC: mac alg %u is not supported", km->u.kemac.mac_alg);
		goto done;
	}
	bld_reset(plain);
	bld_bytes(plain, km->u.kemac.encr.p, km->u.kemac.encr.len);
	if (bld_finish(plain, e) == -1)
		goto done;
	if (kemac_crypt(m, &k, km->u.kemac.encr_alg, plain->buf, plain->len, e) == -1)
		goto done;
	if (mikey_parse_keys(plain->buf, plain->len,
	    km->offset + 4, &km->u.kemac, e) == -1) {
		err_prefix(e, "decrypted key data");
		goto done;
	}
	rc = PROTECT_OK;
done:
	crypto_cleanse(&k, sizeof(k));
	return rc;
}

int
protect_vmac_reading(const char *name)
{
	if (strcmp(name, "mykey") == 0)
		return PROTECT_VMAC_MYKEY;
	if (strcmp(name, "minisip") == 0)
		return PROTECT_VMAC_MINISIP;
	return -1;
}

/* The delivery's initiator and responder identities: ID payloads in order, or IDR by role. */
static int
delivery_ids(const struct mikey_msg *d, struct mikey_bytes *idi, struct mikey_bytes *idr,
    struct err *e)
{
	size_t i, nid = 0;
	int have_i = 0, have_r = 0;

	for (i = 0; i < d->npayloads; i++) {
		const struct mikey_payload *p = &d->p[i];

		if (p->type == MIKEY_PT_ID) {
			if (nid == 0 && !have_i) {
				*idi = p->u.id.data;
				have_i = 1;
			} else if (!have_r) {
				*idr = p->u.id.data;
				have_r = 1;
			}
			nid++;
		} else if (p->type == MIKEY_PT_IDR && p->u.idr.role == 1 && !have_i) {
			*idi = p->u.idr.data;
			have_i = 1;
		} else if (p->type == MIKEY_PT_IDR && p->u.idr.role == 2 && !have_r) {
			*idr = p->u.idr.data;
			have_r = 1;
		}
	}
	if (!have_i || !have_r)
		return err_setx(e, "delivery: IDi and IDr needed for the verification MAC");
	return 0;
}

int
protect_vmac(enum protect_vmac_reading reading, const uint8_t *vmsg, size_t vlen,
    const struct mikey_msg *d, const uint8_t *psk, size_t psk_len, uint8_t mac[20],
    struct err *e)
{
	struct crypto_msg_keys k;
	const struct mikey_payload *t, *v;
	struct mikey_bytes idi = { NULL, 0 }, idr = { NULL, 0 };
	struct mikey_msg *vm;
	struct crypto_iov iov[4];
	size_t n = 0;
	int rc = -1;

	if ((vm = malloc(sizeof(*vm))) == NULL)
		return err_set(e, "verification MAC");
	if (mikey_decode(vmsg, vlen, vm, e) == -1) {
		err_prefix(e, "verification message");
		goto done;
	}
	if ((v = need_one(vm, MIKEY_PT_V, e)) == NULL ||
	    (t = need_one(d, MIKEY_PT_T, e)) == NULL)
		goto done;
	if (v->u.v.auth_alg != MIKEY_MAC_HMAC_SHA1_160) {
		err_setx(e, "V: auth alg %u is not HMAC-SHA-1-160", v->u.v.auth_alg);
		goto done;
	}
	if (reading == PROTECT_VMAC_MYKEY && delivery_ids(d, &idi, &idr, e) == -1)
		goto done;
	if (msg_keys(d, psk, psk_len, &k, e) == -1)
		goto done;
	iov[n].p = vmsg;
	iov[n++].len = v->u.v.data_offset;
	if (reading == PROTECT_VMAC_MYKEY) {
		iov[n].p = idi.p;
		iov[n++].len = idi.len;
		iov[n].p = idr.p;
		iov[n++].len = idr.len;
	}
	iov[n].p = t->u.t.value.p;
	iov[n++].len = t->u.t.value.len;
	rc = crypto_hmac(CRYPTO_MD_SHA1, k.auth, sizeof(k.auth), iov, n, mac, e);
	crypto_cleanse(&k, sizeof(k));
done:
	free(vm);
	return rc;
}

/* Offset of the V payload's verification data in an encoded message, or -1. */
static int
vdata_offset(const uint8_t *vmsg, size_t vlen, size_t *off, struct err *e)
{
	struct mikey_msg *vm;
	const struct mikey_payload *v;
	int rc = -1;

	if ((vm = malloc(sizeof(*vm))) == NULL)
		return err_set(e, "verification MAC");
	if (mikey_decode(vmsg, vlen, vm, e) == 0 && (v = need_one(vm, MIKEY_PT_V, e)) != NULL) {
		*off = v->u.v.data_offset;
		rc = 0;
	}
	free(vm);
	return rc;
}

int
protect_vmac_sign(enum protect_vmac_reading reading, uint8_t *vmsg, size_t vlen,
    const struct mikey_msg *d, const uint8_t *psk, size_t psk_len, struct err *e)
{
	uint8_t mac[20];
	size_t off;

	if (protect_vmac(reading, vmsg, vlen, d, psk, psk_len, mac, e) == -1 ||
	    vdata_offset(vmsg, vlen, &off, e) == -1)
		return -1;
	memcpy(vmsg + off, mac, sizeof(mac));
	return 0;
}

int
protect_vmac_verify(enum protect_vmac_reading reading, const uint8_t *vmsg, size_t vlen,
    const struct mikey_msg *d, const uint8_t *psk, size_t psk_len, struct err *e)
{
	uint8_t mac[20];
	size_t off;

	if (protect_vmac(reading, vmsg, vlen, d, psk, psk_len, mac, e) == -1 ||
	    vdata_offset(vmsg, vlen, &off, e) == -1)
		return PROTECT_MALFORMED;
	if (!crypto_equal(mac, vmsg + off, sizeof(mac)))
		return err_setx(e, "V: verification MAC mismatch at offset %zu", off),
		    PROTECT_BAD_MAC;
	return PROTECT_OK;
}
