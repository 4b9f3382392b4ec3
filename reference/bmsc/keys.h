/*
 * keys: a subscriber's BM-SC-side keys from its provisioned GBA material, the way the
 * configuration's [gba] section says (key-update.md §2.1): Ks_NAF = KDF(Ks, p0, RAND, IMPI,
 * NAF_Id = FQDN || Ua protocol id), then MRK and MUK by rule, and the Digest password.
 */
#ifndef BMSC_KEYS_H
#define BMSC_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "err.h"

#define KEYS_PASSWORD_MAX	(2 * CONF_KEY_MAX + 1)

struct keys {
	uint8_t mrk[CONF_KEY_MAX];
	size_t mrk_len;
	uint8_t muk[CONF_KEY_MAX];
	size_t muk_len;
	char password[KEYS_PASSWORD_MAX];	/* the Digest password: encoded MRK */
};

/* Derives the keys of subscriber s; errors name the subscriber's section line. */
int	keys_derive(const struct conf *c, size_t s, struct keys *k, struct err *e);

#endif
