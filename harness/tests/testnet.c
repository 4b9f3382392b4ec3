/* testnet: socket helpers shared by the CUnit network test files (addresses, bounded waits). */
#include "testnet.h"

#include <stdio.h>
#include <stdlib.h>

int
tu_net_wait_fd(int fd, unsigned int want, double seconds)
{
	struct net_pollent pe;
	double end = net_now() + seconds, left;
	struct err e;

	while ((left = end - net_now()) > 0) {
		pe.fd = fd;
		pe.want = want;
		if (net_poll(&pe, 1, (int)(left * 1000) + 1, &e) == -1) {
			fprintf(stderr, "\n%s\n", e.msg);
			return 0;
		}
		if (pe.got != 0)
			return 1;
	}
	return 0;
}

int
tu_net_wait_for(struct net_sock *s, unsigned int want, double seconds)
{
	return tu_net_wait_fd(s->fd, want, seconds);
}

void
tu_net_addr(struct net_addr *a, const char *ip, unsigned int port)
{
	struct err e;

	if (net_addr_set(a, ip, port, &e) == -1) {
		fprintf(stderr, "test address %s: %s\n", ip, e.msg);
		abort();
	}
}
