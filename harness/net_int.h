/* net_int: helpers shared by net.c, net_udp.c and net_tcp.c; not part of the contract. */
#ifndef MBMS_NET_INT_H
#define MBMS_NET_INT_H

#include <stddef.h>

#include "err.h"
#include "net.h"

/*
 * The address a message names: the peer if there is one, else the local address (a UNIX-domain
 * client is usually unnamed). Writes into buf and returns it.
 */
const char *net_sock_str(const struct net_sock *s, char *buf, size_t cap);
/* The protocol word of a stream socket's messages: "tcp", or "unix" for a UNIX-domain one. */
const char *net_stream_word(const struct net_sock *s);
/* 0 when s is open and of that kind, else -1 naming op. */
int	net_check_open(const struct net_sock *s, enum net_kind kind, const char *op, struct err *e);
/* setsockopt(2) of an int option; -1 names what and the address a. */
int	net_setopt(int fd, int level, int name, int val, const char *what, const struct net_addr *a,
	    struct err *e);
/* Opens a non-blocking socket of the address's family and binds it; fd or -1. */
int	net_open_bound(int type, const struct net_addr *bind_to, int reuse, const char *what,
	    struct err *e);
/* Fills s->local from getsockname(2); 0 or -1. */
int	net_fill_local(struct net_sock *s, const char *what, struct err *e);

#endif
