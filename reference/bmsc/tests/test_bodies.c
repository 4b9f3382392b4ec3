/* test_bodies: request bodies read through the [xml] names, responses written with them. */
#include <stdlib.h>
#include <string.h>

#include "bodies.h"
#include "tu.h"

static struct conf c;

static int
parse(enum bodies_kind kind, const char *text, struct bodies_req *r, struct err *e)
{
	return bodies_parse(&c.xml, kind, text, strlen(text), r, e);
}

static void
test_register(void)
{
	struct bodies_req r;
	struct err e;

	CU_ASSERT_EQUAL_FATAL(tu_conf(&c, NULL, NULL, &e), 0);
	CU_ASSERT_EQUAL_FATAL(parse(BODIES_REGISTER,
	    "<?xml version=\"1.0\"?>\n"
	    "<mbmsRegister xmlns=\"urn:3GPP:metadata:2005:MBMS:mbmsRegister\">\n"
	    "  <serviceId> urn:example:mbms:svc1 </serviceId><!-- c -->\n"
	    "  <serviceId>urn:example:mbms:svc2</serviceId>\n"
	    "</mbmsRegister>", &r, &e), 0);
	CU_ASSERT_EQUAL_FATAL(r.n, 2);
	CU_ASSERT_STRING_EQUAL(r.services[0], "urn:example:mbms:svc1");
	CU_ASSERT_STRING_EQUAL(r.services[1], "urn:example:mbms:svc2");
	bodies_req_free(&r);
	bodies_req_free(&r);
	/* A prefixed namespace is the same namespace. */
	CU_ASSERT_EQUAL(parse(BODIES_DEREGISTER,
	    "<d:mbmsDeregister xmlns:d=\"urn:3GPP:metadata:2005:MBMS:mbmsDeregister\">"
	    "<d:serviceId>x</d:serviceId></d:mbmsDeregister>", &r, &e), 0);
	CU_ASSERT_EQUAL(r.n, 1);
	bodies_req_free(&r);
	conf_free(&c);
}

static void
test_msk(void)
{
	struct bodies_req r;
	struct err e;

	CU_ASSERT_EQUAL_FATAL(tu_conf(&c, NULL, NULL, &e), 0);
	CU_ASSERT_EQUAL_FATAL(parse(BODIES_MSK,
	    "<mskRequest xmlns=\"urn:3GPP:metadata:2005:MBMS:mskRequest\">"
	    "<msk keyDomainId=\"00f110\" mskId=\"00010002\"/>"
	    "<msk keyDomainId=\"00F110\" mskId=\"0001000A\"/></mskRequest>", &r, &e), 0);
	CU_ASSERT_EQUAL_FATAL(r.n, 2);
	CU_ASSERT_EQUAL(r.keys[0].kdid[1], 0xf1);
	CU_ASSERT_EQUAL(r.keys[0].mskid[3], 0x02);
	CU_ASSERT_EQUAL(r.keys[1].mskid[3], 0x0a);
	bodies_req_free(&r);
	conf_free(&c);
}

/* Every malformed body, and a word its error must contain. */
static const struct {
	enum bodies_kind kind;
	const char *text, *want;
} bad[] = {
	{ BODIES_MSK, "", "not well-formed XML" },
	{ BODIES_MSK, "<mskRequest xmlns=\"urn:3GPP:metadata:2005:MBMS:mskRequest\">", "not well-formed" },
	{ BODIES_MSK, "not xml at all", "not well-formed" },
	{ BODIES_MSK, "<mskRequest xmlns=\"urn:3GPP:metadata:2005:MBMS:mskRequest\"/>", "empty" },
	{ BODIES_MSK, "<mskRequest xmlns=\"urn:x\"><msk keyDomainId=\"00f110\" mskId=\"00010002\"/>"
	  "</mskRequest>", "root element {urn:x}mskRequest" },
	{ BODIES_MSK, "<mskRequest><msk keyDomainId=\"00f110\" mskId=\"00010002\"/></mskRequest>",
	  "root element {}mskRequest" },
	{ BODIES_MSK, "<mbmsRegister xmlns=\"urn:3GPP:metadata:2005:MBMS:mbmsRegister\">"
	  "<serviceId>a</serviceId></mbmsRegister>", "root element" },
	{ BODIES_MSK, "<mskRequest xmlns=\"urn:3GPP:metadata:2005:MBMS:mskRequest\">"
	  "<msk mskId=\"00010002\"/></mskRequest>", "attribute keyDomainId missing" },
	{ BODIES_MSK, "<mskRequest xmlns=\"urn:3GPP:metadata:2005:MBMS:mskRequest\">"
	  "<msk keyDomainId=\"00f110\" mskId=\"000100\"/></mskRequest>", "attribute mskId" },
	{ BODIES_MSK, "<mskRequest xmlns=\"urn:3GPP:metadata:2005:MBMS:mskRequest\">"
	  "<msk keyDomainId=\"00f1zz\" mskId=\"00010002\"/></mskRequest>", "attribute keyDomainId" },
	{ BODIES_MSK, "<mskRequest xmlns=\"urn:3GPP:metadata:2005:MBMS:mskRequest\">"
	  "<key keyDomainId=\"00f110\" mskId=\"00010002\"/></mskRequest>", "unexpected element <key>" },
	{ BODIES_MSK, "<mskRequest xmlns=\"urn:3GPP:metadata:2005:MBMS:mskRequest\">"
	  "<msk xmlns=\"urn:y\" keyDomainId=\"00f110\" mskId=\"00010002\"/></mskRequest>",
	  "unexpected element <msk>" },
	{ BODIES_MSK, "<mskRequest xmlns=\"urn:3GPP:metadata:2005:MBMS:mskRequest\">stray"
	  "<msk keyDomainId=\"00f110\" mskId=\"00010002\"/></mskRequest>", "text between items" },
	{ BODIES_REGISTER, "<mbmsRegister xmlns=\"urn:3GPP:metadata:2005:MBMS:mbmsRegister\">"
	  "<serviceId>  </serviceId></mbmsRegister>", "without a service ID" },
	{ BODIES_REGISTER, "<mbmsRegister xmlns=\"urn:3GPP:metadata:2005:MBMS:mbmsRegister\">"
	  "<serviceId><b>x</b></serviceId></mbmsRegister>", "without a service ID" },
	{ BODIES_REGISTER, "<mbmsRegister xmlns=\"urn:3GPP:metadata:2005:MBMS:mbmsRegister\">"
	  "</mbmsRegister>", "empty" },
	{ BODIES_DEREGISTER, "<mbmsRegister xmlns=\"urn:3GPP:metadata:2005:MBMS:mbmsRegister\">"
	  "<serviceId>a</serviceId></mbmsRegister>", "expected {urn:3GPP:metadata:2005:MBMS:"
	  "mbmsDeregister}mbmsDeregister" },
};

