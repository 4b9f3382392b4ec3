/* mikey: RFC 3830 payload layouts — decode through the cursor, encode through the builder. */
#include "mikey.h"

#include <stdio.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "cursor.h"

const struct mikey_name mikey_payload_names[] = {
	{ MIKEY_PT_LAST, "Last" }, { MIKEY_PT_KEMAC, "KEMAC" }, { MIKEY_PT_PKE, "PKE" },
	{ MIKEY_PT_DH, "DH" }, { MIKEY_PT_SIGN, "SIGN" }, { MIKEY_PT_T, "T" },
	{ MIKEY_PT_ID, "ID" }, { MIKEY_PT_CERT, "CERT" }, { MIKEY_PT_CHASH, "CHASH" },
	{ MIKEY_PT_V, "V" }, { MIKEY_PT_SP, "SP" }, { MIKEY_PT_RAND, "RAND" },
	{ MIKEY_PT_ERR, "ERR" }, { MIKEY_PT_IDR, "IDR" }, { MIKEY_PT_KEYDATA, "KEYDATA" },
	{ MIKEY_PT_GENEXT, "EXT" }, { -1, NULL }
};

const struct mikey_name mikey_data_type_names[] = {
	{ 0, "Pre-shared" }, { 1, "PSK verification" }, { 2, "Public-key" },
	{ 3, "PK verification" }, { 4, "D-H init" }, { 5, "D-H response" }, { 6, "Error" },
	{ -1, NULL }
};

const struct mikey_name mikey_ts_names[] = {
	{ MIKEY_TS_NTP_UTC, "NTP-UTC" }, { MIKEY_TS_NTP, "NTP" },
	{ MIKEY_TS_COUNTER, "COUNTER" }, { -1, NULL }
};

const struct mikey_name mikey_id_type_names[] = {
	{ 0, "NAI" }, { 1, "URI" }, { 2, "byte string" }, { -1, NULL }
};

const struct mikey_name mikey_encr_names[] = {
	{ MIKEY_ENCR_NULL, "NULL" }, { MIKEY_ENCR_AES_CM_128, "AES-CM-128" },
	{ MIKEY_ENCR_AES_KW_128, "AES-KW-128" }, { -1, NULL }
};

const struct mikey_name mikey_mac_names[] = {
	{ MIKEY_MAC_NULL, "NULL" }, { MIKEY_MAC_HMAC_SHA1_160, "HMAC-SHA-1-160" }, { -1, NULL }
};

const struct mikey_name mikey_key_type_names[] = {
	{ 0, "TGK" }, { 1, "TGK+SALT" }, { 2, "TEK" }, { 3, "TEK+SALT" }, { -1, NULL }
};

const struct mikey_name mikey_kv_names[] = {
	{ MIKEY_KV_NULL, "NULL" }, { MIKEY_KV_SPI, "SPI/MKI" }, { MIKEY_KV_INTERVAL, "Interval" },
	{ -1, NULL }
};

const struct mikey_name mikey_err_names[] = {
	{ 0, "Auth failure" }, { 1, "Invalid TS" }, { 2, "Invalid PRF" }, { 3, "Invalid MAC" },
	{ 4, "Invalid EA" }, { 5, "Invalid HA" }, { 6, "Invalid DH" }, { 7, "Invalid ID" },
	{ 8, "Invalid Cert" }, { 9, "Invalid SP" }, { 10, "Invalid SPpar" }, { 11, "Invalid DT" },
	{ 12, "Unspecified error" }, { -1, NULL }
};

const char *
mikey_name(const struct mikey_name *t, int value)
{
	for (; t->name != NULL; t++)
		if (t->value == value)
			return t->name;
	return NULL;
}

int
mikey_value(const struct mikey_name *t, const char *name)
{
	for (; t->name != NULL; t++)
		if (strcasecmp(t->name, name) == 0)
			return t->value;
	return -1;
}

int
mikey_ts_len(uint8_t ts_type)
{
	switch (ts_type) {
	case MIKEY_TS_NTP_UTC:
	case MIKEY_TS_NTP:
		return 8;
	case MIKEY_TS_COUNTER:
		return 4;
	}
	return -1;
}

int
mikey_mac_len(uint8_t mac_alg)
{
	switch (mac_alg) {
	case MIKEY_MAC_NULL:
		return 0;
	case MIKEY_MAC_HMAC_SHA1_160:
		return 20;
	}
	return -1;
}

