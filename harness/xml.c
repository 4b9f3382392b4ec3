/* xml: hostile XML text to an owned tree through libxml2 (the one file that includes it), and back. */
#include "xml.h"

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

/* ---- characters and names ------------------------------------------------------------------ */

/* Decodes one UTF-8 sequence; returns its length, or 0 when it is not shortest-form UTF-8. */
static size_t
utf8_dec(const unsigned char *s, size_t len, uint32_t *cp)
{
	uint32_t c, min;
	size_t n, i;

	if (len == 0)
		return 0;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		n = 2, c &= 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3, c &= 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4, c &= 0x07, min = 0x10000;
	} else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* Char, XML 1.0 (fifth edition) production [2]. */
static int
is_char(uint32_t c)
{
	return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 && c <= 0xd7ff) ||
	    (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

/* NameStartChar, XML 1.0 production [4], without ':' (an NCName, Namespaces in XML 1.0 [4]). */
static int
is_name_start(uint32_t c)
{
	return (c >= 'A' && c <= 'Z') || c == '_' || (c >= 'a' && c <= 'z') ||
	    (c >= 0xc0 && c <= 0xd6) || (c >= 0xd8 && c <= 0xf6) || (c >= 0xf8 && c <= 0x2ff) ||
	    (c >= 0x370 && c <= 0x37d) || (c >= 0x37f && c <= 0x1fff) ||
	    (c >= 0x200c && c <= 0x200d) || (c >= 0x2070 && c <= 0x218f) ||
	    (c >= 0x2c00 && c <= 0x2fef) || (c >= 0x3001 && c <= 0xd7ff) ||
	    (c >= 0xf900 && c <= 0xfdcf) || (c >= 0xfdf0 && c <= 0xfffd) ||
	    (c >= 0x10000 && c <= 0xeffff);
}

/* NameChar, XML 1.0 production [4a], without ':'. */
static int
is_name_char(uint32_t c)
{
	return is_name_start(c) || c == '-' || c == '.' || (c >= '0' && c <= '9') ||
	    c == 0xb7 || (c >= 0x300 && c <= 0x36f) || (c >= 0x203f && c <= 0x2040);
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A printable ASCII rendering of untrusted text for error messages (reports must stay valid). */
static const char *
shown(const char *s, char *out, size_t cap)
{
	size_t i, n = strlen(s);

	for (i = 0; i < n && i + 4 < cap; i++)
		out[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (i < n)
		memcpy(out + i, "...", 4);
	else
		out[i] = '\0';
	return out;
}

int
xml_check_name(const char *what, const char *s, struct err *e)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len, i = 0, n;
	char buf[48];
	uint32_t c;

	if (s == NULL || s[0] == '\0')
		return err_setx(e, "%s: empty", what);
	len = strlen(s);
	while (i < len) {
		if ((n = utf8_dec(p + i, len - i, &c)) == 0)
			return err_setx(e, "%s: '%s' is not UTF-8 at byte %zu", what,
			    shown(s, buf, sizeof(buf)), i);
		if (i == 0 ? !is_name_start(c) : !is_name_char(c))
			return err_setx(e, "%s: '%s' is not an XML name (no namespace prefix, "
			    "bad character at byte %zu)", what, shown(s, buf, sizeof(buf)), i);
		i += n;
	}
	return 0;
}

int
xml_check_text(const char *what, const char *s, size_t len, struct err *e)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;
	uint32_t c;

	while (i < len) {
		if ((n = utf8_dec(p + i, len - i, &c)) == 0)
			return err_setx(e, "%s: byte 0x%02x at offset %zu is not UTF-8", what,
			    p[i], i);
		if (!is_char(c))
			return err_setx(e, "%s: character U+%04X at offset %zu is not allowed in "
			    "XML 1.0", what, (unsigned)c, i);
		i += n;
	}
	return 0;
}

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

static int
same_ns(const char *a, const char *b)
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
		if (strcmp(el->attrs[i].name, name) == 0 && same_ns(el->attrs[i].ns, ns))
			return err_setx(e, "attribute '%s'%s%s appears twice", name,
			    ns != NULL && ns[0] != '\0' ? " in namespace " : "",
			    ns != NULL ? ns : "");
	return append_attr(el, name, ns, value, vlen, e);
}

