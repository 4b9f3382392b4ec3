/* cursor: bounds-checked reading; the only place that compares a length against a buffer. */
#include "cursor.h"

void
cur_init(struct cur *c, const uint8_t *p, size_t len)
{
	c->p = p;
	c->len = p == NULL ? 0 : len;
	c->pos = 0;
	c->origin = 0;
}

size_t
cur_remaining(const struct cur *c)
{
	return c->len - c->pos;
}

size_t
cur_offset(const struct cur *c)
{
	return c->origin + c->pos;
}

/* The one bounds check: every read asks it first. */
static int
cur_have(const struct cur *c, size_t n)
{
	return n <= c->len - c->pos;
}

int
cur_get_bytes(struct cur *c, size_t n, const uint8_t **out)
{
	if (!cur_have(c, n))
		return -1;
	*out = c->p + c->pos;
	c->pos += n;
	return 0;
}

int
cur_skip(struct cur *c, size_t n)
{
	const uint8_t *unused;

	return cur_get_bytes(c, n, &unused);
}

static int
cur_get_be(struct cur *c, size_t n, uint64_t *v)
{
	const uint8_t *b;
	uint64_t x = 0;
	size_t i;

	if (cur_get_bytes(c, n, &b) == -1)
		return -1;
	for (i = 0; i < n; i++)
		x = (x << 8) | b[i];
	*v = x;
	return 0;
}

int
cur_get_u8(struct cur *c, uint8_t *v)
{
	uint64_t x;

	if (cur_get_be(c, 1, &x) == -1)
		return -1;
	*v = (uint8_t)x;
	return 0;
}

int
cur_get_u16(struct cur *c, uint16_t *v)
{
	uint64_t x;

	if (cur_get_be(c, 2, &x) == -1)
		return -1;
	*v = (uint16_t)x;
	return 0;
}

int
cur_get_u32(struct cur *c, uint32_t *v)
{
	uint64_t x;

	if (cur_get_be(c, 4, &x) == -1)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

int
cur_get_u64(struct cur *c, uint64_t *v)
{
	return cur_get_be(c, 8, v);
}

int
cur_sub(struct cur *c, size_t n, struct cur *sub)
{
	size_t at = cur_offset(c);
	const uint8_t *b;

	if (cur_get_bytes(c, n, &b) == -1)
		return -1;
	sub->p = b;
	sub->len = n;
	sub->pos = 0;
	sub->origin = at;
	return 0;
}

int
cur_peek_u8(const struct cur *c, uint8_t *v)
{
	if (!cur_have(c, 1))
		return -1;
	*v = c->p[c->pos];
	return 0;
}
