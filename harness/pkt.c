/* pkt: link, IPv4/IPv6, UDP and TCP headers read through the cursor and written through the builder. */
#include "pkt.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cursor.h"

/* EtherTypes (IEEE 802 registry) that lead to something pkt dissects. */
#define ETYPE_IPV4		0x0800
#define ETYPE_IPV6		0x86dd
#define ETYPE_VLAN		0x8100	/* IEEE 802.1Q customer tag */
#define ETYPE_QINQ		0x88a8	/* IEEE 802.1ad service tag, same 4-byte shape */

/*
 * Address families in NULL and LOOP headers: IPv4 is 2 everywhere, but the BSDs disagree on
 * IPv6, so every value a capture may carry is accepted and the first one is written.
 */
#define LOOP_AF_INET		2
#define LOOP_AF_INET6_BSD	24	/* NetBSD, OpenBSD, BSD/OS */
#define LOOP_AF_INET6_FREEBSD	28
#define LOOP_AF_INET6_DARWIN	30

/* Linux cooked-capture values (tcpdump.org LINKTYPE_LINUX_SLL/SLL2 pages). */
#define SLL_HOST		0	/* packet type: addressed to this host */
#define SLL_ARPHRD_LOOPBACK	772
#define SLL_HDR_LEN		16
#define SLL2_HDR_LEN		20

/* IANA protocol numbers; named here because <netinet/in.h> owns the IPPROTO_ names. */
#define IPP_HOPOPTS		0
#define IPP_TCP			6
#define IPP_UDP			17
#define IPP_ROUTING		43
#define IPP_FRAGMENT		44
#define IPP_DSTOPTS		60

#define IPV4_HDR_LEN		20
#define IPV6_HDR_LEN		40
#define UDP_HDR_LEN		8
#define TCP_HDR_LEN		20
#define IP_MAX_LEN		65535
#define BUILD_TTL		64
#define BUILD_TCP_WINDOW	65535
#define IPV4_DF			0x4000	/* RFC 791 flags: don't fragment */
#define IPV4_FRAG_MASK		0x3fff	/* MF flag and fragment offset */

static const struct {
	int value;
	const char *name;
} link_names[] = {
	{ PKT_LINK_NULL, "NULL" },
	{ PKT_LINK_ETHERNET, "ETHERNET" },
	{ PKT_LINK_RAW, "RAW" },
	{ PKT_LINK_LOOP, "LOOP" },
	{ PKT_LINK_LINUX_SLL, "LINUX_SLL" },
	{ PKT_LINK_IPV4, "IPV4" },
	{ PKT_LINK_IPV6, "IPV6" },
	{ PKT_LINK_LINUX_SLL2, "LINUX_SLL2" },
};

static const char *
link_name(int linktype)
{
	size_t i;

	for (i = 0; i < sizeof(link_names) / sizeof(link_names[0]); i++)
		if (link_names[i].value == linktype)
			return link_names[i].name;
	return NULL;
}

/*
 * A layer being dissected: the captured bytes of the layer and the absolute offset at which the
 * layer ended on the wire. The two differ when the capture was snapped short.
 */
struct span {
	struct cur c;
	size_t wire_end;
};

static size_t
span_wire_left(const struct span *s)
{
	return s->wire_end - cur_offset(&s->c);
}

static size_t
min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* The one message for a header that the capture does not hold in full. */
static int
truncated(struct err *e, const char *layer, const char *what, const struct cur *c, size_t need)
{
	return err_setx(e, "%s: %s truncated: %zu of %zu bytes captured at offset %zu", layer,
	    what, cur_remaining(c), need, cur_offset(c));
}

/* The message for a transport header longer than the IP packet says its payload is. */
static int
short_segment(struct err *e, const char *layer, size_t need, size_t have, size_t at)
{
	return err_setx(e, "%s: header needs %zu bytes but the IP payload has %zu at offset %zu",
	    layer, need, have, at);
}

