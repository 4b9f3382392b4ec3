/*
 * test_keys: MRK, MUK and password derivation from GBA material.
 * Vectors: computed with the harness's Lua gba module (harness/lua/gba.lua, `mbmsct lua`) for
 * the subscribers of suites/targets/reference-bmsc.lua under profile ts33246.
 */
#include <string.h>

#include "keys.h"
#include "tu.h"

static void
expect_key(const uint8_t *got, size_t len, const char *hex)
{
	uint8_t want[CONF_KEY_MAX];
	size_t n = tu_unhex(hex, want, sizeof(want));

	CU_ASSERT_EQUAL(len, n);
	CU_ASSERT_TRUE(len == n && memcmp(got, want, n) == 0);
}

static void
test_derive(void)
{
	struct conf c;
	struct keys k;
	struct err e;

	CU_ASSERT_EQUAL_FATAL(tu_conf(&c, NULL, NULL, &e), 0);
	/* From Ks, RAND and IMPI through Ks_NAF (TS 33.220 B.3). */
	CU_ASSERT_EQUAL_FATAL(keys_derive(&c, 0, &k, &e), 0);
	expect_key(k.muk, k.muk_len,
	    "e2a8663e97446495327c96fbc3e6512d17ac3cf3e4093ebfee3788cb78d67109");
	expect_key(k.mrk, k.mrk_len,
	    "1d30a9441d186656b721f4de83a4926abc6e4fba8761c192730cfccdd229ea42");
	CU_ASSERT_STRING_EQUAL(k.password, "HTCpRB0YZla3IfTeg6SSarxuT7qHYcGScwz8zdIp6kI=");
	/* From a provisioned Ks_NAF. */
	CU_ASSERT_EQUAL_FATAL(keys_derive(&c, 1, &k, &e), 0);
	expect_key(k.muk, k.muk_len,
	    "cb94c8c05d2797a537c537519ba239da12b70fe1c95f836d2a4e77c0d0f4c047");
	CU_ASSERT_STRING_EQUAL(k.password, "G/a1wHw4wIdhvMis0tP5bFk41a5N6zZl25r6cuUzsu0=");
	conf_free(&c);
}

static void
test_rules(void)
{
	struct conf c;
	struct keys k;
	struct err e;

	/* password = hex; MRK = Ks_NAF. */
	CU_ASSERT_EQUAL_FATAL(tu_conf(&c, "mrk = kdf 01 3gpp-mbms-mrk\nmuk = ks_naf\npassword = base64",
	    "mrk = ks_naf\nmuk = ks_naf\npassword = hex", &e), 0);
	CU_ASSERT_EQUAL_FATAL(keys_derive(&c, 1, &k, &e), 0);
	CU_ASSERT_STRING_EQUAL(k.password,
	    "cb94c8c05d2797a537c537519ba239da12b70fe1c95f836d2a4e77c0d0f4c047");
	conf_free(&c);
	/* Provisioned keys: given ones are used, a missing one is an error naming the section. */
	CU_ASSERT_EQUAL_FATAL(tu_conf(&c, "mrk = kdf 01 3gpp-mbms-mrk\nmuk = ks_naf",
	    "mrk = provisioned\nmuk = provisioned",  &e), 0);
	CU_ASSERT_EQUAL(keys_derive(&c, 0, &k, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "test.conf:86: subscriber B-TID-0001@bsf.example.org: MRK"));
	conf_free(&c);
	CU_ASSERT_EQUAL_FATAL(tu_conf(&c, "ks_naf = cb94",
	    "mrk = 0102\nmuk = 0a0b0c\nks_naf = cb94", &e), 0);
	c.mrk.kind = c.muk.kind = CONF_RULE_PROVISIONED;
	CU_ASSERT_EQUAL_FATAL(keys_derive(&c, 1, &k, &e), 0);
	expect_key(k.mrk, k.mrk_len, "0102");
	expect_key(k.muk, k.muk_len, "0a0b0c");
	CU_ASSERT_STRING_EQUAL(k.password, "AQI=");
	conf_free(&c);
	/* Neither Ks_NAF nor Ks + RAND + IMPI. */
	CU_ASSERT_EQUAL_FATAL(tu_conf(&c, "impi = 001010123456789@ims.mnc001.mcc001.3gppnetwork.org\n",
	    "", &e), 0);
	CU_ASSERT_EQUAL(keys_derive(&c, 0, &k, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "needs ks_naf, or ks + rand + impi"));
	conf_free(&c);
}

int
test_keys_register(void)
{
	static const struct tu_test tests[] = {
		{ "derivation vectors", test_derive },
		{ "rules and errors", test_rules },
		{ NULL, NULL }
	};

	return tu_register("keys", tests);
}
