/* conf_named: [service NAME] and [subscriber B-TID] sections and the references between them. */
#include "conf_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hexstr.h"

static int
once(const struct conf_loc *l, size_t *seen, const char *key)
{
	if (*seen)
		return conf_syntax_errx(l, "%s set twice (first at line %zu)", key, *seen);
	*seen = l->line;
	return 0;
}

static int
push_ref(const struct conf_loc *l, struct conf_ref **arr, size_t *n, size_t owner,
    const char *name)
{
	struct conf_ref *r;

	if (strlen(name) >= CONF_STR_MAX)
		return conf_syntax_errx(l, "name too long");
	if ((r = realloc(*arr, (*n + 1) * sizeof(**arr))) == NULL)
		return conf_syntax_err(l, "out of memory");
	*arr = r;
	r[*n].owner = owner;
	r[*n].line = l->line;
	snprintf(r[*n].name, sizeof(r[*n].name), "%s", name);
	(*n)++;
	return 0;
}

/* Each section starts with none of its single-valued keys set. */
static void
reset_seen(struct conf_named *n)
{
	n->seen_kdid = n->seen_current = n->seen_impi = n->seen_ks = n->seen_rand = 0;
	n->seen_ks_naf = n->seen_mrk = n->seen_muk = n->seen_expired = 0;
}

static int
check_name(const struct conf_loc *l, const char *arg, const char *form)
{
	if (*arg == '\0')
		return conf_syntax_errx(l, "section needs a name: [%s]", form);
	if (strlen(arg) >= CONF_STR_MAX)
		return conf_syntax_errx(l, "section name too long");
	return 0;
}

int
conf_named_service(struct conf_named *n, const struct conf_loc *l, struct conf *c,
    const char *arg)
{
	struct conf_service *v;

	reset_seen(n);
	if (check_name(l, arg, "service NAME") == -1)
		return -1;
	if (conf_service_find(c, arg) >= 0)
		return conf_syntax_errx(l, "service defined twice: %s", arg);
	if ((v = realloc(c->svc, (c->nsvc + 1) * sizeof(*v))) == NULL)
		return conf_syntax_err(l, "out of memory");
	c->svc = v;
	v = &v[c->nsvc++];
	memset(v, 0, sizeof(*v));
	snprintf(v->id, sizeof(v->id), "%s", arg);
	v->line = l->line;
	return 0;
}

int
conf_named_subscriber(struct conf_named *n, const struct conf_loc *l, struct conf *c,
    const char *arg)
{
	struct conf_subscriber *u;

	reset_seen(n);
	if (check_name(l, arg, "subscriber B-TID") == -1)
		return -1;
	if (conf_subscriber_find(c, arg) >= 0)
		return conf_syntax_errx(l, "subscriber defined twice: %s", arg);
	if ((u = realloc(c->sub, (c->nsub + 1) * sizeof(*u))) == NULL)
		return conf_syntax_err(l, "out of memory");
	c->sub = u;
	u = &u[c->nsub++];
	memset(u, 0, sizeof(*u));
	snprintf(u->btid, sizeof(u->btid), "%s", arg);
	u->line = l->line;
	return 0;
}

/* msk = MSKID KEY SEQl SEQu */
static int
msk_line(const struct conf_loc *l, struct conf_service *s, const char *v)
{
	char id[16], key[64], lo[16], hi[16], extra[2];
	unsigned long long seql, sequ;
	struct conf_msk *m;

	if (sscanf(v, "%15s %63s %15s %15s %1s", id, key, lo, hi, extra) != 4)
		return conf_syntax_errx(l, "msk: expected \"MSKID KEY SEQl SEQu\"");
	if ((m = realloc(s->msk, (s->nmsk + 1) * sizeof(*m))) == NULL)
		return conf_syntax_err(l, "out of memory");
	s->msk = m;
	m = &s->msk[s->nmsk];
	memset(m, 0, sizeof(*m));
	if (hexstr_parse(id, m->id, 4, 4) != 4)
		return conf_syntax_errx(l, "msk: MSK ID must be 4 bytes of hex: %s", id);
	if (hexstr_parse(key, m->key, 16, 16) != 16)
		return conf_syntax_errx(l, "msk: key must be 16 bytes of hex");
	if (conf_syntax_uint(lo, 65535, &seql) == -1 || conf_syntax_uint(hi, 65535, &sequ) == -1 ||
	    seql > sequ)
		return conf_syntax_errx(l, "msk: SEQl and SEQu must be 0..65535 with SEQl <= SEQu");
	m->seql = (uint16_t)seql;
	m->sequ = (uint16_t)sequ;
	m->line = l->line;
	s->nmsk++;
	return 0;
}

int
conf_named_service_key(struct conf_named *n, const struct conf_loc *l, struct conf *c,
    const char *key, const char *v)
{
	struct conf_service *s = &c->svc[c->nsvc - 1];

	if (strcmp(key, "kdid") == 0) {
		if (once(l, &n->seen_kdid, key) == -1)
			return -1;
		if (hexstr_parse(v, s->kdid, 3, 3) != 3)
			return conf_syntax_errx(l, "kdid: Key Domain ID must be 3 bytes of hex: %s",
			    v);
		s->have_kdid = 1;
		return 0;
	}
	if (strcmp(key, "msk") == 0)
		return msk_line(l, s, v);
	if (strcmp(key, "current") == 0) {
		if (once(l, &n->seen_current, key) == -1)
			return -1;
		return push_ref(l, &n->current, &n->ncurrent, c->nsvc - 1, v);
	}
	return conf_syntax_errx(l, "unknown key '%s' in [service]", key);
}

