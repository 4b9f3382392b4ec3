/*
 * capture: reading and writing capture files through libpcap (pcap and pcapng), and capturing
 * live from an interface. The module is capture.c (files) and capture_live.c (interfaces); they
 * are the only files that include <pcap.h>.
 *
 * Readers, writers and live captures are heap objects owned by the caller; the close functions
 * accept NULL. A packet returned by capture_next() or capture_live_next() borrows libpcap's
 * buffer and is valid until the next call on the same object.
 */
#ifndef MBMS_CAPTURE_H
#define MBMS_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "pkt.h"

struct capture_reader;
struct capture_writer;
struct capture_live;

struct capture_pkt {
	size_t index;		/* 1-based packet number, as Wireshark counts */
	int64_t ts_sec;
	int32_t ts_usec;
	int linktype;		/* LINKTYPE_* of this packet's interface */
	const uint8_t *data;	/* borrowed */
	size_t caplen;
	size_t wirelen;
};

/* Opens a pcap or pcapng file ("-" is standard input). */
struct capture_reader *capture_open(const char *path, struct err *e);
/* Returns 1 with a packet, 0 at the end, -1 on a damaged file (message names the packet). */
int	capture_next(struct capture_reader *r, struct capture_pkt *p, struct err *e);
int	capture_linktype(const struct capture_reader *r);
void	capture_close(struct capture_reader *r);

/* Creates a pcap file of the given link type and snap length 65535. */
struct capture_writer *capture_create(const char *path, int linktype, struct err *e);
int	capture_write(struct capture_writer *w, int64_t ts_sec, int32_t ts_usec,
	    const uint8_t *frame, size_t len, struct err *e);
/* Synthesizes headers (pkt_build_udp) around payload and writes the frame. */
int	capture_write_udp(struct capture_writer *w, int64_t ts_sec, int32_t ts_usec,
	    const struct pkt_addr *src, const struct pkt_addr *dst, const uint8_t *payload,
	    size_t len, struct err *e);
int	capture_write_tcp(struct capture_writer *w, int64_t ts_sec, int32_t ts_usec,
	    const struct pkt_addr *src, const struct pkt_addr *dst, uint32_t seq, uint32_t ack,
	    uint8_t flags, const uint8_t *payload, size_t len, struct err *e);
/* Writes a captured packet as it is: its caplen bytes, its wire length and its time. */
int	capture_write_pkt(struct capture_writer *w, const struct capture_pkt *p, struct err *e);
/* Flushes and closes; returns -1 if the flush failed (data loss is reported, not silent). */
int	capture_close_writer(struct capture_writer *w, struct err *e);

/* Options of a live capture; zero values take the defaults. */
struct capture_live_opts {
	const char *filter;	/* BPF expression (pcap-filter(7)); NULL or "" captures all */
	int snaplen;		/* bytes kept per packet; default 65535 */
	int buffer_size;	/* kernel ring in bytes; default 4 MiB */
};

struct capture_live_stats {
	uint64_t received;	/* packets libpcap handed over (capture_live_next() returned) */
	uint64_t kernel_seen;	/* pcap_stats ps_recv: packets that passed the filter */
	uint64_t dropped;	/* ps_drop: lost for want of buffer space */
	uint64_t if_dropped;	/* ps_ifdrop: dropped by the interface or driver */
};

/*
 * Starts capturing on an interface ("lo", "eth0", "any") in immediate, non-blocking mode, not
 * promiscuous. Errors name the interface and, for a bad expression, the filter.
 */
struct capture_live *capture_live_open(const char *iface, const struct capture_live_opts *o,
	    struct err *e);
/* A descriptor that poll(2) reports readable when packets may be pending. */
int	capture_live_fd(const struct capture_live *l);
int	capture_live_linktype(const struct capture_live *l);
/* Returns 1 with a packet, 0 when none is pending (never waits), -1 on a capture error. */
int	capture_live_next(struct capture_live *l, struct capture_pkt *p, struct err *e);
int	capture_live_stats(struct capture_live *l, struct capture_live_stats *s, struct err *e);
void	capture_live_close(struct capture_live *l);

#endif
