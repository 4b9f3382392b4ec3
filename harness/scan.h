/*
 * scan: one pass over a capture file for the offline audit — frames dissected, TCP put back in
 * order and read as HTTP, MIKEY on the configured UDP ports decoded — turned into a stream of
 * events, in capture order, for the audit rules (harness/lua/audit.lua).
 *
 * The bulk of key traffic, the MIKEY messages of one kind (the MTK deliveries of a multicast
 * stream), is checked here without becoming an event: well-formedness against the profile's
 * kind rules (KU-MK-01), the MAC under the MSK when the key is known (KU-MK-02) and MTK ID
 * order and range per MSK and destination (KU-BM-14). Such a message becomes an event only when
 * a destination sees a new MSK, so that the rules learn which key the traffic is under. Every
 * other MIKEY message, every HTTP message, every IGMP/MLD join or leave of a group (a UE
 * leaving the user service, key-update.md §2.5) and every damaged frame or stream is an event.
 *
 * Ownership: the scanner owns everything an event points to; an event is valid until the next
 * scan_next() or scan_free(). scan_free() accepts NULL.
 */
#ifndef MBMS_SCAN_H
#define MBMS_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "http.h"
#include "mikey_rules.h"
#include "pkt.h"

#define SCAN_MAX_PORTS		32
#define SCAN_DETAIL_MAX		200	/* findings kept in full per requirement */

struct scan_config {
	struct mikey_rules rules;
	uint16_t mikey_ports[SCAN_MAX_PORTS];	/* UDP ports, either end, that carry MIKEY */
	size_t nports;
	char fast_kind[MIKEY_RULES_NAME_MAX];	/* the kind checked in C ("" for none) */
	size_t kdid_len, mskid_len, mtkid_len;	/* Key ID layout of the fast kind */
};

enum scan_ev_type {
	SCAN_EV_MIKEY,		/* a MIKEY message (decodable or not) that is not of the fast kind */
	SCAN_EV_MTK,		/* a fast-kind message opening a new MSK toward its destination */
	SCAN_EV_HTTP,		/* a complete HTTP request or response */
	SCAN_EV_ERROR,		/* a damaged frame or TCP/HTTP stream; msg says what */
	SCAN_EV_MCAST		/* an IGMP/MLD record joining or leaving a group */
};

struct scan_event {
	enum scan_ev_type type;
	size_t index;			/* packet number (1-based) that completed it */
	double time;
	int has_addr;
	struct pkt_addr src, dst;	/* sender and receiver */
	const uint8_t *payload;		/* MIKEY: the UDP payload */
	size_t payload_len;
	const struct http_msg *http;	/* HTTP */
	unsigned int flow;		/* HTTP and stream errors: connection number (1-based) */
	const uint8_t *msk;		/* MTK: Key Domain ID || MSK ID */
	size_t msk_len;
	uint32_t mtkid;
	/* MIKEY: what the rules need of the message, decoded and validated here once. */
	int decoded;			/* 0: msg says why it does not decode */
	const char *kind;		/* the profile kind inferred, or NULL */
	char viol[ERR_MSG_MAX];		/* the kind's violations, "; "-joined ("" when none) */
	uint32_t csb_id;
	int v;
	int has_counter;
	uint64_t counter;		/* T payload value */
	size_t nids;
	struct mikey_bytes ids[2];	/* the first two ID / IDR payloads' data */
	int has_keyid;
	struct mikey_bytes keyid;	/* the Key ID of the Key ID extension */
	struct pkt_addr group;		/* MCAST: the group (src is the member) */
	const char *action;		/* MCAST: "join" or "leave" */
	char msg[ERR_MSG_MAX];		/* ERROR, or why a MIKEY message does not decode */
};

struct scan_finding {
	char req[16];			/* requirement ID, e.g. "KU-BM-14" */
	size_t index;
	double time;
	char text[256];
};

struct scan_stats {
	size_t packets, mikey, fast, http, errors, tcp_segments, mcast, other;
	double first_time, last_time;	/* of any packet read (0 when none) */
};

struct scan;

/* Opens path (pcap or pcapng) for scanning under cfg (copied). */
struct scan *scan_open(const char *path, const struct scan_config *cfg, struct err *e);
void	scan_free(struct scan *s);
/* Returns 1 with the next event, 0 at the end of the capture, -1 when the file is unreadable. */
int	scan_next(struct scan *s, struct scan_event *ev, struct err *e);
/*
 * Makes an MSK known to the fast path (msk = Key Domain ID || MSK ID): later messages under it
 * are MAC-checked and their MTK IDs checked against seql..sequ (0, 0: range unknown).
 */
int	scan_add_key(struct scan *s, const uint8_t *msk, size_t msk_len, const uint8_t *key,
	    size_t key_len, uint32_t seql, uint32_t sequ, struct err *e);
/* The MSK ID and MTK ID of the latest fast-kind message under a Key Domain ID; 0 if none. */
int	scan_mtk_latest(const struct scan *s, const uint8_t *kdid, size_t kdid_len,
	    const uint8_t **msk, size_t *msk_len, uint32_t *mtkid, double *time);
/* Findings of the fast path so far: up to SCAN_DETAIL_MAX kept per requirement, all counted. */
const struct scan_finding *scan_findings(const struct scan *s, size_t *n);
size_t	scan_findings_total(const struct scan *s);
void	scan_get_stats(const struct scan *s, struct scan_stats *st);

#endif