static int
key_bytes(const struct conf_loc *l, struct conf_key *k, size_t *seen, const char *name,
    const char *v)
{
	long n;

	if (once(l, seen, name) == -1)
		return -1;
	if ((n = hexstr_parse(v, k->p, 0, sizeof(k->p))) < 1)
		return conf_syntax_errx(l, "%s: expected hex of 1..%zu bytes", name, sizeof(k->p));
	k->len = (size_t)n;
	return 0;
}

int
conf_named_subscriber_key(struct conf_named *n, const struct conf_loc *l, struct conf *c,
    const char *key, const char *v)
{
	struct conf_subscriber *s = &c->sub[c->nsub - 1];

	if (strcmp(key, "impi") == 0) {
		if (once(l, &n->seen_impi, key) == -1)
			return -1;
		if (strlen(v) >= sizeof(s->impi))
			return conf_syntax_errx(l, "impi too long");
		snprintf(s->impi, sizeof(s->impi), "%s", v);
		return 0;
	}
	if (strcmp(key, "ks") == 0)
		return key_bytes(l, &s->ks, &n->seen_ks, key, v);
	if (strcmp(key, "rand") == 0)
		return key_bytes(l, &s->rand, &n->seen_rand, key, v);
	if (strcmp(key, "ks_naf") == 0)
		return key_bytes(l, &s->ks_naf, &n->seen_ks_naf, key, v);
	if (strcmp(key, "mrk") == 0)
		return key_bytes(l, &s->mrk, &n->seen_mrk, key, v);
	if (strcmp(key, "muk") == 0)
		return key_bytes(l, &s->muk, &n->seen_muk, key, v);
	if (strcmp(key, "entitled") == 0)
		return push_ref(l, &n->entitled, &n->nentitled, c->nsub - 1, v);
	if (strcmp(key, "expired") == 0) {
		if (once(l, &n->seen_expired, key) == -1)
			return -1;
		if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
			return conf_syntax_errx(l, "expired: expected 0 or 1");
		s->expired = v[0] == '1';
		return 0;
	}
	return conf_syntax_errx(l, "unknown key '%s' in [subscriber]", key);
}

int
conf_named_finish(struct conf_named *n, const char *file, struct conf *c, struct err *e)
{
	size_t i, j, a, b;

	if (c->nsvc == 0)
		return err_setx(e, "%s: no [service NAME] section", file);
	for (i = 0; i < c->nsvc; i++) {
		if (!c->svc[i].have_kdid)
			return err_setx(e, "%s:%zu: service %s has no kdid", file, c->svc[i].line,
			    c->svc[i].id);
		if (c->svc[i].nmsk == 0)
			return err_setx(e, "%s:%zu: service %s has no msk", file, c->svc[i].line,
			    c->svc[i].id);
	}
	/* A (Key Domain ID, MSK ID) names one key of one service. */
	for (i = 0; i < c->nsvc; i++)
		for (a = 0; a < c->svc[i].nmsk; a++)
			for (j = i; j < c->nsvc; j++)
				for (b = (j == i ? a + 1 : 0); b < c->svc[j].nmsk; b++)
					if (memcmp(c->svc[i].kdid, c->svc[j].kdid, 3) == 0 &&
					    memcmp(c->svc[i].msk[a].id, c->svc[j].msk[b].id, 4) == 0)
						return err_setx(e, "%s:%zu: MSK ID already "
						    "defined at line %zu for the same kdid", file,
						    c->svc[j].msk[b].line, c->svc[i].msk[a].line);
	for (i = 0; i < n->ncurrent; i++) {
		const struct conf_ref *r = &n->current[i];
		struct conf_service *s = &c->svc[r->owner];
		uint8_t id[4];

		if (hexstr_parse(r->name, id, 4, 4) != 4)
			return err_setx(e, "%s:%zu: current: MSK ID must be 4 bytes of hex", file,
			    r->line);
		for (j = 0; j < s->nmsk; j++)
			if (memcmp(s->msk[j].id, id, 4) == 0)
				break;
		if (j == s->nmsk)
			return err_setx(e, "%s:%zu: current: %s is not an msk of service %s", file,
			    r->line, r->name, s->id);
		s->current = j;
		s->have_current = 1;
	}
	for (i = 0; i < n->nentitled; i++) {
		const struct conf_ref *r = &n->entitled[i];
		struct conf_subscriber *u = &c->sub[r->owner];
		long v = conf_service_find(c, r->name);
		size_t *idx;

		if (v < 0)
			return err_setx(e, "%s:%zu: entitled: unknown service '%s'", file, r->line,
			    r->name);
		if ((idx = realloc(u->entitled, (u->nentitled + 1) * sizeof(*idx))) == NULL)
			return err_set(e, "%s: out of memory", file);
		u->entitled = idx;
		idx[u->nentitled++] = (size_t)v;
	}
	return 0;
}

void
conf_named_release(struct conf_named *n)
{
	free(n->entitled);
	free(n->current);
	n->entitled = n->current = NULL;
	n->nentitled = n->ncurrent = 0;
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