static const char *
pt_name(uint8_t type)
{
	const char *n = mikey_name(mikey_payload_names, type);

	return n != NULL ? n : "unknown";
}

/*
 * Decoding helpers: each read names what it reads, so that every failure message has the shape
 * "<payload>: <field> ... at offset N".
 */
static int
need_u8(struct cur *c, uint8_t *v, const char *pl, const char *field, struct err *e)
{
	if (cur_get_u8(c, v) == -1)
		return err_setx(e, "%s: truncated at %s (need 1 byte, 0 remain) at offset %zu",
		    pl, field, cur_offset(c));
	return 0;
}

static int
need_u16(struct cur *c, uint16_t *v, const char *pl, const char *field, struct err *e)
{
	if (cur_get_u16(c, v) == -1)
		return err_setx(e, "%s: truncated at %s (need 2 bytes, %zu remain) at offset %zu",
		    pl, field, cur_remaining(c), cur_offset(c));
	return 0;
}

static int
need_u32(struct cur *c, uint32_t *v, const char *pl, const char *field, struct err *e)
{
	if (cur_get_u32(c, v) == -1)
		return err_setx(e, "%s: truncated at %s (need 4 bytes, %zu remain) at offset %zu",
		    pl, field, cur_remaining(c), cur_offset(c));
	return 0;
}

/* A field whose length came from the wire: the message says "len N exceeds remaining M". */
static int
need_bytes(struct cur *c, size_t n, struct mikey_bytes *out, const char *pl, const char *field,
    struct err *e)
{
	size_t at = cur_offset(c);

	if (cur_get_bytes(c, n, &out->p) == -1)
		return err_setx(e, "%s: %s len %zu exceeds remaining %zu at offset %zu", pl, field,
		    n, cur_remaining(c), at);
	out->len = n;
	return 0;
}

static int
decode_hdr(struct cur *c, struct mikey_hdr *h, uint8_t *next, struct err *e)
{
	uint8_t vprf;
	size_t i, at;

	/* The CS entries are written up to #CS and never read past it: not cleared (speed). */
	memset(h, 0, offsetof(struct mikey_hdr, cs));
	if (need_u8(c, &h->version, "HDR", "version", e) == -1 ||
	    need_u8(c, &h->data_type, "HDR", "data type", e) == -1 ||
	    need_u8(c, next, "HDR", "next payload", e) == -1 ||
	    need_u8(c, &vprf, "HDR", "V/PRF func", e) == -1 ||
	    need_u32(c, &h->csb_id, "HDR", "CSB ID", e) == -1 ||
	    need_u8(c, &h->cs_count, "HDR", "#CS", e) == -1)
		return -1;
	h->v = vprf >> 7;
	h->prf = vprf & 0x7f;
	at = cur_offset(c);
	if (need_u8(c, &h->map_type, "HDR", "CS ID map type", e) == -1)
		return -1;
	switch (h->map_type) {
	case MIKEY_MAP_SRTP:
		if (h->cs_count > MIKEY_MAX_CS)
			return err_setx(e, "HDR: #CS %u exceeds the supported %d at offset %zu",
			    h->cs_count, MIKEY_MAX_CS, at - 1);
		for (i = 0; i < h->cs_count; i++)
			if (need_u8(c, &h->cs[i].policy_no, "HDR", "SRTP map policy no", e) ||
			    need_u32(c, &h->cs[i].ssrc, "HDR", "SRTP map SSRC", e) ||
			    need_u32(c, &h->cs[i].roc, "HDR", "SRTP map ROC", e))
				return -1;
		break;
	case MIKEY_MAP_EMPTY:
		/* RFC 4563 5: the Empty map carries no map info, whatever #CS says. */
		break;
	default:
		return err_setx(e, "HDR: unknown CS ID map type %u at offset %zu", h->map_type, at);
	}
	return 0;
}

int
mikey_parse_keys(const uint8_t *buf, size_t len, size_t origin, struct mikey_kemac *k,
    struct err *e)
{
	struct cur c;
	uint8_t next = MIKEY_PT_KEYDATA, tkv, l8;
	uint16_t l16;

