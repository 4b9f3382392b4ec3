/* test_bodies: request bodies as key-update.md §2.2 shows them, and answers read back. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include "bodies.h"
#include "tu.h"

int	test_bodies_register(void);

static struct conf c;

static void
test_register_body(void)
{
	struct err e;
	char *b = NULL;
	size_t n;

	tu_conf(&c, NULL);
	CU_ASSERT_EQUAL_FATAL(bodies_register(&c, 0, "urn:a&b<c>", &b, &n, &e), 0);
	CU_ASSERT_EQUAL(strlen(b), n);
	CU_ASSERT_PTR_NOT_NULL(strstr(b,
	    "<mbmsRegister xmlns=\"urn:3GPP:metadata:2005:MBMS:mbmsRegister\">"));
	/* The service id is text, escaped. */
	CU_ASSERT_PTR_NOT_NULL(strstr(b, "<serviceId>urn:a&amp;b&lt;c&gt;</serviceId>"));
	bodies_free(b);
	CU_ASSERT_EQUAL_FATAL(bodies_register(&c, 1, TU_SVC, &b, &n, &e), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(b,
	    "<mbmsDeregister xmlns=\"urn:3GPP:metadata:2005:MBMS:mbmsDeregister\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b, "<serviceId>" TU_SVC "</serviceId>"));
	bodies_free(b);
}

static void
test_msk_body(void)
{
	struct bodies_key k[2];
	struct err e;
	char *b = NULL;
	size_t n;

	tu_conf(&c, "[xml]\nmsk_request_item = key\n");
	memcpy(k[0].kdid, tu_kdid, 3);
	memcpy(k[0].mskid, tu_msk1_id, 4);
	memcpy(k[1].kdid, tu_kdid, 3);
	memcpy(k[1].mskid, tu_msk2_id, 4);
	CU_ASSERT_EQUAL_FATAL(bodies_msk_request(&c, k, 2, &b, &n, &e), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(b,
	    "<mskRequest xmlns=\"urn:3GPP:metadata:2005:MBMS:mskRequest\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b, "<key keyDomainId=\"00f110\" mskId=\"00010002\"/>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b, "<key keyDomainId=\"00f110\" mskId=\"00010003\"/>"));
	bodies_free(b);
}

static void
test_answers(void)
{
	struct bodies_status st[4];
	struct err e;
	char body[1024];
	size_t n;

	tu_conf(&c, NULL);
	tu_reg_answer(body, sizeof(body), 200);
	CU_ASSERT_EQUAL_FATAL(bodies_parse_register_response(&c, body, strlen(body), st, 4, &n,
	    &e), 0);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_STRING_EQUAL(st[0].service, TU_SVC);
	CU_ASSERT_EQUAL(st[0].code, 200);
	tu_msk_answer(body, sizeof(body), tu_msk1_id, 200, tu_msk2_id, 503);
	CU_ASSERT_EQUAL_FATAL(bodies_parse_msk_response(&c, body, strlen(body), st, 4, &n, &e),
	    0);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_EQUAL(memcmp(st[0].key.mskid, tu_msk1_id, 4), 0);
	CU_ASSERT_EQUAL(st[0].code, 200);
	CU_ASSERT_EQUAL(memcmp(st[1].key.mskid, tu_msk2_id, 4), 0);
	CU_ASSERT_EQUAL(memcmp(st[1].key.kdid, tu_kdid, 3), 0);
	CU_ASSERT_EQUAL(st[1].code, 503);
	/* At most max statuses are returned. */
	CU_ASSERT_EQUAL(bodies_parse_msk_response(&c, body, strlen(body), st, 1, &n, &e), 0);
	CU_ASSERT_EQUAL(n, 1);
}

static void
test_bad_answers(void)
{
	static const struct {
		const char *body;
		const char *want;
	} cases[] = {
		{ "", "empty body" },
		{ "<mskResponse", "not well-formed" },
		{ "<mskResponse/>", "root element {}mskResponse" },
		{ "<other xmlns=\"urn:3GPP:metadata:2005:MBMS:mskResponse\"/>", "root element" },
		{ "<mskResponse xmlns=\"urn:3GPP:metadata:2005:MBMS:mskResponse\"><status "
		  "keyDomainId=\"00f110\" mskId=\"00010002\"/></mskResponse>", "without attribute code" },
		{ "<mskResponse xmlns=\"urn:3GPP:metadata:2005:MBMS:mskResponse\"><status "
		  "keyDomainId=\"00f110\" mskId=\"0001\" code=\"200\"/></mskResponse>", "2 bytes" },
		{ "<mskResponse xmlns=\"urn:3GPP:metadata:2005:MBMS:mskResponse\"><status "
		  "keyDomainId=\"zz\" mskId=\"00010002\" code=\"200\"/></mskResponse>", "not hex" },
		{ "<mskResponse xmlns=\"urn:3GPP:metadata:2005:MBMS:mskResponse\"><status "
		  "keyDomainId=\"00f110\" mskId=\"00010002\" code=\"OK\"/></mskResponse>",
		  "is not a code" },
		/* An external entity is never fetched nor expanded. */
		{ "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><mskResponse "
		  "xmlns=\"urn:3GPP:metadata:2005:MBMS:mskResponse\"><status keyDomainId=\"00f110\" "
		  "mskId=\"00010002\" code=\"&x;\"/></mskResponse>", "" },
	};
	struct bodies_status st[4];
	struct err e;
	size_t i, n;

	tu_conf(&c, NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = bodies_parse_msk_response(&c, cases[i].body, strlen(cases[i].body), st, 4,
		    &n, &e);

		CU_ASSERT_EQUAL(rc, -1);
		if (rc != -1 || strstr(e.msg, cases[i].want) == NULL) {
			fprintf(stderr, "\ncase %zu: got '%s', want '%s'\n", i,
			    rc == -1 ? e.msg : "ok", cases[i].want);
			CU_FAIL("error message");
		}
	}
}

int
test_bodies_register(void)
{
	CU_pSuite s = CU_add_suite("bodies", NULL, NULL);

	bodies_init();
	if (s == NULL ||
	    !CU_add_test(s, "registration and deregistration bodies", test_register_body) ||
	    !CU_add_test(s, "key request body with renamed item", test_msk_body) ||
	    !CU_add_test(s, "answers read per item", test_answers) ||
	    !CU_add_test(s, "bad answers named", test_bad_answers))
		return -1;
	return 0;
}
