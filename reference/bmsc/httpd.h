/*
 * httpd: the BM-SC's HTTP/1.1 key management server (key-update.md §2.2) on libmicrohttpd in
 * external-select mode: Digest authentication with the subscriber's MRK-derived password
 * (libmicrohttpd's Digest API, qop=auth, MD5), routing by path and query parameter, media
 * type and body checks, and the 200 answers the core's causes make. The only file that
 * includes libmicrohttpd.
 *
 * Every request body is read in full before the answer is queued, so a 401 leaves the
 * connection open for the client's authenticated retry.
 *
 * Nonces: libmicrohttpd 0.9.75 derives a nonce from (second, method, path, realm, secret) only,
 * so two clients challenged in the same second for the same path get the same nonce and the
 * second one's nc=00000001 is refused as a replay. Each challenge therefore gets a fresh secret
 * (the daemon reads the secret through the pointer given at start), the last HTTPD_SECRETS are
 * kept, and a response is checked against them newest first; a secret that did not make the
 * nonce fails before the nonce-count bookkeeping, so the trial has no side effect.
 */
#ifndef BMSC_HTTPD_H
#define BMSC_HTTPD_H

#include <stdint.h>
#include <sys/select.h>

#include "conf.h"
#include "core.h"
#include "err.h"

#define HTTPD_SECRETS		512
#define HTTPD_SECRET_LEN	32

struct httpd {
	struct MHD_Daemon *d;
	struct core *core;
	const struct conf *c;
	unsigned faults;
	uint8_t nonce_secret[HTTPD_SECRET_LEN];	/* libmicrohttpd keeps a pointer to it */
	uint8_t secrets[HTTPD_SECRETS][HTTPD_SECRET_LEN];	/* ring of recent secrets */
	size_t nsecrets;			/* secrets issued so far */
	char opaque[33];
};

int	httpd_start(struct httpd *h, struct core *k, const struct conf *c, unsigned faults,
	    struct err *e);
void	httpd_stop(struct httpd *h);
/* Adds the daemon's sockets to the sets; max is raised to the highest fd added. */
int	httpd_fdset(struct httpd *h, fd_set *rs, fd_set *ws, fd_set *xs, int *max);
/* The daemon's time-out in ms, or -1 for none. */
int64_t	httpd_timeout(struct httpd *h);
/* Runs the daemon on the sets select() returned. */
void	httpd_run(struct httpd *h, const fd_set *rs, const fd_set *ws, const fd_set *xs);

#endif
