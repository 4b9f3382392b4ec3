/* conf: reads the configuration file of reference/CONF.md into a struct conf. */
#include "conf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faults.h"
#include "hexstr.h"
#include "protect.h"

#define CONF_FILE_MAX	(1024 * 1024)

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

/* Sections of the file; the repeated ones carry a name. */
enum section { S_NONE, S_FIXED, S_SERVICE, S_SUBSCRIBER, S_FAULT };

/* References resolved once the whole file is read, with the line to blame. */
struct ref {
	size_t owner;		/* service or subscriber index */
	size_t line;
	char name[CONF_STR_MAX];
};

struct parser {
	const char *file;
	size_t line;
	struct conf *c;
	struct err *e;
	enum section sec;
	char secname[32];	/* fixed section name */
	size_t seen[NKEYS];	/* line where each scalar key was set, 0: not yet */
	struct ref *refs;	/* entitled = NAME */
	size_t nrefs;
	struct ref *cur;	/* current = MSKID per service */
	size_t ncur;
	/* per-section seen lines for the keys of [service] and [subscriber] */
	size_t seen_kdid, seen_current, seen_impi, seen_ks, seen_rand, seen_ks_naf;
	size_t seen_mrk, seen_muk, seen_expired;
};

static int
perr(struct parser *p, const char *fmt, const char *detail)
{
	return err_setx(p->e, "%s:%zu: %s%s", p->file, p->line, fmt, detail ? detail : "");
}

static char *
trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static int
parse_uint(const char *v, unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long n;

	if (!isdigit((unsigned char)v[0]))
		return -1;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || *end || n > max)
		return -1;
	*out = n;
	return 0;
}

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
	if (parse_uint(colon + 1, 65535, &port) == -1)
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
set_scalar(struct parser *p, size_t i, const char *v)
{
	const struct key *k = &keys[i];
	char *base = (char *)p->c;
	unsigned long long n;
	struct err sub;

	switch (k->kind) {
	case K_STR:
		if (strlen(v) >= CONF_STR_MAX)
			return perr(p, "value too long for ", k->name);
		if (*v == '\0')
			return perr(p, "empty value for ", k->name);
		memcpy(base + k->off, v, strlen(v) + 1);
		return 0;
	case K_ADDR:
		if (conf_parse_addr(v, (struct conf_addr *)(void *)(base + k->off)) == -1)
			return perr(p, "expected IPv4ADDRESS:PORT for ", k->name);
		return 0;
	case K_PORT:
		if (parse_uint(v, 65535, &n) == -1 || n == 0)
			return perr(p, "expected a port 1..65535 for ", k->name);
		*(uint16_t *)(void *)(base + k->off) = (uint16_t)n;
		return 0;
	case K_U8:
		if (parse_uint(v, 255, &n) == -1)
			return perr(p, "expected an integer 0..255 for ", k->name);
		*(uint8_t *)(base + k->off) = (uint8_t)n;
		return 0;
	case K_U32:
		if (parse_uint(v, UINT32_MAX, &n) == -1)
			return perr(p, "expected a non-negative 32-bit integer for ", k->name);
		if (strcmp(k->section, "causes") == 0)
			*(int *)(void *)(base + k->off) = (int)n;
		else
			*(uint32_t *)(void *)(base + k->off) = (uint32_t)n;
		return 0;
	case K_U64:
		if (parse_uint(v, UINT64_MAX, &n) == -1)
			return perr(p, "expected a non-negative integer for ", k->name);
		p->c->seed = n;
		p->c->have_seed = 1;
		return 0;
	case K_FN:
		if (k->fn(p->c, v, &sub) == -1)
			return perr(p, "", sub.msg);
		return 0;
	}
	return perr(p, "internal: bad key kind for ", k->name);
}

