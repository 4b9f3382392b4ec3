/*
 * net: non-blocking UDP and TCP sockets over IPv4 and IPv6, stream connections to UNIX-domain
 * sockets, one poll over a set of them, and the clocks every deadline is measured on.
 *
 * Ownership: a struct net_sock is owned by the caller (embedded in a Lua userdata, or on a
 * stack); net_sock_init() makes it closed, the open functions fill it, net_close() releases it
 * and may be called any number of times. Every socket is non-blocking and close-on-exec, and
 * no call here ever waits except net_poll() and net_sleep(), which always take a deadline.
 *
 * Return convention (harness/err.h): 0 or a length on success, -1 with the message in e
 * naming the operation and the address concerned. Calls that would block return NET_AGAIN
 * instead and leave e untouched; net_recv() returns NET_EOF on an orderly end of stream.
 * Interrupted system calls (EINTR) are retried; SIGPIPE is never raised (MSG_NOSIGNAL).
 *
 * Addresses are numeric only: "127.0.0.1", "::1", "fe80::1%lo"; names are never resolved. A
 * UNIX-domain address is a filesystem path (net_addr_set_unix) and only ever connected to: it is
 * how a target's control actions reach an implementation's control socket ("unix:PATH"). Such
 * an address prints as "unix:PATH" and has port 0; the unnamed address of a socket that was
 * never bound (a client's own end) prints as "unix:" (an empty path), and an abstract one, which
 * Linux reports with a leading NUL, as "unix:@NAME".
 */
#ifndef MBMS_NET_H
#define MBMS_NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "err.h"

#define NET_AGAIN	(-2)	/* the operation would block; try again once poll says so */
#define NET_EOF		(-3)	/* the peer closed its side of the stream in order */

/* "[ffff:...:ffff%ifname]:65535" and "unix:" followed by a whole sun_path (107 bytes) fit. */
#define NET_ADDRSTR_MAX	128
#define NET_IPSTR_MAX	120

/*
 * One endpoint, IPv4, IPv6 or a UNIX-domain path, as the kernel takes it. A zeroed one has
 * family 0 ("none").
 */
struct net_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

enum net_kind {
	NET_UDP = 1,
	NET_LISTENER,
	NET_TCP
};

struct net_sock {
	int fd;			/* -1 when closed */
	enum net_kind kind;
	int family;		/* AF_INET, AF_INET6, or AF_UNIX (a NET_TCP connection only) */
	int connected;		/* TCP: 1 once the connection is known to be established */
	struct net_addr local;	/* the bound address, with the port the kernel chose */
	struct net_addr peer;	/* TCP: the other end (for AF_UNIX: the path connected to) */
};

/* Parses a numeric address (an optional %scope on IPv6) and a port 0..65535. */
int	net_addr_set(struct net_addr *a, const char *ip, unsigned int port, struct err *e);
/*
 * Makes a UNIX-domain stream address of a filesystem path (absolute or relative to the current
 * directory). An empty path, or one of sizeof(sun_path) bytes or more (108 on Linux, the
 * terminating NUL included), is refused. Abstract addresses are not made here.
 */
int	net_addr_set_unix(struct net_addr *a, const char *path, struct err *e);
/* AF_INET, AF_INET6, AF_UNIX, or 0 for none. */
int	net_addr_family(const struct net_addr *a);
/* The port; 0 for a UNIX-domain address and for none. */
unsigned int net_addr_port(const struct net_addr *a);
/*
 * Writes the numeric address alone into ip (cap >= NET_IPSTR_MAX): "127.0.0.1", "::1"; for a
 * UNIX-domain address the whole "unix:PATH". Returns ip.
 */
const char *net_addr_ip(const struct net_addr *a, char *ip, size_t cap);
/*
 * Writes "127.0.0.1:5000", "[::1]:5000" or "unix:PATH" (cap >= NET_ADDRSTR_MAX); returns s.
 */
const char *net_addr_str(const struct net_addr *a, char *s, size_t cap);

/* Makes s closed, so that net_close() on it is harmless. */
void	net_sock_init(struct net_sock *s);
/* Closes the descriptor if open and marks s closed; safe to call twice. */
void	net_close(struct net_sock *s);
int	net_is_open(const struct net_sock *s);

/*
 * UDP. net_udp_open() binds to the address (port 0: the kernel chooses; reuse: SO_REUSEADDR so
 * that several sockets may share a multicast group and port), turns on the reporting of each
 * datagram's destination address (IP_PKTINFO / IPV6_RECVPKTINFO), multicast loopback, and makes
 * the socket receive only the groups it joined itself (IP_MULTICAST_ALL off).
 */
int	net_udp_open(struct net_sock *s, const struct net_addr *bind, int reuse, struct err *e);
/* Returns 0 when the whole datagram was queued, NET_AGAIN, or -1. */
int	net_udp_send(struct net_sock *s, const void *buf, size_t len, const struct net_addr *to,
	    struct err *e);
