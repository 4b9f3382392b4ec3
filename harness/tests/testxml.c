/* testxml: XML tree helpers shared by the CUnit xml test files (compare, build, parse). */
#include "testxml.h"

#include <stdlib.h>
#include <string.h>

#include "builder.h"

static int
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static int
ws_only(const struct xml_node *t)
{
	size_t i;

	for (i = 0; i < t->text_len; i++)
		if (strchr(" \t\r\n", t->text[i]) == NULL)
			return 0;
	return 1;
}

/* The children that count: all of them, or without white space beside elements (loose). */
static size_t
kids(const struct xml_node *n, int loose, const struct xml_node **out, size_t cap)
{
	size_t i, k = 0;
	int has_elem = 0;

	for (i = 0; i < n->nchildren; i++)
		has_elem |= n->children[i]->kind == XML_KIND_ELEMENT;
	for (i = 0; i < n->nchildren && k < cap; i++) {
		if (loose && has_elem && n->children[i]->kind == XML_KIND_TEXT &&
		    ws_only(n->children[i]))
			continue;
		out[k++] = n->children[i];
	}
	return k;
}

int
tu_xml_tree_eq(const struct xml_node *a, const struct xml_node *b, int loose)
{
	const struct xml_node *ka[64], *kb[64];
	size_t i, na, nb;

	if (a->kind != b->kind)
		return 0;
	if (a->kind == XML_KIND_TEXT)
		return a->text_len == b->text_len && memcmp(a->text, b->text, a->text_len) == 0;
	if (!str_eq(a->name, b->name) || !str_eq(a->ns, b->ns) || !str_eq(a->prefix, b->prefix) ||
	    a->nattrs != b->nattrs)
		return 0;
	for (i = 0; i < a->nattrs; i++)
		if (!str_eq(a->attrs[i].name, b->attrs[i].name) ||
		    !str_eq(a->attrs[i].ns, b->attrs[i].ns) ||
		    !str_eq(a->attrs[i].value, b->attrs[i].value))
			return 0;
	na = kids(a, loose, ka, 64);
	nb = kids(b, loose, kb, 64);
	if (na != nb)
		return 0;
	for (i = 0; i < na; i++)
		if (!tu_xml_tree_eq(ka[i], kb[i], loose))
			return 0;
	return 1;
}

char *
tu_xml_build_str(const struct xml_node *t, int flags, struct err *e)
{
	struct bld b;
	char *s = NULL;

	bld_init(&b);
	if (xml_build(t, flags, &b, e) == 0 && (s = malloc(b.len + 1)) != NULL) {
		memcpy(s, b.buf, b.len);
		s[b.len] = '\0';
	}
	bld_free(&b);
	return s;
}

struct xml_node *
tu_xml_parse_str(const char *s, struct err *e)
{
	return xml_parse(s, strlen(s), NULL, e);
}
