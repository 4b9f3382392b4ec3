/*
 * mbms-bmsc: the reference BM-SC of mbmsct — HTTP key management (registration,
 * deregistration, basic MSK requests) with Digest, MIKEY MSK/MTK messages over UDP, a control
 * line protocol, and fault switches that each break one requirement (reference/README.md).
 *
 * One thread, one select() loop: libmicrohttpd in external-select mode (MHD_get_fdset2,
 * MHD_get_timeout, MHD_run_from_select), the MIKEY socket, the control sockets, a self-pipe
 * for SIGTERM/SIGINT, and the timer list for deferred sends, spread notices and verification
 * time-outs. No locks are needed because nothing runs concurrently.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#include "bodies.h"
#include "conf.h"
#include "control.h"
#include "core.h"
#include "err.h"
#include "faults.h"
#include "httpd.h"
#include "log.h"
#include "timers.h"

static int sigpipe_fds[2] = { -1, -1 };

static void
on_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;

	if (write(sigpipe_fds[1], &b, 1) < 0)
		(void)0;
	errno = saved;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: mbms-bmsc --conf FILE [--fault NAME]...\n"
	    "faults: unknown-key-success wrong-cause counter-reuse bad-mac no-401\n"
	    "        deliver-on-reject push-burst no-push-after-register ignore-deregister\n");
}

static int
setup_signals(struct err *e)
{
	struct sigaction sa;
	int i;

	if (pipe(sigpipe_fds) == -1)
		return err_set(e, "pipe");
	for (i = 0; i < 2; i++)
		if (fcntl(sigpipe_fds[i], F_SETFL, O_NONBLOCK) == -1 ||
		    fcntl(sigpipe_fds[i], F_SETFD, FD_CLOEXEC) == -1)
			return err_set(e, "pipe flags");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) == -1 || sigaction(SIGINT, &sa, NULL) == -1)
		return err_set(e, "sigaction");
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) == -1)
		return err_set(e, "sigaction");
	return 0;
}

/* Milliseconds until the earliest of two deadlines (-1: none); -1 when neither is set. */
static int64_t
wait_ms(int64_t a, int64_t b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

static int
serve(struct core *k, struct httpd *h, struct control *ctl)
{
	for (;;) {
		fd_set rs, ws, xs;
		struct timeval tv, *tvp = NULL;
		int64_t now, due, t;
		int max = -1, n;

		FD_ZERO(&rs);
		FD_ZERO(&ws);
		FD_ZERO(&xs);
		if (httpd_fdset(h, &rs, &ws, &xs, &max) == -1) {
			log_line("HTTP: cannot collect the daemon's sockets");
			return 1;
		}
		FD_SET(core_fd(k), &rs);
		if (core_fd(k) > max)
			max = core_fd(k);
		FD_SET(sigpipe_fds[0], &rs);
		if (sigpipe_fds[0] > max)
			max = sigpipe_fds[0];
		control_fdset(ctl, &rs, &ws, &max);
		now = timers_now();
		due = core_next_due(k);
		t = wait_ms(httpd_timeout(h), due < 0 ? -1 : (due > now ? due - now : 0));
		if (t >= 0) {
			tv.tv_sec = (time_t)(t / 1000);
			tv.tv_usec = (suseconds_t)(t % 1000) * 1000;
			tvp = &tv;
		}
		if ((n = select(max + 1, &rs, &ws, &xs, tvp)) == -1) {
			if (errno == EINTR)
				continue;
			log_line("select: %s", strerror(errno));
			return 1;
		}
		if (n > 0 && FD_ISSET(sigpipe_fds[0], &rs)) {
			log_line("signal received: exiting");
			return 0;
		}
		httpd_run(h, &rs, &ws, &xs);
		if (n > 0 && FD_ISSET(core_fd(k), &rs))
			core_on_readable(k);
		/* Also after a time-out: control replies left unwritten are retried. */
		if (control_run(ctl, k, &rs, &ws)) {
			log_line("quit: exiting");
			return 0;
		}
		core_run_timers(k, timers_now());
	}
}

int
main(int argc, char **argv)
{
	struct conf c;
	struct core k;
	struct httpd h;
	struct control ctl;
	struct err e;
	const char *path = NULL;
	unsigned cli_faults = 0;
	char list[256];
	int i, rc = 1;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--conf") == 0 && i + 1 < argc)
			path = argv[++i];
		else if (strcmp(argv[i], "--fault") == 0 && i + 1 < argc) {
			long bit = fault_parse(argv[++i]);

			if (bit < 0) {
				fprintf(stderr, "mbms-bmsc: unknown fault '%s'\n", argv[i]);
				usage(stderr);
				return 2;
			}
			cli_faults |= (unsigned)bit;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "mbms-bmsc: unexpected argument '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (path == NULL) {
		usage(stderr);
		return 2;
	}
	if (conf_load(path, &c, &e) == -1) {
		fprintf(stderr, "mbms-bmsc: %s\n", e.msg);
		return 2;
	}
	c.faults |= cli_faults;
	bodies_init();
	memset(&h, 0, sizeof(h));
	memset(&ctl, 0, sizeof(ctl));
	ctl.lfd = -1;
	if (setup_signals(&e) == -1 || core_init(&k, &c, c.faults, &e) == -1) {
		fprintf(stderr, "mbms-bmsc: %s\n", e.msg);
		goto out_conf;
	}
	if (httpd_start(&h, &k, &c, c.faults, &e) == -1 ||
	    control_open(&ctl, &c.control, &e) == -1) {
		fprintf(stderr, "mbms-bmsc: %s\n", e.msg);
		goto out;
	}
	fault_list(c.faults, list, sizeof(list));
	log_line("listening: http %s, control %s, MIKEY from %s to UE port %u, MTKs to %s; "
	    "%zu service(s), %zu subscriber(s); V=%d; faults: %s", c.http.text, c.control.text,
	    c.mikey.text, (unsigned)c.ue_mikey_port, c.mtk_dest.text, c.nsvc, c.nsub, c.v_bit, list);
	rc = serve(&k, &h, &ctl);
out:
	control_close(&ctl);
	httpd_stop(&h);
	core_free(&k);
out_conf:
	bodies_cleanup();
	conf_free(&c);
	return rc;
}
