/*
 * cursor: the one bounds-checked reader for every byte mbmsct parses.
 *
 * A cursor borrows its buffer; it never allocates. Every getter returns 0 on success and -1 when
 * fewer bytes remain than asked, in which case the cursor does not move and the output is left
 * untouched. Offsets reported by cur_offset() are absolute within the outermost buffer, also for
 * sub-cursors, so that error messages can name the byte at fault.
 */
#ifndef MBMS_CURSOR_H
#define MBMS_CURSOR_H

#include <stddef.h>
#include <stdint.h>

struct cur {
	const uint8_t *p;	/* start of this cursor's window */
	size_t len;		/* window length */
	size_t pos;		/* next byte to read, relative to p */
	size_t origin;		/* absolute offset of p in the outermost buffer */
};

void	cur_init(struct cur *c, const uint8_t *p, size_t len);
size_t	cur_remaining(const struct cur *c);
size_t	cur_offset(const struct cur *c);
int	cur_get_u8(struct cur *c, uint8_t *v);
int	cur_get_u16(struct cur *c, uint16_t *v);
int	cur_get_u32(struct cur *c, uint32_t *v);
int	cur_get_u64(struct cur *c, uint64_t *v);
/* Returns a pointer into the buffer to the next n bytes and advances. */
int	cur_get_bytes(struct cur *c, size_t n, const uint8_t **out);
int	cur_skip(struct cur *c, size_t n);
/* Carves the next n bytes into a sub-cursor that keeps absolute offsets, and advances. */
int	cur_sub(struct cur *c, size_t n, struct cur *sub);
/* Peeks at the next byte without advancing. */
int	cur_peek_u8(const struct cur *c, uint8_t *v);

#endif
