/*
 * builder: the one writer for every byte mbmsct sends or encodes.
 *
 * A builder owns a growable heap buffer. Failures (out of memory, a length that does not fit its
 * prefix) are sticky: once bld_ok() is false every later call is a no-op, and bld_finish()
 * reports the first failure, so encoders can write straight through and check once at the end.
 * Length prefixes are opened with bld_open_len8/16 and filled when closed.
 */
#ifndef MBMS_BUILDER_H
#define MBMS_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct bld {
	uint8_t *buf;
	size_t len;
	size_t cap;
	int failed;
	char why[128];
};

/* A pending length prefix: where it sits and how wide it is. */
struct bld_mark {
	size_t at;
	size_t width;
};

void	bld_init(struct bld *b);
/* Frees the buffer; safe to call twice and on a zeroed builder. */
void	bld_free(struct bld *b);
void	bld_reset(struct bld *b);
int	bld_ok(const struct bld *b);
void	bld_u8(struct bld *b, uint8_t v);
void	bld_u16(struct bld *b, uint16_t v);
void	bld_u32(struct bld *b, uint32_t v);
void	bld_u64(struct bld *b, uint64_t v);
void	bld_bytes(struct bld *b, const void *p, size_t n);
void	bld_zeros(struct bld *b, size_t n);
/* Reserves a length prefix of 1 or 2 bytes; bld_close() writes the bytes added since. */
struct bld_mark bld_open_len(struct bld *b, size_t width);
void	bld_close(struct bld *b, struct bld_mark m);
/* Overwrites one byte already written (e.g. a next-payload field); out of range marks failure. */
void	bld_patch_u8(struct bld *b, size_t at, uint8_t v);
/* Marks the builder failed with a reason (for encoders that detect bad input). */
void	bld_fail(struct bld *b, const char *why);
/* Returns 0, or -1 with the first failure's reason in e. */
int	bld_finish(const struct bld *b, struct err *e);

#endif
