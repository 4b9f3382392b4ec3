/* test_hex: hex text conversion and the vector file readers. */
#include <stdio.h>
#include <string.h>

#include "hex.h"
#include "testutil.h"

static void
test_codec(void)
{
	struct bld b;
	struct err e;
	char out[16];

	bld_init(&b);
	CU_ASSERT_EQUAL(hex_decode("0A:bc de\tF0", 11, &b, &e), 0);
	TU_ASSERT_HEX(b.buf, b.len, "0abcdef0");
	hex_encode(b.buf, b.len, out);
	CU_ASSERT_STRING_EQUAL(out, "0abcdef0");
	bld_reset(&b);
	CU_ASSERT_EQUAL(hex_decode("abc", 3, &b, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "odd"));
	bld_reset(&b);
	CU_ASSERT_EQUAL(hex_decode("12zz", 4, &b, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "column 3"));
	bld_free(&b);
}

static const char *
write_tmp(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tu_tmpdir(), name);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void
test_kat(void)
{
	struct hex_kat k;
	struct err e;
	const struct hex_field *f;

	CU_ASSERT_EQUAL(hex_kat_load(write_tmp("k.txt",
	    "# source: test\n# comment\nkey = 0102\nmsg = \"Hi\"\n\nkey = ff\nempty =\n"),
	    &k, &e), 0);
	CU_ASSERT_STRING_EQUAL(k.source, "test");
	CU_ASSERT_EQUAL(k.nrec, 2);
	f = hex_kat_get(&k.rec[0], "msg");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(f->len, 2);
	CU_ASSERT_EQUAL(memcmp(f->val, "Hi", 2), 0);
	CU_ASSERT_EQUAL(k.rec[1].line, 6);
	f = hex_kat_get(&k.rec[1], "empty");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(f->len, 0);
	CU_ASSERT_PTR_NULL(hex_kat_get(&k.rec[1], "msg"));
	hex_kat_free(&k);

	CU_ASSERT_EQUAL(hex_kat_load(write_tmp("k2.txt", "# source: x\nkey = 0g\n"), &k, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "k2.txt:2"));
	CU_ASSERT_EQUAL(hex_kat_load(write_tmp("k3.txt", "key = 00\n"), &k, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "source"));
	CU_ASSERT_EQUAL(hex_kat_load("/nonexistent/x", &k, &e), -1);
}

static void
test_msgs(void)
{
	struct hex_msgs v;
	struct err e;

	CU_ASSERT_EQUAL(hex_msgs_load(write_tmp("m.hex",
	    "# source: here\n# expect: KEMAC: oops\n01 02\n\n# c\n0304 05\n"), &v, &e), 0);
	CU_ASSERT_EQUAL(v.n, 2);
	CU_ASSERT_STRING_EQUAL(v.expect, "KEMAC: oops");
	CU_ASSERT_EQUAL(v.m[1].line, 6);
	TU_ASSERT_HEX(v.m[1].buf, v.m[1].len, "030405");
	hex_msgs_free(&v);
	CU_ASSERT_EQUAL(hex_msgs_load(write_tmp("m2.hex", "# source: s\n0\n"), &v, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "m2.hex:2"));
}

int
test_hex_register(void)
{
	static const struct tu_test tests[] = {
		{ "hex text to bytes and back", test_codec },
		{ "KAT files: records, quoted text, errors with path:line", test_kat },
		{ "message files: one message per line, expect tag", test_msgs },
		{ NULL, NULL }
	};

	return tu_register("hex", tests);
}
