/* test_conf: the configuration reader — the base file, every kind of error with its file:line. */
#include <string.h>

#include "conf.h"
#include "faults.h"
#include "protect.h"
#include "tu.h"

static void
test_base(void)
{
	struct conf c;
	struct err e;

	CU_ASSERT_EQUAL_FATAL(tu_conf(&c, NULL, NULL, &e), 0);
	CU_ASSERT_STRING_EQUAL(c.fqdn, "bmsc.example.org");
	CU_ASSERT_EQUAL(c.ue_mikey_port, 12369);
	CU_ASSERT_EQUAL(c.seed, 7);
	CU_ASSERT_TRUE(c.have_seed);
	CU_ASSERT_STRING_EQUAL(c.xml.msk_response_ns, "urn:3GPP:metadata:2005:MBMS:mskResponse");
	CU_ASSERT_EQUAL(c.code[CAUSE_NO_UPDATE_NEEDED], 304);
	CU_ASSERT_EQUAL(c.code[CAUSE_NOT_AVAILABLE], 503);
	CU_ASSERT_EQUAL(c.ua_protocol_id_len, 5);
	CU_ASSERT_EQUAL(c.mrk.kind, CONF_RULE_KDF);
	CU_ASSERT_EQUAL(c.mrk.fc, 1);
	CU_ASSERT_STRING_EQUAL(c.mrk.p0, "3gpp-mbms-mrk");
	CU_ASSERT_EQUAL(c.muk.kind, CONF_RULE_KS_NAF);
	CU_ASSERT_EQUAL(c.password, CONF_PW_BASE64);
	CU_ASSERT_EQUAL(c.v_mac_reading, PROTECT_VMAC_MYKEY);
	CU_ASSERT_EQUAL(c.v_bit, 1);
	CU_ASSERT_EQUAL(c.w_spread, 1000);
	CU_ASSERT_EQUAL(c.verify_resend, 2);
	CU_ASSERT_EQUAL(c.held_key_answer, CONF_HELD_NO_UPDATE_NEEDED);
	CU_ASSERT_EQUAL_FATAL(c.nsvc, 2);
	CU_ASSERT_EQUAL(c.svc[0].nmsk, 2);
	CU_ASSERT_EQUAL(c.svc[0].current, 0);
	CU_ASSERT_EQUAL(c.svc[0].msk[1].seql, 4096);
	CU_ASSERT_EQUAL(c.svc[0].msk[1].sequ, 4098);
	CU_ASSERT_EQUAL(c.svc[0].kdid[2], 0x10);
	CU_ASSERT_EQUAL(c.svc[1].current, 0);
	CU_ASSERT_EQUAL_FATAL(c.nsub, 3);
	CU_ASSERT_EQUAL(c.sub[0].ks.len, 32);
	CU_ASSERT_EQUAL(c.sub[0].rand.len, 16);
	CU_ASSERT_TRUE(conf_entitled(&c, 0, 0));
	CU_ASSERT_FALSE(conf_entitled(&c, 0, 1));
	CU_ASSERT_TRUE(conf_entitled(&c, 1, 1));
	CU_ASSERT_TRUE(c.sub[2].expired);
	CU_ASSERT_EQUAL(conf_service_find(&c, "urn:example:mbms:svc2"), 1);
	CU_ASSERT_EQUAL(conf_service_find(&c, "urn:example:mbms:svc9"), -1);
	CU_ASSERT_EQUAL(conf_subscriber_find(&c, "B-TID-0002@bsf.example.org"), 1);
	CU_ASSERT_EQUAL(c.faults, 0);
	conf_free(&c);
	conf_free(&c);		/* safe twice */
}

