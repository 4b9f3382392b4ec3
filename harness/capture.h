/*
 * capture: reading and writing capture files through libpcap (pcap and pcapng); the only file
 * that includes <pcap.h>.
 *
 * Readers and writers are heap objects owned by the caller; the close functions accept NULL.
 * A packet returned by capture_next() borrows libpcap's buffer and is valid until the next call.
 */
#ifndef MBMS_CAPTURE_H
#define MBMS_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "pkt.h"

struct capture_reader;
struct capture_writer;

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
/* Flushes and closes; returns -1 if the flush failed (data loss is reported, not silent). */
int	capture_close_writer(struct capture_writer *w, struct err *e);

#endif