	cur_init(&c, buf, len);
	c.origin = origin;
	k->nkeys = 0;
	k->keys_parsed = 0;
	if (len == 0) {
		k->keys_parsed = 1;
		return 0;
	}
	while (next == MIKEY_PT_KEYDATA) {
		struct mikey_keydata *kd;
		size_t at = cur_offset(&c);

		if (k->nkeys == MIKEY_MAX_KEYS)
			return err_setx(e, "KEYDATA: more than %d key data sub-payloads at offset %zu",
			    MIKEY_MAX_KEYS, at);
		kd = &k->keys[k->nkeys];
		memset(kd, 0, sizeof(*kd));
		if (need_u8(&c, &next, "KEYDATA", "next payload", e) == -1 ||
		    need_u8(&c, &tkv, "KEYDATA", "type/KV", e) == -1)
			return -1;
		kd->type = tkv >> 4;
		kd->kv = tkv & 0x0f;
		if (kd->type > 3)
			return err_setx(e, "KEYDATA: unknown key type %u at offset %zu", kd->type,
			    at + 1);
		if (need_u16(&c, &l16, "KEYDATA", "key data len", e) == -1 ||
		    need_bytes(&c, l16, &kd->key, "KEYDATA", "key data", e) == -1)
			return -1;
		if (kd->type == 1 || kd->type == 3)
			if (need_u16(&c, &l16, "KEYDATA", "salt len", e) == -1 ||
			    need_bytes(&c, l16, &kd->salt, "KEYDATA", "salt", e) == -1)
				return -1;
		switch (kd->kv) {
		case MIKEY_KV_NULL:
			break;
		case MIKEY_KV_SPI:
			if (need_u8(&c, &l8, "KEYDATA", "SPI len", e) == -1 ||
			    need_bytes(&c, l8, &kd->spi, "KEYDATA", "SPI", e) == -1)
				return -1;
			break;
		case MIKEY_KV_INTERVAL:
			if (need_u8(&c, &l8, "KEYDATA", "valid from len", e) == -1 ||
			    need_bytes(&c, l8, &kd->valid_from, "KEYDATA", "valid from", e) == -1 ||
			    need_u8(&c, &l8, "KEYDATA", "valid to len", e) == -1 ||
			    need_bytes(&c, l8, &kd->valid_to, "KEYDATA", "valid to", e) == -1)
				return -1;
			break;
		default:
			return err_setx(e, "KEYDATA: unknown KV type %u at offset %zu", kd->kv,
			    at + 1);
		}
		k->nkeys++;
		if (next != MIKEY_PT_KEYDATA && next != MIKEY_PT_LAST)
			return err_setx(e, "KEYDATA: next payload %u inside KEMAC is not key data "
			    "at offset %zu", next, at);
	}
	if (cur_remaining(&c) != 0)
		return err_setx(e, "KEYDATA: %zu trailing bytes after the last key data at offset %zu",
		    cur_remaining(&c), cur_offset(&c));
	k->keys_parsed = 1;
	return 0;
}

static int
decode_kemac(struct cur *c, struct mikey_kemac *k, struct err *e)
{
	uint16_t l16;
	size_t at;
	int ml;

	memset(k, 0, offsetof(struct mikey_kemac, keys));	/* keys[] is filled up to nkeys */
	if (need_u8(c, &k->encr_alg, "KEMAC", "encr alg", e) == -1 ||
	    need_u16(c, &l16, "KEMAC", "encr data len", e) == -1)
		return -1;
	at = cur_offset(c);
	if (need_bytes(c, l16, &k->encr, "KEMAC", "encr data", e) == -1)
		return -1;
	if (need_u8(c, &k->mac_alg, "KEMAC", "mac alg", e) == -1)
		return -1;
	if ((ml = mikey_mac_len(k->mac_alg)) < 0)
		return err_setx(e, "KEMAC: unknown mac alg %u at offset %zu", k->mac_alg,
		    cur_offset(c) - 1);
	k->mac_offset = cur_offset(c);
	if (need_bytes(c, (size_t)ml, &k->mac, "KEMAC", "MAC", e) == -1)
		return -1;
	/* Key data is readable on the wire only without encryption. */
	if (k->encr_alg == MIKEY_ENCR_NULL)
		return mikey_parse_keys(k->encr.p, k->encr.len, at, k, e);
	return 0;
}

