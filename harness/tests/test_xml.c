/* test_xml: parsing XML — spec bodies round trip, namespaces, entities, hostile input, limits. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "testxml.h"
#include "xml.h"

int	test_xml_register(void);

/* The five default bodies of profile ts33246 (key-update.md §2.2), exactly as the spec shows. */
static const char *const spec_bodies[] = {
	"<mbmsRegister xmlns=\"urn:3GPP:metadata:2005:MBMS:mbmsRegister\">\n"
	"  <serviceId>urn:example:mbms:svc1</serviceId>            <!-- one per user service -->\n"
	"</mbmsRegister>\n",
	"<mbmsRegisterResponse xmlns=\"urn:3GPP:metadata:2005:MBMS:mbmsRegisterResponse\">\n"
	"  <status serviceId=\"urn:example:mbms:svc1\" code=\"200\"/>\n"
	"</mbmsRegisterResponse>\n",
	"<mbmsDeregister xmlns=\"urn:3GPP:metadata:2005:MBMS:mbmsDeregister\">\n"
	"  <serviceId>urn:example:mbms:svc1</serviceId>\n"
	"</mbmsDeregister>                                          "
	"<!-- answered like a registration -->\n",
	"<mskRequest xmlns=\"urn:3GPP:metadata:2005:MBMS:mskRequest\">\n"
	"  <msk keyDomainId=\"00f110\" mskId=\"00010002\"/>             "
	"<!-- hex, one per requested key -->\n"
	"</mskRequest>\n",
	"<mskResponse xmlns=\"urn:3GPP:metadata:2005:MBMS:mskResponse\">\n"
	"  <status keyDomainId=\"00f110\" mskId=\"00010002\" code=\"200\"/>\n"
	"</mskResponse>\n",
};

static const struct {
	const char *root, *ns, *child, *attr, *value;
} spec_expect[] = {
	{ "mbmsRegister", "urn:3GPP:metadata:2005:MBMS:mbmsRegister", "serviceId", NULL, NULL },
	{ "mbmsRegisterResponse", "urn:3GPP:metadata:2005:MBMS:mbmsRegisterResponse", "status",
	  "code", "200" },
	{ "mbmsDeregister", "urn:3GPP:metadata:2005:MBMS:mbmsDeregister", "serviceId", NULL,
	  NULL },
	{ "mskRequest", "urn:3GPP:metadata:2005:MBMS:mskRequest", "msk", "keyDomainId",
	  "00f110" },
	{ "mskResponse", "urn:3GPP:metadata:2005:MBMS:mskResponse", "status", "mskId",
	  "00010002" },
};

#define NBODIES (sizeof(spec_bodies) / sizeof(spec_bodies[0]))

/* Parses s expecting failure; checks the message starts with want_pos and holds want. */
static void
expect_fail(const char *s, size_t len, const struct xml_limits *lim, const char *want_pos,
    const char *want)
{
	struct xml_node *t;
	struct err e;

	e.msg[0] = '\0';
	t = xml_parse(s, len, lim, &e);
	CU_ASSERT_PTR_NULL(t);
	xml_free(t);
	if (want_pos != NULL && strncmp(e.msg, want_pos, strlen(want_pos)) != 0) {
		fprintf(stderr, "\n  position: expected '%s...' vs actual '%s'\n", want_pos, e.msg);
		CU_FAIL("error position");
	}
	if (want != NULL && strstr(e.msg, want) == NULL) {
		fprintf(stderr, "\n  message: expected '%s' in '%s'\n", want, e.msg);
		CU_FAIL("error message");
	}
}

#define FAILS(s, pos, want) expect_fail((s), sizeof(s) - 1, NULL, (pos), (want))

