/*
 * pkt: link-layer, IPv4/IPv6, UDP and TCP headers — dissected from captured frames and
 * synthesized for frames mbmsct writes. Pure byte work through cursor/builder; no libpcap here
 * (capture.c owns that), so link types are the public LINKTYPE_* numbers.
 */
#ifndef MBMS_PKT_H
#define MBMS_PKT_H

#include <stddef.h>
#include <stdint.h>

#include "builder.h"
#include "err.h"

/* tcpdump.org link-layer header types that pkt understands. */
enum pkt_linktype {
	PKT_LINK_NULL = 0,		/* BSD loopback: 4-byte host-order family */
	PKT_LINK_ETHERNET = 1,
	PKT_LINK_RAW = 101,		/* raw IPv4/IPv6, no link header */
	PKT_LINK_LINUX_SLL = 113,
	PKT_LINK_LOOP = 108,		/* OpenBSD loopback: 4-byte network-order family */
	PKT_LINK_IPV4 = 228,
	PKT_LINK_IPV6 = 229,
	PKT_LINK_LINUX_SLL2 = 276
};

enum pkt_proto {
	PKT_PROTO_OTHER = 0,
	PKT_PROTO_TCP = 6,
	PKT_PROTO_UDP = 17
};

struct pkt_addr {
	int family;		/* 4 or 6 */
	uint8_t addr[16];	/* IPv4 in the first 4 bytes */
	uint16_t port;
};

struct pkt_info {
	enum pkt_proto proto;
	struct pkt_addr src, dst;
	const uint8_t *payload;		/* borrowed from the frame */
	size_t payload_len;		/* bytes present in the capture */
	size_t payload_wire_len;	/* length the headers announce (> payload_len if snapped) */
	uint32_t tcp_seq, tcp_ack;
	uint8_t tcp_flags;
	int ip_fragment;		/* 1 when the IP packet is a fragment (payload not dissected) */
	int ip_proto;			/* IPv4 protocol / last IPv6 next header; -1 when not IP */
};

/* Formats an address as "127.0.0.1" / "::1" into out (at least 46 bytes). */
void	pkt_addr_str(const struct pkt_addr *a, char *out, size_t cap);
/* Parses "a.b.c.d" or an IPv6 literal (port left untouched). */
int	pkt_addr_parse(const char *s, struct pkt_addr *a, struct err *e);

/*
 * Dissects a frame of the given link type down to the transport payload. Frames that are not
 * IP, or IP without UDP/TCP, return 0 with proto PKT_PROTO_OTHER. Malformed headers return -1
 * with the layer, field and byte offset named.
 */
int	pkt_dissect(int linktype, const uint8_t *frame, size_t caplen, size_t wirelen,
	    struct pkt_info *out, struct err *e);

/* Appends a complete frame (link header for linktype, IP, UDP with checksum) to b. */
int	pkt_build_udp(struct bld *b, int linktype, const struct pkt_addr *src,
	    const struct pkt_addr *dst, const uint8_t *payload, size_t len, struct err *e);
/* Same for a TCP segment with the given seq/ack/flags. */
int	pkt_build_tcp(struct bld *b, int linktype, const struct pkt_addr *src,
	    const struct pkt_addr *dst, uint32_t seq, uint32_t ack, uint8_t flags,
	    const uint8_t *payload, size_t len, struct err *e);

#endif
