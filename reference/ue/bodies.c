/* bodies: registration, deregistration and key request bodies and their answers, on libxml2. */
#include "bodies.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "hex.h"

void
bodies_init(void)
{
	xmlInitParser();
}

void
bodies_cleanup(void)
{
	xmlCleanupParser();
}

void
bodies_free(char *body)
{
	if (body != NULL)
		xmlFree(body);
}

/* A document whose root element is name in namespace ns (the default namespace). */
static xmlDocPtr
new_doc(const char *name, const char *ns_href, xmlNodePtr *root, xmlNsPtr *ns)
{
	xmlDocPtr doc;

	if ((doc = xmlNewDoc(BAD_CAST "1.0")) == NULL)
		return NULL;
	if ((*root = xmlNewDocNode(doc, NULL, BAD_CAST name, NULL)) == NULL) {
		xmlFreeDoc(doc);
		return NULL;
	}
	xmlDocSetRootElement(doc, *root);
	if ((*ns = xmlNewNs(*root, BAD_CAST ns_href, NULL)) == NULL) {
		xmlFreeDoc(doc);
		return NULL;
	}
	xmlSetNs(*root, *ns);
	return doc;
}

static int
finish_doc(xmlDocPtr doc, char **out, size_t *len, struct err *e)
{
	xmlChar *buf = NULL;
	int n = 0;

	xmlDocDumpMemoryEnc(doc, &buf, &n, "UTF-8");
	xmlFreeDoc(doc);
	if (buf == NULL || n < 0)
		return err_setx(e, "XML: cannot serialise the body");
	*out = (char *)buf;
	*len = (size_t)n;
	return 0;
}

int
bodies_register(const struct conf *c, int deregister, const char *service, char **out,
    size_t *len, struct err *e)
{
	const char *root_name = deregister ? c->x.deregister_root : c->x.register_root;
	const char *ns_href = deregister ? c->x.deregister_ns : c->x.register_ns;
	const char *item = deregister ? c->x.deregister_service : c->x.register_service;
	xmlNodePtr root;
	xmlNsPtr ns;
	xmlDocPtr doc;

	if ((doc = new_doc(root_name, ns_href, &root, &ns)) == NULL)
		return err_setx(e, "XML: out of memory");
	/* xmlNewTextChild escapes the text; a service id is data, not markup. */
	if (xmlNewTextChild(root, ns, BAD_CAST item, BAD_CAST service) == NULL) {
		xmlFreeDoc(doc);
		return err_setx(e, "XML: out of memory");
	}
	return finish_doc(doc, out, len, e);
}

int
bodies_msk_request(const struct conf *c, const struct bodies_key *keys, size_t n, char **out,
    size_t *len, struct err *e)
{
	xmlNodePtr root, it;
	xmlNsPtr ns;
	xmlDocPtr doc;
	char kd[2 * KDID_LEN + 1], mi[2 * MSKID_LEN + 1];
	size_t i;

	if ((doc = new_doc(c->x.msk_request_root, c->x.msk_request_ns, &root, &ns)) == NULL)
		return err_setx(e, "XML: out of memory");
	for (i = 0; i < n; i++) {
		/* Key Domain ID and MSK ID travel as hex text [A]. */
		hex_encode(keys[i].kdid, KDID_LEN, kd);
		hex_encode(keys[i].mskid, MSKID_LEN, mi);
		if ((it = xmlNewChild(root, ns, BAD_CAST c->x.msk_request_item, NULL)) == NULL ||
		    xmlNewProp(it, BAD_CAST c->x.msk_request_kdid_attr, BAD_CAST kd) == NULL ||
		    xmlNewProp(it, BAD_CAST c->x.msk_request_mskid_attr, BAD_CAST mi) == NULL) {
			xmlFreeDoc(doc);
			return err_setx(e, "XML: out of memory");
		}
	}
	return finish_doc(doc, out, len, e);
}

