/* testnet: socket helpers shared by the CUnit network test files (addresses, bounded waits). */
#ifndef MBMS_TESTNET_H
#define MBMS_TESTNET_H

#include "net.h"

/* Waits until descriptor fd is ready for want; 1 when ready, 0 at the deadline. */
int	tu_net_wait_fd(int fd, unsigned int want, double seconds);
/* Waits until s is ready for want; 1 when ready, 0 at the deadline. */
int	tu_net_wait_for(struct net_sock *s, unsigned int want, double seconds);
/* Sets a from a numeric address and port (aborts the test program on a bad literal). */
void	tu_net_addr(struct net_addr *a, const char *ip, unsigned int port);

#endif
