/*
 * mikey_rules: the MBMS profile's expectations of MIKEY messages, as data, and the validator
 * that checks a decoded message against them, reporting every violation (not just the first).
 *
 * Every value here comes from the profile (the `mikey` section of a suites/profiles file): the spec
 * tags them [A], so nothing in this module hard-codes them. -1 means "not checked".
 */
#ifndef MBMS_MIKEY_RULES_H
#define MBMS_MIKEY_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "mikey.h"

#define MIKEY_RULES_MAX_KINDS	8
#define MIKEY_RULES_MAX_ORDER	16
#define MIKEY_RULES_NAME_MAX	32

/* What one kind of message (MSK delivery, solicited pull, MTK delivery, ...) must look like. */
struct mikey_kind_rules {
	char name[MIKEY_RULES_NAME_MAX];
	int data_type;
	int v;
	uint8_t order[MIKEY_RULES_MAX_ORDER];	/* payload types after HDR, in wire order */
	size_t norder;
	int keyid_type;		/* Key ID type the Key ID extension must carry; -1: no Key ID */
	int keyid_len;
	int ts_type;
	int rand_len;
	int id_type;		/* of every ID payload */
	int encr_alg;
	int mac_alg;
	int kemac_empty;	/* 1: no key data (encr data len 0); 0: key data required */
	int nkeys;
	int key_type;		/* of every key data, when readable */
	int key_kv;
	int key_len;
	int auth_alg;		/* of the V payload */
};

struct mikey_rules {
	int version;
	int prf;
	int cs_count;
	int map_type;
	int keyid_ext_type;	/* General Extension type that carries the Key ID */
	size_t nkinds;
	struct mikey_kind_rules kinds[MIKEY_RULES_MAX_KINDS];
};

#define MIKEY_VIOL_MAX		32
#define MIKEY_VIOL_LEN		192

struct mikey_violations {
	const struct mikey_kind_rules *kind;	/* the kind checked against, or NULL */
	size_t n;				/* violations recorded */
	size_t dropped;				/* violations beyond MIKEY_VIOL_MAX */
	char msg[MIKEY_VIOL_MAX][MIKEY_VIOL_LEN];
};

/* Sets every field of r (and of each kind) to "not checked". */
void	mikey_rules_init(struct mikey_rules *r);
void	mikey_kind_rules_init(struct mikey_kind_rules *k);
const struct mikey_kind_rules *mikey_rules_kind(const struct mikey_rules *r, const char *name);

/*
 * Picks the kind a message claims to be: same data type, then the Key ID type (when the
 * message has one), then empty vs non-empty KEMAC. NULL when no kind has the data type.
 */
const struct mikey_kind_rules *mikey_rules_infer(const struct mikey_rules *r,
	    const struct mikey_msg *m);

/*
 * Checks m against the rules of the named kind (or the inferred one when kind is NULL).
 * Returns the number of violations (0: conforming); out lists them as sentences.
 */
size_t	mikey_validate(const struct mikey_rules *r, const struct mikey_msg *m, const char *kind,
	    struct mikey_violations *out);

/*
 * Parses a Key ID extension body: key ID type(8) | key ID len(16) | key ID, filling the body
 * exactly [A: layout of mikey.md §1].
 */
int	mikey_keyid_parse(const struct mikey_bytes *ext_data, uint8_t *type,
	    struct mikey_bytes *id, struct err *e);

/* Returns the Key ID extension payload (type r->keyid_ext_type) of m, or NULL. */
const struct mikey_payload *mikey_keyid_ext(const struct mikey_rules *r,
	    const struct mikey_msg *m);

#endif