static int
fixed_key(struct parser *p, const char *key, const char *v)
{
	size_t i;
	char prev[32];

	for (i = 0; i < NKEYS; i++) {
		if (strcmp(keys[i].section, p->secname) != 0 || strcmp(keys[i].name, key) != 0)
			continue;
		if (p->seen[i]) {
			snprintf(prev, sizeof(prev), "%zu", p->seen[i]);
			err_setx(p->e, "%s:%zu: %s set twice (first at line %s)", p->file, p->line,
			    key, prev);
			return -1;
		}
		p->seen[i] = p->line;
		return set_scalar(p, i, v);
	}
	return err_setx(p->e, "%s:%zu: unknown key '%s' in [%s]", p->file, p->line, key,
	    p->secname);
}

static int
once(struct parser *p, size_t *seen, const char *key)
{
	if (*seen)
		return err_setx(p->e, "%s:%zu: %s set twice (first at line %zu)", p->file, p->line,
		    key, *seen);
	*seen = p->line;
	return 0;
}

static int
push_ref(struct parser *p, struct ref **arr, size_t *n, size_t owner, const char *name)
{
	struct ref *r;

	if (strlen(name) >= CONF_STR_MAX)
		return perr(p, "name too long", NULL);
	if ((r = realloc(*arr, (*n + 1) * sizeof(**arr))) == NULL)
		return err_set(p->e, "%s:%zu: out of memory", p->file, p->line);
	*arr = r;
	r[*n].owner = owner;
	r[*n].line = p->line;
	snprintf(r[*n].name, sizeof(r[*n].name), "%s", name);
	(*n)++;
	return 0;
}

/* msk = MSKID KEY SEQl SEQu */
static int
msk_line(struct parser *p, struct conf_service *s, const char *v)
{
	char id[16], key[64], l[16], u[16], extra[2];
	unsigned long long seql, sequ;
	struct conf_msk *m;

	if (sscanf(v, "%15s %63s %15s %15s %1s", id, key, l, u, extra) != 4)
		return perr(p, "msk: expected \"MSKID KEY SEQl SEQu\"", NULL);
	if ((m = realloc(s->msk, (s->nmsk + 1) * sizeof(*m))) == NULL)
		return err_set(p->e, "%s:%zu: out of memory", p->file, p->line);
	s->msk = m;
	m = &s->msk[s->nmsk];
	memset(m, 0, sizeof(*m));
	if (hexstr_parse(id, m->id, 4, 4) != 4)
		return perr(p, "msk: MSK ID must be 4 bytes of hex: ", id);
	if (hexstr_parse(key, m->key, 16, 16) != 16)
		return perr(p, "msk: key must be 16 bytes of hex", NULL);
	if (parse_uint(l, 65535, &seql) == -1 || parse_uint(u, 65535, &sequ) == -1 || seql > sequ)
		return perr(p, "msk: SEQl and SEQu must be 0..65535 with SEQl <= SEQu", NULL);
	m->seql = (uint16_t)seql;
	m->sequ = (uint16_t)sequ;
	m->line = p->line;
	s->nmsk++;
	return 0;
}

static int
key_bytes(struct parser *p, struct conf_key *k, size_t *seen, const char *name, const char *v)
{
	long n;

	if (once(p, seen, name) == -1)
		return -1;
	if ((n = hexstr_parse(v, k->p, 0, sizeof(k->p))) < 1)
		return err_setx(p->e, "%s:%zu: %s: expected hex of 1..%zu bytes", p->file, p->line,
		    name, sizeof(k->p));
	k->len = (size_t)n;
	return 0;
}

static int
service_key(struct parser *p, const char *key, const char *v)
{
	struct conf_service *s = &p->c->svc[p->c->nsvc - 1];

	if (strcmp(key, "kdid") == 0) {
		if (once(p, &p->seen_kdid, key) == -1)
			return -1;
		if (hexstr_parse(v, s->kdid, 3, 3) != 3)
			return perr(p, "kdid: Key Domain ID must be 3 bytes of hex: ", v);
		s->have_kdid = 1;
		return 0;
	}
	if (strcmp(key, "msk") == 0)
		return msk_line(p, s, v);
	if (strcmp(key, "current") == 0) {
		if (once(p, &p->seen_current, key) == -1)
			return -1;
		return push_ref(p, &p->cur, &p->ncur, p->c->nsvc - 1, v);
	}
	return err_setx(p->e, "%s:%zu: unknown key '%s' in [service]", p->file, p->line, key);
}

