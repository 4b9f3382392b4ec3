/* xml: the owned tree, its limits, and hostile XML text parsed into it through libxml2. */
#include "xml.h"
#include "xml_int.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

/* The namespace of namespace declarations; nothing else may use it (Namespaces in XML 1.0, 3). */
#define XML_NS_XMLNS	"http://www.w3.org/2000/xmlns/"

/*
 * Parser options. Deliberately absent: XML_PARSE_NOENT (entity substitution), XML_PARSE_DTDLOAD,
 * XML_PARSE_DTDATTR, XML_PARSE_DTDVALID (each would read the DTD), XML_PARSE_XINCLUDE and
 * XML_PARSE_HUGE (which lifts libxml2's own limits). CDATA becomes plain text.
 */
#define PARSE_OPTIONS	(XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOERROR | \
			 XML_PARSE_NOWARNING)

/* ---- the tree ------------------------------------------------------------------------------ */

static char *
dup_str(const char *s, size_t len, struct err *e)
{
	char *p = malloc(len + 1);

	if (p == NULL) {
		err_set(e, "out of memory");
		return NULL;
	}
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* A copy of s, or NULL for NULL and ""; *failed is set when memory ran out. */
static char *
dup_opt(const char *s, int *failed, struct err *e)
{
	char *p;

	if (s == NULL || s[0] == '\0')
		return NULL;
	if ((p = dup_str(s, strlen(s), e)) == NULL)
		*failed = 1;
	return p;
}

static void
free_node(struct xml_node *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nattrs; i++) {
		free(n->attrs[i].name);
		free(n->attrs[i].ns);
		free(n->attrs[i].value);
	}
	free(n->attrs);
	/* Recursion is bounded: no tree is deeper than XML_DEPTH_MAX. */
	for (i = 0; i < n->nchildren; i++)
		free_node(n->children[i]);
	free(n->children);
	free(n->name);
	free(n->ns);
	free(n->prefix);
	free(n->text);
	free(n);
}

void
xml_free(struct xml_node *root)
{
	free_node(root);
}

/* An element with copies of its strings, unchecked (parsed names are libxml2's, already valid). */
static struct xml_node *
new_element(const char *name, const char *ns, const char *prefix, int depth, struct err *e)
{
	struct xml_node *n = calloc(1, sizeof(*n));
	int failed = 0;

	if (n == NULL) {
		err_set(e, "out of memory");
		return NULL;
	}
	n->kind = XML_KIND_ELEMENT;
	n->depth = depth;
	if ((n->name = dup_str(name, strlen(name), e)) == NULL)
		failed = 1;
	n->ns = dup_opt(ns, &failed, e);
	n->prefix = dup_opt(prefix, &failed, e);
	if (failed) {
		free_node(n);
		return NULL;
	}
	return n;
}

static int
append_child(struct xml_node *parent, struct xml_node *child, struct err *e)
{
	struct xml_node **p;
	size_t cap;

	if (parent->nchildren == parent->children_cap) {
		cap = parent->children_cap ? parent->children_cap * 2 : 4;
		if ((p = realloc(parent->children, cap * sizeof(*p))) == NULL)
			return err_set(e, "out of memory");
		parent->children = p;
		parent->children_cap = cap;
	}
	parent->children[parent->nchildren++] = child;
	return 0;
}

static struct xml_node *
add_element(struct xml_node *parent, const char *name, const char *ns, const char *prefix,
    struct err *e)
{
	struct xml_node *n;

	if (parent->depth >= XML_DEPTH_MAX) {
		err_setx(e, "element depth would exceed %d", XML_DEPTH_MAX);
		return NULL;
	}
	if ((n = new_element(name, ns, prefix, parent->depth + 1, e)) == NULL)
		return NULL;
	if (append_child(parent, n, e) == -1) {
		free_node(n);
		return NULL;
	}
	return n;
}