static int
decode_payload(struct cur *c, struct mikey_payload *p, uint8_t *next, struct err *e)
{
	const char *pl = pt_name(p->type);
	uint16_t l16;
	uint8_t l8;
	int n;

	if (need_u8(c, next, pl, "next payload", e) == -1)
		return -1;
	switch (p->type) {
	case MIKEY_PT_KEMAC:
		return decode_kemac(c, &p->u.kemac, e);
	case MIKEY_PT_T:
		if (need_u8(c, &p->u.t.ts_type, pl, "TS type", e) == -1)
			return -1;
		if ((n = mikey_ts_len(p->u.t.ts_type)) < 0)
			return err_setx(e, "T: unknown TS type %u at offset %zu", p->u.t.ts_type,
			    cur_offset(c) - 1);
		return need_bytes(c, (size_t)n, &p->u.t.value, pl, "TS value", e);
	case MIKEY_PT_ID:
		if (need_u8(c, &p->u.id.id_type, pl, "ID type", e) == -1 ||
		    need_u16(c, &l16, pl, "ID len", e) == -1)
			return -1;
		return need_bytes(c, l16, &p->u.id.data, pl, "ID data", e);
	case MIKEY_PT_IDR:
		if (need_u8(c, &p->u.idr.role, pl, "ID role", e) == -1 ||
		    need_u8(c, &p->u.idr.id_type, pl, "ID type", e) == -1 ||
		    need_u16(c, &l16, pl, "ID len", e) == -1)
			return -1;
		return need_bytes(c, l16, &p->u.idr.data, pl, "ID data", e);
	case MIKEY_PT_RAND:
		if (need_u8(c, &l8, pl, "RAND len", e) == -1)
			return -1;
		return need_bytes(c, l8, &p->u.rand.data, pl, "RAND", e);
	case MIKEY_PT_V:
		if (need_u8(c, &p->u.v.auth_alg, pl, "auth alg", e) == -1)
			return -1;
		if ((n = mikey_mac_len(p->u.v.auth_alg)) < 0)
			return err_setx(e, "V: unknown auth alg %u at offset %zu", p->u.v.auth_alg,
			    cur_offset(c) - 1);
		p->u.v.data_offset = cur_offset(c);
		return need_bytes(c, (size_t)n, &p->u.v.data, pl, "verification data", e);
	case MIKEY_PT_ERR:
		if (need_u8(c, &p->u.err.code, pl, "error no", e) == -1)
			return -1;
		return need_u16(c, &p->u.err.reserved, pl, "reserved", e);
	case MIKEY_PT_SP: {
		struct cur params;
		size_t at;

		if (need_u8(c, &p->u.sp.policy_no, pl, "policy no", e) == -1 ||
		    need_u8(c, &p->u.sp.prot_type, pl, "prot type", e) == -1 ||
		    need_u16(c, &l16, pl, "policy param len", e) == -1)
			return -1;
		at = cur_offset(c);
		if (cur_sub(c, l16, &params) == -1)
			return err_setx(e, "SP: policy param len %u exceeds remaining %zu at offset %zu",
			    l16, cur_remaining(c), at);
		p->u.sp.nparams = 0;
		while (cur_remaining(&params) > 0) {
			struct mikey_sp_param *sp;

			if (p->u.sp.nparams == MIKEY_MAX_SP_PARAMS)
				return err_setx(e, "SP: more than %d policy params at offset %zu",
				    MIKEY_MAX_SP_PARAMS, cur_offset(&params));
			sp = &p->u.sp.params[p->u.sp.nparams];
			if (need_u8(&params, &sp->type, pl, "param type", e) == -1 ||
			    need_u8(&params, &l8, pl, "param len", e) == -1 ||
			    need_bytes(&params, l8, &sp->value, pl, "param value", e) == -1)
				return -1;
			p->u.sp.nparams++;
		}
		return 0;
	}
	case MIKEY_PT_GENEXT:
		if (need_u8(c, &p->u.ext.ext_type, pl, "type", e) == -1 ||
		    need_u16(c, &l16, pl, "len", e) == -1)
			return -1;
		return need_bytes(c, l16, &p->u.ext.data, pl, "data", e);
	}
	/* Never reached: the caller rejects unsupported types before reading the payload. */
	return err_setx(e, "%s: unsupported payload", pl);
}

static int
pt_supported(uint8_t t)
{
	switch (t) {
	case MIKEY_PT_KEMAC: case MIKEY_PT_T: case MIKEY_PT_ID: case MIKEY_PT_IDR:
	case MIKEY_PT_RAND: case MIKEY_PT_V: case MIKEY_PT_ERR: case MIKEY_PT_SP:
	case MIKEY_PT_GENEXT:
		return 1;
	}
	return 0;
}

/*
 * A payload is cleared up to its arrays (SP parameters, KEMAC keys), which are filled up to
 * the count they come with and never read past it: clearing ~1 KB per payload showed in the
 * audit's profile (10^5 messages per second).
 */
