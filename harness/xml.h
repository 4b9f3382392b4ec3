/*
 * xml: XML text from untrusted peers turned into a plain owned tree, and trees written back as text.
 *
 * The tree is ours, not libxml2's: an element has a local name, a namespace URI, the prefix it
 * was written with, its attributes {local name, namespace URI, value} in document order, and its
 * children (elements and text) in document order. All strings are UTF-8 and NUL-terminated;
 * "no namespace" is NULL, never "". Comments and processing instructions are dropped, CDATA
 * sections become text, predefined entities and character references are decoded, and
 * namespace declarations are not attributes (xml_build writes the ones it needs).
 *
 * Parsing is hostile-input safe: no network, no DTD loading, no entity substitution, and any
 * DOCTYPE is refused outright, so external entities (XXE) and entity expansion ("billion
 * laughs") never happen. Input size, element depth and attributes per element are limited
 * (struct xml_limits). Parse
 * errors read "line L col C: <libxml2's message>".
 *
 * Ownership: xml_parse and xml_element_new return a root the caller frees with xml_free, which
 * frees the whole tree. Nodes added to a parent belong to the parent. Return convention:
 * pointer or NULL, 0 or -1, the reason in struct err (err.h).
 */
#ifndef MBMS_XML_H
#define MBMS_XML_H

#include <stddef.h>

#include "builder.h"
#include "err.h"

#define XML_LIMIT_BYTES	(1024 * 1024)	/* default input size limit */
#define XML_LIMIT_DEPTH	64		/* default element depth limit (root is depth 1) */
#define XML_DEPTH_MAX	256		/* no tree is deeper, parsed or built (libxml2's own cap) */
#define XML_LIMIT_ATTRS	256		/* default limit of attributes in one start tag */

/* The XML namespace, bound to prefix "xml" in every document (Namespaces in XML 1.0, 3). */
#define XML_NS_XML	"http://www.w3.org/XML/1998/namespace"

enum xml_kind {
	XML_KIND_ELEMENT = 1,
	XML_KIND_TEXT = 2
};

struct xml_attr {
	char *name;			/* local name */
	char *ns;			/* namespace URI, NULL for an unqualified attribute */
	char *value;
	size_t value_len;
};

struct xml_node {
	enum xml_kind kind;
	/* Elements. */
	char *name;			/* local name */
	char *ns;			/* namespace URI or NULL */
	char *prefix;			/* as written (parse) or wished for (build); NULL: none */
	struct xml_attr *attrs;
	size_t nattrs;
	struct xml_node **children;	/* elements and text nodes in document order */
	size_t nchildren;
	long line;			/* source line of the start tag, 0 when built */
	int depth;			/* 1 for the root */
	/* Text nodes. */
	char *text;
	size_t text_len;
	/* Private: allocated sizes of attrs and children. */
	size_t attrs_cap, children_cap;
};

/*
 * Limits for xml_parse; a zero field means the default above; max_depth is capped at
 * XML_DEPTH_MAX. max_attrs exists because libxml2 2.9 checks attribute names for duplicates
 * pairwise: one start tag with 100 000 attributes would cost it many seconds.
 */
struct xml_limits {
	size_t max_bytes;
	int max_depth;
	int max_attrs;
};

/*
 * Parses len bytes of XML text (UTF-8 unless the declaration names another encoding) and returns
 * the root element, or NULL with "line L col C: message" (or a size-limit message) in
 * e. lim may be NULL for the defaults. libxml2 never prints; the first error is the one reported.
 */
struct xml_node *xml_parse(const char *text, size_t len, const struct xml_limits *lim,
	    struct err *e);

/* Frees a tree from xml_parse or xml_element_new. Accepts NULL. */
void	xml_free(struct xml_node *root);

/*
 * Tree construction. Names must be XML NCNames (no ':'); ns NULL or "" means no namespace;
 * prefix is a wish honoured by xml_build (NULL: unprefixed). Text and values must be UTF-8
 * made of XML 1.0 characters. A failure leaves the tree as it was.
 */
struct xml_node *xml_element_new(const char *name, const char *ns, const char *prefix,
	    struct err *e);
/* Appends a new element to parent and returns it (owned by parent); deeper than XML_DEPTH_MAX
 * is an error. */
struct xml_node *xml_element_add(struct xml_node *parent, const char *name, const char *ns,
	    const char *prefix, struct err *e);
/* Appends a text node to parent; adjacent text is merged; empty text adds nothing. */
int	xml_text_add(struct xml_node *parent, const char *text, size_t len, struct err *e);
/* Appends an attribute; a second attribute with the same name and namespace is an error. */
int	xml_attr_add(struct xml_node *el, const char *name, const char *ns, const char *value,
	    size_t value_len, struct err *e);

/* 0 when s is an NCName, else -1 with the reason (naming what) in e. */
int	xml_check_name(const char *what, const char *s, struct err *e);
/* 0 when the len bytes at s are UTF-8 XML 1.0 characters, else -1 naming the byte offset. */
int	xml_check_text(const char *what, const char *s, size_t len, struct err *e);

#define XML_BUILD_INDENT	0x1	/* indent element-only content by two spaces */

/*
 * Appends the document to out: the declaration <?xml version="1.0" encoding="UTF-8"?>, a
 * newline, the root element and a newline. Namespaces are declared where they first apply:
 * an element without a prefix wish is written unprefixed (so the root's namespace becomes the
 * default namespace, and xmlns="" undoes an inherited default for an element in no namespace);
 * a prefix wish is honoured, declared when not already bound to the element's namespace;
 * attribute namespaces reuse a prefix in scope or get a generated one (ns1, ns2, ...).
 * Attributes keep their order. With XML_BUILD_INDENT, whitespace-only text beside child
 * elements is replaced by indentation and mixed content is written as it is. The tree is
 * checked as it is written; -1 names the element path and field at fault.
 */
int	xml_build(const struct xml_node *root, int flags, struct bld *out, struct err *e);

/*
 * The first element below n (not n itself, depth first, document order) with that local name
 * and, unless ns is NULL, that namespace ("" matches no namespace). NULL when there is none.
 */
const struct xml_node *xml_find(const struct xml_node *n, const char *name, const char *ns);
/* The value of an attribute of el (ns NULL or "" for an unqualified one), or NULL. */
const char *xml_attr_get(const struct xml_node *el, const char *name, const char *ns);

#endif