static int
subscriber_key(struct parser *p, const char *key, const char *v)
{
	struct conf_subscriber *s = &p->c->sub[p->c->nsub - 1];

	if (strcmp(key, "impi") == 0) {
		if (once(p, &p->seen_impi, key) == -1)
			return -1;
		if (strlen(v) >= sizeof(s->impi))
			return perr(p, "impi too long", NULL);
		snprintf(s->impi, sizeof(s->impi), "%s", v);
		return 0;
	}
	if (strcmp(key, "ks") == 0)
		return key_bytes(p, &s->ks, &p->seen_ks, key, v);
	if (strcmp(key, "rand") == 0)
		return key_bytes(p, &s->rand, &p->seen_rand, key, v);
	if (strcmp(key, "ks_naf") == 0)
		return key_bytes(p, &s->ks_naf, &p->seen_ks_naf, key, v);
	if (strcmp(key, "mrk") == 0)
		return key_bytes(p, &s->mrk, &p->seen_mrk, key, v);
	if (strcmp(key, "muk") == 0)
		return key_bytes(p, &s->muk, &p->seen_muk, key, v);
	if (strcmp(key, "entitled") == 0)
		return push_ref(p, &p->refs, &p->nrefs, p->c->nsub - 1, v);
	if (strcmp(key, "expired") == 0) {
		if (once(p, &p->seen_expired, key) == -1)
			return -1;
		if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
			return perr(p, "expired: expected 0 or 1", NULL);
		s->expired = v[0] == '1';
		return 0;
	}
	return err_setx(p->e, "%s:%zu: unknown key '%s' in [subscriber]", p->file, p->line, key);
}

static int
fault_key(struct parser *p, const char *key, const char *v)
{
	long bit;

	if (strcmp(key, "fault") != 0)
		return err_setx(p->e, "%s:%zu: unknown key '%s' in [fault]", p->file, p->line, key);
	if ((bit = fault_parse(v)) < 0)
		return err_setx(p->e, "%s:%zu: unknown fault '%s' (see reference/README.md)",
		    p->file, p->line, v);
	p->c->faults |= (unsigned)bit;
	return 0;
}

static int
section_header(struct parser *p, char *s)
{
	char *end = strchr(s, ']'), *name, *arg;
	size_t i;

	if (end == NULL || trim(end + 1)[0] != '\0')
		return perr(p, "malformed section header", NULL);
	*end = '\0';
	name = trim(s + 1);
	arg = name;
	while (*arg && !isspace((unsigned char)*arg))
		arg++;
	if (*arg)
		*arg++ = '\0';
	arg = trim(arg);
	p->seen_kdid = p->seen_current = p->seen_impi = p->seen_ks = p->seen_rand = 0;
	p->seen_ks_naf = p->seen_mrk = p->seen_muk = p->seen_expired = 0;
	if (strcmp(name, "service") == 0 || strcmp(name, "subscriber") == 0) {
		int svc = name[1] == 'e';

		if (*arg == '\0')
			return perr(p, "section needs a name: [", svc ? "service NAME]" :
			    "subscriber B-TID]");
		if (strlen(arg) >= CONF_STR_MAX)
			return perr(p, "section name too long", NULL);
		if (svc) {
			struct conf_service *v;

			if (conf_service_find(p->c, arg) >= 0)
				return perr(p, "service defined twice: ", arg);
			if ((v = realloc(p->c->svc, (p->c->nsvc + 1) * sizeof(*v))) == NULL)
				return err_set(p->e, "%s:%zu: out of memory", p->file, p->line);
			p->c->svc = v;
			v = &v[p->c->nsvc++];
			memset(v, 0, sizeof(*v));
			snprintf(v->id, sizeof(v->id), "%s", arg);
			v->line = p->line;
			p->sec = S_SERVICE;
		} else {
			struct conf_subscriber *u;

			if (conf_subscriber_find(p->c, arg) >= 0)
				return perr(p, "subscriber defined twice: ", arg);
			if ((u = realloc(p->c->sub, (p->c->nsub + 1) * sizeof(*u))) == NULL)
				return err_set(p->e, "%s:%zu: out of memory", p->file, p->line);
			p->c->sub = u;
			u = &u[p->c->nsub++];
			memset(u, 0, sizeof(*u));
			snprintf(u->btid, sizeof(u->btid), "%s", arg);
			u->line = p->line;
			p->sec = S_SUBSCRIBER;
		}
		return 0;
	}
	if (*arg != '\0')
		return perr(p, "this section takes no name: ", name);
	if (strcmp(name, "fault") == 0) {
		p->sec = S_FAULT;
		return 0;
	}
	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, name) == 0) {
			p->sec = S_FIXED;
			snprintf(p->secname, sizeof(p->secname), "%s", name);
			return 0;
		}
	return perr(p, "unknown section: ", name);
}

