/*
 * mcast: IGMP (RFC 1112, 2236, 3376) and MLD (RFC 2710, 3810) group membership messages,
 * dissected from the payload pkt_dissect() hands over, so that a leave of a multicast group
 * (key-update.md §2.5) can be recognised in a capture.
 *
 * Pure byte work through the cursor; the message borrows nothing (addresses are copied). A
 * message whose bytes disagree with its own counts returns -1 naming the field and the byte
 * offset within the IGMP/MLD message.
 */
#ifndef MBMS_MCAST_H
#define MBMS_MCAST_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "pkt.h"

/* Records kept per message; a report holding more says so in nrec_total. */
#define MCAST_MAX_RECORDS	64

/* What a record (or a whole IGMPv1/v2, MLDv1 message) means for its group. */
enum mcast_action {
	MCAST_NONE = 0,		/* a query, or a record that neither joins nor leaves */
	MCAST_JOIN,		/* the sender is (or becomes) a listener of the group */
	MCAST_LEAVE,		/* the sender stops listening to the group altogether */
	MCAST_BLOCK		/* the sender stops listening to some sources of the group */
};

struct mcast_rec {
	uint8_t type;		/* RFC 3376 4.2.12 / RFC 3810 5.2.12 record type; 0 for v1/v2 */
	enum mcast_action action;
	struct pkt_addr group;
	uint16_t nsrc;		/* sources the record names */
};

struct mcast_msg {
	int family;		/* 4: IGMP, 6: MLD */
	int version;		/* IGMP 1, 2 or 3; MLD 1 or 2 */
	uint8_t type;		/* the IGMP type or ICMPv6 type */
	const char *type_name;	/* static text, e.g. "IGMPv2 leave group" */
	struct pkt_addr group;	/* the header's group field (family 0 when the message has none) */
	size_t nrec_total;	/* records in the message (1 for a v1/v2 report or leave) */
	size_t nrec;		/* records kept in rec[] */
	struct mcast_rec rec[MCAST_MAX_RECORDS];
};

/* Returns the name of an action: "none", "join", "leave", "block". */
const char *mcast_action_name(enum mcast_action a);

/*
 * Dissects payload as an IGMP message (ip_proto 2 over IPv4) or, over IPv6 with ip_proto 58, as
 * an MLD message. Returns 1 with *m filled, 0 when the payload is not a membership message (an
 * ICMPv6 message of another type, say), -1 on bytes that contradict themselves.
 */
int	mcast_dissect(int family, int ip_proto, const uint8_t *payload, size_t len,
	    struct mcast_msg *m, struct err *e);

#endif