/* Appends text unchecked, merging with a text node just before it. */
static int
add_text(struct xml_node *parent, const char *s, size_t len, struct err *e)
{
	struct xml_node *last, *t;
	char *p;

	if (len == 0)
		return 0;
	last = parent->nchildren ? parent->children[parent->nchildren - 1] : NULL;
	if (last != NULL && last->kind == XML_KIND_TEXT) {
		if (len > SIZE_MAX - last->text_len - 1)
			return err_setx(e, "text too long");
		if ((p = realloc(last->text, last->text_len + len + 1)) == NULL)
			return err_set(e, "out of memory");
		memcpy(p + last->text_len, s, len);
		last->text_len += len;
		p[last->text_len] = '\0';
		last->text = p;
		return 0;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return err_set(e, "out of memory");
	t->kind = XML_KIND_TEXT;
	t->depth = parent->depth + 1;
	if ((t->text = dup_str(s, len, e)) == NULL || append_child(parent, t, e) == -1) {
		free_node(t);
		return -1;
	}
	t->text_len = len;
	return 0;
}

int
xml_same_ns(const char *a, const char *b)
{
	if (a != NULL && a[0] == '\0')
		a = NULL;
	if (b != NULL && b[0] == '\0')
		b = NULL;
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Appends an attribute without looking for a twin (libxml2 has refused those already). */
static int
append_attr(struct xml_node *el, const char *name, const char *ns, const char *value,
    size_t vlen, struct err *e)
{
	struct xml_attr *a, *p;
	size_t cap;
	int failed = 0;

	if (el->nattrs == el->attrs_cap) {
		cap = el->attrs_cap ? el->attrs_cap * 2 : 4;
		if ((p = realloc(el->attrs, cap * sizeof(*p))) == NULL)
			return err_set(e, "out of memory");
		el->attrs = p;
		el->attrs_cap = cap;
	}
	a = &el->attrs[el->nattrs];
	memset(a, 0, sizeof(*a));
	if ((a->name = dup_str(name, strlen(name), e)) == NULL)
		failed = 1;
	a->ns = dup_opt(ns, &failed, e);
	if ((a->value = dup_str(value != NULL ? value : "", vlen, e)) == NULL)
		failed = 1;
	if (failed) {
		free(a->name);
		free(a->ns);
		free(a->value);
		return -1;
	}
	a->value_len = vlen;
	el->nattrs++;
	return 0;
}

static int
add_attr(struct xml_node *el, const char *name, const char *ns, const char *value, size_t vlen,
    struct err *e)
{
	size_t i;

	for (i = 0; i < el->nattrs; i++)
		if (strcmp(el->attrs[i].name, name) == 0 && xml_same_ns(el->attrs[i].ns, ns))
			return err_setx(e, "attribute '%s'%s%s appears twice", name,
			    ns != NULL && ns[0] != '\0' ? " in namespace " : "",
			    ns != NULL ? ns : "");
	return append_attr(el, name, ns, value, vlen, e);
}

/* The checks shared by the public constructors and xml_build. */
int
xml_check_element(const char *name, const char *ns, const char *prefix, struct err *e)
{
	if (xml_check_name("name", name, e) == -1)
		return -1;
	if (ns != NULL && xml_check_text("ns", ns, strlen(ns), e) == -1)
		return -1;
	if (ns != NULL && strcmp(ns, XML_NS_XMLNS) == 0)
		return err_setx(e, "ns: %s is reserved for namespace declarations", XML_NS_XMLNS);
	if (prefix == NULL)
		return 0;
	if (xml_check_name("prefix", prefix, e) == -1)
		return -1;
	if (strcmp(prefix, "xmlns") == 0)
		return err_setx(e, "prefix: 'xmlns' is reserved");
	if (strcmp(prefix, "xml") == 0 && (ns == NULL || strcmp(ns, XML_NS_XML) != 0))
		return err_setx(e, "prefix: 'xml' is bound to %s only", XML_NS_XML);
	if (ns == NULL || ns[0] == '\0')
		return err_setx(e, "prefix: '%s' given for an element in no namespace", prefix);
	return 0;
}

int
xml_check_attr(const char *name, const char *ns, const char *value, size_t vlen,
    struct err *e)
{
	if (xml_check_name("name", name, e) == -1)
		return -1;
	if (ns != NULL && xml_check_text("ns", ns, strlen(ns), e) == -1)
		return -1;
	if (ns != NULL && strcmp(ns, XML_NS_XMLNS) == 0)
		return err_setx(e, "ns: %s is reserved for namespace declarations", XML_NS_XMLNS);
	if ((ns == NULL || ns[0] == '\0') && strcmp(name, "xmlns") == 0)
		return err_setx(e, "name: 'xmlns' would be read as a namespace declaration");
	if (value == NULL && vlen > 0)
		return err_setx(e, "value: missing");
	return xml_check_text("value", value != NULL ? value : "", vlen, e);
}

struct xml_node *
xml_element_new(const char *name, const char *ns, const char *prefix, struct err *e)
{
	if (xml_check_element(name, ns, prefix, e) == -1)
		return NULL;
	return new_element(name, ns, prefix, 1, e);
}

struct xml_node *
xml_element_add(struct xml_node *parent, const char *name, const char *ns, const char *prefix,
    struct err *e)
{
	if (parent == NULL || parent->kind != XML_KIND_ELEMENT) {
		err_setx(e, "parent is not an element");
		return NULL;
	}
	if (xml_check_element(name, ns, prefix, e) == -1)
		return NULL;
	return add_element(parent, name, ns, prefix, e);
}

int
xml_text_add(struct xml_node *parent, const char *text, size_t len, struct err *e)
{
	if (parent == NULL || parent->kind != XML_KIND_ELEMENT)
		return err_setx(e, "parent is not an element");
	if (text == NULL && len > 0)
		return err_setx(e, "text: missing");
	if (xml_check_text("text", text, len, e) == -1)
		return -1;
	return add_text(parent, text, len, e);
}

int
xml_attr_add(struct xml_node *el, const char *name, const char *ns, const char *value,
    size_t value_len, struct err *e)
{
	if (el == NULL || el->kind != XML_KIND_ELEMENT)
		return err_setx(e, "not an element");
	if (xml_check_attr(name, ns, value, value_len, e) == -1)
		return -1;
	return add_attr(el, name, ns, value, value_len, e);
}

/* ---- parsing ------------------------------------------------------------------------------- */

/* What the SAX hooks and the error handler share, reached through the context's _private. */
struct pstate {
	int depth;
	int max_depth;
	int failed;
	char msg[ERR_MSG_MAX];
	startElementNsSAX2Func start;	/* libxml2's own tree builders, called when we accept */
	endElementNsSAX2Func end;
};

/* Records the first failure as "line L col C: message", folded onto one line. */
static void
record(struct pstate *st, int line, int col, const char *msg)
{
	size_t n, i;

	if (st->failed)
		return;
	st->failed = 1;
	snprintf(st->msg, sizeof(st->msg), "line %d col %d: ", line, col);
	n = strlen(st->msg);
	for (; msg != NULL && *msg != '\0' && n + 1 < sizeof(st->msg); msg++) {
		char c = xml_is_space(*msg) ? ' ' : *msg;

		if (c == ' ' && (n == 0 || st->msg[n - 1] == ' '))
			continue;
		st->msg[n++] = c;
	}
	while (n > 0 && st->msg[n - 1] == ' ')
		n--;
	st->msg[n] = '\0';
	for (i = 0; i < n; i++)
		if ((unsigned char)st->msg[i] < 0x20 || st->msg[i] == 0x7f)
			st->msg[i] = '?';
}

static void
record_here(xmlParserCtxtPtr ctxt, const char *msg)
{
	struct pstate *st = ctxt->_private;
	int line = ctxt->input != NULL ? ctxt->input->line : 0;
	int col = ctxt->input != NULL ? ctxt->input->col : 0;

	record(st, line, col, msg);
	xmlStopParser(ctxt);
}

/* The per-context structured error handler: libxml2 prints nothing, we keep the first error. */
static void
on_error(void *ctx, xmlErrorPtr err)
{
	xmlParserCtxtPtr ctxt = ctx;

	if (err == NULL || err->level < XML_ERR_ERROR)
		return;		/* warnings (say, a relative namespace URI) are not failures */
	record(ctxt->_private, err->line, err->int2, err->message);
}

/* Element depth is limited here, while parsing, not after a deep tree has been built. */
static void
on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
    int nns, const xmlChar **nss, int nattrs, int ndefaulted, const xmlChar **attrs)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct pstate *st = ctxt->_private;
	char msg[160];

	if (++st->depth > st->max_depth) {
		snprintf(msg, sizeof(msg), "element depth %d exceeds the limit of %d", st->depth,
		    st->max_depth);
		record_here(ctxt, msg);
		return;
	}
	st->start(ctx, localname, prefix, uri, nns, nss, nattrs, ndefaulted, attrs);
}