/* The checks shared by the public constructors and xml_build. */
static int
check_element(const char *name, const char *ns, const char *prefix, struct err *e)
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

static int
check_attr(const char *name, const char *ns, const char *value, size_t vlen, struct err *e)
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
	if (check_element(name, ns, prefix, e) == -1)
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
	if (check_element(name, ns, prefix, e) == -1)
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
	if (check_attr(name, ns, value, value_len, e) == -1)
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
		char c = is_space(*msg) ? ' ' : *msg;

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

/* ---- building ------------------------------------------------------------------------------ */

/* One namespace binding in scope while writing; pushed where declared, popped after the element. */
struct binding {
	const char *prefix;	/* "" for the default namespace; NULL when gen holds it */
	const char *uri;	/* NULL: no namespace (xmlns="") */
	char gen[16];		/* a generated prefix */
	int implicit;		/* the xml prefix: in scope, never written */
};

#define PATH_MAX_LEN	256

struct writer {
	struct bld *out;
	int flags;
	int mixed;		/* inside mixed content: written as it is */
	struct binding *b;
	size_t nb, capb;
	char path[PATH_MAX_LEN];
	size_t plen;
	struct err *e;
};

static const char *
bprefix(const struct binding *b)
{
	return b->prefix != NULL ? b->prefix : b->gen;
}

static const struct binding *
lookup(const struct writer *w, const char *prefix)
{
	size_t i;

	for (i = w->nb; i > 0; i--)
		if (strcmp(bprefix(&w->b[i - 1]), prefix) == 0)
			return &w->b[i - 1];
	return NULL;
}

static struct binding *
push(struct writer *w, const char *prefix, const char *uri)
{
	struct binding *p;
	size_t cap;

	if (w->nb == w->capb) {
		cap = w->capb ? w->capb * 2 : 8;
		if ((p = realloc(w->b, cap * sizeof(*p))) == NULL) {
			err_set(w->e, "out of memory");
			return NULL;
		}
		w->b = p;
		w->capb = cap;
	}
	p = &w->b[w->nb++];
	memset(p, 0, sizeof(*p));
	p->prefix = prefix;
	p->uri = uri;
	return p;
}

/* A non-default prefix that resolves to uri here, innermost first, or NULL. */
static const char *
prefix_for(const struct writer *w, const char *uri)
{
	const struct binding *b;
	size_t i;

	for (i = w->nb; i > 0; i--) {
		b = &w->b[i - 1];
		if (bprefix(b)[0] != '\0' && b->uri != NULL && strcmp(b->uri, uri) == 0 &&
		    lookup(w, bprefix(b)) == b)
			return bprefix(b);
	}
	return NULL;
}

/* The prefix for an attribute in namespace uri, declaring a generated one when none is bound. */
static const char *
attr_prefix(struct writer *w, const char *uri)
{
	struct binding *b;
	const char *p;
	char name[16];
	int k;

	if ((p = prefix_for(w, uri)) != NULL)
		return p;
	for (k = 1;; k++) {
		snprintf(name, sizeof(name), "ns%d", k);
		if (lookup(w, name) == NULL)
			break;
	}
	if ((b = push(w, NULL, uri)) == NULL)
		return NULL;
	memcpy(b->gen, name, sizeof(name));
	return b->gen;
}

static void
put(struct writer *w, const char *s)
{
	bld_bytes(w->out, s, strlen(s));
}

static void
put_escaped(struct writer *w, const char *s, size_t len, int attr)
{
	size_t i, start = 0;
	const char *rep;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = attr ? NULL : "&gt;";	/* also keeps "]]>" out of text */
			break;
		case '"':
			rep = attr ? "&quot;" : NULL;
			break;
		case '\r':
			rep = "&#13;";		/* line-end normalisation would eat it */
			break;
		case '\n':
			rep = attr ? "&#10;" : NULL;	/* attribute value normalisation */
			break;
		case '\t':
			rep = attr ? "&#9;" : NULL;
			break;
		default:
			rep = NULL;
		}
		if (rep == NULL)
			continue;
		bld_bytes(w->out, s + start, i - start);
		put(w, rep);
		start = i + 1;
	}
	bld_bytes(w->out, s + start, len - start);
}