#define PAYLOAD_CLEAR	(offsetof(struct mikey_payload, u.sp.params) > \
	offsetof(struct mikey_payload, u.kemac.keys) ? offsetof(struct mikey_payload, u.sp.params) : \
	offsetof(struct mikey_payload, u.kemac.keys))

int
mikey_decode(const uint8_t *buf, size_t len, struct mikey_msg *m, struct err *e)
{
	struct cur c;
	uint8_t next;

	m->npayloads = 0;
	cur_init(&c, buf, len);
	if (decode_hdr(&c, &m->hdr, &next, e) == -1)
		return -1;
	while (next != MIKEY_PT_LAST) {
		struct mikey_payload *p;
		size_t at = cur_offset(&c);

		/* Payloads carry no length, so an unknown type cannot be skipped (RFC 3830 6.1). */
		if (!pt_supported(next))
			return err_setx(e, "%s (%u): unsupported payload type at offset %zu",
			    pt_name(next), next, at);
		if (m->npayloads == MIKEY_MAX_PAYLOADS)
			return err_setx(e, "%s: more than %d payloads at offset %zu", pt_name(next),
			    MIKEY_MAX_PAYLOADS, at);
		p = &m->p[m->npayloads];
		memset(p, 0, PAYLOAD_CLEAR);
		p->type = next;
		p->offset = at;
		if (decode_payload(&c, p, &next, e) == -1)
			return -1;
		m->npayloads++;
	}
	if (cur_remaining(&c) != 0)
		return err_setx(e, "%zu trailing bytes after the last payload at offset %zu",
		    cur_remaining(&c), cur_offset(&c));
	return 0;
}

const struct mikey_payload *
mikey_find(const struct mikey_msg *m, uint8_t type, size_t *from)
{
	size_t i = from != NULL ? *from : 0;

	for (; i < m->npayloads; i++)
		if (m->p[i].type == type) {
			if (from != NULL)
				*from = i + 1;
			return &m->p[i];
		}
	if (from != NULL)
		*from = m->npayloads;
	return NULL;
}

uint64_t
mikey_ts_u64(const struct mikey_bytes *v)
{
	uint64_t x = 0;
	size_t i;

	/* RFC 3830 4.2.3: a shorter TS (COUNTER) is left-padded with zeros to 64 bits. */
	for (i = 0; i < v->len && i < 8; i++)
		x = (x << 8) | v->p[i];
	return x;
}

/* Encoding. Layout errors the caller can cause (lengths that do not fit) fail the builder. */

static void
put_len16(struct bld *b, const struct mikey_bytes *v, const char *what)
{
	char why[96];

	if (v->len > 0xffff) {
		snprintf(why, sizeof(why), "%s longer than 65535 bytes", what);
		bld_fail(b, why);
		return;
	}
	bld_u16(b, (uint16_t)v->len);
	bld_bytes(b, v->p, v->len);
}

static void
put_len8(struct bld *b, const struct mikey_bytes *v, const char *what)
{
	char why[96];

	if (v->len > 0xff) {
		snprintf(why, sizeof(why), "%s longer than 255 bytes", what);
		bld_fail(b, why);
		return;
	}
	bld_u8(b, (uint8_t)v->len);
	bld_bytes(b, v->p, v->len);
}

int
mikey_encode_keys(const struct mikey_keydata *keys, size_t n, struct bld *b, struct err *e)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct mikey_keydata *kd = &keys[i];

		if (kd->type > 15 || kd->kv > 15)
			bld_fail(b, "key data type and KV must fit in 4 bits");
		bld_u8(b, i + 1 < n ? MIKEY_PT_KEYDATA : MIKEY_PT_LAST);
		bld_u8(b, (uint8_t)(kd->type << 4 | (kd->kv & 0x0f)));
		put_len16(b, &kd->key, "key data");
		if (kd->type == 1 || kd->type == 3)
			put_len16(b, &kd->salt, "salt");
		if (kd->kv == MIKEY_KV_SPI)
			put_len8(b, &kd->spi, "SPI");
		else if (kd->kv == MIKEY_KV_INTERVAL) {
			put_len8(b, &kd->valid_from, "valid from");
			put_len8(b, &kd->valid_to, "valid to");
		}
	}
	return bld_finish(b, e);
}

