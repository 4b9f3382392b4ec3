/*
 * conf: the fixed sections of the BM-SC's configuration ([node], [http], [xml], [causes], [gba],
 * [mikey], [timers]) as one table of keys and value checks, and the parse that routes each line.
 */
#include "conf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"
#include "conf_syntax.h"
#include "faults.h"
#include "hexstr.h"
#include "protect.h"

enum kind { K_STR, K_ADDR, K_PORT, K_U8, K_U32, K_U64, K_FN };

struct key;
typedef int key_fn(struct conf *c, const char *v, struct err *e);

/* One scalar key of a fixed section: where its value goes and whether it must be present. */
struct key {
	const char *section;
	const char *name;
	enum kind kind;
	size_t off;
	int required;
	key_fn *fn;
};

static int
fn_role(struct conf *c, const char *v, struct err *e)
{
	if (strcmp(v, "bmsc") != 0)
		return err_setx(e, "role '%s': this program is the BM-SC (role = bmsc)", v);
	snprintf(c->role, sizeof(c->role), "%s", v);
	return 0;
}

static int
fn_ua_id(struct conf *c, const char *v, struct err *e)
{
	long n = hexstr_parse(v, c->ua_protocol_id, 0, sizeof(c->ua_protocol_id));

	if (n < 0)
		return err_setx(e, "ua_protocol_id: expected hex of at most %zu bytes",
		    sizeof(c->ua_protocol_id));
	c->ua_protocol_id_len = (size_t)n;
	return 0;
}

/* "kdf FC P0" | "ks_naf" | "provisioned" */
static int
parse_rule(struct conf_rule *r, const char *v, struct err *e)
{
	char fc[8], p0[CONF_STR_MAX], extra[2];
	uint8_t b;

	memset(r, 0, sizeof(*r));
	if (strcmp(v, "ks_naf") == 0) {
		r->kind = CONF_RULE_KS_NAF;
		return 0;
	}
	if (strcmp(v, "provisioned") == 0) {
		r->kind = CONF_RULE_PROVISIONED;
		return 0;
	}
	if (strncmp(v, "kdf ", 4) == 0 && strlen(v) < sizeof(p0) &&
	    sscanf(v, "kdf %7s %255s %1s", fc, p0, extra) == 2 && hexstr_parse(fc, &b, 1, 1) == 1) {
		r->kind = CONF_RULE_KDF;
		r->fc = b;
		snprintf(r->p0, sizeof(r->p0), "%s", p0);
		return 0;
	}
	return err_setx(e, "'%s': expected \"kdf FC P0\" (FC one hex byte), \"ks_naf\" or "
	    "\"provisioned\"", v);
}

static int
fn_mrk(struct conf *c, const char *v, struct err *e)
{
	return parse_rule(&c->mrk, v, e);
}

static int
fn_muk(struct conf *c, const char *v, struct err *e)
{
	return parse_rule(&c->muk, v, e);
}

static int
fn_password(struct conf *c, const char *v, struct err *e)
{
	if (strcmp(v, "base64") == 0)
		c->password = CONF_PW_BASE64;
	else if (strcmp(v, "hex") == 0)
		c->password = CONF_PW_HEX;
	else if (strcmp(v, "raw") == 0)
		c->password = CONF_PW_RAW;
	else
		return err_setx(e, "password '%s': expected base64, hex or raw", v);
	return 0;
}

static int
fn_vmac(struct conf *c, const char *v, struct err *e)
{
	if ((c->v_mac_reading = protect_vmac_reading(v)) < 0)
		return err_setx(e, "v_mac_reading '%s': expected mykey or minisip", v);
	return 0;
}

static int
fn_held(struct conf *c, const char *v, struct err *e)
{
	if (strcmp(v, "no_update_needed") == 0)
		c->held_key_answer = CONF_HELD_NO_UPDATE_NEEDED;
	else if (strcmp(v, "redeliver") == 0)
		c->held_key_answer = CONF_HELD_REDELIVER;
	else
		return err_setx(e, "held_key_answer '%s': expected no_update_needed or redeliver", v);
	return 0;
}

