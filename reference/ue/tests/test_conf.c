/* test_conf: the CONF.md reader (values, defaults, errors naming file:line) and key derivation. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "faults.h"
#include "hex.h"
#include "keys.h"
#include "protect.h"
#include "tu.h"

int	test_conf_register(void);

static struct conf c;

static void
test_values(void)
{
	const struct conf_service *s;

	tu_conf(&c, "[fault]\nfault = no-leave\nfault = wrong-btid\n");
	CU_ASSERT_STRING_EQUAL(c.fqdn, TU_FQDN);
	CU_ASSERT_STRING_EQUAL(c.http.host, "127.0.0.1");
	CU_ASSERT_EQUAL(c.http.port, 18280);
	CU_ASSERT_STRING_EQUAL(c.http.text, "127.0.0.1:18280");
	CU_ASSERT_EQUAL(c.mikey.port, 12469);
	CU_ASSERT_EQUAL(c.seed, 7);
	CU_ASSERT_EQUAL(c.t_request, 500);
	CU_ASSERT_EQUAL(c.retry_window, 6000);
	CU_ASSERT_EQUAL(c.faults, FAULT_NO_LEAVE | FAULT_WRONG_BTID);
	CU_ASSERT_EQUAL(c.nsvc, 1);
	s = &c.svc[0];
	CU_ASSERT_STRING_EQUAL(s->id, TU_SVC);
	CU_ASSERT_EQUAL(memcmp(s->kdid, tu_kdid, 3), 0);
	CU_ASSERT_EQUAL(s->nmsk, 2);
	CU_ASSERT_EQUAL(s->msk[1].seql, 4096);
	CU_ASSERT_EQUAL(s->msk[1].sequ, 8191);
	CU_ASSERT(s->have_current);
	CU_ASSERT_EQUAL(memcmp(s->current, tu_msk1_id, 4), 0);
	CU_ASSERT_PTR_NOT_NULL(conf_self(&c));
	CU_ASSERT_EQUAL(conf_service_index(&c, TU_SVC), 0);
	CU_ASSERT_EQUAL(conf_service_index(&c, "urn:other"), -1);
	/* Defaults of profile ts33246 where the file is silent. */
	CU_ASSERT_STRING_EQUAL(c.h.path, "/keymanagement");
	CU_ASSERT_STRING_EQUAL(c.x.msk_response_ns, "urn:3GPP:metadata:2005:MBMS:mskResponse");
	CU_ASSERT_EQUAL(conf_cause_code(&c, "NO_UPDATE_NEEDED"), 304);
	CU_ASSERT_STRING_EQUAL(conf_cause_name(&c, 503), "NOT_AVAILABLE");
	CU_ASSERT_EQUAL(c.v_mac_reading, PROTECT_VMAC_MYKEY);
	CU_ASSERT_EQUAL(c.mrk.kind, KEYRULE_KDF);
	CU_ASSERT_EQUAL(c.mrk.fc, 1);
	CU_ASSERT_STRING_EQUAL(c.mrk.p0, "3gpp-mbms-mrk");
}

static void
test_overrides(void)
{
	tu_conf(&c, "[causes]\nSUCCESS = 201\nNEW_CAUSE = 599\n[mikey]\nv_mac_reading = minisip\n"
	    "[gba]\nmrk = provisioned\nmuk = kdf 02 other-label   # trailing comment\n"
	    "password = hex\n[http]\npath = /km\n");
	CU_ASSERT_EQUAL(conf_cause_code(&c, "SUCCESS"), 201);
	CU_ASSERT_EQUAL(conf_cause_code(&c, "NEW_CAUSE"), 599);
	CU_ASSERT_EQUAL(c.v_mac_reading, PROTECT_VMAC_MINISIP);
	CU_ASSERT_EQUAL(c.mrk.kind, KEYRULE_PROVISIONED);
	CU_ASSERT_EQUAL(c.muk.kind, KEYRULE_KDF);
	CU_ASSERT_EQUAL(c.muk.fc, 2);
	CU_ASSERT_STRING_EQUAL(c.muk.p0, "other-label");
	CU_ASSERT_EQUAL(c.password, PW_HEX);
	CU_ASSERT_STRING_EQUAL(c.h.path, "/km");
}