static void
on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct pstate *st = ctxt->_private;

	st->depth--;
	st->end(ctx, localname, prefix, uri);
}

/*
 * Any DOCTYPE stops the parse before its internal subset is read: no entity is ever declared,
 * so none can be external (XXE) or expand exponentially. The peers' bodies (key-update.md §2.2)
 * have no DTD.
 */
static void
on_doctype(void *ctx, const xmlChar *name, const xmlChar *pubid, const xmlChar *sysid)
{
	(void)name;
	(void)pubid;
	(void)sysid;
	record_here(ctx, "DOCTYPE refused: DTDs and entity declarations are not accepted "
	    "from peers");
}

/* Attribute values are lists of text nodes in libxml2's tree; without a DTD there is only text. */
static int
attr_value(xmlAttrPtr a, struct bld *b, struct err *e)
{
	xmlNodePtr t;

	bld_reset(b);
	for (t = a->children; t != NULL; t = t->next)
		if (t->type == XML_TEXT_NODE && t->content != NULL)
			bld_bytes(b, t->content, strlen((const char *)t->content));
	return bld_finish(b, e);
}

static int
convert(xmlNodePtr src, struct xml_node *dst, struct bld *tmp, struct err *e)
{
	xmlAttrPtr a;
	xmlNodePtr c;
	struct xml_node *child;

	dst->line = xmlGetLineNo(src);
	for (a = src->properties; a != NULL; a = a->next) {
		if (attr_value(a, tmp, e) == -1 ||
		    append_attr(dst, (const char *)a->name,
		    a->ns != NULL ? (const char *)a->ns->href : NULL,
		    tmp->len ? (const char *)tmp->buf : "", tmp->len, e) == -1)
			return -1;
	}
	for (c = src->children; c != NULL; c = c->next) {
		switch (c->type) {
		case XML_ELEMENT_NODE:
			child = add_element(dst, (const char *)c->name,
			    c->ns != NULL ? (const char *)c->ns->href : NULL,
			    c->ns != NULL ? (const char *)c->ns->prefix : NULL, e);
			if (child == NULL || convert(c, child, tmp, e) == -1)
				return -1;
			break;
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			if (c->content != NULL && add_text(dst, (const char *)c->content,
			    strlen((const char *)c->content), e) == -1)
				return -1;
			break;
		case XML_ENTITY_REF_NODE:
			/* Unreachable without a DTD; kept so that a change there fails closed. */
			return err_setx(e, "line %ld: entity reference &%s; is not expanded",
			    xmlGetLineNo(c), (const char *)c->name);
		default:
			break;	/* comments and processing instructions are not data */
		}
	}
	return 0;
}