static int
fn_vbit(struct conf *c, const char *v, struct err *e)
{
	if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
		return err_setx(e, "v_bit '%s': expected 0 or 1", v);
	c->v_bit = v[0] - '0';
	return 0;
}

static int
fn_rand_len(struct conf *c, const char *v, struct err *e)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end || end == v || n < 1 || n > CONF_RAND_MAX)
		return err_setx(e, "rand_len '%s': expected 1..%d", v, CONF_RAND_MAX);
	c->rand_len = (uint8_t)n;
	return 0;
}

#define OFF(f) offsetof(struct conf, f)
#define XML(f) { "xml", #f, K_STR, OFF(xml.f), 1, NULL }
#define CAUSE(n) { "causes", #n, K_U32, OFF(code[CAUSE_##n]), 1, NULL }

static const struct key keys[] = {
	{ "node", "role", K_FN, 0, 1, fn_role },
	{ "node", "fqdn", K_STR, OFF(fqdn), 1, NULL },
	{ "node", "http", K_ADDR, OFF(http), 1, NULL },
	{ "node", "mikey", K_ADDR, OFF(mikey), 1, NULL },
	{ "node", "control", K_ADDR, OFF(control), 1, NULL },
	{ "node", "ue_mikey_port", K_PORT, OFF(ue_mikey_port), 1, NULL },
	{ "node", "mtk_dest", K_ADDR, OFF(mtk_dest), 1, NULL },
	{ "node", "btid", K_STR, OFF(btid), 0, NULL },
	{ "node", "seed", K_U64, OFF(seed), 0, NULL },

	{ "http", "path", K_STR, OFF(http_path), 1, NULL },
	{ "http", "query_param", K_STR, OFF(query_param), 1, NULL },
	{ "http", "query_register", K_STR, OFF(query_register), 1, NULL },
	{ "http", "query_deregister", K_STR, OFF(query_deregister), 1, NULL },
	{ "http", "query_msk", K_STR, OFF(query_msk), 1, NULL },
	{ "http", "type_register", K_STR, OFF(type_register), 1, NULL },
	{ "http", "type_deregister", K_STR, OFF(type_deregister), 1, NULL },
	{ "http", "type_msk", K_STR, OFF(type_msk), 1, NULL },
	{ "http", "type_register_response", K_STR, OFF(type_register_response), 1, NULL },
	{ "http", "type_msk_response", K_STR, OFF(type_msk_response), 1, NULL },
	{ "http", "realm", K_STR, OFF(realm), 1, NULL },

	XML(register_root), XML(register_ns), XML(register_service),
	XML(register_response_root), XML(register_response_ns), XML(register_response_status),
	XML(register_response_service_attr), XML(register_response_code_attr),
	XML(deregister_root), XML(deregister_ns), XML(deregister_service),
	XML(msk_request_root), XML(msk_request_ns), XML(msk_request_item),
	XML(msk_request_kdid_attr), XML(msk_request_mskid_attr),
	XML(msk_response_root), XML(msk_response_ns), XML(msk_response_status),
	XML(msk_response_kdid_attr), XML(msk_response_mskid_attr), XML(msk_response_code_attr),

	CAUSE(SUCCESS), CAUSE(BAD_REQUEST), CAUSE(NOT_AUTHORIZED), CAUSE(UNKNOWN_KEY),
	CAUSE(NO_UPDATE_NEEDED), CAUSE(NOT_AVAILABLE), CAUSE(SERVER_ERROR),

	{ "gba", "ua_protocol_id", K_FN, 0, 1, fn_ua_id },
	{ "gba", "ks_naf_p0", K_STR, OFF(ks_naf_p0), 1, NULL },
	{ "gba", "mrk", K_FN, 0, 1, fn_mrk },
	{ "gba", "muk", K_FN, 0, 1, fn_muk },
	{ "gba", "password", K_FN, 0, 1, fn_password },

	{ "mikey", "keyid_ext_type", K_U8, OFF(keyid_ext_type), 1, NULL },
	{ "mikey", "keyid_msk_type", K_U8, OFF(keyid_msk_type), 1, NULL },
	{ "mikey", "keyid_mtk_type", K_U8, OFF(keyid_mtk_type), 1, NULL },
	{ "mikey", "id_type", K_U8, OFF(id_type), 1, NULL },
	{ "mikey", "rand_len", K_FN, 0, 1, fn_rand_len },
	{ "mikey", "v_mac_reading", K_FN, 0, 1, fn_vmac },
	{ "mikey", "counter_start", K_U32, OFF(counter_start), 1, NULL },
	{ "mikey", "v_bit", K_FN, 0, 0, fn_vbit },

	{ "timers", "T_request", K_U32, OFF(t_request), 1, NULL },
	{ "timers", "T_delivery", K_U32, OFF(t_delivery), 1, NULL },
	{ "timers", "T_leave", K_U32, OFF(t_leave), 1, NULL },
	{ "timers", "W_spread", K_U32, OFF(w_spread), 1, NULL },
	{ "timers", "retry_max", K_U32, OFF(retry_max), 1, NULL },
	{ "timers", "retry_window", K_U32, OFF(retry_window), 1, NULL },
	{ "timers", "verify_timeout", K_U32, OFF(verify_timeout), 1, NULL },
	{ "timers", "verify_resend", K_U32, OFF(verify_resend), 1, NULL },
	{ "timers", "held_key_answer", K_FN, 0, 1, fn_held },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

/* Sections of the file; service and subscriber are named and repeated. */
enum section { S_FIXED, S_SERVICE, S_SUBSCRIBER, S_FAULT };

struct parser {
	struct conf *c;
	enum section sec;
	const char *secname;	/* fixed section: its name in keys[] */
	size_t seen[NKEYS];	/* line where each scalar key was set, 0: not yet */
	struct conf_named named;
};

int
conf_parse_addr(const char *s, struct conf_addr *a)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	unsigned long long port;
	size_t hl;

	if (colon == NULL || (hl = (size_t)(colon - s)) == 0 || hl >= sizeof(host))
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (conf_syntax_uint(colon + 1, 65535, &port) == -1)
		return -1;
	memset(a, 0, sizeof(*a));
	a->sa.sin_family = AF_INET;
	a->sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &a->sa.sin_addr) != 1)
		return -1;
	snprintf(a->text, sizeof(a->text), "%s", s);
	return 0;
}