/*
 * Narrows s to its next wire_len bytes (what the enclosing header announces), keeping only what
 * was captured of them. The caller has checked wire_len against span_wire_left().
 */
static void
span_narrow(struct span *s, size_t wire_len, struct span *inner)
{
	size_t at = cur_offset(&s->c);

	/* Cannot fail: the length is clipped to what remains. */
	(void)cur_sub(&s->c, min_size(wire_len, cur_remaining(&s->c)), &inner->c);
	inner->wire_end = at + wire_len;
}

/* Hands the rest of the layer to the caller as the payload (captured part and wire length). */
static void
take_payload(struct span *s, struct pkt_info *out)
{
	out->payload_wire_len = span_wire_left(s);
	out->payload_len = cur_remaining(&s->c);
	(void)cur_get_bytes(&s->c, out->payload_len, &out->payload);
}

static int
net_from_loop_family(uint32_t fam)
{
	switch (fam) {
	case LOOP_AF_INET:
		return 4;
	case LOOP_AF_INET6_BSD:
	case LOOP_AF_INET6_FREEBSD:
	case LOOP_AF_INET6_DARWIN:
		return 6;
	default:
		return 0;
	}
}

static int
net_from_ethertype(uint16_t type)
{
	switch (type) {
	case ETYPE_IPV4:
		return 4;
	case ETYPE_IPV6:
		return 6;
	default:
		return 0;
	}
}

static uint32_t
swap32(uint32_t v)
{
	return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
}

/* Consumes the link header; *net becomes 4 or 6 for IP, 0 for anything else. */
static int
dissect_link(int linktype, struct span *s, int *net, struct err *e)
{
	struct cur h;
	uint32_t fam;
	uint16_t type;
	uint8_t vers;

	*net = 0;
	switch (linktype) {
	case PKT_LINK_NULL:
	case PKT_LINK_LOOP:
		if (cur_get_u32(&s->c, &fam) == -1)
			return truncated(e, link_name(linktype), "link header", &s->c, 4);
		/*
		 * NULL carries the family in the byte order of the capturing host. Families fit
		 * in 16 bits, so a value above that was written in the other order.
		 */
		if (linktype == PKT_LINK_NULL && fam > 0xffff)
			fam = swap32(fam);
		*net = net_from_loop_family(fam);
		return 0;
	case PKT_LINK_ETHERNET:
		if (cur_sub(&s->c, 14, &h) == -1)
			return truncated(e, "Ethernet", "header", &s->c, 14);
		if (cur_skip(&h, 12) == -1 || cur_get_u16(&h, &type) == -1)
			return truncated(e, "Ethernet", "header", &h, 14);
		if (type == ETYPE_VLAN || type == ETYPE_QINQ) {
			if (cur_sub(&s->c, 4, &h) == -1)
				return truncated(e, "Ethernet", "802.1Q tag", &s->c, 4);
			if (cur_skip(&h, 2) == -1 || cur_get_u16(&h, &type) == -1)
				return truncated(e, "Ethernet", "802.1Q tag", &h, 4);
		}
		*net = net_from_ethertype(type);
		return 0;
	case PKT_LINK_LINUX_SLL:
		if (cur_sub(&s->c, SLL_HDR_LEN, &h) == -1)
			return truncated(e, "LINUX_SLL", "header", &s->c, SLL_HDR_LEN);
		if (cur_skip(&h, 14) == -1 || cur_get_u16(&h, &type) == -1)
			return truncated(e, "LINUX_SLL", "header", &h, SLL_HDR_LEN);
		*net = net_from_ethertype(type);
		return 0;
	case PKT_LINK_LINUX_SLL2:
		if (cur_sub(&s->c, SLL2_HDR_LEN, &h) == -1)
			return truncated(e, "LINUX_SLL2", "header", &s->c, SLL2_HDR_LEN);
		if (cur_get_u16(&h, &type) == -1)
			return truncated(e, "LINUX_SLL2", "header", &h, SLL2_HDR_LEN);
		*net = net_from_ethertype(type);
		return 0;
	case PKT_LINK_RAW:
		/* The link type promises IP, so anything but version 4 or 6 is a lie. */
		if (cur_peek_u8(&s->c, &vers) == -1)
			return truncated(e, "RAW", "IP version", &s->c, 1);
		if (vers >> 4 != 4 && vers >> 4 != 6)
			return err_setx(e, "RAW: IP version %u is neither 4 nor 6 at offset %zu",
			    vers >> 4, cur_offset(&s->c));
		*net = vers >> 4;
		return 0;
	case PKT_LINK_IPV4:
		*net = 4;
		return 0;
	case PKT_LINK_IPV6:
		*net = 6;
		return 0;
	default:
		return err_setx(e, "link: unsupported link type %d", linktype);
	}
}