/* Position tracking for the attribute scan, in libxml2's terms: lines from 1, columns in characters. */
struct scanpos {
	size_t i, line, col;
};

static void
scan_step(const char *s, struct scanpos *p)
{
	if (s[p->i] == '\n') {
		p->line++;
		p->col = 1;
	} else if (((unsigned char)s[p->i] & 0xc0) != 0x80)
		p->col++;
	p->i++;
}

/* Advances past the first occurrence of end (or to the end of the text). */
static void
scan_past(const char *s, size_t len, struct scanpos *p, const char *end)
{
	size_t n = strlen(end);

	while (p->i < len) {
		if (len - p->i >= n && memcmp(s + p->i, end, n) == 0) {
			while (n-- > 0)
				scan_step(s, p);
			return;
		}
		scan_step(s, p);
	}
}

/*
 * libxml2 2.9 looks for duplicate attributes pairwise, so a single start tag with 100 000
 * attributes keeps it busy for many seconds. This linear scan counts the attributes of each
 * start tag ('=' outside quotes) before libxml2 sees the text. It is a guard, not a parser:
 * well-formedness is still libxml2's decision, and on well-formed text the count is exact.
 */
static int
scan_attrs(const char *s, size_t len, int max, struct err *e)
{
	struct scanpos p = { 0, 1, 1 }, tag;
	char quote;
	int n;

	while (p.i < len) {
		if (s[p.i] != '<') {
			scan_step(s, &p);
			continue;
		}
		if (len - p.i >= 4 && memcmp(s + p.i, "<!--", 4) == 0)
			scan_past(s, len, &p, "-->");
		else if (len - p.i >= 9 && memcmp(s + p.i, "<![CDATA[", 9) == 0)
			scan_past(s, len, &p, "]]>");
		else if (len - p.i >= 2 && memcmp(s + p.i, "<?", 2) == 0)
			scan_past(s, len, &p, "?>");
		else if (len - p.i >= 2 && memcmp(s + p.i, "<!", 2) == 0)
			scan_past(s, len, &p, ">");
		else {
			tag = p;
			quote = 0;
			n = 0;
			for (scan_step(s, &p); p.i < len; scan_step(s, &p)) {
				if (quote != 0) {
					if (s[p.i] == quote)
						quote = 0;
				} else if (s[p.i] == '"' || s[p.i] == '\'')
					quote = s[p.i];
				else if (s[p.i] == '=')
					n++;
				else if (s[p.i] == '>' || s[p.i] == '<')
					break;
			}
			if (n > max)
				return err_setx(e, "line %zu col %zu: start tag with %d attributes "
				    "exceeds the limit of %d", tag.line, tag.col, n, max);
		}
	}
	return 0;
}

