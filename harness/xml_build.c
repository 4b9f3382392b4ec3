/* xml_build: trees written back as XML text, and the name and text checks they rely on. */
#include "xml.h"
#include "xml_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int
xml_is_space(char c)
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
		if (!xml_is_space(t->text[i]))
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
		if ((cur == NULL || !xml_same_ns(cur->uri, ns)) && push(w, n->prefix, ns) == NULL)
			return NULL;
		p = n->prefix;
	} else {
		cur = lookup(w, "");
		if ((cur == NULL || !xml_same_ns(cur->uri, ns)) && push(w, "", ns) == NULL)
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
	if (xml_check_element(n->name, ns, ns != NULL && strcmp(ns, XML_NS_XML) == 0 ? NULL :
	    n->prefix, w->e) == -1)
		return fail_at(w);
	for (i = 0; i < n->nattrs; i++) {
		const struct xml_attr *a = &n->attrs[i];

		if (xml_check_attr(a->name, a->ns, a->value, a->value_len, w->e) == -1) {
			err_prefix(w->e, "attribute %zu", i + 1);
			return fail_at(w);
		}
		for (j = 0; j < i; j++)
			if (strcmp(n->attrs[j].name, a->name) == 0 &&
			    xml_same_ns(n->attrs[j].ns, a->ns)) {
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