static void
put_indent(struct writer *w, int depth)
{
	int i;

	put(w, "\n");
	for (i = 0; i < depth; i++)
		put(w, "  ");
}

static void
put_qname(struct writer *w, const char *prefix, const char *name)
{
	if (prefix != NULL && prefix[0] != '\0') {
		put(w, prefix);
		put(w, ":");
	}
	put(w, name);
}

/* Fails naming the element path; the message so far in w->e is the detail. */
static int
fail_at(struct writer *w)
{
	return err_prefix(w->e, "%s", w->plen ? w->path : "/");
}

static int
ws_only(const struct xml_node *t)
{
	size_t i;

	if (t->text == NULL)
		return 1;	/* reported when it is written */
	for (i = 0; i < t->text_len; i++)
		if (!is_space(t->text[i]))
			return 0;
	return 1;
}

static int write_element(struct writer *, const struct xml_node *, int);

/* Decides the prefixes and declarations of n; returns the element's prefix ("" for none). */
static const char *
declare(struct writer *w, const struct xml_node *n, const char *ns)
{
	const struct binding *cur;
	const char *p;
	size_t i;

	if (ns == NULL) {
		/* An element in no namespace cannot be prefixed: undo an inherited default. */
		cur = lookup(w, "");
		if (cur != NULL && cur->uri != NULL && push(w, "", NULL) == NULL)
			return NULL;
		p = "";
	} else if (strcmp(ns, XML_NS_XML) == 0) {
		p = "xml";
	} else if (n->prefix != NULL && n->prefix[0] != '\0') {
		cur = lookup(w, n->prefix);
		if ((cur == NULL || !same_ns(cur->uri, ns)) && push(w, n->prefix, ns) == NULL)
			return NULL;
		p = n->prefix;
	} else {
		cur = lookup(w, "");
		if ((cur == NULL || !same_ns(cur->uri, ns)) && push(w, "", ns) == NULL)
			return NULL;
		p = "";
	}
	for (i = 0; i < n->nattrs; i++) {
		const char *ans = n->attrs[i].ns;

		if (ans != NULL && ans[0] != '\0' && attr_prefix(w, ans) == NULL)
			return NULL;
	}
	return p;
}

static int
write_children(struct writer *w, const struct xml_node *n, int depth)
{
	int has_elem = 0, nonws = 0, indent, saved = w->mixed;
	size_t i, k = 0, mark;
	char buf[48];
	const struct xml_node *c;

	for (i = 0; i < n->nchildren; i++) {
		c = n->children[i];
		if (c == NULL) {
			err_setx(w->e, "child %zu is NULL", i + 1);
			return fail_at(w);
		}
		if (c->kind == XML_KIND_ELEMENT)
			has_elem = 1;
		else if (c->kind == XML_KIND_TEXT && !ws_only(c))
			nonws = 1;
	}
	indent = (w->flags & XML_BUILD_INDENT) && !w->mixed && has_elem && !nonws;
	if (has_elem && nonws)
		w->mixed = 1;
	for (i = 0; i < n->nchildren; i++) {
		c = n->children[i];
		if (c->kind == XML_KIND_TEXT) {
			if (c->text_len > 0 && c->text == NULL) {
				err_setx(w->e, "text child %zu: missing", i + 1);
				return fail_at(w);
			}
			if (xml_check_text("text", c->text, c->text_len, w->e) == -1)
				return fail_at(w);
			if (!indent)
				put_escaped(w, c->text, c->text_len, 0);
			continue;
		}
		if (c->kind != XML_KIND_ELEMENT) {
			err_setx(w->e, "child %zu has kind %d", i + 1, (int)c->kind);
			return fail_at(w);
		}
		if (indent)
			put_indent(w, depth);
		mark = w->plen;
		k++;
		snprintf(w->path + w->plen, sizeof(w->path) - w->plen, "/%s[%zu]",
		    c->name != NULL ? shown(c->name, buf, sizeof(buf)) : "?", k);
		w->plen = strlen(w->path);
		if (write_element(w, c, depth + 1) == -1)
			return -1;
		w->plen = mark;
		w->path[mark] = '\0';
	}
	if (indent)
		put_indent(w, depth - 1);
	w->mixed = saved;
	return 0;
}

