/*
 * mbms-ctl: sends one command line to a reference program's control port and prints the
 * reply. Usage: mbms-ctl HOST:PORT COMMAND... Exit 0 on an "OK" reply, 1 on "ERR" (or any
 * other reply), 2 when the connection fails or no reply comes within 10 seconds.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CTL_TIMEOUT_MS	10000
#define CTL_REPLY_MAX	(1024 * 1024)

static int
parse_addr(const char *s, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	char *end;
	long port;

	if (colon == NULL || (size_t)(colon - s) >= sizeof(host) || colon == s)
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || end == colon + 1 || port < 1 || port > 65535)
		return -1;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

static int
ms_left(const struct timespec *start)
{
	struct timespec now;
	long el;

	clock_gettime(CLOCK_MONOTONIC, &now);
	el = (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
	return el >= CTL_TIMEOUT_MS ? 0 : (int)(CTL_TIMEOUT_MS - el);
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sa;
	struct timespec start;
	struct pollfd pfd;
	char *line, *reply;
	size_t len = 0, n = 0, cap;
	int fd, i, ok;

	if (argc < 3 || parse_addr(argv[1], &sa) == -1) {
		fprintf(stderr, "usage: mbms-ctl HOST:PORT COMMAND...\n");
		return 2;
	}
	for (i = 2; i < argc; i++)
		len += strlen(argv[i]) + 1;
	if ((line = malloc(len + 1)) == NULL || (reply = malloc(CTL_REPLY_MAX)) == NULL) {
		perror("mbms-ctl");
		return 2;
	}
	line[0] = '\0';
	for (i = 2; i < argc; i++) {
		strcat(line, argv[i]);
		strcat(line, i + 1 < argc ? " " : "\n");
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		fprintf(stderr, "mbms-ctl: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	for (n = 0; n < len;) {
		ssize_t w = send(fd, line + n, len - n, MSG_NOSIGNAL);

		if (w < 0) {
			fprintf(stderr, "mbms-ctl: send: %s\n", strerror(errno));
			return 2;
		}
		n += (size_t)w;
	}
	cap = CTL_REPLY_MAX - 1;
	for (n = 0;;) {
		ssize_t r;
		char *nl;

		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, ms_left(&start)) <= 0) {
			fprintf(stderr, "mbms-ctl: no reply from %s\n", argv[1]);
			return 2;
		}
		if ((r = recv(fd, reply + n, cap - n, 0)) <= 0) {
			if (n > 0)
				break;
			fprintf(stderr, "mbms-ctl: %s closed the connection without a reply\n",
			    argv[1]);
			return 2;
		}
		n += (size_t)r;
		reply[n] = '\0';
		if ((nl = strchr(reply, '\n')) != NULL) {
			*nl = '\0';
			break;
		}
		if (n == cap)
			break;
	}
	close(fd);
	printf("%s\n", reply);
	ok = strncmp(reply, "OK", 2) == 0 && (reply[2] == '\0' || reply[2] == ' ');
	free(line);
	free(reply);
	return ok ? 0 : 1;
}
