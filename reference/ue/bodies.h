/*
 * bodies: the XML bodies of key-update.md §2.2, written and read with libxml2 under the names
 * of the [xml] section (every element, attribute and namespace is configuration [A]).
 *
 * Built bodies are heap strings the caller frees with bodies_free. Parsers return one status per
 * item the answer carries; a body that is not the expected document is an error naming why.
 */
#ifndef UE_BODIES_H
#define UE_BODIES_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "err.h"

#define BODIES_MAX_ITEMS	32

/* One key named by a key request. */
struct bodies_key {
	uint8_t kdid[KDID_LEN];
	uint8_t mskid[MSKID_LEN];
};

/* One per-item status of an answer. */
struct bodies_status {
	char service[CONF_STR];		/* registration answers */
	struct bodies_key key;		/* MSK answers */
	int code;
};

/* libxml2 set-up; call once before any other function. */
void	bodies_init(void);
void	bodies_cleanup(void);

/* Registration (deregister == 0) or deregistration body naming one service. */
int	bodies_register(const struct conf *c, int deregister, const char *service, char **out,
	    size_t *len, struct err *e);
/* Key request (basic MSK request) naming keys[0..n). */
int	bodies_msk_request(const struct conf *c, const struct bodies_key *keys, size_t n,
	    char **out, size_t *len, struct err *e);
void	bodies_free(char *body);

/* Statuses of a registration answer (st holds max entries; *n set). */
int	bodies_parse_register_response(const struct conf *c, const char *body, size_t len,
	    struct bodies_status *st, size_t max, size_t *n, struct err *e);
/* Statuses of an MSK answer. */
int	bodies_parse_msk_response(const struct conf *c, const char *body, size_t len,
	    struct bodies_status *st, size_t max, size_t *n, struct err *e);

#endif