static void
set_addrs(struct pkt_info *out, int family, const uint8_t *src, const uint8_t *dst)
{
	size_t n = family == 4 ? 4 : 16;

	out->src.family = out->dst.family = family;
	memcpy(out->src.addr, src, n);
	memcpy(out->dst.addr, dst, n);
}

static int
dissect_udp(struct span *s, struct pkt_info *out, struct err *e)
{
	size_t base = cur_offset(&s->c), seg = span_wire_left(s);
	uint16_t sport, dport, ulen;
	struct span body;
	struct cur h;

	if (seg < UDP_HDR_LEN)
		return short_segment(e, "UDP", UDP_HDR_LEN, seg, base);
	if (cur_sub(&s->c, UDP_HDR_LEN, &h) == -1)
		return truncated(e, "UDP", "header", &s->c, UDP_HDR_LEN);
	if (cur_get_u16(&h, &sport) == -1 || cur_get_u16(&h, &dport) == -1 ||
	    cur_get_u16(&h, &ulen) == -1)
		return truncated(e, "UDP", "header", &h, UDP_HDR_LEN);
	/* RFC 768: the length counts the header, so below 8 it cannot be true. */
	if (ulen < UDP_HDR_LEN)
		return err_setx(e, "UDP: length %u below %d at offset %zu", ulen, UDP_HDR_LEN,
		    base + 4);
	if (ulen > seg)
		return err_setx(e, "UDP: length %u exceeds the %zu-byte IP payload at offset %zu",
		    ulen, seg, base + 4);
	out->proto = PKT_PROTO_UDP;
	out->src.port = sport;
	out->dst.port = dport;
	/* Bytes after the UDP length (Ethernet padding, say) are not payload. */
	span_narrow(s, ulen - UDP_HDR_LEN, &body);
	take_payload(&body, out);
	return 0;
}

static int
dissect_tcp(struct span *s, struct pkt_info *out, struct err *e)
{
	size_t base = cur_offset(&s->c), seg = span_wire_left(s), doff;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t off, flags;
	struct cur h;

	if (seg < TCP_HDR_LEN)
		return short_segment(e, "TCP", TCP_HDR_LEN, seg, base);
	if (cur_sub(&s->c, TCP_HDR_LEN, &h) == -1)
		return truncated(e, "TCP", "header", &s->c, TCP_HDR_LEN);
	if (cur_get_u16(&h, &sport) == -1 || cur_get_u16(&h, &dport) == -1 ||
	    cur_get_u32(&h, &seq) == -1 || cur_get_u32(&h, &ack) == -1 ||
	    cur_get_u8(&h, &off) == -1 || cur_get_u8(&h, &flags) == -1)
		return truncated(e, "TCP", "header", &h, TCP_HDR_LEN);
	/* RFC 9293 3.1: data offset counts 32-bit words and the fixed header is five of them. */
	doff = (size_t)(off >> 4) * 4;
	if (doff < TCP_HDR_LEN)
		return err_setx(e, "TCP: data offset %u below 5 at offset %zu", off >> 4,
		    base + 12);
	if (doff > seg)
		return err_setx(e, "TCP: data offset %u (%zu bytes) exceeds the %zu-byte segment "
		    "at offset %zu", off >> 4, doff, seg, base + 12);
	if (cur_skip(&s->c, doff - TCP_HDR_LEN) == -1)
		return truncated(e, "TCP", "options", &s->c, doff - TCP_HDR_LEN);
	out->proto = PKT_PROTO_TCP;
	out->src.port = sport;
	out->dst.port = dport;
	out->tcp_seq = seq;
	out->tcp_ack = ack;
	out->tcp_flags = flags;
	take_payload(s, out);
	return 0;
}

