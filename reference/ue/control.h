/*
 * control: the UE's control line protocol on a loopback TCP port ([node] control). One command
 * per line, one reply line per command:
 *   join <service>   -> "OK joining <service>" (the registration runs on; see `status`)
 *   leave <service>  -> "OK leaving <service>"
 *   status           -> "OK " + one line of compact JSON (ue_status)
 *   quit             -> "OK bye", then the program exits 0
 *   anything else    -> "ERR unknown command"
 * Replies come at once: a command never waits for the network, so a test driver that blocks
 * on the reply cannot stall the peer it is also playing.
 */
#ifndef UE_CONTROL_H
#define UE_CONTROL_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "builder.h"
#include "conf.h"
#include "err.h"
#include "ue.h"

#define CTL_MAX_CLIENTS	16
#define CTL_LINE_MAX	1024

/* Runs one command line; appends the reply (without newline). Returns 1 for quit, else 0. */
int	ctl_exec(struct ue *u, const char *line, int64_t now, struct bld *reply);

struct ctl_client {
	int fd;
	char in[CTL_LINE_MAX];
	size_t inlen;
	struct bld out;
	int closing;
};

struct ctl {
	int lfd;
	struct ctl_client cl[CTL_MAX_CLIENTS];
};

/* Sets c to "nothing open" (safe to ctl_close). */
void	ctl_init(struct ctl *c);
/* Listens on a (TCP). Returns 0 or -1 with e set. */
int	ctl_open(struct ctl *c, const struct conf_addr *a, struct err *e);
void	ctl_close(struct ctl *c);
/* Appends the listener's and clients' poll entries to fds; returns how many were added. */
size_t	ctl_pollfds(const struct ctl *c, struct pollfd *fds, size_t max);
/* Serves the entries ctl_pollfds added (fds[0..n)). Returns 1 when a client asked to quit. */
int	ctl_serve(struct ctl *c, const struct pollfd *fds, size_t n, struct ue *u, int64_t now);

#endif
