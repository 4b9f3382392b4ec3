/* conf: reads reference/CONF.md files through one table of sections, keys and value kinds. */
#include "conf.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faults.h"
#include "protect.h"

/* Which object a key's offset is relative to. */
enum scope { SC_GLOBAL, SC_SERVICE, SC_SUBSCRIBER };

enum vkind {
	V_STR,		/* text into a char[size] */
	V_INT,		/* long into an int or long (size says which), within [min, max] */
	V_ULONG,	/* unsigned long */
	V_ADDR,		/* host:port into struct conf_addr */
	V_HEX,		/* hex into uint8_t[size], length into the size_t at off2 */
	V_HEXFIX,	/* hex of exactly size bytes; sets the int at off2 to 1 when off2 != 0 */
	V_KEYRULE,	/* "kdf FC P0" | "ks_naf" | "provisioned" */
	V_PW,		/* base64 | hex | raw */
	V_VMAC,		/* mykey | minisip */
	V_IGNORE,	/* a key of the BM-SC: accepted and not used */
	V_MSK,		/* [service] msk = mskid key SEQl SEQu (repeated) */
	V_FAULT,	/* [fault] fault = NAME (repeated) */
	V_ENTITLED	/* [subscriber] entitled (repeated, BM-SC data) */
};

struct field {
	const char *section;
	const char *key;
	enum scope scope;
	enum vkind kind;
	size_t off, size, off2;
	long min, max;
	int repeat;
};

#define G(sec, key, kind, member, min, max) \
	{ sec, key, SC_GLOBAL, kind, offsetof(struct conf, member), \
	    sizeof(((struct conf *)0)->member), 0, min, max, 0 }
#define GS(sec, key, member)	G(sec, key, V_STR, member, 0, 0)
#define GI(sec, key, member, min, max)	G(sec, key, V_INT, member, min, max)
#define IGN(sec, key)	{ sec, key, SC_GLOBAL, V_IGNORE, 0, 0, 0, 0, 0, 0 }