static int
dissect_transport(uint8_t proto, struct span *s, struct pkt_info *out, struct err *e)
{
	switch (proto) {
	case IPP_UDP:
		return dissect_udp(s, out, e);
	case IPP_TCP:
		return dissect_tcp(s, out, e);
	default:
		take_payload(s, out);
		return 0;
	}
}

static int
dissect_ipv4(struct span *s, struct pkt_info *out, struct err *e)
{
	size_t base = cur_offset(&s->c), wire_left = span_wire_left(s), hlen;
	const uint8_t *src, *dst;
	uint16_t total, frag;
	uint8_t vihl, proto;
	struct span body;
	struct cur h;

	if (cur_sub(&s->c, IPV4_HDR_LEN, &h) == -1)
		return truncated(e, "IPv4", "header", &s->c, IPV4_HDR_LEN);
	if (cur_get_u8(&h, &vihl) == -1 || cur_skip(&h, 1) == -1 ||
	    cur_get_u16(&h, &total) == -1 || cur_skip(&h, 2) == -1 ||
	    cur_get_u16(&h, &frag) == -1 || cur_skip(&h, 1) == -1 ||
	    cur_get_u8(&h, &proto) == -1 || cur_skip(&h, 2) == -1 ||
	    cur_get_bytes(&h, 4, &src) == -1 || cur_get_bytes(&h, 4, &dst) == -1)
		return truncated(e, "IPv4", "header", &h, IPV4_HDR_LEN);
	if (vihl >> 4 != 4)
		return err_setx(e, "IPv4: version %u is not 4 at offset %zu", vihl >> 4, base);
	/* RFC 791: IHL counts 32-bit words, at least five. */
	hlen = (size_t)(vihl & 0x0f) * 4;
	if (hlen < IPV4_HDR_LEN)
		return err_setx(e, "IPv4: header length %zu (IHL %u) below 20 at offset %zu", hlen,
		    vihl & 0x0f, base);
	if (total < hlen)
		return err_setx(e, "IPv4: total length %u below header length %zu at offset %zu",
		    total, hlen, base + 2);
	if (total > wire_left)
		return err_setx(e, "IPv4: total length %u exceeds the %zu bytes left in the frame "
		    "at offset %zu", total, wire_left, base + 2);
	if (cur_skip(&s->c, hlen - IPV4_HDR_LEN) == -1)
		return truncated(e, "IPv4", "options", &s->c, hlen - IPV4_HDR_LEN);
	set_addrs(out, 4, src, dst);
	out->ip_proto = proto;
	span_narrow(s, total - hlen, &body);
	if (frag & IPV4_FRAG_MASK) {
		/* Reassembly is not pkt's business: flag the fragment and hand it over raw. */
		out->ip_fragment = 1;
		take_payload(&body, out);
		return 0;
	}
	return dissect_transport(proto, &body, out, e);
}

static const char *
ext_name(uint8_t nh)
{
	switch (nh) {
	case IPP_HOPOPTS:
		return "hop-by-hop";
	case IPP_ROUTING:
		return "routing";
	case IPP_FRAGMENT:
		return "fragment";
	case IPP_DSTOPTS:
		return "destination options";
	default:
		return NULL;
	}
}

