/*
 * conf_int: what conf.c (the fixed sections and the parse) and conf_named.c (the [service] and
 * [subscriber] sections) share while a file is parsed; not part of the contract.
 */
#ifndef BMSC_CONF_INT_H
#define BMSC_CONF_INT_H

#include <stddef.h>

#include "conf.h"
#include "conf_syntax.h"
#include "err.h"

/* A name that refers to a later section, resolved once the whole file is read. */
struct conf_ref {
	size_t owner;		/* service or subscriber index */
	size_t line;		/* the line to blame */
	char name[CONF_STR_MAX];
};

/* Parse state of the named sections; zero it before the parse, release it after. */
struct conf_named {
	struct conf_ref *entitled;	/* entitled = SERVICE, per subscriber */
	size_t nentitled;
	struct conf_ref *current;	/* current = MSKID, per service */
	size_t ncurrent;
	/* Line where each single-valued key of the open section was set, 0: not yet. */
	size_t seen_kdid, seen_current, seen_impi, seen_ks, seen_rand, seen_ks_naf;
	size_t seen_mrk, seen_muk, seen_expired;
};

/* Opens [service NAME] (arg is NAME) as the last of c->svc. */
int	conf_named_service(struct conf_named *n, const struct conf_loc *l, struct conf *c,
	    const char *arg);
/* Opens [subscriber B-TID] as the last of c->sub. */
int	conf_named_subscriber(struct conf_named *n, const struct conf_loc *l, struct conf *c,
	    const char *arg);
/* A key of the open [service] or [subscriber] section. */
int	conf_named_service_key(struct conf_named *n, const struct conf_loc *l, struct conf *c,
	    const char *key, const char *v);
int	conf_named_subscriber_key(struct conf_named *n, const struct conf_loc *l, struct conf *c,
	    const char *key, const char *v);
/* After the last line: required keys, MSK ID clashes, current and entitled resolved. */
int	conf_named_finish(struct conf_named *n, const char *file, struct conf *c, struct err *e);
/* Releases the parse state (not the services and subscribers: c owns those). */
void	conf_named_release(struct conf_named *n);

#endif