static const struct field fields[] = {
	GS("node", "role", role),
	GS("node", "fqdn", fqdn),
	G("node", "http", V_ADDR, http, 0, 0),
	G("node", "mikey", V_ADDR, mikey, 0, 0),
	G("node", "control", V_ADDR, control, 0, 0),
	GS("node", "btid", btid),
	G("node", "seed", V_ULONG, seed, 0, 0),
	IGN("node", "ue_mikey_port"),
	IGN("node", "mtk_dest"),

	GS("http", "path", h.path),
	GS("http", "query_param", h.query_param),
	GS("http", "query_register", h.query_register),
	GS("http", "query_deregister", h.query_deregister),
	GS("http", "query_msk", h.query_msk),
	GS("http", "type_register", h.type_register),
	GS("http", "type_deregister", h.type_deregister),
	GS("http", "type_msk", h.type_msk),
	GS("http", "type_register_response", h.type_register_response),
	GS("http", "type_msk_response", h.type_msk_response),
	GS("http", "realm", h.realm),

	GS("xml", "register_root", x.register_root),
	GS("xml", "register_ns", x.register_ns),
	GS("xml", "register_service", x.register_service),
	GS("xml", "register_response_root", x.register_response_root),
	GS("xml", "register_response_ns", x.register_response_ns),
	GS("xml", "register_response_status", x.register_response_status),
	GS("xml", "register_response_service_attr", x.register_response_service_attr),
	GS("xml", "register_response_code_attr", x.register_response_code_attr),
	GS("xml", "deregister_root", x.deregister_root),
	GS("xml", "deregister_ns", x.deregister_ns),
	GS("xml", "deregister_service", x.deregister_service),
	GS("xml", "msk_request_root", x.msk_request_root),
	GS("xml", "msk_request_ns", x.msk_request_ns),
	GS("xml", "msk_request_item", x.msk_request_item),
	GS("xml", "msk_request_kdid_attr", x.msk_request_kdid_attr),
	GS("xml", "msk_request_mskid_attr", x.msk_request_mskid_attr),
	GS("xml", "msk_response_root", x.msk_response_root),
	GS("xml", "msk_response_ns", x.msk_response_ns),
	GS("xml", "msk_response_status", x.msk_response_status),
	GS("xml", "msk_response_kdid_attr", x.msk_response_kdid_attr),
	GS("xml", "msk_response_mskid_attr", x.msk_response_mskid_attr),
	GS("xml", "msk_response_code_attr", x.msk_response_code_attr),

	{ "gba", "ua_protocol_id", SC_GLOBAL, V_HEX, offsetof(struct conf, ua_protocol_id),
	    sizeof(((struct conf *)0)->ua_protocol_id), offsetof(struct conf, ua_protocol_id_len),
	    0, 0, 0 },
	GS("gba", "ks_naf_p0", ks_naf_p0),
	G("gba", "mrk", V_KEYRULE, mrk, 0, 0),
	G("gba", "muk", V_KEYRULE, muk, 0, 0),
	G("gba", "password", V_PW, password, 0, 0),

	GI("mikey", "keyid_ext_type", keyid_ext_type, 0, 255),
	GI("mikey", "keyid_msk_type", keyid_msk_type, 0, 255),
	GI("mikey", "keyid_mtk_type", keyid_mtk_type, 0, 255),
	GI("mikey", "id_type", id_type, 0, 255),
	GI("mikey", "rand_len", rand_len, 0, 255),
	G("mikey", "v_mac_reading", V_VMAC, v_mac_reading, 0, 0),
	GI("mikey", "counter_start", counter_start, 0, INT_MAX),

	GI("timers", "T_request", t_request, 1, 3600000),
	GI("timers", "T_delivery", t_delivery, 1, 3600000),
	GI("timers", "T_leave", t_leave, 1, 3600000),
	GI("timers", "W_spread", w_spread, 0, 3600000),
	GI("timers", "retry_max", retry_max, 1, 1000),
	GI("timers", "retry_window", retry_window, 1, 86400000),
	IGN("timers", "verify_timeout"),
	IGN("timers", "verify_resend"),
	IGN("timers", "held_key_answer"),

	{ "service", "kdid", SC_SERVICE, V_HEXFIX, offsetof(struct conf_service, kdid), KDID_LEN,
	    offsetof(struct conf_service, have_kdid), 0, 0, 0 },
	{ "service", "msk", SC_SERVICE, V_MSK, 0, 0, 0, 0, 0, 1 },
	{ "service", "current", SC_SERVICE, V_HEXFIX, offsetof(struct conf_service, current),
	    MSKID_LEN, offsetof(struct conf_service, have_current), 0, 0, 0 },

#define SUBHEX(key, member) \
	{ "subscriber", key, SC_SUBSCRIBER, V_HEX, offsetof(struct conf_subscriber, member), \
	    CONF_MAX_KEY, offsetof(struct conf_subscriber, member##_len), 0, 0, 0 }
	{ "subscriber", "impi", SC_SUBSCRIBER, V_STR, offsetof(struct conf_subscriber, impi),
	    CONF_STR, 0, 0, 0, 0 },
	SUBHEX("ks", ks),
	SUBHEX("rand", rand),
	SUBHEX("ks_naf", ks_naf),
	SUBHEX("mrk", mrk),
	SUBHEX("muk", muk),
	{ "subscriber", "entitled", SC_SUBSCRIBER, V_ENTITLED, 0, 0, 0, 0, 0, 1 },
	{ "subscriber", "expired", SC_SUBSCRIBER, V_IGNORE, 0, 0, 0, 0, 0, 0 },

	{ "fault", "fault", SC_GLOBAL, V_FAULT, 0, 0, 0, 0, 0, 1 },
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

/* Sections whose header takes a NAME, and sections that hold free cause names. */
static const char *const sections[] = {
	"node", "http", "xml", "causes", "gba", "mikey", "timers", "service", "subscriber", "fault",
	NULL
};

struct parser {
	const char *file;
	int line;
	struct conf *c;
	const char *section;			/* a member of sections[], or NULL before any */
	struct conf_service *svc;
	struct conf_subscriber *sub;
	unsigned char seen[NFIELDS];		/* non-repeatable keys seen in this section */
	int seen_global[NFIELDS];		/* ... across all [node]/[http]/... sections */
	unsigned char seen_node;
	struct err *e;
};

static int
perr(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
perr(struct parser *p, const char *fmt, ...)
{
	char msg[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_setx(p->e, "%s:%d: %s", p->file, p->line, msg);
}

static void
copy_str(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
}

void
conf_defaults(struct conf *c)
{
	static const struct conf_cause causes[] = {
		{ "SUCCESS", 200 }, { "BAD_REQUEST", 400 }, { "NOT_AUTHORIZED", 401 },
		{ "UNKNOWN_KEY", 404 }, { "NO_UPDATE_NEEDED", 304 }, { "NOT_AVAILABLE", 503 },
		{ "SERVER_ERROR", 500 }
	};
	struct conf_http *h = &c->h;
	struct conf_xml *x = &c->x;

	memset(c, 0, sizeof(*c));
	c->seed = 1;
	copy_str(h->path, sizeof(h->path), "/keymanagement");
	copy_str(h->query_param, sizeof(h->query_param), "requesttype");
	copy_str(h->query_register, sizeof(h->query_register), "register");
	copy_str(h->query_deregister, sizeof(h->query_deregister), "deregister");
	copy_str(h->query_msk, sizeof(h->query_msk), "msk-request");
	copy_str(h->type_register, sizeof(h->type_register), "application/mbms-register+xml");
	copy_str(h->type_deregister, sizeof(h->type_deregister),
	    "application/mbms-deregister+xml");
	copy_str(h->type_msk, sizeof(h->type_msk), "application/mbms-msk+xml");
	copy_str(h->type_register_response, sizeof(h->type_register_response),
	    "application/mbms-register-response+xml");
	copy_str(h->type_msk_response, sizeof(h->type_msk_response),
	    "application/mbms-msk-response+xml");
#define X(f, v) copy_str(x->f, sizeof(x->f), v)
	X(register_root, "mbmsRegister");
	X(register_ns, "urn:3GPP:metadata:2005:MBMS:mbmsRegister");
	X(register_service, "serviceId");
	X(register_response_root, "mbmsRegisterResponse");
	X(register_response_ns, "urn:3GPP:metadata:2005:MBMS:mbmsRegisterResponse");
	X(register_response_status, "status");
	X(register_response_service_attr, "serviceId");
	X(register_response_code_attr, "code");
	X(deregister_root, "mbmsDeregister");
	X(deregister_ns, "urn:3GPP:metadata:2005:MBMS:mbmsDeregister");
	X(deregister_service, "serviceId");
	X(msk_request_root, "mskRequest");
	X(msk_request_ns, "urn:3GPP:metadata:2005:MBMS:mskRequest");
	X(msk_request_item, "msk");
	X(msk_request_kdid_attr, "keyDomainId");
	X(msk_request_mskid_attr, "mskId");
	X(msk_response_root, "mskResponse");
	X(msk_response_ns, "urn:3GPP:metadata:2005:MBMS:mskResponse");
	X(msk_response_status, "status");
	X(msk_response_kdid_attr, "keyDomainId");
	X(msk_response_mskid_attr, "mskId");
	X(msk_response_code_attr, "code");
#undef X
	memcpy(c->causes, causes, sizeof(causes));
	c->ncauses = sizeof(causes) / sizeof(causes[0]);
	memcpy(c->ua_protocol_id, "\x01\x00\x00\x00\x01", 5);
	c->ua_protocol_id_len = 5;
	copy_str(c->ks_naf_p0, sizeof(c->ks_naf_p0), "gba-me");
	c->mrk.kind = KEYRULE_KDF;
	c->mrk.fc = 0x01;
	copy_str(c->mrk.p0, sizeof(c->mrk.p0), "3gpp-mbms-mrk");
	c->muk.kind = KEYRULE_KS_NAF;
	c->password = PW_BASE64;
	c->keyid_ext_type = 2;
	c->keyid_msk_type = 0;
	c->keyid_mtk_type = 1;
	c->id_type = 1;
	c->rand_len = 16;
	c->v_mac_reading = PROTECT_VMAC_MYKEY;
	c->counter_start = 1;
	c->t_request = 5000;
	c->t_delivery = 5000;
	c->t_leave = 10000;
	c->w_spread = 10000;
	c->retry_max = 3;
	c->retry_window = 60000;
}

/* Lower-case hex without separators into out[0..max); sets *len. */
static int
parse_hex(struct parser *p, const char *key, const char *v, uint8_t *out, size_t max,
    size_t *len)
{
	size_t n = strlen(v), i;

	if (n == 0 || n % 2 != 0)
		return perr(p, "%s: '%s' is not an even number of hex digits", key, v);
	if (n / 2 > max)
		return perr(p, "%s: %zu bytes, at most %zu allowed", key, n / 2, max);
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)v[i]) || isupper((unsigned char)v[i]))
			return perr(p, "%s: '%c' at column %zu is not a lower-case hex digit", key,
			    v[i], i + 1);
	for (i = 0; i < n / 2; i++) {
		char b[3] = { v[2 * i], v[2 * i + 1], '\0' };

		out[i] = (uint8_t)strtoul(b, NULL, 16);
	}
	*len = n / 2;
	return 0;
}

static int
parse_long(struct parser *p, const char *key, const char *v, long min, long max, long *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno != 0)
		return perr(p, "%s: '%s' is not an integer", key, v);
	if (n < min || n > max)
		return perr(p, "%s: %ld is outside %ld..%ld", key, n, min, max);
	*out = n;
	return 0;
}

static int
parse_addr(struct parser *p, const char *key, const char *v, struct conf_addr *a)
{
	const char *colon = strrchr(v, ':'), *host = v;
	size_t hl;
	long port;

	if (colon == NULL)
		return perr(p, "%s: '%s' is not HOST:PORT", key, v);
	hl = (size_t)(colon - v);
	/* An IPv6 literal is written in brackets, as in a URL. */
	if (hl >= 2 && v[0] == '[' && v[hl - 1] == ']') {
		host = v + 1;
		hl -= 2;
	}
	if (hl == 0 || hl >= sizeof(a->host) || strlen(v) >= sizeof(a->text))
		return perr(p, "%s: host part of '%s' is empty or too long", key, v);
	if (parse_long(p, key, colon + 1, 0, 65535, &port) == -1)
		return -1;
	memcpy(a->host, host, hl);
	a->host[hl] = '\0';
	a->port = (uint16_t)port;
	copy_str(a->text, sizeof(a->text), v);
	return 0;
}

static int
parse_keyrule(struct parser *p, const char *key, const char *v, struct conf_keyrule *r)
{
	char fc[8], p0[CONF_NAME], extra[2];
	size_t n;
	uint8_t b;

	if (strcmp(v, "ks_naf") == 0) {
		r->kind = KEYRULE_KS_NAF;
		return 0;
	}
	if (strcmp(v, "provisioned") == 0) {
		r->kind = KEYRULE_PROVISIONED;
		return 0;
	}
	if (sscanf(v, "kdf %7s %127s %1s", fc, p0, extra) != 2)
		return perr(p, "%s: '%s' is not 'kdf FC P0', 'ks_naf' or 'provisioned'", key, v);
	if (parse_hex(p, key, fc, &b, 1, &n) == -1)
		return -1;
	r->kind = KEYRULE_KDF;
	r->fc = b;
	copy_str(r->p0, sizeof(r->p0), p0);
	return 0;
}

/* [service] msk = mskid key SEQl SEQu */
static int
parse_msk(struct parser *p, const char *v)
{
	char id[16], key[2 * CONF_MAX_KEY + 2], lo[16], hi[16], extra[2];
	struct conf_msk *m;
	size_t n;
	long l, u;

	if (p->svc->nmsk == CONF_MAX_MSKS)
		return perr(p, "msk: more than %d keys in one service", CONF_MAX_MSKS);
	if (sscanf(v, "%15s %129s %15s %15s %1s", id, key, lo, hi, extra) != 4)
		return perr(p, "msk: '%s' is not 'MSKID KEY SEQL SEQU'", v);
	m = &p->svc->msk[p->svc->nmsk];
	if (parse_hex(p, "msk id", id, m->mskid, MSKID_LEN, &n) == -1)
		return -1;
	if (n != MSKID_LEN)
		return perr(p, "msk: MSK ID '%s' is not %d bytes", id, MSKID_LEN);
	if (parse_hex(p, "msk key", key, m->key, sizeof(m->key), &m->key_len) == -1 ||
	    parse_long(p, "msk SEQl", lo, 0, 0xffffffffL, &l) == -1 ||
	    parse_long(p, "msk SEQu", hi, 0, 0xffffffffL, &u) == -1)
		return -1;
	if (l > u)
		return perr(p, "msk: SEQl %ld is above SEQu %ld", l, u);
	m->seql = (uint32_t)l;
	m->sequ = (uint32_t)u;
	p->svc->nmsk++;
	return 0;
}

static int
set_value(struct parser *p, const struct field *f, const char *v)
{
	char *base;
	long n;
	size_t len;

	switch (f->scope) {
	case SC_SERVICE:
		base = (char *)p->svc;
		break;
	case SC_SUBSCRIBER:
		base = (char *)p->sub;
		break;
	default:
		base = (char *)p->c;
		break;
	}
	switch (f->kind) {
	case V_STR:
		if (strlen(v) >= f->size)
			return perr(p, "%s: value longer than %zu characters", f->key, f->size - 1);
		copy_str(base + f->off, f->size, v);
		return 0;
	case V_INT:
		if (parse_long(p, f->key, v, f->min, f->max, &n) == -1)
			return -1;
		if (f->size == sizeof(int))
			*(int *)(void *)(base + f->off) = (int)n;
		else
			*(long *)(void *)(base + f->off) = n;
		return 0;
	case V_ULONG:
		if (parse_long(p, f->key, v, 0, LONG_MAX, &n) == -1)
			return -1;
		*(unsigned long *)(void *)(base + f->off) = (unsigned long)n;
		return 0;
	case V_ADDR:
		return parse_addr(p, f->key, v, (struct conf_addr *)(void *)(base + f->off));
	case V_HEX:
		if (parse_hex(p, f->key, v, (uint8_t *)base + f->off, f->size, &len) == -1)
			return -1;
		*(size_t *)(void *)(base + f->off2) = len;
		return 0;
	case V_HEXFIX:
		if (parse_hex(p, f->key, v, (uint8_t *)base + f->off, f->size, &len) == -1)
			return -1;
		if (len != f->size)
			return perr(p, "%s: %zu bytes, expected %zu", f->key, len, f->size);
		if (f->off2 != 0)
			*(int *)(void *)(base + f->off2) = 1;
		return 0;
	case V_KEYRULE:
		return parse_keyrule(p, f->key, v, (struct conf_keyrule *)(void *)(base + f->off));
	case V_PW:
		if (strcmp(v, "base64") == 0)
			p->c->password = PW_BASE64;
		else if (strcmp(v, "hex") == 0)
			p->c->password = PW_HEX;
		else if (strcmp(v, "raw") == 0)
			p->c->password = PW_RAW;
		else
			return perr(p, "password: '%s' is not base64, hex or raw", v);
		return 0;
	case V_VMAC:
		if (protect_vmac_reading(v) < 0)
			return perr(p, "v_mac_reading: '%s' is not mykey or minisip", v);
		p->c->v_mac_reading = protect_vmac_reading(v);
		return 0;
	case V_MSK:
		return parse_msk(p, v);
	case V_FAULT:
		if (fault_add(&p->c->faults, v) == -1)
			return perr(p, "fault: unknown fault '%s' (see reference/README.md)", v);
		return 0;
	case V_ENTITLED:
	case V_IGNORE:
		return 0;
	}
	return perr(p, "%s: internal error (value kind)", f->key);
}

/* [causes] maps free names (upper case, digits, '_') to codes. */
static int
set_cause(struct parser *p, const char *key, const char *v)
{
	const char *s;
	size_t i;
	long n;

	for (s = key; *s; s++)
		if (!isupper((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
			return perr(p, "causes: '%s' is not a cause name (A-Z, 0-9, _)", key);
	if (strlen(key) >= CONF_NAME)
		return perr(p, "causes: name '%s' too long", key);
	if (parse_long(p, key, v, 0, 999, &n) == -1)
		return -1;
	for (i = 0; i < p->c->ncauses; i++)
		if (strcmp(p->c->causes[i].name, key) == 0)
			break;
	if (i == p->c->ncauses) {
		if (i == CONF_MAX_CAUSES)
			return perr(p, "causes: more than %d causes", CONF_MAX_CAUSES);
		p->c->ncauses++;
	}
	copy_str(p->c->causes[i].name, sizeof(p->c->causes[i].name), key);
	p->c->causes[i].code = (int)n;
	return 0;
}

static int
begin_section(struct parser *p, char *hdr)
{
	char *name = hdr, *arg;
	size_t i;

	arg = strpbrk(name, " \t");
	if (arg != NULL) {
		*arg++ = '\0';
		while (*arg == ' ' || *arg == '\t')
			arg++;
		if (*arg == '\0')
			arg = NULL;
	}
	for (i = 0; sections[i] != NULL; i++)
		if (strcmp(sections[i], name) == 0)
			break;
	if (sections[i] == NULL)
		return perr(p, "unknown section [%s]", name);
	p->section = sections[i];
	p->svc = NULL;
	p->sub = NULL;
	memset(p->seen, 0, sizeof(p->seen));
	if (strcmp(name, "service") == 0 || strcmp(name, "subscriber") == 0) {
		if (arg == NULL)
			return perr(p, "[%s] needs a name", name);
		if (strlen(arg) >= CONF_STR)
			return perr(p, "[%s] name too long", name);
	} else if (arg != NULL)
		return perr(p, "[%s] takes no name", name);
	if (strcmp(name, "service") == 0) {
		for (i = 0; i < p->c->nsvc; i++)
			if (strcmp(p->c->svc[i].id, arg) == 0)
				return perr(p, "service %s already defined at line %d", arg,
				    p->c->svc[i].line);
		if (p->c->nsvc == CONF_MAX_SERVICES)
			return perr(p, "more than %d services", CONF_MAX_SERVICES);
		p->svc = &p->c->svc[p->c->nsvc++];
		copy_str(p->svc->id, sizeof(p->svc->id), arg);
		p->svc->line = p->line;
	} else if (strcmp(name, "subscriber") == 0) {
		for (i = 0; i < p->c->nsub; i++)
			if (strcmp(p->c->sub[i].btid, arg) == 0)
				return perr(p, "subscriber %s already defined at line %d", arg,
				    p->c->sub[i].line);
		if (p->c->nsub == CONF_MAX_SUBS)
			return perr(p, "more than %d subscribers", CONF_MAX_SUBS);
		p->sub = &p->c->sub[p->c->nsub++];
		copy_str(p->sub->btid, sizeof(p->sub->btid), arg);
		p->sub->line = p->line;
	}
	return 0;
}

static char *
trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' ||
	    end[-1] == '\n'))
		*--end = '\0';
	return s;
}

/* A '#' after white space starts a comment, as in CONF.md's annotated example. */
static void
strip_comment(char *s)
{
	char *h;

	for (h = strchr(s, '#'); h != NULL; h = strchr(h + 1, '#'))
		if (h == s || h[-1] == ' ' || h[-1] == '\t') {
			*h = '\0';
			return;
		}
}

static int
parse_line(struct parser *p, char *raw)
{
	char *s = trim(raw), *eq, *key, *val;
	size_t i;

	if (*s == '\0' || *s == '#')
		return 0;
	strip_comment(s);
	s = trim(s);
	if (*s == '[') {
		char *close = strchr(s, ']');

		if (close == NULL || trim(close + 1)[0] != '\0')
			return perr(p, "malformed section header");
		*close = '\0';
		return begin_section(p, trim(s + 1));
	}
	if ((eq = strchr(s, '=')) == NULL)
		return perr(p, "expected 'key = value' or '[section]'");
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	if (p->section == NULL)
		return perr(p, "'%s' outside any section", key);
	if (*key == '\0')
		return perr(p, "empty key");
	if (strcmp(p->section, "causes") == 0)
		return set_cause(p, key, val);
	for (i = 0; i < NFIELDS; i++)
		if (strcmp(fields[i].section, p->section) == 0 && strcmp(fields[i].key, key) == 0)
			break;
	if (i == NFIELDS)
		return perr(p, "unknown key '%s' in [%s]", key, p->section);
	if (!fields[i].repeat) {
		/* Global sections may be split; a key is still set once per file. */
		if (fields[i].scope == SC_GLOBAL ? p->seen_global[i] != 0 : p->seen[i])
			return perr(p, "'%s' set twice in [%s]%s", key, p->section,
			    fields[i].scope == SC_GLOBAL ? "" : " of this name");
		p->seen[i] = 1;
		if (fields[i].scope == SC_GLOBAL)
			p->seen_global[i] = p->line;
	}
	return set_value(p, &fields[i], val);
}

static int
check(struct parser *p)
{
	static const struct {
		const char *key;
		size_t off;
	} node_req[] = {
		{ "role", offsetof(struct conf, role) },
		{ "fqdn", offsetof(struct conf, fqdn) },
		{ "http", offsetof(struct conf, http.text) },
		{ "mikey", offsetof(struct conf, mikey.text) },
		{ "control", offsetof(struct conf, control.text) },
		{ "btid", offsetof(struct conf, btid) },
	};
	struct conf *c = p->c;
	size_t i;

	p->line = 0;
	for (i = 0; i < sizeof(node_req) / sizeof(node_req[0]); i++)
		if (((const char *)c + node_req[i].off)[0] == '\0')
			return err_setx(p->e, "%s: [node] %s is required", p->file,
			    node_req[i].key);
	if (strcmp(c->role, "ue") != 0)
		return err_setx(p->e, "%s: [node] role is '%s'; mbms-ue needs role = ue", p->file,
		    c->role);
	for (i = 0; i < c->nsvc; i++)
		if (!c->svc[i].have_kdid)
			return err_setx(p->e, "%s:%d: [service %s] needs kdid", p->file,
			    c->svc[i].line, c->svc[i].id);
	if (conf_self(c) == NULL)
		return err_setx(p->e, "%s: no [subscriber %s] section for the node's btid", p->file,
		    c->btid);
	if (conf_cause_code(c, "SUCCESS") < 0)
		return err_setx(p->e, "%s: [causes] must map SUCCESS", p->file);
	return 0;
}

int
conf_parse(const char *name, const char *text, struct conf *c, struct err *e)
{
	struct parser *p;
	const char *s = text;
	char line[4096];
	int rc = -1;

	conf_defaults(c);
	copy_str(c->file, sizeof(c->file), name);
	/* The parser's seen-tables are large enough not to belong on the stack. */
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return err_set(e, "%s", name);
	p->file = name;
	p->c = c;
	p->e = e;
	while (*s != '\0') {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);

		p->line++;
		if (n >= sizeof(line)) {
			perr(p, "line longer than %zu characters", sizeof(line) - 1);
			goto done;
		}
		memcpy(line, s, n);
		line[n] = '\0';
		if (parse_line(p, line) == -1)
			goto done;
		s += n + (nl ? 1 : 0);
	}
	rc = check(p);
done:
	free(p);
	return rc;
}

