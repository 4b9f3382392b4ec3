/* test_cursor: the bounds-checked reader never reads past its window and keeps offsets. */
#include <string.h>

#include "cursor.h"
#include "testutil.h"

static void
test_reads(void)
{
	static const uint8_t b[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
	struct cur c;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	cur_init(&c, b, sizeof(b));
	CU_ASSERT_EQUAL(cur_get_u8(&c, &u8), 0);
	CU_ASSERT_EQUAL(u8, 1);
	CU_ASSERT_EQUAL(cur_get_u16(&c, &u16), 0);
	CU_ASSERT_EQUAL(u16, 0x0203);
	CU_ASSERT_EQUAL(cur_get_u32(&c, &u32), 0);
	CU_ASSERT_EQUAL(u32, 0x04050607);
	CU_ASSERT_EQUAL(cur_get_u64(&c, &u64), 0);
	CU_ASSERT_EQUAL(u64, 0x08090a0b0c0d0e0fULL);
	CU_ASSERT_EQUAL(cur_remaining(&c), 0);
	CU_ASSERT_EQUAL(cur_offset(&c), 15);
	CU_ASSERT_EQUAL(cur_get_u8(&c, &u8), -1);
	CU_ASSERT_EQUAL(u8, 1);	/* untouched on failure */
}

/* Every getter fails without moving when one byte is missing, at every position. */
static void
test_short(void)
{
	static const uint8_t b[8] = { 0 };
	const uint8_t *p;
	size_t len, w;
	struct cur c;
	uint64_t u64;
	uint32_t u32;
	uint16_t u16;

	for (len = 0; len < 8; len++) {
		for (w = 0; w <= len; w++) {
			cur_init(&c, b, len);
			CU_ASSERT_EQUAL(cur_skip(&c, w), 0);
			if (len - w < 2) {
				CU_ASSERT_EQUAL(cur_get_u16(&c, &u16), -1);
				CU_ASSERT_EQUAL(cur_offset(&c), w);
			}
			if (len - w < 4)
				CU_ASSERT_EQUAL(cur_get_u32(&c, &u32), -1);
			CU_ASSERT_EQUAL(cur_get_u64(&c, &u64), -1);
			CU_ASSERT_EQUAL(cur_get_bytes(&c, len - w + 1, &p), -1);
			CU_ASSERT_EQUAL(cur_offset(&c), w);
			CU_ASSERT_EQUAL(cur_get_bytes(&c, len - w, &p), 0);
			CU_ASSERT_EQUAL(cur_remaining(&c), 0);
		}
	}
	/* A huge request must not wrap around. */
	cur_init(&c, b, 8);
	CU_ASSERT_EQUAL(cur_skip(&c, 3), 0);
	CU_ASSERT_EQUAL(cur_get_bytes(&c, (size_t)-1, &p), -1);
	CU_ASSERT_EQUAL(cur_get_bytes(&c, (size_t)-2, &p), -1);
}

static void
test_sub(void)
{
	static const uint8_t b[] = { 9, 9, 9, 0xaa, 0xbb, 0xcc, 7 };
	struct cur c, s, s2;
	uint8_t v;

	cur_init(&c, b, sizeof(b));
	CU_ASSERT_EQUAL(cur_skip(&c, 3), 0);
	CU_ASSERT_EQUAL(cur_sub(&c, 3, &s), 0);
	CU_ASSERT_EQUAL(cur_offset(&s), 3);
	CU_ASSERT_EQUAL(cur_get_u8(&s, &v), 0);
	CU_ASSERT_EQUAL(v, 0xaa);
	CU_ASSERT_EQUAL(cur_sub(&s, 1, &s2), 0);
	CU_ASSERT_EQUAL(cur_offset(&s2), 4);
	CU_ASSERT_EQUAL(cur_sub(&s, 2, &s2), -1);	/* only one byte left in s */
	CU_ASSERT_EQUAL(cur_peek_u8(&s, &v), 0);
	CU_ASSERT_EQUAL(v, 0xcc);
	CU_ASSERT_EQUAL(cur_offset(&c), 6);
	CU_ASSERT_EQUAL(cur_sub(&c, 2, &s), -1);
	cur_init(&c, NULL, 5);
	CU_ASSERT_EQUAL(cur_remaining(&c), 0);
}

int
test_cursor_register(void)
{
	static const struct tu_test tests[] = {
		{ "big-endian reads and offsets", test_reads },
		{ "short reads fail without moving", test_short },
		{ "sub-cursors keep absolute offsets", test_sub },
		{ NULL, NULL }
	};

	return tu_register("cursor", tests);
}
