/* xml_int: helpers shared by the files of the xml module (xml.c, xml_build.c); not a contract. */
#ifndef MBMS_XML_INT_H
#define MBMS_XML_INT_H

#include <stddef.h>

#include "err.h"

/* 1 for the four XML white-space characters (XML 1.0, 2.3 [3]). */
int	xml_is_space(char c);
/* 1 when two namespace URIs are the same; NULL and "" both mean no namespace. */
int	xml_same_ns(const char *a, const char *b);
/* The checks shared by the public constructors and xml_build; 0 or -1 with the reason in e. */
int	xml_check_element(const char *name, const char *ns, const char *prefix, struct err *e);
int	xml_check_attr(const char *name, const char *ns, const char *value, size_t vlen,
	    struct err *e);

#endif
