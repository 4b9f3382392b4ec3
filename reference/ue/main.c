/*
 * mbms-ue: the reference UE of mbmsct — one poll loop over the MIKEY UDP socket, the control
 * listener and libcurl's transfers (curl_multi_poll with extra descriptors), so that MIKEY is
 * received while an HTTP request is in flight, without threads.
 *
 * usage: mbms-ue --conf FILE [--fault NAME]...
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bodies.h"
#include "conf.h"
#include "control.h"
#include "faults.h"
#include "httpc.h"
#include "keys.h"
#include "log.h"
#include "ue.h"

#define UDP_MAX		65536
#define UDP_BATCH	64	/* datagrams read per wake-up before timers run */
#define MAX_WAIT_MS	1000

static int sigpipe_fds[2] = { -1, -1 };

struct world {
	struct httpc *http;
	int udp;
	struct ue *ue;
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	/* The self-pipe wakes the poll loop; nothing else is safe in a handler. */
	if (write(sigpipe_fds[1], &c, 1) == -1) {
		/* The pipe is full: a wake-up is already pending. */
	}
	errno = saved;
}

static int
io_post(void *arg, const struct httpc_req *req, unsigned long *id, struct err *e)
{
	struct world *w = arg;

	return httpc_post(w->http, req, id, e);
}

static int
io_send(void *arg, const uint8_t *buf, size_t len, const void *peer, size_t peer_len,
    struct err *e)
{
	struct world *w = arg;

	if (sendto(w->udp, buf, len, 0, peer, (socklen_t)peer_len) == -1)
		return err_set(e, "sendto");
	return 0;
}

static void
on_http(void *arg, unsigned long id, const struct httpc_result *r)
{
	struct world *w = arg;

	ue_http_done(w->ue, id, r, now_ms());
}

