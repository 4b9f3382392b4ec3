/* test_builder: the writer grows, fills length prefixes, and fails sticky with a reason. */
#include <string.h>

#include "builder.h"
#include "testutil.h"

static void
test_basic(void)
{
	struct bld b;
	struct bld_mark m1, m2;
	struct err e;

	bld_init(&b);
	bld_u8(&b, 0x01);
	bld_u16(&b, 0x0203);
	bld_u32(&b, 0x04050607);
	m1 = bld_open_len(&b, 2);
	bld_bytes(&b, "abc", 3);
	m2 = bld_open_len(&b, 1);
	bld_zeros(&b, 2);
	bld_close(&b, m2);
	bld_close(&b, m1);
	bld_u64(&b, 1);
	CU_ASSERT_EQUAL(bld_finish(&b, &e), 0);
	TU_ASSERT_HEX(b.buf, b.len, "01 0203 04050607 0006 616263 02 0000 0000000000000001");
	bld_patch_u8(&b, 0, 0xff);
	CU_ASSERT_EQUAL(b.buf[0], 0xff);
	bld_free(&b);
	bld_free(&b);	/* twice is safe */
}

static void
test_grow(void)
{
	struct bld b;
	uint8_t chunk[1000];
	size_t i;

	memset(chunk, 0x5a, sizeof(chunk));
	bld_init(&b);
	for (i = 0; i < 300; i++)
		bld_bytes(&b, chunk, sizeof(chunk));
	CU_ASSERT_TRUE(bld_ok(&b));
	CU_ASSERT_EQUAL(b.len, 300000);
	CU_ASSERT_EQUAL(b.buf[299999], 0x5a);
	bld_free(&b);
}

static void
test_overflow(void)
{
	static uint8_t big[70000];
	struct bld b;
	struct bld_mark m;
	struct err e;

	bld_init(&b);
	m = bld_open_len(&b, 1);
	bld_zeros(&b, 256);
	bld_close(&b, m);
	CU_ASSERT_FALSE(bld_ok(&b));
	CU_ASSERT_EQUAL(bld_finish(&b, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "255"));
	/* Sticky: later writes are ignored. */
	bld_u8(&b, 1);
	CU_ASSERT_EQUAL(b.len, 257);
	bld_reset(&b);
	CU_ASSERT_TRUE(bld_ok(&b));
	m = bld_open_len(&b, 2);
	bld_bytes(&b, big, sizeof(big));
	bld_close(&b, m);
	CU_ASSERT_EQUAL(bld_finish(&b, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "65535"));
	bld_reset(&b);
	bld_open_len(&b, 3);
	CU_ASSERT_FALSE(bld_ok(&b));
	bld_reset(&b);
	bld_patch_u8(&b, 5, 1);
	CU_ASSERT_FALSE(bld_ok(&b));
	bld_free(&b);
}

int
test_builder_register(void)
{
	static const struct tu_test tests[] = {
		{ "integers, bytes and nested length prefixes", test_basic },
		{ "growth over many appends", test_grow },
		{ "length overflow fails sticky with a reason", test_overflow },
		{ NULL, NULL }
	};

	return tu_register("builder", tests);
}