static int
set_scalar(struct parser *p, const struct conf_loc *l, size_t i, const char *v)
{
	const struct key *k = &keys[i];
	char *base = (char *)p->c;
	unsigned long long n;
	struct err sub;

	switch (k->kind) {
	case K_STR:
		if (strlen(v) >= CONF_STR_MAX)
			return conf_syntax_errx(l, "value too long for %s", k->name);
		if (*v == '\0')
			return conf_syntax_errx(l, "empty value for %s", k->name);
		memcpy(base + k->off, v, strlen(v) + 1);
		return 0;
	case K_ADDR:
		if (conf_parse_addr(v, (struct conf_addr *)(void *)(base + k->off)) == -1)
			return conf_syntax_errx(l, "expected IPv4ADDRESS:PORT for %s", k->name);
		return 0;
	case K_PORT:
		if (conf_syntax_uint(v, 65535, &n) == -1 || n == 0)
			return conf_syntax_errx(l, "expected a port 1..65535 for %s", k->name);
		*(uint16_t *)(void *)(base + k->off) = (uint16_t)n;
		return 0;
	case K_U8:
		if (conf_syntax_uint(v, 255, &n) == -1)
			return conf_syntax_errx(l, "expected an integer 0..255 for %s", k->name);
		*(uint8_t *)(base + k->off) = (uint8_t)n;
		return 0;
	case K_U32:
		if (conf_syntax_uint(v, UINT32_MAX, &n) == -1)
			return conf_syntax_errx(l, "expected a non-negative 32-bit integer for %s",
			    k->name);
		if (strcmp(k->section, "causes") == 0)
			*(int *)(void *)(base + k->off) = (int)n;
		else
			*(uint32_t *)(void *)(base + k->off) = (uint32_t)n;
		return 0;
	case K_U64:
		if (conf_syntax_uint(v, UINT64_MAX, &n) == -1)
			return conf_syntax_errx(l, "expected a non-negative integer for %s",
			    k->name);
		p->c->seed = n;
		p->c->have_seed = 1;
		return 0;
	case K_FN:
		if (k->fn(p->c, v, &sub) == -1)
			return conf_syntax_errx(l, "%s", sub.msg);
		return 0;
	}
	return conf_syntax_errx(l, "internal: bad key kind for %s", k->name);
}