int
conf_load(const char *path, struct conf *c, struct err *e)
{
	FILE *f;
	char *text = NULL;
	size_t len = 0, cap = 0, n;
	int rc = -1;

	if ((f = fopen(path, "r")) == NULL)
		return err_set(e, "%s", path);
	for (;;) {
		if (len + 4096 + 1 > cap) {
			char *t;

			cap = cap ? cap * 2 : 8192;
			if (cap > (1u << 24)) {
				err_setx(e, "%s: file larger than 16 MiB", path);
				goto done;
			}
			if ((t = realloc(text, cap)) == NULL) {
				err_set(e, "%s", path);
				goto done;
			}
			text = t;
		}
		n = fread(text + len, 1, 4096, f);
		len += n;
		if (n < 4096)
			break;
	}
	if (ferror(f)) {
		err_set(e, "%s: read", path);
		goto done;
	}
	text[len] = '\0';
	if (memchr(text, '\0', len) != NULL) {
		err_setx(e, "%s: holds a NUL byte", path);
		goto done;
	}
	rc = conf_parse(path, text, c, e);
done:
	free(text);
	fclose(f);
	return rc;
}

const struct conf_subscriber *
conf_self(const struct conf *c)
{
	size_t i;

	for (i = 0; i < c->nsub; i++)
		if (strcmp(c->sub[i].btid, c->btid) == 0)
			return &c->sub[i];
	return NULL;
}

int
conf_service_index(const struct conf *c, const char *id)
{
	size_t i;

	for (i = 0; i < c->nsvc; i++)
		if (strcmp(c->svc[i].id, id) == 0)
			return (int)i;
	return -1;
}

int
conf_cause_code(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->ncauses; i++)
		if (strcmp(c->causes[i].name, name) == 0)
			return c->causes[i].code;
	return -1;
}

const char *
conf_cause_name(const struct conf *c, int code)
{
	size_t i;

	for (i = 0; i < c->ncauses; i++)
		if (c->causes[i].code == code)
			return c->causes[i].name;
	return NULL;
}