/* Parses body and checks its root; returns the document or NULL with e set. */
static xmlDocPtr
read_doc(const char *body, size_t len, const char *root_name, const char *ns_href,
    const char *what, struct err *e)
{
	xmlDocPtr doc;
	xmlNodePtr root;

	if (len == 0) {
		err_setx(e, "%s: empty body", what);
		return NULL;
	}
	if (len > 1024 * 1024) {
		err_setx(e, "%s: body of %zu bytes is too large", what, len);
		return NULL;
	}
	/* No network, no entity expansion, no DTD loading: the body is untrusted. */
	doc = xmlReadMemory(body, (int)len, "answer.xml", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL) {
		const xmlError *xe = xmlGetLastError();

		err_setx(e, "%s: not well-formed XML%s%s", what, xe && xe->message ? ": " : "",
		    xe && xe->message ? xe->message : "");
		/* libxml2 ends its messages with a newline; a log line must not. */
		e->msg[strcspn(e->msg, "\n")] = '\0';
		return NULL;
	}
	root = xmlDocGetRootElement(doc);
	if (root == NULL || xmlStrcmp(root->name, BAD_CAST root_name) != 0 ||
	    root->ns == NULL || xmlStrcmp(root->ns->href, BAD_CAST ns_href) != 0) {
		err_setx(e, "%s: root element {%s}%s, expected {%s}%s", what,
		    root && root->ns ? (const char *)root->ns->href : "",
		    root ? (const char *)root->name : "(none)", ns_href, root_name);
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

static int
attr_code(xmlNodePtr n, const char *name, int *code, const char *what, struct err *e)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST name);
	char *end;
	long l;

	if (v == NULL)
		return err_setx(e, "%s: status without attribute %s", what, name);
	l = strtol((const char *)v, &end, 10);
	if (*(const char *)v == '\0' || *end != '\0' || l < 0 || l > 999) {
		err_setx(e, "%s: %s '%s' is not a code", what, name, (const char *)v);
		xmlFree(v);
		return -1;
	}
	xmlFree(v);
	*code = (int)l;
	return 0;
}

static int
attr_hex(xmlNodePtr n, const char *name, uint8_t *out, size_t want, const char *what,
    struct err *e)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST name);
	struct bld b;
	struct err he;
	int rc = -1;

	if (v == NULL)
		return err_setx(e, "%s: status without attribute %s", what, name);
	bld_init(&b);
	if (hex_decode((const char *)v, strlen((const char *)v), &b, &he) == -1)
		err_setx(e, "%s: %s '%s' is not hex", what, name, (const char *)v);
	else if (b.len != want)
		err_setx(e, "%s: %s '%s' is %zu bytes, expected %zu", what, name, (const char *)v,
		    b.len, want);
	else {
		memcpy(out, b.buf, want);
		rc = 0;
	}
	bld_free(&b);
	xmlFree(v);
	return rc;
}

int
bodies_parse_register_response(const struct conf *c, const char *body, size_t len,
    struct bodies_status *st, size_t max, size_t *n, struct err *e)
{
	const char *what = "registration answer";
	xmlDocPtr doc;
	xmlNodePtr it;
	int rc = -1;

	*n = 0;
	if ((doc = read_doc(body, len, c->x.register_response_root, c->x.register_response_ns,
	    what, e)) == NULL)
		return -1;
	for (it = xmlDocGetRootElement(doc)->children; it != NULL; it = it->next) {
		xmlChar *svc;

		if (it->type != XML_ELEMENT_NODE ||
		    xmlStrcmp(it->name, BAD_CAST c->x.register_response_status) != 0)
			continue;
		if (*n == max)
			break;
		memset(&st[*n], 0, sizeof(st[*n]));
		if (attr_code(it, c->x.register_response_code_attr, &st[*n].code, what, e) == -1)
			goto done;
		if ((svc = xmlGetProp(it, BAD_CAST c->x.register_response_service_attr)) != NULL) {
			snprintf(st[*n].service, sizeof(st[*n].service), "%s", (const char *)svc);
			xmlFree(svc);
		}
		(*n)++;
	}
	rc = 0;
done:
	xmlFreeDoc(doc);
	return rc;
}

int
bodies_parse_msk_response(const struct conf *c, const char *body, size_t len,
    struct bodies_status *st, size_t max, size_t *n, struct err *e)
{
	const char *what = "MSK answer";
	xmlDocPtr doc;
	xmlNodePtr it;
	int rc = -1;

	*n = 0;
	if ((doc = read_doc(body, len, c->x.msk_response_root, c->x.msk_response_ns, what,
	    e)) == NULL)
		return -1;
	for (it = xmlDocGetRootElement(doc)->children; it != NULL; it = it->next) {
		if (it->type != XML_ELEMENT_NODE ||
		    xmlStrcmp(it->name, BAD_CAST c->x.msk_response_status) != 0)
			continue;
		if (*n == max)
			break;
		memset(&st[*n], 0, sizeof(st[*n]));
		if (attr_code(it, c->x.msk_response_code_attr, &st[*n].code, what, e) == -1 ||
		    attr_hex(it, c->x.msk_response_kdid_attr, st[*n].key.kdid, KDID_LEN, what,
		    e) == -1 ||
		    attr_hex(it, c->x.msk_response_mskid_attr, st[*n].key.mskid, MSKID_LEN, what,
		    e) == -1)
			goto done;
		(*n)++;
	}
	rc = 0;
done:
	xmlFreeDoc(doc);
	return rc;
}
