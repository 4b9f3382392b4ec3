/*
 * bodies: the XML bodies of key-update.md §2.2 with the names of the configuration's [xml]
 * section — reading registration, deregistration and MSK request bodies, writing the two
 * response bodies. The only file that includes libxml2.
 *
 * A request body is accepted only when it parses as XML, its root element has the configured
 * name and namespace, every child element is an item of the configured name and namespace with
 * well-formed content, and it names at least one item; anything else is a malformed body
 * (BAD_REQUEST, answered with HTTP 400 and no body).
 */
#ifndef BMSC_BODIES_H
#define BMSC_BODIES_H

#include <stddef.h>
#include <stdint.h>

#include "builder.h"
#include "conf.h"
#include "err.h"

#define BODIES_MAX_ITEMS	256

enum bodies_kind { BODIES_REGISTER, BODIES_DEREGISTER, BODIES_MSK };

struct bodies_key {
	uint8_t kdid[3];
	uint8_t mskid[4];
};

/* A parsed request: services (register/deregister) or keys (MSK request). */
struct bodies_req {
	enum bodies_kind kind;
	size_t n;
	char **services;		/* owned */
	struct bodies_key *keys;	/* owned */
};

/* Once per process, before the first parse (libxml2's global set-up). */
void	bodies_init(void);
void	bodies_cleanup(void);

int	bodies_parse(const struct conf_xml *x, enum bodies_kind kind, const char *buf,
	    size_t len, struct bodies_req *r, struct err *e);
void	bodies_req_free(struct bodies_req *r);

/* Appends a registration (or deregistration) response: one status per service. */
int	bodies_register_response(const struct conf_xml *x, char *const *services,
	    const int *codes, size_t n, struct bld *out, struct err *e);
/* Appends an MSK response: one status per requested key. */
int	bodies_msk_response(const struct conf_xml *x, const struct bodies_key *keys,
	    const int *codes, size_t n, struct bld *out, struct err *e);

#endif