static void
test_options(void)
{
	struct conf c;
	struct err e;

	CU_ASSERT_EQUAL_FATAL(tu_conf(&c, "fault = none\n",
	    "fault = bad-mac\nfault = push-burst   # trailing comment\n", &e), 0);
	CU_ASSERT_EQUAL(c.faults, FAULT_BAD_MAC | FAULT_PUSH_BURST);
	conf_free(&c);
	CU_ASSERT_EQUAL_FATAL(tu_conf(&c, "counter_start = 1\n",
	    "counter_start = 5\nv_bit = 0\n", &e), 0);
	CU_ASSERT_EQUAL(c.counter_start, 5);
	CU_ASSERT_EQUAL(c.v_bit, 0);
	conf_free(&c);
	CU_ASSERT_EQUAL_FATAL(tu_conf(&c, "current = 00010002\n", "current = 00010003\n", &e), 0);
	CU_ASSERT_EQUAL(c.svc[0].current, 1);
	conf_free(&c);
	CU_ASSERT_EQUAL_FATAL(tu_conf(&c, "held_key_answer = no_update_needed",
	    "held_key_answer = redeliver", &e), 0);
	CU_ASSERT_EQUAL(c.held_key_answer, CONF_HELD_REDELIVER);
	conf_free(&c);
	CU_ASSERT_EQUAL_FATAL(tu_conf(&c, "mrk = kdf 01 3gpp-mbms-mrk", "mrk = provisioned", &e), 0);
	CU_ASSERT_EQUAL(c.mrk.kind, CONF_RULE_PROVISIONED);
	conf_free(&c);
	/* A '#' inside a word stays in the value (URI fragments). */
	CU_ASSERT_EQUAL_FATAL(tu_conf(&c, "realm = bmsc.example.org", "realm = a#b", &e), 0);
	CU_ASSERT_STRING_EQUAL(c.realm, "a#b");
	conf_free(&c);
	/* Windows line ends are whitespace. */
	CU_ASSERT_EQUAL_FATAL(tu_conf(&c, "seed = 7\n", "seed = 9\r\n", &e), 0);
	CU_ASSERT_EQUAL(c.seed, 9);
	conf_free(&c);
}

/* Each case: an edit of the base file and the text its error must contain. */
static const struct {
	const char *from, *to, *want;
} bad[] = {
	{ "seed = 7\n", "seed = 7\ncolour = red\n", "test.conf:11: unknown key 'colour' in [node]" },
	{ "[http]\n", "[htp]\n", "test.conf:11: unknown section: htp" },
	{ "seed = 7\n", "seed = 7\nseed = 8\n", "test.conf:11: seed set twice (first at line 10)" },
	{ "role = bmsc", "role = ue", "test.conf:3: role 'ue'" },
	{ "http = 127.0.0.1:0", "http = localhost:80", "test.conf:5: expected IPv4ADDRESS:PORT" },
	{ "http = 127.0.0.1:0", "http = 127.0.0.1:70000", "test.conf:5:" },
	{ "ue_mikey_port = 12369", "ue_mikey_port = 0", "test.conf:8: expected a port" },
	{ "# base configuration of the unit tests\n", "orphan = 1\n", "test.conf:1: key outside a section" },
	{ "[node]\n", "node\n", "test.conf:2: expected \"key = value\"" },
	{ "[node]\n", "[node\n", "test.conf:2: malformed section header" },
	{ "[node]\n", "[node x]\n", "test.conf:2: this section takes no name" },
	{ "realm = bmsc.example.org", "realm =", "test.conf:22: empty value for realm" },
	{ "SUCCESS = 200", "SUCCESS = two hundred", "test.conf:47: expected a non-negative" },
	{ "SUCCESS = 200", "SUCESS = 200", "test.conf:47: unknown key 'SUCESS' in [causes]" },
	{ "mrk = kdf 01 3gpp-mbms-mrk", "mrk = kdf 1x 3gpp-mbms-mrk", "test.conf:57: 'kdf 1x" },
	{ "mrk = kdf 01 3gpp-mbms-mrk", "mrk = magic", "test.conf:57:" },
	{ "password = base64", "password = rot13", "test.conf:59: password 'rot13'" },
	{ "ua_protocol_id = 0100000001", "ua_protocol_id = 01000000g1", "test.conf:55: ua_protocol_id" },
	{ "v_mac_reading = mykey", "v_mac_reading = yours", "test.conf:66: v_mac_reading 'yours'" },
	{ "rand_len = 16", "rand_len = 0", "test.conf:65: rand_len '0'" },
	{ "id_type = 1", "id_type = 256", "test.conf:64: expected an integer 0..255" },
	{ "held_key_answer = no_update_needed", "held_key_answer = maybe", "test.conf:77: held_key_answer" },
	{ "kdid = 00f110\nmsk = 00010002", "kdid = 00f1\nmsk = 00010002", "test.conf:79: kdid" },
	{ "msk = 00010002 00112233445566778899aabbccddeeff 1 4095",
	  "msk = 0001002 00112233445566778899aabbccddeeff 1 4095", "test.conf:80: msk: MSK ID" },
	{ "msk = 00010002 00112233445566778899aabbccddeeff 1 4095",
	  "msk = 00010002 00112233445566778899aabbccddee 1 4095", "test.conf:80: msk: key" },
	{ "msk = 00010002 00112233445566778899aabbccddeeff 1 4095",
	  "msk = 00010002 00112233445566778899aabbccddeeff 4095 1", "test.conf:80: msk: SEQl" },
	{ "msk = 00010002 00112233445566778899aabbccddeeff 1 4095",
	  "msk = 00010002 00112233445566778899aabbccddeeff 1", "test.conf:80: msk: expected" },
	{ "current = 00010002", "current = 00010009", "test.conf:82: current: 00010009 is not an msk" },
	{ "current = 00010002", "current = 00010002\ncurrent = 00010003", "test.conf:83: current set twice (first at line 82)" },
	{ "msk = 00020001 0f0e0d0c0b0a09080706050403020100 1 65535",
	  "msk = 00010002 0f0e0d0c0b0a09080706050403020100 1 65535",
	  "test.conf:85: MSK ID already defined at line 80" },
	{ "[service urn:example:mbms:svc2]\nkdid = 00f110\n", "[service urn:example:mbms:svc2]\n",
	  "test.conf:83: service urn:example:mbms:svc2 has no kdid" },
	{ "[service urn:example:mbms:svc2]", "[service urn:example:mbms:svc1]",
	  "test.conf:83: service defined twice" },
	{ "[service urn:example:mbms:svc2]", "[service]", "test.conf:83: section needs a name" },
	{ "entitled = urn:example:mbms:svc1\nexpired = 0", "entitled = urn:example:mbms:svc7\nexpired = 0",
	  "test.conf:90: entitled: unknown service 'urn:example:mbms:svc7'" },
	{ "expired = 0", "expired = yes", "test.conf:91: expired: expected 0 or 1" },
	{ "rand = a0a1", "rand = zz a0a1", "test.conf:89: rand: expected hex" },
	{ "impi = 0010", "imsi = 0010", "test.conf:87: unknown key 'imsi' in [subscriber]" },
	{ "[subscriber B-TID-0002@bsf.example.org]", "[subscriber B-TID-0001@bsf.example.org]",
	  "test.conf:92: subscriber defined twice" },
	{ "fault = none", "fault = explode", "test.conf:101: unknown fault 'explode'" },
	{ "fault = none", "faults = none", "test.conf:101: unknown key 'faults' in [fault]" },
	{ "realm = bmsc.example.org\n", "", "test.conf: missing key 'realm' in [http]" },
	{ "W_spread = 1000\n", "", "test.conf: missing key 'W_spread' in [timers]" },
};