/* Every error names the file and line. */
static void
test_errors(void)
{
	static const struct {
		const char *text;
		const char *want;	/* substring of the message */
	} cases[] = {
		{ "[node]\nbogus = 1\n", "x.conf:2: unknown key 'bogus' in [node]" },
		{ "[nodes]\n", "x.conf:1: unknown section [nodes]" },
		{ "fqdn = a\n", "x.conf:1: 'fqdn' outside any section" },
		{ "[node]\nfqdn = a\nfqdn = b\n", "x.conf:3: 'fqdn' set twice" },
		{ "[node]\nhttp = localhost\n", "x.conf:2: http: 'localhost' is not HOST:PORT" },
		{ "[node]\nhttp = 1.2.3.4:99999\n", "x.conf:2: http: 99999 is outside" },
		{ "[service a]\nkdid = 00F110\n", "x.conf:2: kdid: 'F' at column 3" },
		{ "[service a]\nkdid = 00f1\n", "x.conf:2: kdid: 2 bytes, expected 3" },
		{ "[service a]\nmsk = 00010002 00 9 1\n", "x.conf:2: msk: SEQl 9 is above SEQu 1" },
		{ "[service]\n", "x.conf:1: [service] needs a name" },
		{ "[node x]\n", "x.conf:1: [node] takes no name" },
		{ "[node] x\n", "x.conf:1: malformed section header" },
		{ "[fault]\nfault = explode\n", "x.conf:2: fault: unknown fault 'explode'" },
		{ "[timers]\nT_request = soon\n", "x.conf:2: T_request: 'soon' is not an integer" },
		{ "[gba]\nmrk = magic\n", "x.conf:2: mrk: 'magic' is not" },
		{ "[mikey]\nv_mac_reading = other\n", "x.conf:2: v_mac_reading" },
		{ "[causes]\nlower = 1\n", "x.conf:2: causes: 'lower' is not a cause name" },
		{ "[node]\nno equals sign\n", "x.conf:2: expected 'key = value'" },
		{ "[node]\nrole = ue\n", "x.conf: [node] fqdn is required" },
		{ "[node]\nrole = bmsc\nfqdn = f\nhttp = 1.1.1.1:1\nmikey = 1.1.1.1:2\n"
		  "control = 1.1.1.1:3\nbtid = b\n", "mbms-ue needs role = ue" },
		{ "[node]\nrole = ue\nfqdn = f\nhttp = 1.1.1.1:1\nmikey = 1.1.1.1:2\n"
		  "control = 1.1.1.1:3\nbtid = b\n", "no [subscriber b] section" },
	};
	struct err e;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = conf_parse("x.conf", cases[i].text, &c, &e);

		CU_ASSERT_EQUAL(rc, -1);
		if (rc != -1 || strstr(e.msg, cases[i].want) == NULL) {
			fprintf(stderr, "\ncase %zu: got '%s', want '%s'\n", i, rc == -1 ? e.msg : "ok",
			    cases[i].want);
			CU_FAIL("error message");
		}
	}
	CU_ASSERT_EQUAL(conf_load("/nonexistent/u.conf", &c, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/nonexistent/u.conf"));
}

/*
 * Key derivation against the repository's vectors: Ks_NAF (vectors/kat/gba-kdf.txt, GBA_ME
 * record, NAF FQDN bmsc.mnc001...) and MRK with its base64 (vectors/kat/mrk.txt).
 */
static void
test_keys(void)
{
	static const char *ks_naf_hex =
	    "cb94c8c05d2797a537c537519ba239da12b70fe1c95f836d2a4e77c0d0f4c047";
	static const char *mrk_hex =
	    "1bf6b5c07c38c08761bcc8acd2d3f96c5938d5ae4deb3665db9afa72e533b2ed";
	struct keys k;
	struct err e;
	char h[2 * 64 + 1];

	tu_conf(&c, NULL);
	snprintf(c.fqdn, sizeof(c.fqdn), "bmsc.mnc001.mcc001.3gppnetwork.org");
	CU_ASSERT_EQUAL_FATAL(keys_derive(&c, conf_self(&c), &k, &e), 0);
	CU_ASSERT_EQUAL(k.ks_naf_len, 32);
	hex_encode(k.ks_naf, k.ks_naf_len, h);
	CU_ASSERT_STRING_EQUAL(h, ks_naf_hex);
	hex_encode(k.mrk, k.mrk_len, h);
	CU_ASSERT_STRING_EQUAL(h, mrk_hex);
	CU_ASSERT_STRING_EQUAL(k.password, "G/a1wHw4wIdhvMis0tP5bFk41a5N6zZl25r6cuUzsu0=");
	/* Default MUK = Ks_NAF [A]. */
	CU_ASSERT_EQUAL(k.muk_len, 32);
	CU_ASSERT_EQUAL(memcmp(k.muk, k.ks_naf, 32), 0);
	/* password = hex. */
	c.password = PW_HEX;
	CU_ASSERT_EQUAL_FATAL(keys_derive(&c, conf_self(&c), &k, &e), 0);
	CU_ASSERT_STRING_EQUAL(k.password, mrk_hex);
	/* Provisioned keys must be given. */
	c.mrk.kind = KEYRULE_PROVISIONED;
	CU_ASSERT_EQUAL(keys_derive(&c, conf_self(&c), &k, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "provisioned"));
	keys_wipe(&k);
}

int
test_conf_register(void)
{
	CU_pSuite s = CU_add_suite("conf", NULL, NULL);

	if (s == NULL ||
	    !CU_add_test(s, "values and defaults", test_values) ||
	    !CU_add_test(s, "profile overrides", test_overrides) ||
	    !CU_add_test(s, "errors name file:line", test_errors) ||
	    !CU_add_test(s, "Ks_NAF, MRK, password from the vectors", test_keys))
		return -1;
	return 0;
}
