/* keys: MRK, MUK and Digest password of a subscriber from its GBA material (TS 33.220). */
#include "keys.h"

#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "hexstr.h"

/* Ks_NAF: provisioned, or KDF(Ks, p0, RAND, IMPI, NAF_Id) [V: TS 33.220 B.3]. */
static int
ks_naf(const struct conf *c, const struct conf_subscriber *u, uint8_t out[CRYPTO_SHA256_LEN],
    size_t *len, struct err *e)
{
	uint8_t naf_id[CONF_STR_MAX + 32];
	size_t flen = strlen(c->fqdn);

	if (u->ks_naf.len > 0) {
		if (u->ks_naf.len > CRYPTO_SHA256_LEN)
			return err_setx(e, "ks_naf longer than %d bytes", CRYPTO_SHA256_LEN);
		memcpy(out, u->ks_naf.p, u->ks_naf.len);
		*len = u->ks_naf.len;
		return 0;
	}
	if (u->ks.len == 0 || u->rand.len == 0 || u->impi[0] == '\0')
		return err_setx(e, "needs ks_naf, or ks + rand + impi");
	/* NAF_Id = FQDN || Ua security protocol identifier [V: TS 33.220 H.3]. */
	memcpy(naf_id, c->fqdn, flen);
	memcpy(naf_id + flen, c->ua_protocol_id, c->ua_protocol_id_len);
	if (crypto_ks_naf(u->ks.p, u->ks.len, c->ks_naf_p0, u->rand.p, u->rand.len, u->impi,
	    naf_id, flen + c->ua_protocol_id_len, out, e) == -1)
		return -1;
	*len = CRYPTO_SHA256_LEN;
	return 0;
}

static int
by_rule(const struct conf_rule *r, const char *what, const uint8_t *naf, size_t naf_len,
    const struct conf_key *given, uint8_t *out, size_t *out_len, struct err *e)
{
	struct crypto_iov p0;

	switch (r->kind) {
	case CONF_RULE_PROVISIONED:
		if (given->len == 0)
			return err_setx(e, "%s: [gba] says provisioned, but the subscriber gives none",
			    what);
		memcpy(out, given->p, given->len);
		*out_len = given->len;
		return 0;
	case CONF_RULE_KS_NAF:
		memcpy(out, naf, naf_len);
		*out_len = naf_len;
		return 0;
	case CONF_RULE_KDF:
		p0.p = r->p0;
		p0.len = strlen(r->p0);
		if (crypto_gba_kdf(naf, naf_len, r->fc, &p0, 1, out, e) == -1)
			return err_prefix(e, "%s", what);
		*out_len = CRYPTO_SHA256_LEN;
		return 0;
	}
	return err_setx(e, "%s: unknown rule", what);
}

int
keys_derive(const struct conf *c, size_t s, struct keys *k, struct err *e)
{
	const struct conf_subscriber *u = &c->sub[s];
	uint8_t naf[CRYPTO_SHA256_LEN];
	size_t naf_len = 0;
	int rc = -1;

	memset(k, 0, sizeof(*k));
	if ((c->mrk.kind != CONF_RULE_PROVISIONED || c->muk.kind != CONF_RULE_PROVISIONED) &&
	    ks_naf(c, u, naf, &naf_len, e) == -1)
		goto done;
	if (by_rule(&c->mrk, "MRK", naf, naf_len, &u->mrk, k->mrk, &k->mrk_len, e) == -1 ||
	    by_rule(&c->muk, "MUK", naf, naf_len, &u->muk, k->muk, &k->muk_len, e) == -1)
		goto done;
	switch (c->password) {
	case CONF_PW_BASE64:
		crypto_base64(k->mrk, k->mrk_len, k->password);
		break;
	case CONF_PW_HEX:
		hexstr_format(k->mrk, k->mrk_len, k->password);
		break;
	case CONF_PW_RAW:
		/* The Digest API takes a C string: a raw MRK must not hold a NUL byte. */
		if (memchr(k->mrk, '\0', k->mrk_len) != NULL) {
			err_setx(e, "password = raw, but the MRK holds a NUL byte");
			goto done;
		}
		memcpy(k->password, k->mrk, k->mrk_len);
		k->password[k->mrk_len] = '\0';
		break;
	}
	rc = 0;
done:
	crypto_cleanse(naf, sizeof(naf));
	if (rc == -1) {
		err_prefix(e, "%s:%zu: subscriber %s", c->path, u->line, u->btid);
		crypto_cleanse(k, sizeof(*k));
	}
	return rc;
}
