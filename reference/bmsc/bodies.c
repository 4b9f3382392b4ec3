/* bodies: request bodies in, response bodies out, through libxml2's tree API. */
#include "bodies.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "hexstr.h"

/* libxml2 prints parse errors to stderr by default; the BM-SC logs its own sentence. */
static void
quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

void
bodies_init(void)
{
	xmlInitParser();
	xmlSetGenericErrorFunc(NULL, quiet);
}

void
bodies_cleanup(void)
{
	xmlCleanupParser();
}

static int
named(const xmlNode *n, const char *name, const char *ns)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0 &&
	    n->ns != NULL && n->ns->href != NULL && strcmp((const char *)n->ns->href, ns) == 0;
}

/* Text content of an element, trimmed; NULL if it has element children or is empty. */
static char *
text_of(const xmlNode *n)
{
	const xmlNode *c;
	xmlChar *t;
	char *s, *b, *end;

	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return NULL;
	if ((t = xmlNodeGetContent(n)) == NULL)
		return NULL;
	for (b = (char *)t; *b == ' ' || *b == '\t' || *b == '\r' || *b == '\n'; b++)
		;
	end = b + strlen(b);
	while (end > b && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' ||
	    end[-1] == '\n'))
		end--;
	*end = '\0';
	s = *b ? strdup(b) : NULL;
	xmlFree(t);
	return s;
}

static int
hex_attr(const xmlNode *n, const char *name, uint8_t *out, size_t want, struct err *e)
{
	xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
	int rc = 0;

	if (v == NULL)
		return err_setx(e, "attribute %s missing", name);
	if (hexstr_parse((const char *)v, out, want, want) != (long)want)
		rc = err_setx(e, "attribute %s: expected %zu bytes of hex", name, want);
	xmlFree(v);
	return rc;
}

void
bodies_req_free(struct bodies_req *r)
{
	size_t i;

	if (r == NULL)
		return;
	if (r->services != NULL)
		for (i = 0; i < r->n; i++)
			free(r->services[i]);
	free(r->services);
	free(r->keys);
	r->services = NULL;
	r->keys = NULL;
	r->n = 0;
}

static int
items(const struct conf_xml *x, const xmlNode *root, struct bodies_req *r, struct err *e)
{
	const char *ns, *item;
	const xmlNode *c;

	switch (r->kind) {
	case BODIES_REGISTER:
		ns = x->register_ns;
		item = x->register_service;
		break;
	case BODIES_DEREGISTER:
		ns = x->deregister_ns;
		item = x->deregister_service;
		break;
	default:
		ns = x->msk_request_ns;
		item = x->msk_request_item;
		break;
	}
	for (c = root->children; c != NULL; c = c->next) {
		if (c->type == XML_TEXT_NODE) {
			const xmlChar *t;

			/* Only whitespace may sit between items. */
			for (t = c->content; t && *t; t++)
				if (*t != ' ' && *t != '\t' && *t != '\r' && *t != '\n')
					return err_setx(e, "text between items");
			continue;
		}
		if (c->type != XML_ELEMENT_NODE)
			continue;	/* comments, processing instructions */
		if (!named(c, item, ns))
			return err_setx(e, "unexpected element <%s> (expected {%s}%s)",
			    (const char *)c->name, ns, item);
		if (r->n == BODIES_MAX_ITEMS)
			return err_setx(e, "more than %d items", BODIES_MAX_ITEMS);
		if (r->kind == BODIES_MSK) {
			struct bodies_key *k = &r->keys[r->n];

			if (hex_attr(c, x->msk_request_kdid_attr, k->kdid, 3, e) == -1 ||
			    hex_attr(c, x->msk_request_mskid_attr, k->mskid, 4, e) == -1)
				return -1;
		} else if ((r->services[r->n] = text_of(c)) == NULL)
			return err_setx(e, "<%s> without a service ID", item);
		r->n++;
	}
	if (r->n == 0)
		return err_setx(e, "the list is empty");
	return 0;
}