static int
write_element(struct writer *w, const struct xml_node *n, int depth)
{
	const char *ns = n->ns != NULL && n->ns[0] != '\0' ? n->ns : NULL;
	size_t mark = w->nb, i, j;
	const struct binding *b;
	const char *p;
	int empty = 1;

	if (depth > XML_DEPTH_MAX) {
		err_setx(w->e, "element depth exceeds %d", XML_DEPTH_MAX);
		return fail_at(w);
	}
	if (check_element(n->name, ns, ns != NULL && strcmp(ns, XML_NS_XML) == 0 ? NULL :
	    n->prefix, w->e) == -1)
		return fail_at(w);
	for (i = 0; i < n->nattrs; i++) {
		const struct xml_attr *a = &n->attrs[i];

		if (check_attr(a->name, a->ns, a->value, a->value_len, w->e) == -1) {
			err_prefix(w->e, "attribute %zu", i + 1);
			return fail_at(w);
		}
		for (j = 0; j < i; j++)
			if (strcmp(n->attrs[j].name, a->name) == 0 &&
			    same_ns(n->attrs[j].ns, a->ns)) {
				err_setx(w->e, "attribute '%s' appears twice", a->name);
				return fail_at(w);
			}
	}
	if ((p = declare(w, n, ns)) == NULL)
		return fail_at(w);
	put(w, "<");
	put_qname(w, p, n->name);
	for (i = mark; i < w->nb; i++) {
		b = &w->b[i];
		put(w, bprefix(b)[0] != '\0' ? " xmlns:" : " xmlns");
		put(w, bprefix(b));
		put(w, "=\"");
		if (b->uri != NULL)
			put_escaped(w, b->uri, strlen(b->uri), 1);
		put(w, "\"");
	}
	for (i = 0; i < n->nattrs; i++) {
		const struct xml_attr *a = &n->attrs[i];

		put(w, " ");
		put_qname(w, a->ns != NULL && a->ns[0] != '\0' ? prefix_for(w, a->ns) : NULL,
		    a->name);
		put(w, "=\"");
		put_escaped(w, a->value != NULL ? a->value : "", a->value_len, 1);
		put(w, "\"");
	}
	for (i = 0; i < n->nchildren && empty; i++)
		if (n->children[i] == NULL || n->children[i]->kind != XML_KIND_TEXT ||
		    n->children[i]->text_len > 0)
			empty = 0;
	if (empty)
		put(w, "/>");
	else {
		put(w, ">");
		if (write_children(w, n, depth) == -1)
			return -1;
		put(w, "</");
		put_qname(w, p, n->name);
		put(w, ">");
	}
	w->nb = mark;
	return 0;
}

int
xml_build(const struct xml_node *root, int flags, struct bld *out, struct err *e)
{
	struct writer w;
	struct binding *x;
	char buf[48];
	int rc = -1;

	memset(&w, 0, sizeof(w));
	w.out = out;
	w.flags = flags;
	w.e = e;
	if (root == NULL || root->kind != XML_KIND_ELEMENT)
		return err_setx(e, "the root is not an element");
	snprintf(w.path, sizeof(w.path), "/%s",
	    root->name != NULL ? shown(root->name, buf, sizeof(buf)) : "?");
	w.plen = strlen(w.path);
	if ((x = push(&w, "xml", XML_NS_XML)) == NULL)
		goto out;
	x->implicit = 1;
	put(&w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	if (write_element(&w, root, 1) == -1)
		goto out;
	put(&w, "\n");
	rc = bld_finish(out, e);
out:
	free(w.b);
	return rc;
}

/* ---- queries ------------------------------------------------------------------------------- */

static int
matches(const struct xml_node *n, const char *name, const char *ns)
{
	if (n->kind != XML_KIND_ELEMENT || n->name == NULL || strcmp(n->name, name) != 0)
		return 0;
	return ns == NULL || same_ns(n->ns, ns);
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
		if (strcmp(el->attrs[i].name, name) == 0 && same_ns(el->attrs[i].ns, ns))
			return el->attrs[i].value;
	return NULL;
}
