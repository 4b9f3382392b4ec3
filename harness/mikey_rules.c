/* mikey_rules: validation of decoded MIKEY messages against the profile's MBMS rules. */
#include "mikey_rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cursor.h"

void
mikey_kind_rules_init(struct mikey_kind_rules *k)
{
	memset(k, 0, sizeof(*k));
	k->data_type = k->v = k->keyid_type = k->keyid_len = k->ts_type = -1;
	k->rand_len = k->id_type = k->encr_alg = k->mac_alg = k->kemac_empty = -1;
	k->nkeys = k->key_type = k->key_kv = k->key_len = k->auth_alg = -1;
}

void
mikey_rules_init(struct mikey_rules *r)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	r->version = r->prf = r->cs_count = r->map_type = r->keyid_ext_type = -1;
	for (i = 0; i < MIKEY_RULES_MAX_KINDS; i++)
		mikey_kind_rules_init(&r->kinds[i]);
}

const struct mikey_kind_rules *
mikey_rules_kind(const struct mikey_rules *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nkinds; i++)
		if (strcmp(r->kinds[i].name, name) == 0)
			return &r->kinds[i];
	return NULL;
}

int
mikey_keyid_parse(const struct mikey_bytes *d, uint8_t *type, struct mikey_bytes *id,
    struct err *e)
{
	struct cur c;
	uint16_t len;

	cur_init(&c, d->p, d->len);
	if (cur_get_u8(&c, type) == -1 || cur_get_u16(&c, &len) == -1)
		return err_setx(e, "EXT: Key ID body of %zu bytes is shorter than its 3-byte header",
		    d->len);
	if (cur_get_bytes(&c, len, &id->p) == -1)
		return err_setx(e, "EXT: key ID len %u exceeds remaining %zu", len,
		    cur_remaining(&c));
	id->len = len;
	if (cur_remaining(&c) != 0)
		return err_setx(e, "EXT: %zu bytes after the key ID", cur_remaining(&c));
	return 0;
}

const struct mikey_payload *
mikey_keyid_ext(const struct mikey_rules *r, const struct mikey_msg *m)
{
	size_t i;

	if (r->keyid_ext_type < 0)
		return NULL;
	for (i = 0; i < m->npayloads; i++)
		if (m->p[i].type == MIKEY_PT_GENEXT &&
		    m->p[i].u.ext.ext_type == r->keyid_ext_type)
			return &m->p[i];
	return NULL;
}

static int
kemac_is_empty(const struct mikey_msg *m)
{
	const struct mikey_payload *k = mikey_find(m, MIKEY_PT_KEMAC, NULL);

	return k != NULL && k->u.kemac.encr.len == 0;
}

const struct mikey_kind_rules *
mikey_rules_infer(const struct mikey_rules *r, const struct mikey_msg *m)
{
	const struct mikey_kind_rules *first = NULL;
	const struct mikey_payload *ext = mikey_keyid_ext(r, m);
	struct mikey_bytes id;
	uint8_t idtype = 0;
	int have_id = 0;
	size_t i;

	if (ext != NULL && mikey_keyid_parse(&ext->u.ext.data, &idtype, &id, NULL) == 0)
		have_id = 1;
	for (i = 0; i < r->nkinds; i++) {
		const struct mikey_kind_rules *k = &r->kinds[i];

		if (k->data_type >= 0 && k->data_type != m->hdr.data_type)
			continue;
		if (first == NULL)
			first = k;
		if (have_id && k->keyid_type >= 0 && k->keyid_type != idtype)
			continue;
		if (k->kemac_empty >= 0 && k->kemac_empty != kemac_is_empty(m))
			continue;
		return k;
	}
	return first;
}