static int
line_of(struct parser *p, char *s)
{
	char *eq, *key, *v, *hash;

	s = trim(s);
	if (*s == '\0' || *s == '#')
		return 0;
	if (*s == '[')
		return section_header(p, s);
	if ((eq = strchr(s, '=')) == NULL)
		return perr(p, "expected \"key = value\", a [section] or a # comment", NULL);
	*eq = '\0';
	key = trim(s);
	v = eq + 1;
	/*
	 * A '#' after whitespace starts a trailing comment, as in the examples of CONF.md; a '#'
	 * inside a word (a URI fragment) stays part of the value.
	 */
	for (hash = v; (hash = strchr(hash, '#')) != NULL; hash++)
		if (hash > v && isspace((unsigned char)hash[-1])) {
			*hash = '\0';
			break;
		}
	v = trim(v);
	if (*key == '\0')
		return perr(p, "empty key", NULL);
	switch (p->sec) {
	case S_NONE:
		return perr(p, "key outside a section: ", key);
	case S_FIXED:
		return fixed_key(p, key, v);
	case S_SERVICE:
		return service_key(p, key, v);
	case S_SUBSCRIBER:
		return subscriber_key(p, key, v);
	case S_FAULT:
		return fault_key(p, key, v);
	}
	return -1;
}

static int
finish(struct parser *p)
{
	struct conf *c = p->c;
	size_t i, j, a, b;

	for (i = 0; i < NKEYS; i++)
		if (keys[i].required && !p->seen[i])
			return err_setx(p->e, "%s: missing key '%s' in [%s]", p->file, keys[i].name,
			    keys[i].section);
	if (c->nsvc == 0)
		return err_setx(p->e, "%s: no [service NAME] section", p->file);
	for (i = 0; i < c->nsvc; i++) {
		if (!c->svc[i].have_kdid)
			return err_setx(p->e, "%s:%zu: service %s has no kdid", p->file,
			    c->svc[i].line, c->svc[i].id);
		if (c->svc[i].nmsk == 0)
			return err_setx(p->e, "%s:%zu: service %s has no msk", p->file,
			    c->svc[i].line, c->svc[i].id);
	}
	/* A (Key Domain ID, MSK ID) names one key of one service. */
	for (i = 0; i < c->nsvc; i++)
		for (a = 0; a < c->svc[i].nmsk; a++)
			for (j = i; j < c->nsvc; j++)
				for (b = (j == i ? a + 1 : 0); b < c->svc[j].nmsk; b++)
					if (memcmp(c->svc[i].kdid, c->svc[j].kdid, 3) == 0 &&
					    memcmp(c->svc[i].msk[a].id, c->svc[j].msk[b].id, 4) == 0)
						return err_setx(p->e, "%s:%zu: MSK ID already "
						    "defined at line %zu for the same kdid",
						    p->file, c->svc[j].msk[b].line,
						    c->svc[i].msk[a].line);
	for (i = 0; i < p->ncur; i++) {
		struct conf_service *s = &c->svc[p->cur[i].owner];
		uint8_t id[4];

		if (hexstr_parse(p->cur[i].name, id, 4, 4) != 4)
			return err_setx(p->e, "%s:%zu: current: MSK ID must be 4 bytes of hex",
			    p->file, p->cur[i].line);
		for (j = 0; j < s->nmsk; j++)
			if (memcmp(s->msk[j].id, id, 4) == 0)
				break;
		if (j == s->nmsk)
			return err_setx(p->e, "%s:%zu: current: %s is not an msk of service %s",
			    p->file, p->cur[i].line, p->cur[i].name, s->id);
		s->current = j;
		s->have_current = 1;
	}
	for (i = 0; i < p->nrefs; i++) {
		struct conf_subscriber *u = &c->sub[p->refs[i].owner];
		long v = conf_service_find(c, p->refs[i].name);
		size_t *n;

		if (v < 0)
			return err_setx(p->e, "%s:%zu: entitled: unknown service '%s'", p->file,
			    p->refs[i].line, p->refs[i].name);
		if ((n = realloc(u->entitled, (u->nentitled + 1) * sizeof(*n))) == NULL)
			return err_set(p->e, "%s: out of memory", p->file);
		u->entitled = n;
		n[u->nentitled++] = (size_t)v;
	}
	return 0;
}