static int
dissect_ipv6(struct span *s, struct pkt_info *out, struct err *e)
{
	size_t base = cur_offset(&s->c), wire_left, at, len;
	const uint8_t *src, *dst;
	uint32_t vtf;
	uint16_t plen, fragoff;
	uint8_t nh, next, hlen;
	struct span body;
	struct cur h;
	const char *name;

	if (cur_sub(&s->c, IPV6_HDR_LEN, &h) == -1)
		return truncated(e, "IPv6", "header", &s->c, IPV6_HDR_LEN);
	if (cur_get_u32(&h, &vtf) == -1 || cur_get_u16(&h, &plen) == -1 ||
	    cur_get_u8(&h, &nh) == -1 || cur_skip(&h, 1) == -1 ||
	    cur_get_bytes(&h, 16, &src) == -1 || cur_get_bytes(&h, 16, &dst) == -1)
		return truncated(e, "IPv6", "header", &h, IPV6_HDR_LEN);
	if (vtf >> 28 != 6)
		return err_setx(e, "IPv6: version %u is not 6 at offset %zu", vtf >> 28, base);
	wire_left = span_wire_left(s);
	if (plen > wire_left)
		return err_setx(e, "IPv6: payload length %u exceeds the %zu bytes left in the frame "
		    "at offset %zu", plen, wire_left, base + 4);
	set_addrs(out, 6, src, dst);
	span_narrow(s, plen, &body);

	/* RFC 8200 4: every extension header is a multiple of 8 bytes, so this loop ends. */
	while ((name = ext_name(nh)) != NULL) {
		at = cur_offset(&body.c);
		if (span_wire_left(&body) < 8)
			return err_setx(e, "IPv6: %s header needs 8 bytes but the payload has %zu "
			    "left at offset %zu", name, span_wire_left(&body), at);
		if (cur_sub(&body.c, 8, &h) == -1)
			return truncated(e, "IPv6", "extension header", &body.c, 8);
		if (cur_get_u8(&h, &next) == -1 || cur_get_u8(&h, &hlen) == -1 ||
		    cur_get_u16(&h, &fragoff) == -1)
			return truncated(e, "IPv6", "extension header", &h, 8);
		if (nh == IPP_FRAGMENT) {
			/* RFC 8200 4.5: offset in the top 13 bits, M flag in the lowest. */
			if ((fragoff >> 3) != 0 || (fragoff & 1) != 0) {
				out->ip_fragment = 1;
				take_payload(&body, out);
				return 0;
			}
			/* An atomic fragment holds the whole packet: dissect on. */
		} else {
			len = ((size_t)hlen + 1) * 8;
			if (len > (body.wire_end - at))
				return err_setx(e, "IPv6: %s header length %zu exceeds the %zu "
				    "payload bytes left at offset %zu", name, len,
				    body.wire_end - at, at + 1);
			if (cur_skip(&body.c, len - 8) == -1)
				return truncated(e, "IPv6", "extension header", &body.c, len - 8);
		}
		nh = next;
	}
	out->ip_proto = nh;
	return dissect_transport(nh, &body, out, e);
}

int
pkt_dissect(int linktype, const uint8_t *frame, size_t caplen, size_t wirelen,
    struct pkt_info *out, struct err *e)
{
	struct span s;
	int net;

	memset(out, 0, sizeof(*out));
	out->proto = PKT_PROTO_OTHER;
	out->ip_proto = -1;
	cur_init(&s.c, frame, caplen);
	/* A wire length below the captured one is nonsense; believe the bytes we hold. */
	s.wire_end = wirelen < cur_remaining(&s.c) ? cur_remaining(&s.c) : wirelen;
	if (dissect_link(linktype, &s, &net, e) == -1)
		return -1;
	switch (net) {
	case 4:
		return dissect_ipv4(&s, out, e);
	case 6:
		return dissect_ipv6(&s, out, e);
	default:
		return 0;
	}
}

