/* mcast: IGMP and MLD membership reports, leaves and queries read through the cursor. */
#include "mcast.h"

#include <string.h>

#include "cursor.h"

/* IANA protocol numbers of the carriers. */
#define IPP_IGMP		2
#define IPP_ICMPV6		58

/* IGMP types: RFC 1112 (v1), RFC 2236 (v2), RFC 3376 4 (v3). */
#define IGMP_QUERY		0x11
#define IGMP_V1_REPORT		0x12
#define IGMP_V2_REPORT		0x16
#define IGMP_V2_LEAVE		0x17
#define IGMP_V3_REPORT		0x22
#define IGMP_V12_LEN		8	/* type, max resp, checksum, group */
#define IGMP_V3_QUERY_MIN	12	/* RFC 3376 7.1: a query of 12 bytes or more is v3 */

/* MLD types (ICMPv6): RFC 2710 3 (v1), RFC 3810 5 (v2). */
#define MLD_QUERY		130
#define MLD_V1_REPORT		131
#define MLD_V1_DONE		132
#define MLD_V2_REPORT		143
#define MLD_V1_LEN		24	/* type, code, checksum, max delay, reserved, address */
#define MLD_V2_QUERY_MIN	28	/* RFC 3810 8.1: a query of 28 bytes or more is v2 */

/* Group record types, the same numbers in RFC 3376 4.2.12 and RFC 3810 5.2.12. */
#define REC_IS_INCLUDE		1
#define REC_IS_EXCLUDE		2
#define REC_TO_INCLUDE		3
#define REC_TO_EXCLUDE		4
#define REC_ALLOW		5
#define REC_BLOCK		6

static const char *const action_names[] = { "none", "join", "leave", "block" };

const char *
mcast_action_name(enum mcast_action a)
{
	if ((size_t)a >= sizeof(action_names) / sizeof(action_names[0]))
		return "?";
	return action_names[a];
}

static int
truncated(struct err *e, const char *proto, const char *what, const struct cur *c, size_t need)
{
	return err_setx(e, "%s: %s truncated: %zu of %zu bytes at offset %zu", proto, what,
	    cur_remaining(c), need, cur_offset(c));
}

static int
get_addr(struct cur *c, int family, struct pkt_addr *a)
{
	const uint8_t *p;
	size_t n = family == 4 ? 4 : 16;

	if (cur_get_bytes(c, n, &p) == -1)
		return -1;
	memset(a, 0, sizeof(*a));
	a->family = family;
	memcpy(a->addr, p, n);
	return 0;
}

/*
 * What a version 3 (IGMP) / version 2 (MLD) record means: a change to INCLUDE with no source
 * is how such a host leaves a group (RFC 3376 6.1, RFC 3810 6.1); BLOCK only drops sources.
 */
static enum mcast_action
record_action(uint8_t type, uint16_t nsrc)
{
	switch (type) {
	case REC_IS_INCLUDE:
		return nsrc > 0 ? MCAST_JOIN : MCAST_NONE;
	case REC_TO_INCLUDE:
		return nsrc > 0 ? MCAST_JOIN : MCAST_LEAVE;
	case REC_IS_EXCLUDE:
	case REC_TO_EXCLUDE:
	case REC_ALLOW:
		return MCAST_JOIN;
	case REC_BLOCK:
		return MCAST_BLOCK;
	default:
		return MCAST_NONE;
	}
}

/* The records of an IGMPv3 or MLDv2 report, after its 8-byte header. */
static int
records(struct cur *c, const char *proto, int family, uint16_t nrec, struct mcast_msg *m,
    struct err *e)
{
	size_t alen = family == 4 ? 4 : 16, i, at, skip;
	uint16_t nsrc;
	uint8_t type, aux;
	struct mcast_rec r;

	m->nrec_total = nrec;
	for (i = 0; i < nrec; i++) {
		at = cur_offset(c);
		memset(&r, 0, sizeof(r));
		if (cur_get_u8(c, &type) == -1 || cur_get_u8(c, &aux) == -1 ||
		    cur_get_u16(c, &nsrc) == -1 || get_addr(c, family, &r.group) == -1)
			return err_setx(e, "%s: record %zu of %u: header truncated: %zu of %zu "
			    "bytes at offset %zu", proto, i + 1, nrec, cur_remaining(c) +
			    (cur_offset(c) - at), 4 + alen, at);
		/* Sources, then auxiliary data counted in 32-bit words. */
		skip = (size_t)nsrc * alen + (size_t)aux * 4;
		if (cur_skip(c, skip) == -1)
			return err_setx(e, "%s: record %zu of %u (%s): %u sources and %u aux words "
			    "need %zu bytes but %zu remain at offset %zu", proto, i + 1, nrec,
			    family == 4 ? "group" : "address", nsrc, aux, skip, cur_remaining(c),
			    cur_offset(c));
		r.type = type;
		r.nsrc = nsrc;
		r.action = record_action(type, nsrc);
		if (m->nrec < MCAST_MAX_RECORDS)
			m->rec[m->nrec++] = r;
	}
	return 0;
}