static void
test_spec_bodies(void)
{
	const struct xml_node *c;
	struct xml_node *t, *t2, *t3;
	char *s, *s2;
	struct err e;
	size_t i;

	for (i = 0; i < NBODIES; i++) {
		t = tu_xml_parse_str(spec_bodies[i], &e);
		CU_ASSERT_PTR_NOT_NULL_FATAL(t);
		CU_ASSERT_STRING_EQUAL(t->name, spec_expect[i].root);
		CU_ASSERT_STRING_EQUAL(t->ns, spec_expect[i].ns);
		CU_ASSERT_PTR_NULL(t->prefix);
		CU_ASSERT_EQUAL(t->line, 1);
		c = xml_find(t, spec_expect[i].child, spec_expect[i].ns);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		CU_ASSERT_EQUAL(c->line, 2);
		/* The default namespace applies to the children too. */
		CU_ASSERT_STRING_EQUAL(c->ns, spec_expect[i].ns);
		if (spec_expect[i].attr != NULL) {
			CU_ASSERT_STRING_EQUAL(xml_attr_get(c, spec_expect[i].attr, NULL),
			    spec_expect[i].value);
		} else {
			CU_ASSERT_STRING_EQUAL(c->children[0]->text, "urn:example:mbms:svc1");
		}

		/* Exact: parse -> build -> parse gives the same tree, white space included. */
		s = tu_xml_build_str(t, 0, &e);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		CU_ASSERT_EQUAL(strncmp(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 39), 0);
		t2 = tu_xml_parse_str(s, &e);
		CU_ASSERT_PTR_NOT_NULL_FATAL(t2);
		CU_ASSERT_TRUE(tu_xml_tree_eq(t, t2, 0));

		/* Indented: the same tree but for layout, and indenting again changes nothing. */
		s2 = tu_xml_build_str(t, XML_BUILD_INDENT, &e);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
		t3 = tu_xml_parse_str(s2, &e);
		CU_ASSERT_PTR_NOT_NULL_FATAL(t3);
		CU_ASSERT_TRUE(tu_xml_tree_eq(t, t3, 1));
		free(s);
		s = tu_xml_build_str(t3, XML_BUILD_INDENT, &e);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		CU_ASSERT_STRING_EQUAL(s, s2);
		free(s);
		free(s2);
		xml_free(t);
		xml_free(t2);
		xml_free(t3);
	}
}