/* Adds bytes to an RFC 1071 ones'-complement sum as big-endian 16-bit words. */
static uint64_t
csum_add(uint64_t sum, const uint8_t *p, size_t n)
{
	struct cur c;
	uint16_t w;
	uint8_t last;

	cur_init(&c, p, n);
	while (cur_get_u16(&c, &w) == 0)
		sum += w;
	if (cur_get_u8(&c, &last) == 0)
		sum += (uint32_t)last << 8;
	return sum;
}

static uint16_t
csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void
patch_u16(struct bld *b, size_t at, uint16_t v)
{
	bld_patch_u8(b, at, (uint8_t)(v >> 8));
	bld_patch_u8(b, at + 1, (uint8_t)v);
}

static int
build_link(struct bld *b, int linktype, int family, struct err *e)
{
	uint16_t etype = family == 4 ? ETYPE_IPV4 : ETYPE_IPV6;
	uint32_t fam = family == 4 ? LOOP_AF_INET : LOOP_AF_INET6_BSD;

	switch (linktype) {
	case PKT_LINK_NULL:
		/* The family in this host's byte order, as the BSD loopback writes it. */
		bld_bytes(b, &fam, sizeof(fam));
		return 0;
	case PKT_LINK_LOOP:
		bld_u32(b, fam);
		return 0;
	case PKT_LINK_ETHERNET:
		bld_zeros(b, 12);		/* destination and source MAC */
		bld_u16(b, etype);
		return 0;
	case PKT_LINK_LINUX_SLL:
		bld_u16(b, SLL_HOST);
		bld_u16(b, SLL_ARPHRD_LOOPBACK);
		bld_u16(b, 6);			/* address length */
		bld_zeros(b, 8);		/* address, padded to 8 */
		bld_u16(b, etype);
		return 0;
	case PKT_LINK_LINUX_SLL2:
		bld_u16(b, etype);
		bld_u16(b, 0);			/* reserved */
		bld_u32(b, 1);			/* interface index */
		bld_u16(b, SLL_ARPHRD_LOOPBACK);
		bld_u8(b, SLL_HOST);
		bld_u8(b, 6);			/* address length */
		bld_zeros(b, 8);
		return 0;
	case PKT_LINK_RAW:
		return 0;
	case PKT_LINK_IPV4:
	case PKT_LINK_IPV6:
		if ((linktype == PKT_LINK_IPV4) != (family == 4))
			return err_setx(e, "pkt: link type %s (%d) cannot carry IPv%d",
			    link_name(linktype), linktype, family);
		return 0;
	default:
		return err_setx(e, "pkt: cannot build frames of link type %d", linktype);
	}
}

/* Writes a complete frame: a TCP segment when tcp is set, else a UDP datagram. */
static int
build_frame(struct bld *b, int linktype, const struct pkt_addr *src, const struct pkt_addr *dst,
    int tcp, uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *payload, size_t len,
    struct err *e)
{
	size_t alen, hlen = tcp ? TCP_HDR_LEN : UDP_HDR_LEN, l4len, ip_at, l4_at;
	uint8_t proto = tcp ? IPP_TCP : IPP_UDP;
	uint64_t sum;
	uint16_t ck;

	if (!bld_ok(b))
		return bld_finish(b, e);
	if (src->family != 4 && src->family != 6)
		return err_setx(e, "pkt: source address family %d is neither 4 nor 6",
		    src->family);
	if (dst->family != src->family)
		return err_setx(e, "pkt: source is IPv%d but destination is IPv%d", src->family,
		    dst->family);
	if (payload == NULL && len > 0)
		return err_setx(e, "pkt: %zu payload bytes but no payload", len);
	/* Both the IPv4 total length and the IPv6 payload length are 16-bit fields. */
	alen = src->family == 4 ? 4 : 16;
	if (len > IP_MAX_LEN - hlen - (src->family == 4 ? IPV4_HDR_LEN : 0))
		return err_setx(e, "pkt: a %s payload of %zu bytes does not fit an IPv%d packet",
		    tcp ? "TCP" : "UDP", len, src->family);
	l4len = hlen + len;
	if (build_link(b, linktype, src->family, e) == -1)
		return -1;