static void
encode_payload(const struct mikey_payload *p, uint8_t next, struct bld *b)
{
	size_t i;
	int n;

	bld_u8(b, next);
	switch (p->type) {
	case MIKEY_PT_KEMAC:
		bld_u8(b, p->u.kemac.encr_alg);
		put_len16(b, &p->u.kemac.encr, "KEMAC encr data");
		bld_u8(b, p->u.kemac.mac_alg);
		n = mikey_mac_len(p->u.kemac.mac_alg);
		if (n < 0 || p->u.kemac.mac.len != (size_t)n)
			bld_fail(b, "KEMAC MAC length does not match its mac alg");
		bld_bytes(b, p->u.kemac.mac.p, p->u.kemac.mac.len);
		break;
	case MIKEY_PT_T:
		bld_u8(b, p->u.t.ts_type);
		n = mikey_ts_len(p->u.t.ts_type);
		if (n < 0 || p->u.t.value.len != (size_t)n)
			bld_fail(b, "T value length does not match its TS type");
		bld_bytes(b, p->u.t.value.p, p->u.t.value.len);
		break;
	case MIKEY_PT_ID:
		bld_u8(b, p->u.id.id_type);
		put_len16(b, &p->u.id.data, "ID data");
		break;
	case MIKEY_PT_IDR:
		bld_u8(b, p->u.idr.role);
		bld_u8(b, p->u.idr.id_type);
		put_len16(b, &p->u.idr.data, "IDR data");
		break;
	case MIKEY_PT_RAND:
		put_len8(b, &p->u.rand.data, "RAND");
		break;
	case MIKEY_PT_V:
		bld_u8(b, p->u.v.auth_alg);
		n = mikey_mac_len(p->u.v.auth_alg);
		if (n < 0 || p->u.v.data.len != (size_t)n)
			bld_fail(b, "V verification data length does not match its auth alg");
		bld_bytes(b, p->u.v.data.p, p->u.v.data.len);
		break;
	case MIKEY_PT_ERR:
		bld_u8(b, p->u.err.code);
		bld_u16(b, p->u.err.reserved);
		break;
	case MIKEY_PT_SP: {
		struct bld_mark m;

		bld_u8(b, p->u.sp.policy_no);
		bld_u8(b, p->u.sp.prot_type);
		m = bld_open_len(b, 2);
		for (i = 0; i < p->u.sp.nparams; i++) {
			bld_u8(b, p->u.sp.params[i].type);
			put_len8(b, &p->u.sp.params[i].value, "SP param");
		}
		bld_close(b, m);
		break;
	}
	case MIKEY_PT_GENEXT:
		bld_u8(b, p->u.ext.ext_type);
		put_len16(b, &p->u.ext.data, "EXT data");
		break;
	default:
		bld_fail(b, "cannot encode an unsupported payload type");
	}
}

int
mikey_encode(const struct mikey_msg *m, struct bld *b, struct err *e)
{
	const struct mikey_hdr *h = &m->hdr;
	size_t i;

	if (m->npayloads > MIKEY_MAX_PAYLOADS)
		return err_setx(e, "encoding failed: more than %d payloads", MIKEY_MAX_PAYLOADS);
	if (h->prf > 0x7f || h->v > 1)
		return err_setx(e, "encoding failed: V must be 0/1 and PRF func fit in 7 bits");
	bld_u8(b, h->version);
	bld_u8(b, h->data_type);
	bld_u8(b, m->npayloads > 0 ? m->p[0].type : MIKEY_PT_LAST);
	bld_u8(b, (uint8_t)(h->v << 7 | h->prf));
	bld_u32(b, h->csb_id);
	bld_u8(b, h->cs_count);
	bld_u8(b, h->map_type);
	if (h->map_type == MIKEY_MAP_SRTP) {
		if (h->cs_count > MIKEY_MAX_CS)
			return err_setx(e, "encoding failed: #CS above %d", MIKEY_MAX_CS);
		for (i = 0; i < h->cs_count; i++) {
			bld_u8(b, h->cs[i].policy_no);
			bld_u32(b, h->cs[i].ssrc);
			bld_u32(b, h->cs[i].roc);
		}
	} else if (h->map_type != MIKEY_MAP_EMPTY)
		return err_setx(e, "encoding failed: CS ID map type %u has no known layout",
		    h->map_type);
	for (i = 0; i < m->npayloads; i++)
		encode_payload(&m->p[i], i + 1 < m->npayloads ? m->p[i + 1].type : MIKEY_PT_LAST, b);
	return bld_finish(b, e);
}
