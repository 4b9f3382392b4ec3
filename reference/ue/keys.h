/*
 * keys: the UE's own GBA-derived keys (key-update.md §2.1) — Ks_NAF from the provisioned
 * {Ks, RAND, IMPI} (or given), MRK and MUK by the [gba] rules, and the Digest password.
 */
#ifndef UE_KEYS_H
#define UE_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "err.h"

#define KEYS_MAX	64

struct keys {
	uint8_t ks_naf[KEYS_MAX], mrk[KEYS_MAX], muk[KEYS_MAX];
	size_t ks_naf_len, mrk_len, muk_len;
	char password[2 * KEYS_MAX + 4];	/* the Digest password, NUL-terminated */
};

/* Derives the keys of subscriber sub toward the BM-SC of c. Returns 0 or -1 with e set. */
int	keys_derive(const struct conf *c, const struct conf_subscriber *sub, struct keys *k,
	    struct err *e);
/* Wipes k. */
void	keys_wipe(struct keys *k);

#endif
