/* keys: Ks_NAF, MRK, MUK and the Digest password of the UE, through the harness crypto module. */
#include "keys.h"

#include <string.h>

#include "crypto.h"
#include "hex.h"

/* NAF_Id = BM-SC FQDN || Ua security protocol id [V: TS 33.220 H.3]. */
static int
naf_id(const struct conf *c, uint8_t *out, size_t size, size_t *len, struct err *e)
{
	size_t fl = strlen(c->fqdn);

	if (fl + c->ua_protocol_id_len > size)
		return err_setx(e, "NAF_Id: FQDN too long");
	memcpy(out, c->fqdn, fl);
	memcpy(out + fl, c->ua_protocol_id, c->ua_protocol_id_len);
	*len = fl + c->ua_protocol_id_len;
	return 0;
}

/* One key (MRK or MUK) by its rule; out holds KEYS_MAX bytes. */
static int
derive(const struct conf_keyrule *r, const char *what, const uint8_t *ks_naf, size_t ks_naf_len,
    const uint8_t *given, size_t given_len, uint8_t *out, size_t *len, struct err *e)
{
	struct crypto_iov p0;

	switch (r->kind) {
	case KEYRULE_PROVISIONED:
		if (given_len == 0)
			return err_setx(e, "%s: [gba] says provisioned, but the subscriber gives "
			    "none", what);
		memcpy(out, given, given_len);
		*len = given_len;
		return 0;
	case KEYRULE_KS_NAF:
		memcpy(out, ks_naf, ks_naf_len);
		*len = ks_naf_len;
		return 0;
	case KEYRULE_KDF:
		/* TS 33.220 B.2 form: HMAC-SHA-256(Ks_NAF, FC || P0 || L0) [A]. */
		p0.p = r->p0;
		p0.len = strlen(r->p0);
		if (crypto_gba_kdf(ks_naf, ks_naf_len, r->fc, &p0, 1, out, e) == -1)
			return err_prefix(e, "%s", what);
		*len = CRYPTO_SHA256_LEN;
		return 0;
	}
	return err_setx(e, "%s: unknown derivation rule", what);
}

int
keys_derive(const struct conf *c, const struct conf_subscriber *sub, struct keys *k,
    struct err *e)
{
	uint8_t naf[CONF_STR + 32];
	size_t naf_len = 0;

	memset(k, 0, sizeof(*k));
	if (c->mrk.kind != KEYRULE_PROVISIONED || c->muk.kind != KEYRULE_PROVISIONED) {
		if (sub->ks_naf_len > 0) {
			if (sub->ks_naf_len > KEYS_MAX)
				return err_setx(e, "ks_naf: too long");
			memcpy(k->ks_naf, sub->ks_naf, sub->ks_naf_len);
			k->ks_naf_len = sub->ks_naf_len;
		} else {
			if (sub->ks_len == 0 || sub->rand_len == 0 || sub->impi[0] == '\0')
				return err_setx(e, "subscriber %s: needs ks_naf, or ks + rand + impi",
				    sub->btid);
			if (naf_id(c, naf, sizeof(naf), &naf_len, e) == -1)
				return -1;
			/* TS 33.220 B.3: Ks_(ext)_NAF = KDF(Ks, p0, RAND, IMPI, NAF_Id) [V]. */
			if (crypto_ks_naf(sub->ks, sub->ks_len, c->ks_naf_p0, sub->rand,
			    sub->rand_len, sub->impi, naf, naf_len, k->ks_naf, e) == -1)
				return err_prefix(e, "Ks_NAF");
			k->ks_naf_len = CRYPTO_SHA256_LEN;
		}
	}
	if (derive(&c->mrk, "MRK", k->ks_naf, k->ks_naf_len, sub->mrk, sub->mrk_len, k->mrk,
	    &k->mrk_len, e) == -1 ||
	    derive(&c->muk, "MUK", k->ks_naf, k->ks_naf_len, sub->muk, sub->muk_len, k->muk,
	    &k->muk_len, e) == -1)
		return -1;
	/* The Digest password encodes the MRK [A: base64 by default]. */
	switch (c->password) {
	case PW_BASE64:
		crypto_base64(k->mrk, k->mrk_len, k->password);
		break;
	case PW_HEX:
		hex_encode(k->mrk, k->mrk_len, k->password);
		break;
	case PW_RAW:
		if (memchr(k->mrk, '\0', k->mrk_len) != NULL)
			return err_setx(e, "password = raw: the MRK holds a NUL byte, which HTTP "
			    "Digest through libcurl cannot carry");
		memcpy(k->password, k->mrk, k->mrk_len);
		k->password[k->mrk_len] = '\0';
		break;
	}
	return 0;
}

void
keys_wipe(struct keys *k)
{
	crypto_cleanse(k, sizeof(*k));
}