/*
 * Sends the n datagrams iov[0..n) to one address with as few system calls as the kernel allows
 * (sendmmsg(2), NET_BATCH_MAX at a time): the fast path of a capture replay. Returns how many
 * were queued, in order: n when all were, fewer when the socket's buffer filled (the rest would
 * block; send them once poll says writable), NET_AGAIN when none could be, or -1.
 */
#define NET_BATCH_MAX	256
ssize_t	net_udp_send_batch(struct net_sock *s, const struct iovec *iov, size_t n,
	    const struct net_addr *to, struct err *e);
/*
 * Returns the datagram length (0 is a valid empty datagram), NET_AGAIN, or -1 (also when the
 * datagram did not fit in cap: it is then consumed). src gets the sender; dst, if not NULL,
 * gets the destination address of the datagram with port 0, or family 0 when unknown.
 */
ssize_t	net_udp_recv(struct net_sock *s, void *buf, size_t cap, struct net_addr *src,
	    struct net_addr *dst, struct err *e);
/*
 * Joins or leaves a multicast group. iface is NULL (the kernel chooses), a local address of the
 * interface ("127.0.0.1", "::1") or an interface name ("lo").
 */
int	net_udp_join(struct net_sock *s, const char *group, const char *iface, struct err *e);
int	net_udp_leave(struct net_sock *s, const char *group, const char *iface, struct err *e);
/* The interface multicast datagrams are sent from: an address or a name, as for join. */
int	net_udp_multicast_if(struct net_sock *s, const char *iface, struct err *e);
/* Hop limit of outgoing multicast datagrams, 0..255. */
int	net_udp_multicast_ttl(struct net_sock *s, int ttl, struct err *e);

/*
 * TCP, and UNIX-domain stream connections (kind NET_TCP, family AF_UNIX) which take every call
 * below but net_listen and net_accept. Listens with SO_REUSEADDR; backlog >= 1.
 */
int	net_listen(struct net_sock *s, const struct net_addr *bind, int backlog, struct err *e);
/* Fills c (which must be closed) with the next connection; returns 0, NET_AGAIN or -1. */
int	net_accept(struct net_sock *l, struct net_sock *c, struct err *e);
/*
 * Starts a connection; returns 0 once it is under way (or done) and -1 when it failed at once.
 * Completion is learnt from net_connected().
 *
 * To a UNIX-domain path the kernel answers at once: connected, or refused (nobody listens,
 * ECONNREFUSED; not a socket, ECONNREFUSED; no such file, ENOENT), reported here naming the
 * path. The one case left under way is a listener whose backlog is full (EAGAIN): then
 * net_connected() tries again on each call. Such a socket polls writable while it waits, so the
 * caller's wait is a retry loop, bounded like every wait by its deadline.
 */
int	net_connect(struct net_sock *s, const struct net_addr *to, struct err *e);
/* The same from a chosen source address (port 0 for any); from may be NULL. */
int	net_connect_from(struct net_sock *s, const struct net_addr *to, const struct net_addr *from,
	    struct err *e);
/* Returns 1 when established, NET_AGAIN while in progress, -1 when it failed (SO_ERROR). */
int	net_connected(struct net_sock *s, struct err *e);
/* Returns the number of bytes queued (possibly fewer than len), NET_AGAIN, or -1. */
ssize_t	net_send(struct net_sock *s, const void *buf, size_t len, struct err *e);
/* Returns the number of bytes read (> 0), NET_EOF, NET_AGAIN, or -1. */
ssize_t	net_recv(struct net_sock *s, void *buf, size_t cap, struct err *e);
/* how: SHUT_RD, SHUT_WR or SHUT_RDWR. */
int	net_shutdown(struct net_sock *s, int how, struct err *e);

/* The current addresses of a socket, as the kernel reports them now. */
int	net_local_addr(const struct net_sock *s, struct net_addr *a, struct err *e);
int	net_peer_addr(const struct net_sock *s, struct net_addr *a, struct err *e);

/* Interest and readiness bits of net_poll(). */
#define NET_POLL_READ	0x1
#define NET_POLL_WRITE	0x2
#define NET_POLL_HUP	0x4
#define NET_POLL_ERROR	0x8

struct net_pollent {
	int fd;			/* a descriptor; a negative one is ignored (got stays 0) */
	unsigned int want;	/* NET_POLL_READ | NET_POLL_WRITE */
	unsigned int got;	/* set by net_poll(): readiness, HUP and ERROR are always reported */
};

/*
 * Waits until one of the n entries is ready or timeout_ms (>= 0) milliseconds have passed on
 * the monotonic clock, whichever comes first; the only caller of poll(2). n may be 0 (a
 * sleep). Returns the number of ready entries (0 on timeout) or -1.
 */
int	net_poll(struct net_pollent *ents, size_t n, int timeout_ms, struct err *e);
/* Sleeps for ms milliseconds (>= 0) through net_poll(). */
int	net_sleep(int ms, struct err *e);

/* Seconds on CLOCK_MONOTONIC (for deadlines) and on CLOCK_REALTIME (for reports). */
double	net_now(void);
double	net_wall(void);

#endif