static int
udp_open(const struct conf_addr *a, struct err *e)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t sl;
	int fd;

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
		return err_setx(e, "mikey: '%s' is not an IP address", a->host);
	if ((fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
		return err_set(e, "mikey: socket");
	if (bind(fd, (struct sockaddr *)&ss, sl) == -1) {
		err_set(e, "mikey: bind %s", a->text);
		close(fd);
		return -1;
	}
	return fd;
}

static void
peer_text(const struct sockaddr_storage *ss, char *out, size_t size)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
		snprintf(out, size, "%s:%u", ip, ntohs(s4->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
		snprintf(out, size, "[%s]:%u", ip, ntohs(s6->sin6_port));
	} else
		snprintf(out, size, "?");
}

static void
read_udp(struct world *w, uint8_t *buf)
{
	struct sockaddr_storage from;
	socklen_t fl;
	ssize_t n;
	char text[INET6_ADDRSTRLEN + 8];
	int i;

	for (i = 0; i < UDP_BATCH; i++) {
		fl = sizeof(from);
		n = recvfrom(w->udp, buf, UDP_MAX, 0, (struct sockaddr *)&from, &fl);
		if (n == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				ulog("mikey: recvfrom: %s", strerror(errno));
			return;
		}
		peer_text(&from, text, sizeof(text));
		ue_mikey(w->ue, buf, (size_t)n, &from, fl, text, now_ms());
	}
}

static void
usage(void)
{
	size_t i;

	fprintf(stderr, "usage: mbms-ue --conf FILE [--fault NAME]...\nfaults:");
	for (i = 0; fault_table[i].name != NULL; i++)
		fprintf(stderr, " %s", fault_table[i].name);
	fprintf(stderr, "\n");
}

int
main(int argc, char **argv)
{
	static struct conf c;		/* large: static storage, not the stack */
	static struct ue u;
	static uint8_t buf[UDP_MAX];
	struct keys k;
	struct world w;
	struct ctl ctl;
	struct ue_io io;
	struct err e;
	struct pollfd fds[2 + CTL_MAX_CLIENTS + 1];
	struct sigaction sa;
	const char *conf_path = NULL;
	unsigned cli_faults = 0;
	char fnames[512];
	int i, rc = 1, quit = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--conf") == 0 && i + 1 < argc)
			conf_path = argv[++i];
		else if (strcmp(argv[i], "--fault") == 0 && i + 1 < argc) {
			if (fault_add(&cli_faults, argv[++i]) == -1) {
				fprintf(stderr, "mbms-ue: --fault: unknown fault '%s'\n", argv[i]);
				usage();
				return 2;
			}
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage();
			return 0;
		} else {
			fprintf(stderr, "mbms-ue: unexpected argument '%s'\n", argv[i]);
			usage();
			return 2;
		}
	}
	if (conf_path == NULL) {
		usage();
		return 2;
	}
	if (conf_load(conf_path, &c, &e) == -1) {
		fprintf(stderr, "mbms-ue: %s\n", e.msg);
		return 2;
	}
	if (keys_derive(&c, conf_self(&c), &k, &e) == -1) {
		fprintf(stderr, "mbms-ue: %s: %s\n", conf_path, e.msg);
		return 2;
	}
	bodies_init();
	memset(&w, 0, sizeof(w));
	w.udp = -1;
	ctl_init(&ctl);
	if (pipe(sigpipe_fds) == -1 || fcntl(sigpipe_fds[0], F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(sigpipe_fds[1], F_SETFL, O_NONBLOCK) == -1) {
		fprintf(stderr, "mbms-ue: pipe: %s\n", strerror(errno));
		goto done;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((w.udp = udp_open(&c.mikey, &e)) == -1 || ctl_open(&ctl, &c.control, &e) == -1 ||
	    httpc_new(&w.http, &e) == -1) {
		fprintf(stderr, "mbms-ue: %s\n", e.msg);
		goto done;
	}
	io.arg = &w;
	io.post = io_post;
	io.send = io_send;
	ue_init(&u, &c, &k, c.faults | cli_faults, &io);
	w.ue = &u;
	fault_names(u.faults, fnames, sizeof(fnames));
	ulog("B-TID %s, BM-SC %s at %s, MIKEY on %s, control on %s, faults: %s", c.btid, c.fqdn,
	    c.http.text, c.mikey.text, c.control.text, fnames);
	while (!quit) {
		int64_t now = now_ms(), next = ue_next_deadline(&u);
		long wait = next == INT64_MAX ? MAX_WAIT_MS : (long)(next - now);
		size_t n = 0, nctl;

		if (wait < 0)
			wait = 0;
		if (wait > MAX_WAIT_MS)
			wait = MAX_WAIT_MS;
		fds[n].fd = sigpipe_fds[0];
		fds[n++].events = POLLIN;
		fds[n].fd = w.udp;
		fds[n++].events = POLLIN;
		nctl = ctl_pollfds(&ctl, fds + n, sizeof(fds) / sizeof(fds[0]) - n);
		if (httpc_poll(w.http, fds, n + nctl, (int)wait, &e) == -1) {
			ulog("%s", e.msg);
			goto done;
		}
		if (fds[0].revents & POLLIN) {
			char sig;

			if (read(sigpipe_fds[0], &sig, 1) == 1) {
				ulog("signal %d: exiting", sig);
				rc = 0;
				goto done;
			}
		}
		if (httpc_run(w.http, on_http, &w, &e) == -1) {
			ulog("%s", e.msg);
			goto done;
		}
		if (fds[1].revents & POLLIN)
			read_udp(&w, buf);
		quit = ctl_serve(&ctl, fds + n, nctl, &u, now_ms());
		ue_tick(&u, now_ms());
	}
	ulog("quit");
	rc = 0;
done:
	httpc_free(w.http);
	ctl_close(&ctl);
	if (w.udp != -1)
		close(w.udp);
	ue_free(&u);
	keys_wipe(&k);
	bodies_cleanup();
	return rc;
}