static void
test_namespaces_parse(void)
{
	const char *doc =
	    "<r xmlns='urn:d' xmlns:p='urn:p' xmlns:q='urn:q'>"
	    "<p:a p:x='1' q:y='2' z='3' xml:lang='en'/>"
	    "<b xmlns=''><c/></b>"
	    "<p:d xmlns:p='urn:p2'/>"
	    "<e xmlns='urn:e'/>"
	    "</r>";
	const struct xml_node *a, *b, *c, *d, *x;
	struct xml_node *t, *t2;
	struct err e;
	char *s;

	t = tu_xml_parse_str(doc, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_STRING_EQUAL(t->ns, "urn:d");
	CU_ASSERT_PTR_NULL(t->prefix);
	/* Namespace declarations are not attributes. */
	CU_ASSERT_EQUAL(t->nattrs, 0);
	CU_ASSERT_EQUAL(t->nchildren, 4);
	a = t->children[0];
	CU_ASSERT_STRING_EQUAL(a->name, "a");
	CU_ASSERT_STRING_EQUAL(a->ns, "urn:p");
	CU_ASSERT_STRING_EQUAL(a->prefix, "p");
	CU_ASSERT_EQUAL_FATAL(a->nattrs, 4);
	CU_ASSERT_STRING_EQUAL(a->attrs[0].name, "x");
	CU_ASSERT_STRING_EQUAL(a->attrs[0].ns, "urn:p");
	CU_ASSERT_STRING_EQUAL(a->attrs[1].ns, "urn:q");
	/* Unqualified attributes are in no namespace, whatever the default namespace is. */
	CU_ASSERT_PTR_NULL(a->attrs[2].ns);
	CU_ASSERT_STRING_EQUAL(a->attrs[3].ns, XML_NS_XML);
	CU_ASSERT_STRING_EQUAL(xml_attr_get(a, "y", "urn:q"), "2");
	CU_ASSERT_PTR_NULL(xml_attr_get(a, "y", NULL));
	CU_ASSERT_STRING_EQUAL(xml_attr_get(a, "z", NULL), "3");
	b = t->children[1];
	CU_ASSERT_PTR_NULL(b->ns);
	c = b->children[0];
	CU_ASSERT_PTR_NULL(c->ns);
	d = t->children[2];
	CU_ASSERT_STRING_EQUAL(d->ns, "urn:p2");
	CU_ASSERT_STRING_EQUAL(d->prefix, "p");
	CU_ASSERT_STRING_EQUAL(t->children[3]->ns, "urn:e");

	/* find: any namespace, a given one, and "" for none. */
	CU_ASSERT_PTR_EQUAL(xml_find(t, "c", NULL), c);
	CU_ASSERT_PTR_EQUAL(xml_find(t, "c", ""), c);
	CU_ASSERT_PTR_NULL(xml_find(t, "c", "urn:d"));
	CU_ASSERT_PTR_EQUAL(xml_find(t, "d", "urn:p2"), d);
	CU_ASSERT_PTR_NULL(xml_find(t, "d", "urn:p"));
	CU_ASSERT_PTR_NULL(xml_find(t, "r", NULL));	/* below n, not n */
	x = xml_find(b, "c", NULL);
	CU_ASSERT_PTR_EQUAL(x, c);

	/* Round trip keeps names, namespaces and prefixes. */
	s = tu_xml_build_str(t, 0, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	t2 = tu_xml_parse_str(s, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t2);
	CU_ASSERT_TRUE(tu_xml_tree_eq(t, t2, 0));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "<b xmlns=\"\"><c/></b>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "xml:lang=\"en\""));
	CU_ASSERT_PTR_NULL(strstr(s, "xmlns:xml"));
	free(s);
	xml_free(t);
	xml_free(t2);
}