	ip_at = b->len;
	if (src->family == 4) {
		bld_u8(b, 0x45);			/* version 4, IHL 5 */
		bld_u8(b, 0);				/* DSCP/ECN */
		bld_u16(b, (uint16_t)(IPV4_HDR_LEN + l4len));
		bld_u16(b, 0);				/* identification */
		bld_u16(b, IPV4_DF);
		bld_u8(b, BUILD_TTL);
		bld_u8(b, proto);
		bld_u16(b, 0);				/* checksum, patched below */
	} else {
		bld_u32(b, 0x60000000);			/* version 6, class 0, flow 0 */
		bld_u16(b, (uint16_t)l4len);
		bld_u8(b, proto);
		bld_u8(b, BUILD_TTL);
	}
	bld_bytes(b, src->addr, alen);
	bld_bytes(b, dst->addr, alen);

	l4_at = b->len;
	bld_u16(b, src->port);
	bld_u16(b, dst->port);
	if (tcp) {
		bld_u32(b, seq);
		bld_u32(b, ack);
		bld_u8(b, 5 << 4);			/* data offset: no options */
		bld_u8(b, flags);
		bld_u16(b, BUILD_TCP_WINDOW);
		bld_u16(b, 0);				/* checksum, patched below */
		bld_u16(b, 0);				/* urgent pointer */
	} else {
		bld_u16(b, (uint16_t)l4len);
		bld_u16(b, 0);				/* checksum, patched below */
	}
	bld_bytes(b, payload, len);
	if (!bld_ok(b))
		return bld_finish(b, e);

	if (src->family == 4)
		patch_u16(b, ip_at + 10, csum_fold(csum_add(0, b->buf + ip_at, IPV4_HDR_LEN)));
	/* RFC 768 / RFC 9293 / RFC 8200 8.1: the pseudo-header sums to the same words for both. */
	sum = csum_add(0, src->addr, alen);
	sum = csum_add(sum, dst->addr, alen);
	sum += proto + l4len;
	ck = csum_fold(csum_add(sum, b->buf + l4_at, l4len));
	/* RFC 768: a computed zero is sent as all ones; zero means "no checksum". */
	if (!tcp && ck == 0)
		ck = 0xffff;
	patch_u16(b, l4_at + (tcp ? 16 : 6), ck);
	return bld_finish(b, e);
}

int
pkt_build_udp(struct bld *b, int linktype, const struct pkt_addr *src,
    const struct pkt_addr *dst, const uint8_t *payload, size_t len, struct err *e)
{
	return build_frame(b, linktype, src, dst, 0, 0, 0, 0, payload, len, e);
}

int
pkt_build_tcp(struct bld *b, int linktype, const struct pkt_addr *src,
    const struct pkt_addr *dst, uint32_t seq, uint32_t ack, uint8_t flags,
    const uint8_t *payload, size_t len, struct err *e)
{
	return build_frame(b, linktype, src, dst, 1, seq, ack, flags, payload, len, e);
}

void
pkt_addr_str(const struct pkt_addr *a, char *out, size_t cap)
{
	int af = a->family == 4 ? AF_INET : a->family == 6 ? AF_INET6 : -1;

	if (cap == 0)
		return;
	if (af == -1 || inet_ntop(af, a->addr, out, (socklen_t)cap) == NULL)
		snprintf(out, cap, "?");
}

int
pkt_addr_parse(const char *s, struct pkt_addr *a, struct err *e)
{
	uint8_t buf[16];

	if (inet_pton(AF_INET, s, buf) == 1) {
		a->family = 4;
		memset(a->addr, 0, sizeof(a->addr));
		memcpy(a->addr, buf, 4);
		return 0;
	}
	if (inet_pton(AF_INET6, s, buf) == 1) {
		a->family = 6;
		memcpy(a->addr, buf, 16);
		return 0;
	}
	return err_setx(e, "address: \"%s\" is neither an IPv4 nor an IPv6 literal", s);
}
