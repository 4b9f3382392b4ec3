/*
 * fuzz_mikey: libFuzzer target for the MIKEY decoder, the key data parser and the MBMS
 * validator. Any input must give a result or an error, never a crash or a sanitizer report;
 * whatever decodes must re-encode to the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "mikey.h"
#include "mikey_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Rules shaped like the default profile's, so the validator's checks all run. */
static void
rules(struct mikey_rules *r)
{
	static const uint8_t order[] = { MIKEY_PT_GENEXT, MIKEY_PT_T, MIKEY_PT_RAND, MIKEY_PT_ID,
		MIKEY_PT_ID, MIKEY_PT_KEMAC };
	struct mikey_kind_rules *k;

	mikey_rules_init(r);
	r->version = 1;
	r->prf = 0;
	r->cs_count = 0;
	r->map_type = 1;
	r->keyid_ext_type = 2;
	r->nkinds = 2;
	k = &r->kinds[0];
	strcpy(k->name, "msk_delivery");
	k->data_type = 0;
	memcpy(k->order, order, sizeof(order));
	k->norder = sizeof(order);
	k->keyid_type = 0;
	k->keyid_len = 7;
	k->ts_type = 2;
	k->rand_len = 16;
	k->id_type = 1;
	k->encr_alg = 1;
	k->mac_alg = 1;
	k->kemac_empty = 0;
	k->nkeys = 1;
	k->key_type = 0;
	k->key_kv = 2;
	k->key_len = 16;
	k = &r->kinds[1];
	strcpy(k->name, "verification");
	k->data_type = 1;
	k->auth_alg = 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mikey_msg *m = malloc(sizeof(*m));
	struct mikey_rules *r = malloc(sizeof(*r));
	struct mikey_violations *v = malloc(sizeof(*v));
	struct err e;
	struct bld b;
	size_t i;

	if (m == NULL || r == NULL || v == NULL)
		abort();
	rules(r);
	if (mikey_decode(data, size, m, &e) == 0) {
		mikey_validate(r, m, NULL, v);
		bld_init(&b);
		if (mikey_encode(m, &b, &e) != 0 || b.len != size || memcmp(b.buf, data, size) != 0)
			abort();	/* decode/encode must be exact inverses */
		bld_free(&b);
		/* Treat encrypted data as if it were plaintext key data, as after decryption. */
		for (i = 0; i < m->npayloads; i++)
			if (m->p[i].type == MIKEY_PT_KEMAC)
				(void)mikey_parse_keys(m->p[i].u.kemac.encr.p,
				    m->p[i].u.kemac.encr.len, 0, &m->p[i].u.kemac, &e);
		mikey_validate(r, m, "verification", v);
	}
	free(m);
	free(r);
	free(v);
	return 0;
}