static void
test_errors(void)
{
	struct conf c;
	struct err e;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&e, 0, sizeof(e));
		CU_ASSERT_EQUAL(tu_conf(&c, bad[i].from, bad[i].to, &e), -1);
		CU_ASSERT_TRUE(tu_has(e.msg, bad[i].want));
		/* A failed parse leaves nothing to free, and freeing again is harmless. */
		CU_ASSERT_PTR_NULL(c.svc);
		conf_free(&c);
	}
}

static void
test_load(void)
{
	struct conf c;
	struct err e;

	CU_ASSERT_EQUAL(conf_load("/nonexistent/bmsc.conf", &c, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "/nonexistent/bmsc.conf"));
}

static void
test_addr(void)
{
	struct conf_addr a;

	CU_ASSERT_EQUAL(conf_parse_addr("127.0.0.1:2269", &a), 0);
	CU_ASSERT_EQUAL(a.sa.sin_port, htons(2269));
	CU_ASSERT_EQUAL(conf_parse_addr("239.1.2.3:0", &a), 0);
	CU_ASSERT_EQUAL(conf_parse_addr(":2269", &a), -1);
	CU_ASSERT_EQUAL(conf_parse_addr("127.0.0.1", &a), -1);
	CU_ASSERT_EQUAL(conf_parse_addr("127.0.0.1:-1", &a), -1);
	CU_ASSERT_EQUAL(conf_parse_addr("127.0.0.1:65536", &a), -1);
	CU_ASSERT_EQUAL(conf_parse_addr("::1:80", &a), -1);
}

int
test_conf_register(void)
{
	static const struct tu_test tests[] = {
		{ "base file", test_base },
		{ "options and comments", test_options },
		{ "errors name file:line", test_errors },
		{ "unreadable file", test_load },
		{ "addresses", test_addr },
		{ NULL, NULL }
	};

	return tu_register("conf", tests);
}