static void
test_entities(void)
{
	struct xml_node *t, *t2;
	struct err e;
	char *s;

	t = tu_xml_parse_str("<a q='&quot;&apos;&lt;&gt;&amp;&#9;&#10;&#13;x'>"
	    "&lt;tag&gt; &amp;amp; &#x41;&#66;&#x20AC;<![CDATA[<raw>&amp;]]>&apos;</a>", &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_STRING_EQUAL(t->attrs[0].value, "\"'<>&\t\n\rx");
	CU_ASSERT_EQUAL_FATAL(t->nchildren, 1);
	CU_ASSERT_STRING_EQUAL(t->children[0]->text, "<tag> &amp; AB\xe2\x82\xac<raw>&amp;'");
	/* Writing escapes what it must, and character references keep tab, CR and LF. */
	s = tu_xml_build_str(t, 0, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<a q=\"&quot;'&lt;>&amp;&#9;&#10;&#13;x\">"
	    "&lt;tag&gt; &amp;amp; AB\xe2\x82\xac&lt;raw&gt;&amp;amp;'</a>\n");
	t2 = tu_xml_parse_str(s, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t2);
	CU_ASSERT_TRUE(tu_xml_tree_eq(t, t2, 0));
	free(s);
	xml_free(t);
	xml_free(t2);

	/* "]]>" in text and a lone CR survive. */
	t = xml_element_new("a", NULL, NULL, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(xml_text_add(t, "x]]>y\r\nz", 8, &e), 0);
	s = tu_xml_build_str(t, 0, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	t2 = tu_xml_parse_str(s, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t2);
	CU_ASSERT_TRUE(tu_xml_tree_eq(t, t2, 0));
	free(s);
	xml_free(t);
	xml_free(t2);

	/* Undeclared entities and bad character references are errors. */
	FAILS("<a>&nbsp;</a>", "line 1 col 10: ", "Entity 'nbsp' not defined");
	FAILS("<a>&#0;</a>", "line 1 col ", "xmlParseCharRef: invalid xmlChar value 0");
	FAILS("<a>&#xD800;</a>", "line 1 col ", "invalid xmlChar value");
}

/* A file whose content must never appear in a parse result or message. */
static const char *
secret_file(void)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/xxe-secret.txt", tu_tmpdir());
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("SECRET-MARKER-7f3a", f);
	fclose(f);
	return path;
}

static void
test_xxe(void)
{
	const char *path = secret_file();
	char doc[2048];
	struct xml_node *t;
	struct err e;
	size_t i;
	static const char *const hostile[] = {
		/* External general entity (XXE). */
		("<?xml version=\"1.0\"?>\n<!DOCTYPE r [\n<!ENTITY x SYSTEM \"file://%s\">\n]>\n"
		"<r>&x;</r>"),
		/* External parameter entity. */
		"<!DOCTYPE r [<!ENTITY %% p SYSTEM \"file://%s\"> %%p;]><r/>",
		/* External DTD. */
		"<!DOCTYPE r SYSTEM \"file://%s\"><r/>",
		/* External entity in an attribute default. */
		"<!DOCTYPE r [<!ENTITY x SYSTEM \"file://%s\"><!ATTLIST r a CDATA \"&x;\">]><r/>",
		/* Network: must not even be tried (and is refused before that). */
		"<!DOCTYPE r SYSTEM \"http://192.0.2.1/%s\"><r/>",
	};

	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		snprintf(doc, sizeof(doc), hostile[i], path);
		e.msg[0] = '\0';
		t = xml_parse(doc, strlen(doc), NULL, &e);
		CU_ASSERT_PTR_NULL(t);
		xml_free(t);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "DOCTYPE refused"));
		CU_ASSERT_PTR_NULL(strstr(e.msg, "SECRET-MARKER"));
	}
	/* The DOCTYPE is reported where it ends its name and identifiers: line 2. */
	snprintf(doc, sizeof(doc), hostile[0], path);
	t = xml_parse(doc, strlen(doc), NULL, &e);
	CU_ASSERT_PTR_NULL(t);
	CU_ASSERT_EQUAL(strncmp(e.msg, "line 2 col ", 11), 0);
}

/* Billion laughs: refused at the DOCTYPE, before any entity is declared, so instantly. */
static void
test_billion_laughs(void)
{
	char doc[4096], prev[16] = "";
	size_t n = 0;
	int i, j;

	n += (size_t)snprintf(doc + n, sizeof(doc) - n,
	    "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n");
	for (i = 1; i <= 9; i++) {
		n += (size_t)snprintf(doc + n, sizeof(doc) - n, "<!ENTITY lol%d \"", i);
		for (j = 0; j < 10; j++)
			n += (size_t)snprintf(doc + n, sizeof(doc) - n, "&lol%s;", prev);
		n += (size_t)snprintf(doc + n, sizeof(doc) - n, "\">\n");
		snprintf(prev, sizeof(prev), "%d", i);
	}
	n += (size_t)snprintf(doc + n, sizeof(doc) - n, "]>\n<lolz>&lol9;</lolz>\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "<!ENTITY lol9 \"&lol8;&lol8;"));
	expect_fail(doc, n, NULL, "line 2 col ", "DOCTYPE refused");
}