/* A v1/v2 report or leave: one group, one meaning. */
static void
single(struct mcast_msg *m, enum mcast_action a)
{
	m->nrec_total = m->nrec = 1;
	m->rec[0].type = 0;
	m->rec[0].action = a;
	m->rec[0].group = m->group;
	m->rec[0].nsrc = 0;
}

static int
igmp(struct cur *c, size_t len, struct mcast_msg *m, struct err *e)
{
	uint8_t type, code;
	uint16_t csum, nrec;
	struct cur h;

	if (cur_peek_u8(c, &type) == -1)
		return truncated(e, "IGMP", "message", c, 1);
	if (type != IGMP_QUERY && type != IGMP_V1_REPORT && type != IGMP_V2_REPORT &&
	    type != IGMP_V2_LEAVE && type != IGMP_V3_REPORT)
		return 0;
	if (cur_sub(c, IGMP_V12_LEN, &h) == -1)
		return truncated(e, "IGMP", "header", c, IGMP_V12_LEN);
	m->family = 4;
	m->type = type;
	(void)cur_get_u8(&h, &type);
	(void)cur_get_u8(&h, &code);
	(void)cur_get_u16(&h, &csum);
	switch (type) {
	case IGMP_V3_REPORT:
		/* RFC 3376 4.2: reserved, checksum, reserved, number of group records. */
		(void)cur_skip(&h, 2);
		(void)cur_get_u16(&h, &nrec);
		m->version = 3;
		m->type_name = "IGMPv3 membership report";
		return records(c, "IGMPv3 report", 4, nrec, m, e) == -1 ? -1 : 1;
	case IGMP_QUERY:
		(void)get_addr(&h, 4, &m->group);
		/* RFC 3376 7.1: length tells v3 from older queries, max resp time v1 from v2. */
		m->version = len >= IGMP_V3_QUERY_MIN ? 3 : code == 0 ? 1 : 2;
		m->type_name = "IGMP membership query";
		return 1;
	default:
		(void)get_addr(&h, 4, &m->group);
		break;
	}
	switch (type) {
	case IGMP_V1_REPORT:
		m->version = 1;
		m->type_name = "IGMPv1 membership report";
		single(m, MCAST_JOIN);
		break;
	case IGMP_V2_REPORT:
		m->version = 2;
		m->type_name = "IGMPv2 membership report";
		single(m, MCAST_JOIN);
		break;
	default:
		m->version = 2;
		m->type_name = "IGMPv2 leave group";
		single(m, MCAST_LEAVE);
		break;
	}
	return 1;
}

static int
mld(struct cur *c, size_t len, struct mcast_msg *m, struct err *e)
{
	uint8_t type;
	uint16_t nrec;
	struct cur h;

	if (cur_peek_u8(c, &type) == -1)
		return truncated(e, "ICMPv6", "message", c, 1);
	if (type != MLD_QUERY && type != MLD_V1_REPORT && type != MLD_V1_DONE &&
	    type != MLD_V2_REPORT)
		return 0;
	m->family = 6;
	m->type = type;
	if (type == MLD_V2_REPORT) {
		/* RFC 3810 5.2: type, reserved, checksum, reserved, number of records. */
		if (cur_sub(c, 8, &h) == -1)
			return truncated(e, "MLDv2 report", "header", c, 8);
		(void)cur_skip(&h, 6);
		(void)cur_get_u16(&h, &nrec);
		m->version = 2;
		m->type_name = "MLDv2 listener report";
		return records(c, "MLDv2 report", 6, nrec, m, e) == -1 ? -1 : 1;
	}
	if (cur_sub(c, MLD_V1_LEN, &h) == -1)
		return truncated(e, "MLD", "message", c, MLD_V1_LEN);
	(void)cur_skip(&h, 8);
	(void)get_addr(&h, 6, &m->group);
	switch (type) {
	case MLD_QUERY:
		m->version = len >= MLD_V2_QUERY_MIN ? 2 : 1;
		m->type_name = "MLD listener query";
		break;
	case MLD_V1_REPORT:
		m->version = 1;
		m->type_name = "MLDv1 listener report";
		single(m, MCAST_JOIN);
		break;
	default:
		m->version = 1;
		m->type_name = "MLDv1 listener done";
		single(m, MCAST_LEAVE);
		break;
	}
	return 1;
}

int
mcast_dissect(int family, int ip_proto, const uint8_t *payload, size_t len,
    struct mcast_msg *m, struct err *e)
{
	struct cur c;

	memset(m, 0, sizeof(*m));
	cur_init(&c, payload, len);
	if (family == 4 && ip_proto == IPP_IGMP)
		return igmp(&c, len, m, e);
	if (family == 6 && ip_proto == IPP_ICMPV6)
		return mld(&c, len, m, e);
	return 0;
}
