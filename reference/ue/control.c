/* control: the join/leave/status/quit line protocol over loopback TCP. */
#define _GNU_SOURCE	/* accept4 */
#include "control.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"

int
ctl_exec(struct ue *u, const char *line, int64_t now, struct bld *reply)
{
	char cmd[32], arg[CONF_STR], extra[2];
	struct err e;
	int n, i;

	n = sscanf(line, "%31s %255s %1s", cmd, arg, extra);
	if (n <= 0) {
		bld_bytes(reply, "ERR unknown command", 19);
		return 0;
	}
	if (n == 1 && strcmp(cmd, "status") == 0) {
		bld_bytes(reply, "OK ", 3);
		ue_status(u, now, reply);
		return 0;
	}
	if (n == 1 && strcmp(cmd, "quit") == 0) {
		bld_bytes(reply, "OK bye", 6);
		return 1;
	}
	if (n == 2 && (strcmp(cmd, "join") == 0 || strcmp(cmd, "leave") == 0)) {
		char msg[CONF_STR + 64];
		int join = cmd[0] == 'j', rc;

		if ((i = conf_service_index(u->c, arg)) < 0) {
			n = snprintf(msg, sizeof(msg), "ERR unknown service '%s'", arg);
			bld_bytes(reply, msg, (size_t)n);
			return 0;
		}
		rc = join ? ue_join(u, i, now, &e) : ue_leave(u, i, now, &e);
		if (rc == -1)
			n = snprintf(msg, sizeof(msg), "ERR %s: %.200s", cmd, e.msg);
		else
			n = snprintf(msg, sizeof(msg), "OK %s %s", join ? "joining" : "leaving", arg);
		bld_bytes(reply, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
		return 0;
	}
	bld_bytes(reply, "ERR unknown command", 19);
	return 0;
}

static int
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl == -1 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

void
ctl_init(struct ctl *c)
{
	int i;

	memset(c, 0, sizeof(*c));
	c->lfd = -1;
	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		c->cl[i].fd = -1;
}

int
ctl_open(struct ctl *c, const struct conf_addr *a, struct err *e)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t sl;
	int one = 1;

	ctl_init(c);
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, a->host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(a->port);
		sl = sizeof(*s4);
	} else if (inet_pton(AF_INET6, a->host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(a->port);
		sl = sizeof(*s6);
	} else
		return err_setx(e, "control: '%s' is not an IP address", a->host);
	if ((c->lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return err_set(e, "control: socket");
	setsockopt(c->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(c->lfd, (struct sockaddr *)&ss, sl) == -1 || listen(c->lfd, 16) == -1 ||
	    set_nonblock(c->lfd) == -1) {
		err_set(e, "control: listen on %s", a->text);
		close(c->lfd);
		c->lfd = -1;
		return -1;
	}
	return 0;
}

static void
drop_client(struct ctl_client *cl)
{
	if (cl->fd != -1)
		close(cl->fd);
	cl->fd = -1;
	cl->inlen = 0;
	cl->closing = 0;
	bld_free(&cl->out);
}

void
ctl_close(struct ctl *c)
{
	int i;

	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		drop_client(&c->cl[i]);
	if (c->lfd != -1)
		close(c->lfd);
	c->lfd = -1;
}

size_t
ctl_pollfds(const struct ctl *c, struct pollfd *fds, size_t max)
{
	size_t n = 0;
	int i;

	if (max == 0)
		return 0;
	fds[n].fd = c->lfd;
	fds[n].events = POLLIN;
	fds[n++].revents = 0;
	for (i = 0; i < CTL_MAX_CLIENTS && n < max; i++) {
		if (c->cl[i].fd == -1)
			continue;
		fds[n].fd = c->cl[i].fd;
		fds[n].events = (short)(POLLIN | (c->cl[i].out.len ? POLLOUT : 0));
		fds[n++].revents = 0;
	}
	return n;
}

static struct ctl_client *
client_of(struct ctl *c, int fd)
{
	int i;

	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		if (c->cl[i].fd == fd)
			return &c->cl[i];
	return NULL;
}

static void
flush(struct ctl_client *cl)
{
	ssize_t w;

	while (cl->out.len > 0) {
		w = send(cl->fd, cl->out.buf, cl->out.len, MSG_NOSIGNAL);
		if (w <= 0) {
			if (w == -1 && (errno == EAGAIN || errno == EINTR))
				return;
			drop_client(cl);
			return;
		}
		memmove(cl->out.buf, cl->out.buf + w, cl->out.len - (size_t)w);
		cl->out.len -= (size_t)w;
	}
	if (cl->closing)
		drop_client(cl);
}

/* Runs every complete line in the client's buffer; returns 1 on quit. */
static int
lines(struct ctl_client *cl, struct ue *u, int64_t now)
{
	char *nl, line[CTL_LINE_MAX];
	size_t n;
	int quit = 0;

	while (!cl->closing && (nl = memchr(cl->in, '\n', cl->inlen)) != NULL) {
		n = (size_t)(nl - cl->in);
		memcpy(line, cl->in, n);
		line[n] = '\0';
		if (n > 0 && line[n - 1] == '\r')
			line[n - 1] = '\0';
		memmove(cl->in, nl + 1, cl->inlen - n - 1);
		cl->inlen -= n + 1;
		if (ctl_exec(u, line, now, &cl->out)) {
			quit = 1;
			cl->closing = 1;
		}
		bld_u8(&cl->out, '\n');
		if (!bld_ok(&cl->out)) {
			drop_client(cl);
			return quit;
		}
	}
	return quit;
}

int
ctl_serve(struct ctl *c, const struct pollfd *fds, size_t n, struct ue *u, int64_t now)
{
	struct ctl_client *cl;
	ssize_t r;
	size_t k;
	int fd, i, quit = 0;

	for (k = 0; k < n; k++) {
		if (fds[k].revents == 0)
			continue;
		if (fds[k].fd == c->lfd) {
			while ((fd = accept4(c->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) != -1) {
				for (i = 0; i < CTL_MAX_CLIENTS && c->cl[i].fd != -1; i++)
					;
				if (i == CTL_MAX_CLIENTS) {
					ulog("control: too many clients; connection refused");
					close(fd);
					continue;
				}
				c->cl[i].fd = fd;
				c->cl[i].inlen = 0;
				bld_init(&c->cl[i].out);
			}
			continue;
		}
		if ((cl = client_of(c, fds[k].fd)) == NULL)
			continue;
		if (fds[k].revents & (POLLIN | POLLHUP)) {
			r = recv(cl->fd, cl->in + cl->inlen, sizeof(cl->in) - cl->inlen, 0);
			if (r == 0 || (r == -1 && errno != EAGAIN && errno != EINTR)) {
				drop_client(cl);
				continue;
			}
			if (r > 0) {
				cl->inlen += (size_t)r;
				quit |= lines(cl, u, now);
				if (cl->fd != -1 && cl->inlen == sizeof(cl->in)) {
					/* A line longer than CTL_LINE_MAX: answer and hang up. */
					bld_bytes(&cl->out, "ERR line too long\n", 18);
					cl->closing = 1;
				}
			}
		}
		if (cl->fd != -1)
			flush(cl);
	}
	return quit;
}
