/* testxml: XML tree helpers shared by the CUnit xml test files (compare, build, parse). */
#ifndef MBMS_TESTXML_H
#define MBMS_TESTXML_H

#include "err.h"
#include "xml.h"

/*
 * 1 when a and b are the same tree: names, namespaces, prefixes, attributes in order, children
 * and text. With loose set, white-space-only text beside elements is not counted.
 */
int	tu_xml_tree_eq(const struct xml_node *a, const struct xml_node *b, int loose);
/* Builds t into a NUL-terminated malloc'd string (NULL on failure, message in e). */
char	*tu_xml_build_str(const struct xml_node *t, int flags, struct err *e);
/* Parses the NUL-terminated s with the default limits (NULL on failure, message in e). */
struct xml_node *tu_xml_parse_str(const char *s, struct err *e);

#endif
