/* builder: growable output buffer with deferred length prefixes and sticky failure. */
#include "builder.h"

#include <stdlib.h>
#include <string.h>

void
bld_init(struct bld *b)
{
	memset(b, 0, sizeof(*b));
}

void
bld_free(struct bld *b)
{
	if (b == NULL)
		return;
	free(b->buf);
	b->buf = NULL;
	b->len = b->cap = 0;
}

void
bld_reset(struct bld *b)
{
	b->len = 0;
	b->failed = 0;
	b->why[0] = '\0';
}

int
bld_ok(const struct bld *b)
{
	return !b->failed;
}

void
bld_fail(struct bld *b, const char *why)
{
	if (b->failed)
		return;
	b->failed = 1;
	strncpy(b->why, why, sizeof(b->why) - 1);
	b->why[sizeof(b->why) - 1] = '\0';
}

static uint8_t *
bld_grow(struct bld *b, size_t n)
{
	size_t need, cap;
	uint8_t *nb;

	if (b->failed)
		return NULL;
	if (n > SIZE_MAX - b->len) {
		bld_fail(b, "output too large");
		return NULL;
	}
	need = b->len + n;
	if (need > b->cap) {
		cap = b->cap ? b->cap : 64;
		while (cap < need)
			cap = cap > SIZE_MAX / 2 ? need : cap * 2;
		if ((nb = realloc(b->buf, cap)) == NULL) {
			bld_fail(b, "out of memory");
			return NULL;
		}
		b->buf = nb;
		b->cap = cap;
	}
	nb = b->buf + b->len;
	b->len = need;
	return nb;
}

static void
bld_be(struct bld *b, uint64_t v, size_t n)
{
	uint8_t *p;
	size_t i;

	if ((p = bld_grow(b, n)) == NULL)
		return;
	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

void
bld_u8(struct bld *b, uint8_t v)
{
	bld_be(b, v, 1);
}

void
bld_u16(struct bld *b, uint16_t v)
{
	bld_be(b, v, 2);
}

void
bld_u32(struct bld *b, uint32_t v)
{
	bld_be(b, v, 4);
}

void
bld_u64(struct bld *b, uint64_t v)
{
	bld_be(b, v, 8);
}

void
bld_bytes(struct bld *b, const void *src, size_t n)
{
	uint8_t *p;

	if (n == 0)
		return;
	if ((p = bld_grow(b, n)) != NULL)
		memcpy(p, src, n);
}

void
bld_zeros(struct bld *b, size_t n)
{
	uint8_t *p;

	if (n == 0)
		return;
	if ((p = bld_grow(b, n)) != NULL)
		memset(p, 0, n);
}

struct bld_mark
bld_open_len(struct bld *b, size_t width)
{
	struct bld_mark m = { b->len, width };

	if (width != 1 && width != 2) {
		bld_fail(b, "length prefix width must be 1 or 2");
		return m;
	}
	bld_zeros(b, width);
	return m;
}

void
bld_close(struct bld *b, struct bld_mark m)
{
	size_t n, max;

	if (b->failed)
		return;
	n = b->len - m.at - m.width;
	max = m.width == 1 ? 0xff : 0xffff;
	if (n > max) {
		bld_fail(b, m.width == 1 ? "field longer than 255 bytes for an 8-bit length"
		    : "field longer than 65535 bytes for a 16-bit length");
		return;
	}
	if (m.width == 1)
		b->buf[m.at] = (uint8_t)n;
	else {
		b->buf[m.at] = (uint8_t)(n >> 8);
		b->buf[m.at + 1] = (uint8_t)n;
	}
}

void
bld_patch_u8(struct bld *b, size_t at, uint8_t v)
{
	if (b->failed)
		return;
	if (at >= b->len) {
		bld_fail(b, "patch beyond end of output");
		return;
	}
	b->buf[at] = v;
}

int
bld_finish(const struct bld *b, struct err *e)
{
	if (b->failed)
		return err_setx(e, "encoding failed: %s", b->why);
	return 0;
}