static void
viol(struct mikey_violations *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
viol(struct mikey_violations *out, const char *fmt, ...)
{
	va_list ap;

	if (out->n == MIKEY_VIOL_MAX) {
		out->dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(out->msg[out->n], MIKEY_VIOL_LEN, fmt, ap);
	va_end(ap);
	out->n++;
}

/* Compares one observed integer with a rule; -1 in the rule means not checked. */
static void
expect_int(struct mikey_violations *out, const char *what, int rule, long actual)
{
	if (rule >= 0 && (long)rule != actual)
		viol(out, "%s: expected %d vs actual %ld", what, rule, actual);
}

static void
order_str(const uint8_t *t, size_t n, char *buf, size_t cap)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < n && used < cap; i++) {
		const char *nm = mikey_name(mikey_payload_names, t[i]);
		int w;

		w = nm != NULL ? snprintf(buf + used, cap - used, "%s%s", i ? "," : "", nm)
		    : snprintf(buf + used, cap - used, "%s%u", i ? "," : "", t[i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

static void
check_keys(const struct mikey_kind_rules *k, const struct mikey_kemac *km,
    struct mikey_violations *out)
{
	size_t i;

	if (!km->keys_parsed)
		return;
	expect_int(out, "KEMAC: number of key data sub-payloads", k->nkeys, (long)km->nkeys);
	for (i = 0; i < km->nkeys; i++) {
		char what[64];

		snprintf(what, sizeof(what), "KEYDATA %zu: type", i + 1);
		expect_int(out, what, k->key_type, km->keys[i].type);
		snprintf(what, sizeof(what), "KEYDATA %zu: KV", i + 1);
		expect_int(out, what, k->key_kv, km->keys[i].kv);
		snprintf(what, sizeof(what), "KEYDATA %zu: key data len", i + 1);
		expect_int(out, what, k->key_len, (long)km->keys[i].key.len);
	}
}

static void
check_payloads(const struct mikey_rules *r, const struct mikey_kind_rules *k,
    const struct mikey_msg *m, struct mikey_violations *out)
{
	size_t i;

	for (i = 0; i < m->npayloads; i++) {
		const struct mikey_payload *p = &m->p[i];

		switch (p->type) {
		case MIKEY_PT_T:
			expect_int(out, "T: TS type", k->ts_type, p->u.t.ts_type);
			break;
		case MIKEY_PT_RAND:
			expect_int(out, "RAND: length", k->rand_len, (long)p->u.rand.data.len);
			break;
		case MIKEY_PT_ID:
			expect_int(out, "ID: ID type", k->id_type, p->u.id.id_type);
			if (p->u.id.data.len == 0)
				viol(out, "ID: empty ID data at offset %zu", p->offset);
			break;
		case MIKEY_PT_V:
			expect_int(out, "V: auth alg", k->auth_alg, p->u.v.auth_alg);
			break;
		case MIKEY_PT_KEMAC:
			expect_int(out, "KEMAC: encr alg", k->encr_alg, p->u.kemac.encr_alg);
			expect_int(out, "KEMAC: mac alg", k->mac_alg, p->u.kemac.mac_alg);
			if (k->kemac_empty == 1 && p->u.kemac.encr.len != 0)
				viol(out, "KEMAC: expected no key data (encr data len 0) vs actual "
				    "encr data len %zu", p->u.kemac.encr.len);
			if (k->kemac_empty == 0 && p->u.kemac.encr.len == 0)
				viol(out, "KEMAC: expected key data vs actual encr data len 0");
			check_keys(k, &p->u.kemac, out);
			break;
		case MIKEY_PT_GENEXT:
			if (p->u.ext.ext_type == r->keyid_ext_type) {
				struct mikey_bytes id;
				uint8_t t;
				struct err e;

				if (mikey_keyid_parse(&p->u.ext.data, &t, &id, &e) == -1) {
					viol(out, "%s at offset %zu", e.msg, p->offset);
					break;
				}
				expect_int(out, "EXT: Key ID type", k->keyid_type, t);
				expect_int(out, "EXT: Key ID length", k->keyid_len, (long)id.len);
			}
			break;
		}
	}
}

size_t
mikey_validate(const struct mikey_rules *r, const struct mikey_msg *m, const char *kind,
    struct mikey_violations *out)
{
	const struct mikey_kind_rules *k;
	uint8_t seen[MIKEY_MAX_PAYLOADS];
	char want[256], got[256];
	size_t i;

	/* Only the counters: msg[i] is written before it is counted (6 KB not cleared per call). */
	out->n = 0;
	out->dropped = 0;
	out->kind = NULL;
	expect_int(out, "HDR: version", r->version, m->hdr.version);
	expect_int(out, "HDR: PRF func", r->prf, m->hdr.prf);
	expect_int(out, "HDR: #CS", r->cs_count, m->hdr.cs_count);
	expect_int(out, "HDR: CS ID map type", r->map_type, m->hdr.map_type);
	k = kind != NULL ? mikey_rules_kind(r, kind) : mikey_rules_infer(r, m);
	out->kind = k;
	if (k == NULL) {
		if (kind != NULL)
			viol(out, "profile has no message kind named '%s'", kind);
		else
			viol(out, "HDR: data type %u matches no message kind of the profile",
			    m->hdr.data_type);
		return out->n + out->dropped;
	}
	expect_int(out, "HDR: data type", k->data_type, m->hdr.data_type);
	expect_int(out, "HDR: V", k->v, m->hdr.v);
	for (i = 0; i < m->npayloads; i++)
		seen[i] = m->p[i].type;
	if (k->norder > 0 && (k->norder != m->npayloads ||
	    memcmp(k->order, seen, k->norder) != 0)) {
		order_str(k->order, k->norder, want, sizeof(want));
		order_str(seen, m->npayloads, got, sizeof(got));
		viol(out, "payload order (%s): expected %s vs actual %s", k->name, want, got);
	}
	if (k->keyid_type >= 0 && mikey_keyid_ext(r, m) == NULL)
		viol(out, "EXT: Key ID extension (type %d) missing", r->keyid_ext_type);
	check_payloads(r, k, m, out);
	return out->n + out->dropped;
}
