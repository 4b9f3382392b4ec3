/* control: the line protocol of the reference BM-SC, over TCP on a loopback port. */
#include "control.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"

static void
put(struct bld *b, const char *s)
{
	bld_bytes(b, s, strlen(s));
}

int
control_exec(struct core *k, const char *line, struct bld *reply)
{
	char cmd[32], arg[CONTROL_LINE_MAX], extra[2];
	int n;

	cmd[0] = arg[0] = '\0';
	n = sscanf(line, "%31s %1023s %1s", cmd, arg, extra);
	if (n <= 0) {
		put(reply, "ERR empty command");
		return 0;
	}
	log_line("control: %s", line);
	if (strcmp(cmd, "status") == 0 && n == 1) {
		core_status(k, reply);
		return 0;
	}
	if (strcmp(cmd, "quit") == 0 && n == 1) {
		put(reply, "OK");
		return 1;
	}
	if (strcmp(cmd, "rotate") == 0 && n == 2) {
		core_rotate(k, arg, reply);
		return 0;
	}
	if (strcmp(cmd, "mtk") == 0 && n == 2) {
		core_mtk(k, arg, reply);
		return 0;
	}
	if (strcmp(cmd, "v") == 0 && n == 2 && (strcmp(arg, "0") == 0 || strcmp(arg, "1") == 0)) {
		core_set_v(k, arg[0] == '1', reply);
		return 0;
	}
	if (strcmp(cmd, "rotate") == 0 || strcmp(cmd, "mtk") == 0 || strcmp(cmd, "v") == 0 ||
	    strcmp(cmd, "status") == 0 || strcmp(cmd, "quit") == 0) {
		put(reply, "ERR usage: rotate SERVICE | mtk SERVICE | status | v 0|1 | quit");
		return 0;
	}
	put(reply, "ERR unknown command");
	return 0;
}

int
control_open(struct control *ctl, const struct conf_addr *addr, struct err *e)
{
	int on = 1;
	size_t i;

	memset(ctl, 0, sizeof(*ctl));
	for (i = 0; i < CONTROL_MAX_CONN; i++) {
		ctl->conn[i].fd = -1;
		bld_init(&ctl->conn[i].out);
	}
	if ((ctl->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
		return err_set(e, "control socket");
	if (setsockopt(ctl->lfd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1 ||
	    bind(ctl->lfd, (const struct sockaddr *)&addr->sa, sizeof(addr->sa)) == -1 ||
	    listen(ctl->lfd, 16) == -1) {
		err_set(e, "control: cannot listen on %s", addr->text);
		close(ctl->lfd);
		ctl->lfd = -1;
		return -1;
	}
	return 0;
}

static void
drop(struct control_conn *cc)
{
	if (cc->fd != -1)
		close(cc->fd);
	cc->fd = -1;
	cc->inlen = 0;
	cc->outoff = 0;
	cc->closing = 0;
	bld_reset(&cc->out);
}

void
control_close(struct control *ctl)
{
	size_t i;

	if (ctl == NULL)
		return;
	for (i = 0; i < CONTROL_MAX_CONN; i++) {
		drop(&ctl->conn[i]);
		bld_free(&ctl->conn[i].out);
	}
	if (ctl->lfd != -1)
		close(ctl->lfd);
	ctl->lfd = -1;
}

void
control_fdset(struct control *ctl, fd_set *rs, fd_set *ws, int *max)
{
	size_t i;

	FD_SET(ctl->lfd, rs);
	if (ctl->lfd > *max)
		*max = ctl->lfd;
	for (i = 0; i < CONTROL_MAX_CONN; i++) {
		struct control_conn *cc = &ctl->conn[i];

		if (cc->fd == -1)
			continue;
		if (!cc->closing)
			FD_SET(cc->fd, rs);
		if (cc->outoff < cc->out.len)
			FD_SET(cc->fd, ws);
		if (cc->fd > *max)
			*max = cc->fd;
	}
}

static void
accept_one(struct control *ctl)
{
	size_t i;
	int fd;

	if ((fd = accept(ctl->lfd, NULL, NULL)) == -1)
		return;
	if (fcntl(fd, F_SETFL, O_NONBLOCK) == -1 || fcntl(fd, F_SETFD, FD_CLOEXEC) == -1) {
		close(fd);
		return;
	}
	for (i = 0; i < CONTROL_MAX_CONN; i++)
		if (ctl->conn[i].fd == -1)
			break;
	if (i == CONTROL_MAX_CONN || fd >= FD_SETSIZE) {
		static const char busy[] = "ERR too many control connections\n";

		if (write(fd, busy, sizeof(busy) - 1) < 0)
			(void)0;
		close(fd);
		return;
	}
	ctl->conn[i].fd = fd;
}

/* Writes what is pending; returns -1 when the connection is gone. */
static int
flush(struct control_conn *cc)
{
	while (cc->outoff < cc->out.len) {
		ssize_t n = send(cc->fd, cc->out.buf + cc->outoff, cc->out.len - cc->outoff,
		    MSG_NOSIGNAL);

		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
		cc->outoff += (size_t)n;
	}
	bld_reset(&cc->out);
	cc->outoff = 0;
	return 0;
}

/* Runs every complete line in the input buffer; returns 1 after `quit`. */
static int
lines(struct control_conn *cc, struct core *k)
{
	char *nl;
	int quit = 0;

	while (!quit && (nl = memchr(cc->in, '\n', cc->inlen)) != NULL) {
		size_t n = (size_t)(nl - cc->in);

		*nl = '\0';
		if (n > 0 && cc->in[n - 1] == '\r')
			cc->in[n - 1] = '\0';
		quit = control_exec(k, cc->in, &cc->out);
		bld_u8(&cc->out, '\n');
		memmove(cc->in, nl + 1, cc->inlen - n - 1);
		cc->inlen -= n + 1;
	}
	if (!quit && cc->inlen == sizeof(cc->in)) {
		put(&cc->out, "ERR line too long\n");
		cc->closing = 1;
	}
	return quit;
}

int
control_run(struct control *ctl, struct core *k, const fd_set *rs, const fd_set *ws)
{
	size_t i;

	if (FD_ISSET(ctl->lfd, rs))
		accept_one(ctl);
	for (i = 0; i < CONTROL_MAX_CONN; i++) {
		struct control_conn *cc = &ctl->conn[i];

		if (cc->fd == -1)
			continue;
		if (!cc->closing && FD_ISSET(cc->fd, rs)) {
			ssize_t n = recv(cc->fd, cc->in + cc->inlen, sizeof(cc->in) - cc->inlen, 0);

			if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
				/* Peer closed: still run a last line that lacked its newline. */
				if (cc->inlen > 0 && cc->inlen < sizeof(cc->in)) {
					cc->in[cc->inlen++] = '\n';
					if (lines(cc, k))
						ctl->quit = 1;
				}
				cc->closing = 1;
			} else if (n > 0) {
				cc->inlen += (size_t)n;
				if (lines(cc, k)) {
					ctl->quit = 1;
					cc->closing = 1;
				}
			}
		}
		if ((cc->outoff < cc->out.len || FD_ISSET(cc->fd, ws)) && flush(cc) == -1) {
			drop(cc);
			continue;
		}
		if (cc->closing && cc->outoff >= cc->out.len)
			drop(cc);
	}
	return ctl->quit;
}