static void
test_malformed(void)
{
	FAILS("<a>\n  <b>\n</a>", "line 3 col 5: ", "Opening and ending tag mismatch: b line 2 and a");
	FAILS("<a>\n<b></b>", "line 2 col 8: ", "Premature end of data in tag a line 1");
	FAILS("<a x=1/>", "line 1 col 6: ", "AttValue: \" or ' expected");
	FAILS("<a x='1' x='2'/>", "line 1 col ", "Attribute x redefined");
	FAILS("<a p:x='1'/>", "line 1 col ", "Namespace prefix p for x on a is not defined");
	FAILS("<p:a/>", "line 1 col 5: ", "Namespace prefix p on a is not defined");
	FAILS("<a/><b/>", "line 1 col 5: ", "Extra content at the end of the document");
	FAILS("<a/>trailing", "line 1 col 5: ", "Extra content");
	FAILS("text", "line 1 col 1: ", "Start tag expected");
	FAILS("<a x='<'/>", "line 1 col ", "Unescaped '<' not allowed");
	FAILS("<a>\x01</a>", "line 1 col 4: ", "PCDATA invalid Char value 1");
	FAILS("<a><!-- -- --></a>", "line 1 col ", "Double hyphen within comment");
	FAILS("<1a/>", "line 1 col 2: ", "StartTag: invalid element name");
	FAILS("<a xmlns:p=''/>", "line 1 col ", "xmlns:p: Empty XML namespace is not allowed");
	FAILS("<a>\n\n   &</a>", "line 3 col 5: ", "xmlParseEntityRef: no name");
	/* Messages are one line even where libxml2's span several. */
	{
		struct err e;

		CU_ASSERT_PTR_NULL(tu_xml_parse_str("<a>\xc3\x28</a>", &e));
		CU_ASSERT_PTR_NULL(strchr(e.msg, '\n'));
	}
}