int
conf_parse(const char *name, const char *text, struct conf *c, struct err *e)
{
	struct parser p;
	char *copy = NULL, *s, *nl;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	memset(&p, 0, sizeof(p));
	snprintf(c->path, sizeof(c->path), "%s", name);
	c->v_bit = 1;
	c->v_mac_reading = PROTECT_VMAC_MYKEY;
	p.file = name;
	p.c = c;
	p.e = e;
	if ((copy = strdup(text)) == NULL) {
		err_set(e, "%s: out of memory", name);
		goto done;
	}
	for (s = copy; s != NULL; s = nl) {
		if ((nl = strchr(s, '\n')) != NULL)
			*nl++ = '\0';
		p.line++;
		if (line_of(&p, s) == -1)
			goto done;
	}
	rc = finish(&p);
done:
	free(copy);
	free(p.refs);
	free(p.cur);
	if (rc == -1)
		conf_free(c);
	return rc;
}

int
conf_load(const char *path, struct conf *c, struct err *e)
{
	FILE *f;
	char *buf;
	size_t n;
	int rc;

	memset(c, 0, sizeof(*c));
	if ((f = fopen(path, "r")) == NULL)
		return err_set(e, "%s", path);
	if ((buf = malloc(CONF_FILE_MAX + 1)) == NULL) {
		fclose(f);
		return err_set(e, "%s: out of memory", path);
	}
	n = fread(buf, 1, CONF_FILE_MAX + 1, f);
	if (ferror(f) || n > CONF_FILE_MAX) {
		rc = ferror(f) ? err_set(e, "%s: read", path) :
		    err_setx(e, "%s: larger than %d bytes", path, CONF_FILE_MAX);
		fclose(f);
		free(buf);
		return rc;
	}
	fclose(f);
	buf[n] = '\0';
	if (memchr(buf, '\0', n) != NULL) {
		free(buf);
		return err_setx(e, "%s: contains a NUL byte", path);
	}
	rc = conf_parse(path, buf, c, e);
	free(buf);
	return rc;
}

void
conf_free(struct conf *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nsvc; i++)
		free(c->svc[i].msk);
	for (i = 0; i < c->nsub; i++)
		free(c->sub[i].entitled);
	free(c->svc);
	free(c->sub);
	c->svc = NULL;
	c->sub = NULL;
	c->nsvc = c->nsub = 0;
}

long
conf_service_find(const struct conf *c, const char *id)
{
	size_t i;

	for (i = 0; i < c->nsvc; i++)
		if (strcmp(c->svc[i].id, id) == 0)
			return (long)i;
	return -1;
}

long
conf_subscriber_find(const struct conf *c, const char *btid)
{
	size_t i;

	for (i = 0; i < c->nsub; i++)
		if (strcmp(c->sub[i].btid, btid) == 0)
			return (long)i;
	return -1;
}

int
conf_entitled(const struct conf *c, size_t s, size_t v)
{
	size_t i;

	if (s >= c->nsub)
		return 0;
	for (i = 0; i < c->sub[s].nentitled; i++)
		if (c->sub[s].entitled[i] == v)
			return 1;
	return 0;
}