static int
fixed_key(struct parser *p, const struct conf_loc *l, const char *key, const char *v)
{
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		if (strcmp(keys[i].section, p->secname) != 0 || strcmp(keys[i].name, key) != 0)
			continue;
		if (p->seen[i])
			return conf_syntax_errx(l, "%s set twice (first at line %zu)", key,
			    p->seen[i]);
		p->seen[i] = l->line;
		return set_scalar(p, l, i, v);
	}
	return conf_syntax_errx(l, "unknown key '%s' in [%s]", key, p->secname);
}

static int
fault_key(struct parser *p, const struct conf_loc *l, const char *key, const char *v)
{
	long bit;

	if (strcmp(key, "fault") != 0)
		return conf_syntax_errx(l, "unknown key '%s' in [fault]", key);
	if ((bit = fault_parse(v)) < 0)
		return conf_syntax_errx(l, "unknown fault '%s' (see reference/README.md)", v);
	p->c->faults |= (unsigned)bit;
	return 0;
}

static int
on_section(void *ctx, const struct conf_loc *l, const char *name, const char *arg)
{
	struct parser *p = ctx;
	size_t i;

	if (strcmp(name, "service") == 0) {
		p->sec = S_SERVICE;
		return conf_named_service(&p->named, l, p->c, arg);
	}
	if (strcmp(name, "subscriber") == 0) {
		p->sec = S_SUBSCRIBER;
		return conf_named_subscriber(&p->named, l, p->c, arg);
	}
	if (*arg != '\0')
		return conf_syntax_errx(l, "this section takes no name: %s", name);
	if (strcmp(name, "fault") == 0) {
		p->sec = S_FAULT;
		return 0;
	}
	/* A fixed section may be split: its keys are still set once per file. */
	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, name) == 0) {
			p->sec = S_FIXED;
			p->secname = keys[i].section;
			return 0;
		}
	return conf_syntax_errx(l, "unknown section: %s", name);
}

static int
on_key(void *ctx, const struct conf_loc *l, const char *key, const char *v)
{
	struct parser *p = ctx;

	switch (p->sec) {
	case S_FIXED:
		return fixed_key(p, l, key, v);
	case S_SERVICE:
		return conf_named_service_key(&p->named, l, p->c, key, v);
	case S_SUBSCRIBER:
		return conf_named_subscriber_key(&p->named, l, p->c, key, v);
	case S_FAULT:
		return fault_key(p, l, key, v);
	}
	return conf_syntax_errx(l, "internal: bad section");
}

int
conf_parse(const char *name, const char *text, struct conf *c, struct err *e)
{
	static const struct conf_syntax_ops ops = { on_section, on_key };
	struct parser p;
	size_t i;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	memset(&p, 0, sizeof(p));
	snprintf(c->path, sizeof(c->path), "%s", name);
	c->v_bit = 1;
	c->v_mac_reading = PROTECT_VMAC_MYKEY;
	p.c = c;
	if (conf_syntax_parse(name, text, &ops, &p, e) == -1)
		goto done;
	for (i = 0; i < NKEYS; i++)
		if (keys[i].required && !p.seen[i]) {
			err_setx(e, "%s: missing key '%s' in [%s]", name, keys[i].name,
			    keys[i].section);
			goto done;
		}
	rc = conf_named_finish(&p.named, name, c, e);
done:
	conf_named_release(&p.named);
	if (rc == -1)
		conf_free(c);
	return rc;
}

int
conf_load(const char *path, struct conf *c, struct err *e)
{
	char *text;
	int rc;

	/* Zeroed first, so that conf_free is safe whatever fails. */
	memset(c, 0, sizeof(*c));
	if (conf_syntax_read(path, &text, e) == -1)
		return -1;
	rc = conf_parse(path, text, c, e);
	free(text);
	return rc;
}