static void
test_limits(void)
{
	struct xml_limits lim = { 0, 0, 0 };
	char doc[8192];
	struct xml_node *t;
	struct err e;
	size_t n;
	int i;

	/* Depth: 64 nested elements pass by default, 65 do not, wherever the text is. */
	for (n = 0, i = 0; i < 64; i++)
		n += (size_t)snprintf(doc + n, sizeof(doc) - n, "<e>");
	for (i = 0; i < 64; i++)
		n += (size_t)snprintf(doc + n, sizeof(doc) - n, "</e>");
	t = xml_parse(doc, n, NULL, &e);
	CU_ASSERT_PTR_NOT_NULL(t);
	xml_free(t);
	for (n = 0, i = 0; i < 65; i++)
		n += (size_t)snprintf(doc + n, sizeof(doc) - n, "<e>\n");
	expect_fail(doc, n, NULL, "line 65 col ", "element depth 65 exceeds the limit of 64");

	/* A configured depth. */
	lim.max_depth = 3;
	expect_fail("<a><b><c><d/></c></b></a>", 25, &lim, "line 1 col 12: ",
	    "element depth 4 exceeds the limit of 3");
	t = xml_parse("<a><b><c/></b></a>", 18, &lim, &e);
	CU_ASSERT_PTR_NOT_NULL(t);
	xml_free(t);

	/* Depth beyond XML_DEPTH_MAX is capped there. */
	lim.max_depth = 100000;
	for (n = 0, i = 0; i < XML_DEPTH_MAX + 1; i++)
		n += (size_t)snprintf(doc + n, sizeof(doc) - n, "<e>");
	expect_fail(doc, n, &lim, "line 1 col ", "element depth 257 exceeds the limit of 256");

	/* Attributes per start tag (namespace declarations count), found before libxml2 runs. */
	lim.max_depth = 0;
	n = (size_t)snprintf(doc, sizeof(doc), "<r>\n<e");
	for (i = 0; i < XML_LIMIT_ATTRS; i++)
		n += (size_t)snprintf(doc + n, sizeof(doc) - n, " a%d='='", i);
	n += (size_t)snprintf(doc + n, sizeof(doc) - n, "/></r>");
	t = xml_parse(doc, n, NULL, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(t->children[1]->nattrs, XML_LIMIT_ATTRS);
	xml_free(t);
	n = (size_t)snprintf(doc, sizeof(doc), "<r>\n<e xmlns:p='u'");
	for (i = 0; i < XML_LIMIT_ATTRS; i++)
		n += (size_t)snprintf(doc + n, sizeof(doc) - n, " a%d='='", i);
	n += (size_t)snprintf(doc + n, sizeof(doc) - n, "/></r>");
	expect_fail(doc, n, NULL, "line 2 col 1: ",
	    "start tag with 257 attributes exceeds the limit of 256");
	/* Comments, CDATA, processing instructions and quoted values are not counted. */
	lim.max_attrs = 2;
	n = (size_t)snprintf(doc, sizeof(doc), "%s", "<!-- a=b c=d e=f --><r a='1' b='2'>"
	    "<![CDATA[x=1 y=2 z=3]]><?p a=1 b=2 c=3?><e\n   a=\"=\" b='=' c='3'/></r>");
	expect_fail(doc, n, &lim, "line 1 col 76: ",
	    "start tag with 3 attributes exceeds the limit of 2");
	lim.max_attrs = 3;
	t = xml_parse(doc, n, &lim, &e);
	CU_ASSERT_PTR_NOT_NULL(t);
	xml_free(t);
	lim.max_attrs = 0;

	/* Size: the default limit, and a configured one, exact and one over. */
	lim.max_bytes = 8;
	t = xml_parse("<a>1</a>", 8, &lim, &e);
	CU_ASSERT_PTR_NOT_NULL(t);
	xml_free(t);
	expect_fail("<a>12</a>", 9, &lim, "input of 9 bytes",
	    "exceeds the size limit of 8 bytes");
	{
		size_t big = XML_LIMIT_BYTES + 1;
		char *p = malloc(big);

		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		memset(p, ' ', big);
		memcpy(p, "<a>", 3);
		memcpy(p + big - 4, "</a>", 4);
		expect_fail(p, big, NULL, "input of 1048577 bytes",
		    "exceeds the size limit of 1048576 bytes");
		t = xml_parse(p + 1, big - 1, NULL, &e);	/* "a> ... </a>": parsed, bad */
		CU_ASSERT_PTR_NULL(t);
		CU_ASSERT_PTR_NULL(strstr(e.msg, "size limit"));
		free(p);
	}
}

static void
test_encodings(void)
{
	struct xml_node *t;
	struct err e;

	FAILS("<a>\xff\xfe</a>", "line 1 col 4: ", "Input is not proper UTF-8");
	FAILS("<a>\xc0\xaf</a>", "line 1 col ", "not proper UTF-8");		/* overlong '/' */
	FAILS("<a>\xed\xa0\x80</a>", "line 1 col ", "");			/* a surrogate */
	FAILS("<a x='\xe2\x82'/>", "line 1 col ", "");			/* truncated */
	FAILS("<?xml version='1.0' encoding='bogus'?><a/>", "line 1 col ",
	    "Unsupported encoding bogus");
	/* Declared encodings are converted: the tree is always UTF-8. */
	t = tu_xml_parse_str("<?xml version='1.0' encoding='ISO-8859-1'?><a>\xe9</a>", &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_STRING_EQUAL(t->children[0]->text, "\xc3\xa9");
	xml_free(t);
	/* A UTF-8 byte order mark is fine; UTF-16 with its mark is converted. */
	t = tu_xml_parse_str("\xef\xbb\xbf<a>\xc3\xa9</a>", &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_STRING_EQUAL(t->children[0]->text, "\xc3\xa9");
	xml_free(t);
	{
		static const char u16[] = "\xff\xfe<\0a\0>\0\xe9\0<\0/\0a\0>\0";

		t = xml_parse(u16, sizeof(u16) - 1, NULL, &e);
		CU_ASSERT_PTR_NOT_NULL_FATAL(t);
		CU_ASSERT_STRING_EQUAL(t->name, "a");
		CU_ASSERT_STRING_EQUAL(t->children[0]->text, "\xc3\xa9");
		xml_free(t);
	}
	/* A NUL inside the input. */
	expect_fail("<a>\0</a>", 8, NULL, "line 1 col ", "");
}

static void
test_empty(void)
{
	struct err e;

	expect_fail("", 0, NULL, "line 1 col 1: ", "Document is empty");
	expect_fail(NULL, 0, NULL, "line 1 col 1: ", "Document is empty");
	FAILS("  \n\t ", "line 2 col ", "");
	FAILS("<?xml version='1.0'?>", "line 1 col ", "");
	FAILS("<!-- just a comment -->", "line 1 col ", "");
	CU_ASSERT_PTR_NULL(xml_parse("", 0, NULL, &e));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "empty"));
	xml_free(NULL);
}

/*
 * Every prefix of a valid body fails cleanly until the root is closed; after that it parses,
 * unless it cuts a trailing comment.
 */
static void
test_truncation(void)
{
	size_t i, n, k, end, lt, cend;
	const char *body, *p;
	struct xml_node *t;
	struct err e;
	int ok;

	for (i = 0; i < NBODIES; i++) {
		body = spec_bodies[i];
		n = strlen(body);
		/* The root's end tag is the last "</". */
		for (p = body + n; p > body && strncmp(p, "</", 2) != 0; p--)
			;
		end = (size_t)(strchr(p, '>') + 1 - body);
		lt = strchr(body + end, '<') != NULL ? (size_t)(strchr(body + end, '<') - body) : n;
		cend = strstr(body + end, "-->") != NULL ?
		    (size_t)(strstr(body + end, "-->") + 3 - body) : n;
		for (k = 0; k <= n; k++) {
			e.msg[0] = '\0';
			t = xml_parse(body, k, NULL, &e);
			ok = k >= end && (k <= lt || k >= cend);
			CU_ASSERT_EQUAL(t != NULL, ok);
			if (!ok) {
				CU_ASSERT_EQUAL(strncmp(e.msg, "line ", 5), 0);
			}
			xml_free(t);
		}
	}
}

static void
test_silent(void)
{
	char path[512], buf[256];
	int fd, saved;
	ssize_t n;
	struct err e;

	snprintf(path, sizeof(path), "%s/xml-stderr.txt", tu_tmpdir());
	fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0600);
	CU_ASSERT_FATAL(fd >= 0);
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	CU_ASSERT_PTR_NULL(tu_xml_parse_str("<a><b></a>", &e));
	CU_ASSERT_PTR_NULL(tu_xml_parse_str("<a>\xff</a>", &e));
	CU_ASSERT_PTR_NULL(tu_xml_parse_str("<?xml version='1.0' encoding='bogus'?><a/>", &e));
	CU_ASSERT_PTR_NULL(tu_xml_parse_str("<?xml version='1.0' encoding='UTF-16'?><a/>", &e));
	CU_ASSERT_PTR_NULL(tu_xml_parse_str("<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>", &e));
	CU_ASSERT_PTR_NULL(tu_xml_parse_str("<a xmlns:p='rel'><p:b q:c=''/></a>", &e));
	xml_free(tu_xml_parse_str("<a xmlns='relative'/>", &e));	/* a warning, not an error */
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	CU_ASSERT_EQUAL(n, 0);
	if (n > 0) {
		buf[n] = '\0';
		fprintf(stderr, "\n  libxml2 printed: %s\n", buf);
	}
}

/* A relative namespace URI is only a warning: the document is accepted. */
static void
test_warnings(void)
{
	struct xml_node *t;
	struct err e;

	t = tu_xml_parse_str("<a xmlns='relative'/>", &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_STRING_EQUAL(t->ns, "relative");
	xml_free(t);
}

int
test_xml_register(void)
{
	static const struct tu_test tests[] = {
		{ "spec bodies round trip", test_spec_bodies },
		{ "namespaces parse", test_namespaces_parse },
		{ "entities", test_entities },
		{ "xxe refused", test_xxe },
		{ "billion laughs refused", test_billion_laughs },
		{ "malformed with line and column", test_malformed },
		{ "limits", test_limits },
		{ "encodings", test_encodings },
		{ "empty input", test_empty },
		{ "truncation sweep", test_truncation },
		{ "libxml2 silent", test_silent },
		{ "warnings accepted", test_warnings },
		{ NULL, NULL }
	};

	return tu_register("xml", tests);
}
