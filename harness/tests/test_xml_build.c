/* test_xml_build: trees written as XML text — golden output, namespace declarations, checks. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "testxml.h"
#include "xml.h"

/* Golden text for the MSK request as the harness sends it. */
static void
test_build_golden(void)
{
	const char *ns = "urn:3GPP:metadata:2005:MBMS:mskRequest";
	struct xml_node *t, *m;
	struct err e;
	char *s;

	t = xml_element_new("mskRequest", ns, NULL, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	m = xml_element_add(t, "msk", ns, NULL, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(xml_attr_add(m, "keyDomainId", NULL, "00f110", 6, &e), 0);
	CU_ASSERT_EQUAL(xml_attr_add(m, "mskId", NULL, "00010002", 8, &e), 0);
	m = xml_element_add(t, "msk", ns, NULL, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(xml_attr_add(m, "keyDomainId", NULL, "00f110", 6, &e), 0);
	CU_ASSERT_EQUAL(xml_attr_add(m, "mskId", NULL, "00010003", 8, &e), 0);
	s = tu_xml_build_str(t, XML_BUILD_INDENT, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<mskRequest xmlns=\"urn:3GPP:metadata:2005:MBMS:mskRequest\">\n"
	    "  <msk keyDomainId=\"00f110\" mskId=\"00010002\"/>\n"
	    "  <msk keyDomainId=\"00f110\" mskId=\"00010003\"/>\n"
	    "</mskRequest>\n");
	free(s);
	s = tu_xml_build_str(t, 0, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<mskRequest xmlns=\"urn:3GPP:metadata:2005:MBMS:mskRequest\">"
	    "<msk keyDomainId=\"00f110\" mskId=\"00010002\"/>"
	    "<msk keyDomainId=\"00f110\" mskId=\"00010003\"/>"
	    "</mskRequest>\n");
	free(s);
	xml_free(t);
}

/* What xml_build declares for trees made in C. */
static void
test_namespaces_build(void)
{
	struct xml_node *t, *a, *b;
	struct err e;
	char *s;

	/* No namespace at all: no declaration. */
	t = xml_element_new("plain", NULL, NULL, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(xml_attr_add(t, "k", "", "v", 1, &e), 0);	/* "" is no namespace */
	CU_ASSERT_PTR_NULL(t->attrs[0].ns);
	s = tu_xml_build_str(t, 0, &e);
	CU_ASSERT_STRING_EQUAL(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plain k=\"v\"/>\n");
	free(s);
	xml_free(t);

	/* Default namespace on the root, undone for a child in no namespace, a prefix wish
	 * honoured, attribute namespaces with reused and generated prefixes. */
	t = xml_element_new("root", "urn:r", NULL, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(xml_attr_add(t, "a", "urn:x", "1", 1, &e), 0);
	CU_ASSERT_EQUAL(xml_attr_add(t, "b", "urn:r", "2", 1, &e), 0);
	CU_ASSERT_EQUAL(xml_attr_add(t, "a", "urn:y", "3", 1, &e), 0);
	CU_ASSERT_EQUAL(xml_attr_add(t, "lang", XML_NS_XML, "en", 2, &e), 0);
	a = xml_element_add(t, "none", NULL, NULL, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(xml_element_add(a, "inner", NULL, NULL, &e));
	a = xml_element_add(t, "pre", "urn:x", "ns2", &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(xml_attr_add(a, "c", "urn:x", "4", 1, &e), 0);
	b = xml_element_add(a, "deep", "urn:r", NULL, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(xml_element_add(t, "other", "urn:o", NULL, &e));
	s = tu_xml_build_str(t, XML_BUILD_INDENT, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<root xmlns=\"urn:r\" xmlns:ns1=\"urn:x\" xmlns:ns2=\"urn:r\" xmlns:ns3=\"urn:y\""
	    " ns1:a=\"1\" ns2:b=\"2\" ns3:a=\"3\" xml:lang=\"en\">\n"
	    "  <none xmlns=\"\">\n"
	    "    <inner/>\n"
	    "  </none>\n"
	    /* ns2 is wished for urn:x: rebound here, so c reuses it. */
	    "  <ns2:pre xmlns:ns2=\"urn:x\" ns2:c=\"4\">\n"
	    "    <deep/>\n"
	    "  </ns2:pre>\n"
	    "  <other xmlns=\"urn:o\"/>\n"
	    "</root>\n");
	{
		struct xml_node *t2 = tu_xml_parse_str(s, &e);

		CU_ASSERT_PTR_NOT_NULL_FATAL(t2);
		CU_ASSERT_TRUE(tu_xml_tree_eq(t, t2, 1));
		CU_ASSERT_STRING_EQUAL(xml_find(t2, "deep", NULL)->ns, "urn:r");
		xml_free(t2);
	}
	free(s);
	xml_free(t);
}

static void
test_construct_checks(void)
{
	struct xml_node *t, *c;
	struct err e;
	int i;

	CU_ASSERT_PTR_NULL(xml_element_new("a b", NULL, NULL, &e));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "name: 'a b' is not an XML name"));
	CU_ASSERT_PTR_NULL(xml_element_new("1a", NULL, NULL, &e));
	CU_ASSERT_PTR_NULL(xml_element_new("p:a", "urn:p", NULL, &e));
	CU_ASSERT_PTR_NULL(xml_element_new("", NULL, NULL, &e));
	CU_ASSERT_STRING_EQUAL(e.msg, "name: empty");
	CU_ASSERT_PTR_NULL(xml_element_new(NULL, NULL, NULL, &e));
	CU_ASSERT_PTR_NULL(xml_element_new("a\x01", NULL, NULL, &e));
	CU_ASSERT_PTR_NULL(strchr(e.msg, '\x01'));
	CU_ASSERT_PTR_NULL(xml_element_new("a", "urn:a", "xmlns", &e));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "prefix: 'xmlns' is reserved"));
	CU_ASSERT_PTR_NULL(xml_element_new("a", "urn:a", "xml", &e));
	CU_ASSERT_PTR_NULL(xml_element_new("a", NULL, "p", &e));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "no namespace"));
	CU_ASSERT_PTR_NULL(xml_element_new("a", "http://www.w3.org/2000/xmlns/", NULL, &e));
	/* Non-ASCII names are names. */
	t = xml_element_new("\xc3\xa9l\xc3\xa9ment", NULL, NULL, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);

	CU_ASSERT_EQUAL(xml_attr_add(t, "k", NULL, "1", 1, &e), 0);
	CU_ASSERT_EQUAL(xml_attr_add(t, "k", "", "2", 1, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "appears twice"));
	CU_ASSERT_EQUAL(xml_attr_add(t, "k", "urn:k", "2", 1, &e), 0);	/* another name */
	CU_ASSERT_EQUAL(xml_attr_add(t, "xmlns", NULL, "urn:z", 5, &e), -1);
	CU_ASSERT_EQUAL(xml_attr_add(t, "v", NULL, "a\x01", 2, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "value: character U+0001 at offset 1 is not allowed in XML 1.0");
	CU_ASSERT_EQUAL(xml_attr_add(t, "v", NULL, "a\0b", 3, &e), -1);
	CU_ASSERT_EQUAL(xml_attr_add(t, "v", NULL, "\xc3", 1, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "value: byte 0xc3 at offset 0 is not UTF-8");
	CU_ASSERT_EQUAL(xml_text_add(t, "\xef\xbf\xbe", 3, &e), -1);	/* U+FFFE */
	CU_ASSERT_EQUAL(xml_text_add(t, "\xf4\x90\x80\x80", 4, &e), -1);	/* > U+10FFFF */
	CU_ASSERT_EQUAL(xml_text_add(t, "ok", 2, &e), 0);
	CU_ASSERT_EQUAL(xml_text_add(t, "", 0, &e), 0);
	CU_ASSERT_EQUAL(xml_text_add(t, "!", 1, &e), 0);
	CU_ASSERT_EQUAL(t->nchildren, 1);		/* merged */
	CU_ASSERT_STRING_EQUAL(t->children[0]->text, "ok!");
	CU_ASSERT_PTR_NULL(xml_element_add(t->children[0], "x", NULL, NULL, &e));
	CU_ASSERT_EQUAL(t->nattrs, 2);			/* failures left nothing behind */

	/* No tree is deeper than XML_DEPTH_MAX. */
	for (c = t, i = 1; i < XML_DEPTH_MAX; i++) {
		c = xml_element_add(c, "d", NULL, NULL, &e);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	}
	CU_ASSERT_EQUAL(c->depth, XML_DEPTH_MAX);
	CU_ASSERT_PTR_NULL(xml_element_add(c, "d", NULL, NULL, &e));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "depth"));
	xml_free(t);
}

/* A tree changed behind the constructors' back is still checked, naming the element path. */
static void
test_build_checks(void)
{
	struct xml_node *t, *b;
	struct bld out;
	struct err e;
	char *saved;

	t = tu_xml_parse_str("<a><b/><b><c/></b></a>", &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	b = t->children[1]->children[0];
	saved = b->name;
	b->name = "c d";
	bld_init(&out);
	CU_ASSERT_EQUAL(xml_build(t, 0, &out, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "/a/b[2]/c d[1]: name: 'c d' is not an XML name "
	    "(no namespace prefix, bad character at byte 1)");
	b->name = "\x01";
	CU_ASSERT_EQUAL(xml_build(t, 0, &out, &e), -1);
	CU_ASSERT_EQUAL(strncmp(e.msg, "/a/b[2]/?[1]: name: '?' is not", 30), 0);
	b->name = saved;
	t->children[0]->text = NULL;
	t->children[0]->kind = XML_KIND_TEXT;
	t->children[0]->text_len = 1;
	CU_ASSERT_EQUAL(xml_build(t, 0, &out, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.msg, "/a: text child 1: missing");
	t->children[0]->kind = XML_KIND_ELEMENT;
	t->children[0]->text_len = 0;
	bld_reset(&out);
	CU_ASSERT_EQUAL(xml_build(t, 0, &out, &e), 0);
	bld_free(&out);
	CU_ASSERT_EQUAL(xml_build(NULL, 0, &out, &e), -1);
	xml_free(t);
}

/* libxml2 must print nothing, whatever it is fed: errors come back as values only. */
int
test_xml_build_register(void)
{
	static const struct tu_test tests[] = {
		{ "build golden", test_build_golden },
		{ "namespaces build", test_namespaces_build },
		{ "construction checks", test_construct_checks },
		{ "build checks", test_build_checks },
		{ NULL, NULL }
	};

	return tu_register("xml_build", tests);
}