int
bodies_parse(const struct conf_xml *x, enum bodies_kind kind, const char *buf, size_t len,
    struct bodies_req *r, struct err *e)
{
	const char *root_name, *ns;
	xmlDoc *doc;
	xmlNode *root;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	r->kind = kind;
	switch (kind) {
	case BODIES_REGISTER:
		root_name = x->register_root;
		ns = x->register_ns;
		break;
	case BODIES_DEREGISTER:
		root_name = x->deregister_root;
		ns = x->deregister_ns;
		break;
	default:
		root_name = x->msk_request_root;
		ns = x->msk_request_ns;
		break;
	}
	if (len > INT32_MAX)
		return err_setx(e, "body too large");
	/* No network, no entity expansion, no DTD loading: the body is data, not a program. */
	doc = xmlReadMemory(buf, (int)len, NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL) {
		const xmlError *xe = xmlGetLastError();
		size_t n;

		err_setx(e, "not well-formed XML%s%s", xe && xe->message ? ": " : "",
		    xe && xe->message ? xe->message : "");
		/* libxml2 ends its messages with a newline; the log wants one line. */
		while ((n = strlen(e->msg)) > 0 && e->msg[n - 1] == '\n')
			e->msg[n - 1] = '\0';
		return -1;
	}
	if ((root = xmlDocGetRootElement(doc)) == NULL) {
		err_setx(e, "no root element");
		goto done;
	}
	if (!named(root, root_name, ns)) {
		err_setx(e, "root element {%s}%s, expected {%s}%s",
		    root->ns && root->ns->href ? (const char *)root->ns->href : "",
		    (const char *)root->name, ns, root_name);
		goto done;
	}
	if (kind == BODIES_MSK)
		r->keys = calloc(BODIES_MAX_ITEMS, sizeof(*r->keys));
	else
		r->services = calloc(BODIES_MAX_ITEMS, sizeof(*r->services));
	if (r->keys == NULL && r->services == NULL) {
		err_set(e, "body");
		goto done;
	}
	rc = items(x, root, r, e);
done:
	xmlFreeDoc(doc);
	if (rc == -1)
		bodies_req_free(r);
	return rc;
}

/* Builds <root xmlns=ns> and returns it, with the namespace in *nsp. */
static xmlDoc *
new_doc(const char *root_name, const char *ns, xmlNode **root, xmlNs **nsp)
{
	xmlDoc *doc = xmlNewDoc((const xmlChar *)"1.0");

	if (doc == NULL)
		return NULL;
	if ((*root = xmlNewNode(NULL, (const xmlChar *)root_name)) == NULL) {
		xmlFreeDoc(doc);
		return NULL;
	}
	xmlDocSetRootElement(doc, *root);
	*nsp = xmlNewNs(*root, (const xmlChar *)ns, NULL);
	xmlSetNs(*root, *nsp);
	return doc;
}

static int
dump(xmlDoc *doc, struct bld *out, struct err *e)
{
	xmlChar *mem = NULL;
	int len = 0;

	xmlDocDumpFormatMemoryEnc(doc, &mem, &len, "UTF-8", 1);
	xmlFreeDoc(doc);
	if (mem == NULL)
		return err_setx(e, "writing the response body failed");
	bld_bytes(out, mem, (size_t)len);
	xmlFree(mem);
	return bld_finish(out, e);
}

int
bodies_register_response(const struct conf_xml *x, char *const *services, const int *codes,
    size_t n, struct bld *out, struct err *e)
{
	xmlDoc *doc;
	xmlNode *root, *s;
	xmlNs *ns;
	char code[16];
	size_t i;

	if ((doc = new_doc(x->register_response_root, x->register_response_ns, &root, &ns)) ==
	    NULL)
		return err_setx(e, "response: out of memory");
	for (i = 0; i < n; i++) {
		snprintf(code, sizeof(code), "%d", codes[i]);
		s = xmlNewChild(root, ns, (const xmlChar *)x->register_response_status, NULL);
		if (s == NULL ||
		    xmlNewProp(s, (const xmlChar *)x->register_response_service_attr,
		    (const xmlChar *)services[i]) == NULL ||
		    xmlNewProp(s, (const xmlChar *)x->register_response_code_attr,
		    (const xmlChar *)code) == NULL) {
			xmlFreeDoc(doc);
			return err_setx(e, "response: out of memory");
		}
	}
	return dump(doc, out, e);
}

int
bodies_msk_response(const struct conf_xml *x, const struct bodies_key *keys, const int *codes,
    size_t n, struct bld *out, struct err *e)
{
	xmlDoc *doc;
	xmlNode *root, *s;
	xmlNs *ns;
	char code[16], kdid[8], mskid[10];
	size_t i;

	if ((doc = new_doc(x->msk_response_root, x->msk_response_ns, &root, &ns)) == NULL)
		return err_setx(e, "response: out of memory");
	for (i = 0; i < n; i++) {
		snprintf(code, sizeof(code), "%d", codes[i]);
		hexstr_format(keys[i].kdid, 3, kdid);
		hexstr_format(keys[i].mskid, 4, mskid);
		s = xmlNewChild(root, ns, (const xmlChar *)x->msk_response_status, NULL);
		if (s == NULL ||
		    xmlNewProp(s, (const xmlChar *)x->msk_response_kdid_attr,
		    (const xmlChar *)kdid) == NULL ||
		    xmlNewProp(s, (const xmlChar *)x->msk_response_mskid_attr,
		    (const xmlChar *)mskid) == NULL ||
		    xmlNewProp(s, (const xmlChar *)x->msk_response_code_attr,
		    (const xmlChar *)code) == NULL) {
			xmlFreeDoc(doc);
			return err_setx(e, "response: out of memory");
		}
	}
	return dump(doc, out, e);
}