static void
test_malformed(void)
{
	struct bodies_req r;
	struct err e;
	size_t i;

	CU_ASSERT_EQUAL_FATAL(tu_conf(&c, NULL, NULL, &e), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(parse(bad[i].kind, bad[i].text, &r, &e), -1);
		CU_ASSERT_TRUE(tu_has(e.msg, bad[i].want));
		CU_ASSERT_PTR_NULL(strchr(e.msg, '\n'));
		CU_ASSERT_EQUAL(r.n, 0);
	}
	conf_free(&c);
}

static void
test_many_items(void)
{
	struct bodies_req r;
	struct err e;
	char *text;
	size_t i, n;

	CU_ASSERT_EQUAL_FATAL(tu_conf(&c, NULL, NULL, &e), 0);
	text = malloc(64 * (BODIES_MAX_ITEMS + 2));
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	for (n = BODIES_MAX_ITEMS; n <= BODIES_MAX_ITEMS + 1; n++) {
		strcpy(text, "<mskRequest xmlns=\"urn:3GPP:metadata:2005:MBMS:mskRequest\">");
		for (i = 0; i < n; i++)
			strcat(text, "<msk keyDomainId=\"00f110\" mskId=\"00010002\"/>");
		strcat(text, "</mskRequest>");
		CU_ASSERT_EQUAL(parse(BODIES_MSK, text, &r, &e), n == BODIES_MAX_ITEMS ? 0 : -1);
		bodies_req_free(&r);
	}
	free(text);
	conf_free(&c);
}

static void
test_responses(void)
{
	struct bodies_key keys[2] = {
		{ { 0x00, 0xf1, 0x10 }, { 0x00, 0x01, 0x00, 0x02 } },
		{ { 0x00, 0xf1, 0x10 }, { 0x00, 0x09, 0x00, 0x09 } }
	};
	char *services[2] = { "urn:example:mbms:svc1", "urn:a&b" };
	int codes[2] = { 200, 404 };
	struct bld b;
	struct err e;

	CU_ASSERT_EQUAL_FATAL(tu_conf(&c, NULL, NULL, &e), 0);
	bld_init(&b);
	CU_ASSERT_EQUAL_FATAL(bodies_msk_response(&c.xml, keys, codes, 2, &b, &e), 0);
	bld_u8(&b, 0);
	CU_ASSERT_TRUE(tu_has((char *)b.buf,
	    "<mskResponse xmlns=\"urn:3GPP:metadata:2005:MBMS:mskResponse\">\n"
	    "  <status keyDomainId=\"00f110\" mskId=\"00010002\" code=\"200\"/>\n"
	    "  <status keyDomainId=\"00f110\" mskId=\"00090009\" code=\"404\"/>\n"
	    "</mskResponse>"));
	bld_reset(&b);
	codes[1] = 401;
	CU_ASSERT_EQUAL_FATAL(bodies_register_response(&c.xml, services, codes, 2, &b, &e), 0);
	bld_u8(&b, 0);
	CU_ASSERT_TRUE(tu_has((char *)b.buf,
	    "<mbmsRegisterResponse xmlns=\"urn:3GPP:metadata:2005:MBMS:mbmsRegisterResponse\">\n"
	    "  <status serviceId=\"urn:example:mbms:svc1\" code=\"200\"/>\n"
	    "  <status serviceId=\"urn:a&amp;b\" code=\"401\"/>\n"
	    "</mbmsRegisterResponse>"));
	bld_free(&b);
	conf_free(&c);
	/* Renamed by the configuration: the body follows. */
	CU_ASSERT_EQUAL_FATAL(tu_conf(&c, "msk_response_root = mskResponse\n",
	    "msk_response_root = KeyAnswer\n", &e), 0);
	bld_init(&b);
	CU_ASSERT_EQUAL_FATAL(bodies_msk_response(&c.xml, keys, codes, 1, &b, &e), 0);
	bld_u8(&b, 0);
	CU_ASSERT_TRUE(tu_has((char *)b.buf, "<KeyAnswer xmlns="));
	bld_free(&b);
	conf_free(&c);
}

int
test_bodies_register(void)
{
	static const struct tu_test tests[] = {
		{ "registration bodies", test_register },
		{ "MSK request bodies", test_msk },
		{ "malformed bodies", test_malformed },
		{ "item limit", test_many_items },
		{ "response bodies", test_responses },
		{ NULL, NULL }
	};

	return tu_register("bodies", tests);
}