struct xml_node *
xml_parse(const char *text, size_t len, const struct xml_limits *lim, struct err *e)
{
	size_t max_bytes = XML_LIMIT_BYTES;
	int max_attrs = XML_LIMIT_ATTRS;
	struct xml_node *root = NULL;
	xmlParserCtxtPtr ctxt;
	struct pstate st;
	xmlNodePtr top;
	xmlDocPtr doc;
	struct bld tmp;

	memset(&st, 0, sizeof(st));
	st.max_depth = XML_LIMIT_DEPTH;
	if (lim != NULL && lim->max_bytes > 0)
		max_bytes = lim->max_bytes;
	if (lim != NULL && lim->max_depth > 0)
		st.max_depth = lim->max_depth < XML_DEPTH_MAX ? lim->max_depth : XML_DEPTH_MAX;
	if (lim != NULL && lim->max_attrs > 0)
		max_attrs = lim->max_attrs;
	if (text == NULL)
		text = "";
	if (len > max_bytes) {
		err_setx(e, "input of %zu bytes exceeds the size limit of %zu bytes", len,
		    max_bytes);
		return NULL;
	}
	if (len > INT_MAX) {
		err_setx(e, "input of %zu bytes is too large for libxml2", len);
		return NULL;
	}
	if (scan_attrs(text, len, max_attrs, e) == -1)
		return NULL;
	/* Safe to call repeatedly; xmlCleanupParser is left to the program, never a library. */
	xmlInitParser();
	if ((ctxt = xmlNewParserCtxt()) == NULL) {
		err_setx(e, "cannot create an XML parser context: out of memory");
		return NULL;
	}
	ctxt->_private = &st;
	st.start = ctxt->sax->startElementNs;
	st.end = ctxt->sax->endElementNs;
	ctxt->sax->serror = on_error;
	ctxt->sax->startElementNs = on_start;
	ctxt->sax->endElementNs = on_end;
	ctxt->sax->internalSubset = on_doctype;
	doc = xmlCtxtReadMemory(ctxt, text, (int)len, NULL, NULL, PARSE_OPTIONS);
	/* A namespace error leaves wellFormed set, so any recorded error fails the parse. */
	if (st.failed)
		err_setx(e, "%s", st.msg);
	else if (doc == NULL || !ctxt->wellFormed)
		err_setx(e, "line %d col %d: not well-formed", ctxt->lastError.line,
		    ctxt->lastError.int2);
	else if ((top = xmlDocGetRootElement(doc)) == NULL)
		err_setx(e, "line 1 col 1: no root element");
	else {
		bld_init(&tmp);
		root = new_element((const char *)top->name,
		    top->ns != NULL ? (const char *)top->ns->href : NULL,
		    top->ns != NULL ? (const char *)top->ns->prefix : NULL, 1, e);
		if (root != NULL && convert(top, root, &tmp, e) == -1) {
			xml_free(root);
			root = NULL;
		}
		bld_free(&tmp);
	}
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return root;
}

/* ---- queries ------------------------------------------------------------------------------- */

static int
matches(const struct xml_node *n, const char *name, const char *ns)
{
	if (n->kind != XML_KIND_ELEMENT || n->name == NULL || strcmp(n->name, name) != 0)
		return 0;
	return ns == NULL || xml_same_ns(n->ns, ns);
}

const struct xml_node *
xml_find(const struct xml_node *n, const char *name, const char *ns)
{
	const struct xml_node *c, *hit;
	size_t i;

	if (n == NULL || name == NULL || n->kind != XML_KIND_ELEMENT)
		return NULL;
	for (i = 0; i < n->nchildren; i++) {
		c = n->children[i];
		if (c == NULL || c->kind != XML_KIND_ELEMENT)
			continue;
		if (matches(c, name, ns))
			return c;
		if ((hit = xml_find(c, name, ns)) != NULL)
			return hit;
	}
	return NULL;
}

const char *
xml_attr_get(const struct xml_node *el, const char *name, const char *ns)
{
	size_t i;

	if (el == NULL || name == NULL || el->kind != XML_KIND_ELEMENT)
		return NULL;
	for (i = 0; i < el->nattrs; i++)
		if (strcmp(el->attrs[i].name, name) == 0 && xml_same_ns(el->attrs[i].ns, ns))
			return el->attrs[i].value;
	return NULL;
}
