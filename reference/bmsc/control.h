/*
 * control: the BM-SC's control line protocol on a loopback TCP port — `rotate SERVICE`,
 * `mtk SERVICE`, `status`, `v 0|1`, `quit` — one reply line per command line, several lines
 * per connection. Replies start with "OK" or "ERR".
 */
#ifndef BMSC_CONTROL_H
#define BMSC_CONTROL_H

#include <stddef.h>
#include <sys/select.h>

#include "builder.h"
#include "conf.h"
#include "core.h"
#include "err.h"

#define CONTROL_MAX_CONN	16
#define CONTROL_LINE_MAX	1024

struct control_conn {
	int fd;				/* -1: free slot */
	char in[CONTROL_LINE_MAX];
	size_t inlen;
	struct bld out;			/* replies not yet written */
	size_t outoff;
	int closing;			/* close once out is written */
};

struct control {
	int lfd;
	struct control_conn conn[CONTROL_MAX_CONN];
	int quit;			/* set by `quit` once its reply is written */
};

int	control_open(struct control *ctl, const struct conf_addr *addr, struct err *e);
void	control_close(struct control *ctl);
void	control_fdset(struct control *ctl, fd_set *rs, fd_set *ws, int *max);
/* Serves what select() reported; returns 1 when the program should exit. */
int	control_run(struct control *ctl, struct core *k, const fd_set *rs, const fd_set *ws);

/*
 * Executes one command line and appends its reply (without newline) to reply. Returns 1 for
 * `quit`, else 0.
 */
int	control_exec(struct core *k, const char *line, struct bld *reply);

#endif
