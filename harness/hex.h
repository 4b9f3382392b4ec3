/*
 * hex: hex text <-> bytes, and the readers of mbmsct's commented vector files.
 *
 * Vector files (STYLE.md 17) are text: '#' starts a comment, a line "# source: ..." names the
 * provenance. Message files (*.hex) hold one message per line; KAT files (*.txt) hold records of
 * "name = value" lines separated by blank lines, values in hex or "quoted text".
 */
#ifndef MBMS_HEX_H
#define MBMS_HEX_H

#include <stddef.h>
#include <stdint.h>

#include "builder.h"
#include "err.h"

/* Appends the bytes of hex text (whitespace and ':' ignored) to b; errors name the column. */
int	hex_decode(const char *s, size_t len, struct bld *b, struct err *e);
/* Writes 2*n+1 bytes (lower-case hex and a NUL) into out. */
void	hex_encode(const uint8_t *p, size_t n, char *out);

#define HEX_MAX_FIELDS 16

struct hex_field {
	char name[32];
	uint8_t *val;		/* owned by the record */
	size_t len;
};

struct hex_record {
	size_t line;		/* first line of the record */
	size_t nfields;
	struct hex_field f[HEX_MAX_FIELDS];
};

struct hex_kat {
	char source[256];	/* the "# source:" text, required */
	size_t nrec;
	struct hex_record *rec;	/* owned */
};

/* Reads a KAT file. Errors name path:line. */
int	hex_kat_load(const char *path, struct hex_kat *k, struct err *e);
void	hex_kat_free(struct hex_kat *k);
/* Returns the field by name, or NULL. */
const struct hex_field *hex_kat_get(const struct hex_record *r, const char *name);

struct hex_msg {
	size_t line;
	uint8_t *buf;		/* owned */
	size_t len;
};

struct hex_msgs {
	char source[256];
	char expect[256];	/* the "# expect:" text of a malformed vector, or empty */
	size_t n;
	struct hex_msg *m;	/* owned */
};

/* Reads a message file: one hex message per non-comment line. */
int	hex_msgs_load(const char *path, struct hex_msgs *v, struct err *e);
void	hex_msgs_free(struct hex_msgs *v);

#endif
