/* test_capture: capture files written and read back, converted by editcap, judged by tshark. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "capture.h"
#include "pkt.h"
#include "testutil.h"

/* One packet to write, and what reading it back must give. */
struct spec {
	int tcp;
	const char *src, *dst;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	const char *payload;
	int64_t sec;
	int32_t usec;
};

static const char long_payload[] =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

static const struct spec specs4[] = {
	{ 0, "127.0.0.1", "127.0.0.2", 1000, 2000, 0, 0, 0, "hello", 1700000000, 123456 },
	{ 1, "192.0.2.1", "192.0.2.2", 40000, 80, 7, 0, 0x02, "", 1700000000, 999999 },
	{ 1, "192.0.2.2", "192.0.2.1", 80, 40000, 9000, 8, 0x12, "", 1700000001, 0 },
	{ 1, "192.0.2.1", "192.0.2.2", 40000, 80, 8, 9001, 0x18, "GET / HTTP/1.1\r\n\r\n",
	  1700000001, 1 },
	{ 0, "10.1.2.3", "232.1.1.1", 5000, 5001, 0, 0, 0, long_payload, 1700000002, 500000 },
	{ 0, "0.0.0.0", "255.255.255.255", 0, 65535, 0, 0, 0, "", 0, 0 },
};
#define NSPECS4 (sizeof(specs4) / sizeof(specs4[0]))

static const struct spec specs6[] = {
	{ 0, "::1", "ff3e::1234", 2152, 9000, 0, 0, 0, "mbms", 1700000003, 250000 },
	{ 1, "2001:db8::1", "2001:db8::2", 443, 51000, 0xfffffff0, 0x80000000, 0x11, "bye",
	  1700000003, 250001 },
	{ 0, "fe80::1", "fe80::2", 1, 2, 0, 0, 0, long_payload, 1700000004, 42 },
};
#define NSPECS6 (sizeof(specs6) / sizeof(specs6[0]))

/* The link types a capture can be written in, and which address families each carries. */
static const struct {
	int linktype;
	int v4, v6;
	const char *name;
	const char *tshark;	/* how tshark's frame.protocols starts for this link type */
} links[] = {
	{ PKT_LINK_RAW, 1, 1, "raw", "raw:" },
	{ PKT_LINK_ETHERNET, 1, 1, "eth", "eth:ethertype:" },
	{ PKT_LINK_NULL, 1, 1, "null", "null:" },
	{ PKT_LINK_LOOP, 1, 1, "loop", "null:" },
	{ PKT_LINK_LINUX_SLL, 1, 1, "sll", "sll:ethertype:" },
	{ PKT_LINK_LINUX_SLL2, 1, 1, "sll2", "sll:ethertype:" },
	{ PKT_LINK_IPV4, 1, 0, "ipv4", "" },
	{ PKT_LINK_IPV6, 0, 1, "ipv6", "" },
};
#define NLINKS (sizeof(links) / sizeof(links[0]))

/* The packets of a link type's file: the IPv4 ones, then the IPv6 ones. */
static size_t
specs_for(size_t li, const struct spec **out, size_t cap)
{
	size_t i, n = 0;

	if (links[li].v4)
		for (i = 0; i < NSPECS4 && n < cap; i++)
			out[n++] = &specs4[i];
	if (links[li].v6)
		for (i = 0; i < NSPECS6 && n < cap; i++)
			out[n++] = &specs6[i];
	return n;
}

static int
write_spec(struct capture_writer *w, const struct spec *s, struct err *e)
{
	struct pkt_addr src = tu_addr(s->src, s->sport), dst = tu_addr(s->dst, s->dport);

	if (s->tcp)
		return capture_write_tcp(w, s->sec, s->usec, &src, &dst, s->seq, s->ack, s->flags,
		    (const uint8_t *)s->payload, strlen(s->payload), e);
	return capture_write_udp(w, s->sec, s->usec, &src, &dst, (const uint8_t *)s->payload,
	    strlen(s->payload), e);
}

static int
write_file(const char *path, int linktype, const struct spec *const *sp, size_t n)
{
	struct capture_writer *w;
	struct err e;
	size_t i;

	if ((w = capture_create(path, linktype, &e)) == NULL) {
		fprintf(stderr, "\n%s\n", e.msg);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (write_spec(w, sp[i], &e) == -1) {
			fprintf(stderr, "\n%s\n", e.msg);
			(void)capture_close_writer(w, &e);
			return -1;
		}
	if (capture_close_writer(w, &e) == -1) {
		fprintf(stderr, "\n%s\n", e.msg);
		return -1;
	}
	return 0;
}

/* The frame pkt builds for a spec, to compare the file's bytes against. */
static void
expected_frame(int linktype, const struct spec *s, struct bld *b)
{
	struct pkt_addr src = tu_addr(s->src, s->sport), dst = tu_addr(s->dst, s->dport);
	size_t n = strlen(s->payload);
	struct err e;
	int rc;

	bld_init(b);
	if (s->tcp)
		rc = pkt_build_tcp(b, linktype, &src, &dst, s->seq, s->ack, s->flags,
		    (const uint8_t *)s->payload, n, &e);
	else
		rc = pkt_build_udp(b, linktype, &src, &dst, (const uint8_t *)s->payload, n, &e);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
}

static void
check_packet(const struct capture_pkt *p, size_t index, int linktype, const struct spec *s)
{
	struct pkt_addr src = tu_addr(s->src, s->sport), dst = tu_addr(s->dst, s->dport);
	struct pkt_info in;
	struct bld b;
	struct err e;

	expected_frame(linktype, s, &b);
	CU_ASSERT_EQUAL(p->index, index);
	CU_ASSERT_EQUAL(p->ts_sec, s->sec);
	CU_ASSERT_EQUAL(p->ts_usec, s->usec);
	CU_ASSERT_EQUAL(p->linktype, linktype);
	CU_ASSERT_EQUAL(p->caplen, b.len);
	CU_ASSERT_EQUAL(p->wirelen, b.len);
	CU_ASSERT_TRUE(p->caplen == b.len && memcmp(p->data, b.buf, b.len) == 0);
	bld_free(&b);

	CU_ASSERT_EQUAL_FATAL(pkt_dissect(p->linktype, p->data, p->caplen, p->wirelen, &in, &e),
	    0);
	CU_ASSERT_EQUAL(in.proto, s->tcp ? PKT_PROTO_TCP : PKT_PROTO_UDP);
	CU_ASSERT_EQUAL(in.src.family, src.family);
	CU_ASSERT_EQUAL(memcmp(in.src.addr, src.addr, 16), 0);
	CU_ASSERT_EQUAL(memcmp(in.dst.addr, dst.addr, 16), 0);
	CU_ASSERT_EQUAL(in.src.port, s->sport);
	CU_ASSERT_EQUAL(in.dst.port, s->dport);
	CU_ASSERT_EQUAL(in.payload_len, strlen(s->payload));
	CU_ASSERT_EQUAL(in.payload_wire_len, strlen(s->payload));
	CU_ASSERT_TRUE(in.payload_len == strlen(s->payload) &&
	    (in.payload_len == 0 || memcmp(in.payload, s->payload, in.payload_len) == 0));
	if (s->tcp) {
		CU_ASSERT_EQUAL(in.tcp_seq, s->seq);
		CU_ASSERT_EQUAL(in.tcp_ack, s->ack);
		CU_ASSERT_EQUAL(in.tcp_flags, s->flags);
	}
}

/* Reads a file back and checks every packet, the end, and that the end stays the end. */
static void
read_and_check(const char *path, int linktype, const struct spec *const *sp, size_t n)
{
	struct capture_reader *r;
	struct capture_pkt p;
	struct err e;
	size_t i;

	r = capture_open(path, &e);
	if (r == NULL)
		fprintf(stderr, "\n%s\n", e.msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(capture_linktype(r), linktype);
	for (i = 0; i < n; i++) {
		CU_ASSERT_EQUAL_FATAL(capture_next(r, &p, &e), 1);
		check_packet(&p, i + 1, linktype, sp[i]);
	}
	CU_ASSERT_EQUAL(capture_next(r, &p, &e), 0);
	CU_ASSERT_EQUAL(capture_next(r, &p, &e), 0);
	capture_close(r);
}

/*
 * Writes the packets of link type li (see specs_for) to <prefix>-<link name>.pcap in the temporary
 * directory, its path left in path; returns how many were written.
 */
static size_t
write_link_file(size_t li, const char *prefix, char *path, size_t cap,
    const struct spec *sp[NSPECS4 + NSPECS6])
{
	char name[64];
	size_t n;

	n = specs_for(li, sp, NSPECS4 + NSPECS6);
	snprintf(name, sizeof(name), "%s-%s.pcap", prefix, links[li].name);
	CU_ASSERT_EQUAL_FATAL(write_file(tu_tmp_path(path, cap, name), links[li].linktype, sp,
	    n), 0);
	return n;
}

static void
test_round_trip_pcap(void)
{
	const struct spec *sp[NSPECS4 + NSPECS6];
	char path[256];
	size_t li, n;

	for (li = 0; li < NLINKS; li++) {
		n = write_link_file(li, "rt", path, sizeof(path), sp);
		read_and_check(path, links[li].linktype, sp, n);
	}
}

static void
test_round_trip_pcapng(void)
{
	const struct spec *sp[NSPECS4 + NSPECS6];
	char in[256], out[256], cmd[1024], name[64];
	size_t li, n;

	CU_ASSERT_TRUE_FATAL(tu_have("editcap"));
	for (li = 0; li < NLINKS; li++) {
		n = write_link_file(li, "ng", in, sizeof(in), sp);
		snprintf(name, sizeof(name), "ng-%s.pcapng", links[li].name);
		tu_tmp_path(out, sizeof(out), name);
		snprintf(cmd, sizeof(cmd), "editcap -F pcapng '%s' '%s' 2>&1", in, out);
		CU_ASSERT_EQUAL_FATAL(tu_run(cmd, NULL, 0), 0);
		read_and_check(out, links[li].linktype, sp, n);
	}
}

/* tshark's own fields for an IPv4 UDP capture agree with what was written. */
static void
test_tshark_fields(void)
{
	static const struct spec udp[] = {
		{ 0, "127.0.0.1", "127.0.0.2", 1000, 2000, 0, 0, 0, "a", 1, 0 },
		{ 0, "192.0.2.9", "232.0.0.1", 65535, 1, 0, 0, 0, "", 2, 0 },
		{ 0, "10.0.0.1", "10.0.0.2", 2152, 2152, 0, 0, 0, long_payload, 3, 0 },
	};
	const struct spec *sp[] = { &udp[0], &udp[1], &udp[2] };
	char path[256], cmd[1024], out[4096];

	CU_ASSERT_TRUE_FATAL(tu_have("tshark"));
	CU_ASSERT_EQUAL_FATAL(write_file(tu_tmp_path(path, sizeof(path), "fields.pcap"),
	    PKT_LINK_RAW, sp, 3), 0);
	snprintf(cmd, sizeof(cmd), "tshark -r '%s' -T fields -e udp.srcport -e udp.dstport "
	    "-e ip.src 2>/dev/null", path);
	CU_ASSERT_EQUAL(tu_run(cmd, out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "1000\t2000\t127.0.0.1\n65535\t1\t192.0.2.9\n"
	    "2152\t2152\t10.0.0.1\n");
}

/* Splits s at sep in place into at most max fields, keeping empty ones. */
static size_t
split(char *s, char sep, char **f, size_t max)
{
	size_t n = 0;
	char *p;

	while (n < max) {
		f[n++] = s;
		if ((p = strchr(s, sep)) == NULL)
			break;
		*p = '\0';
		s = p + 1;
	}
	return n;
}

/*
 * With every checksum check on, tshark finds each checksum good, dissects each link type down
 * to the transport we wrote, reads our timestamps, and raises no checksum or malformed expert.
 */
static void
test_tshark_checks(void)
{
	const struct spec *sp[NSPECS4 + NSPECS6];
	char path[256], cmd[1024], want[64];
	static char out[16384];
	char *line, *next, *f[8];
	size_t li, n, i, nf;

	CU_ASSERT_TRUE_FATAL(tu_have("tshark"));
	for (li = 0; li < NLINKS; li++) {
		n = write_link_file(li, "ts", path, sizeof(path), sp);
		snprintf(cmd, sizeof(cmd), "tshark -r '%s' -o udp.check_checksum:TRUE "
		    "-o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -T fields -E separator=';' "
		    "-e frame.protocols -e ip.checksum.status -e udp.checksum.status "
		    "-e tcp.checksum.status -e frame.time_epoch -e _ws.expert 2>/dev/null", path);
		CU_ASSERT_EQUAL(tu_run(cmd, out, sizeof(out)), 0);
		line = out;
		for (i = 0; i < n; i++) {
			const struct spec *s = sp[i];
			int v6 = strchr(s->src, ':') != NULL;

			CU_ASSERT_PTR_NOT_NULL_FATAL(next = strchr(line, '\n'));
			*next = '\0';
			nf = split(line, ';', f, 8);
			CU_ASSERT_EQUAL_FATAL(nf, 6);
			/* The whole stack we wrote, from the link layer up, and nothing else below. */
			snprintf(want, sizeof(want), "%s%s:%s", links[li].tshark,
			    v6 ? "ipv6" : "ip", s->tcp ? "tcp" : "udp");
			if (strncmp(f[0], want, strlen(want)) != 0 ||
			    (f[0][strlen(want)] != ':' && f[0][strlen(want)] != '\0')) {
				fprintf(stderr, "\n%s packet %zu: expected protocols %s vs actual %s\n",
				    path, i + 1, want, f[0]);
				CU_FAIL("tshark dissected another protocol stack");
			}
			/* Status 1 is "Good": the check ran and passed. */
			CU_ASSERT_STRING_EQUAL(f[1], v6 ? "" : "1");
			CU_ASSERT_STRING_EQUAL(f[2], s->tcp ? "" : "1");
			CU_ASSERT_STRING_EQUAL(f[3], s->tcp ? "1" : "");
			snprintf(want, sizeof(want), "%lld.%06ld000", (long long)s->sec,
			    (long)s->usec);
			CU_ASSERT_STRING_EQUAL(f[4], want);
			CU_ASSERT_PTR_NULL(strstr(f[5], "hecksum"));
			CU_ASSERT_PTR_NULL(strstr(f[5], "alformed"));
			line = next + 1;
		}
		CU_ASSERT_STRING_EQUAL(line, "");
	}
}

static void
cut_file(const char *path, off_t drop)
{
	struct stat st;

	CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL_FATAL(truncate(path, st.st_size - drop), 0);
}

/* Reads a file that fails at packet bad (1-based); returns the error message. */
static void
expect_damage_at(const char *path, size_t bad, const char *want)
{
	struct capture_reader *r;
	struct capture_pkt p;
	struct err e;
	char prefix[64];
	size_t i;

	r = capture_open(path, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	for (i = 1; i < bad; i++) {
		CU_ASSERT_EQUAL(capture_next(r, &p, &e), 1);
		CU_ASSERT_EQUAL(p.index, i);
	}
	err_clear(&e);
	CU_ASSERT_EQUAL(capture_next(r, &p, &e), -1);
	snprintf(prefix, sizeof(prefix), "packet %zu: ", bad);
	CU_ASSERT_EQUAL(strncmp(e.msg, prefix, strlen(prefix)), 0);
	CU_ASSERT_TRUE(tu_has(e.msg, want));
	capture_close(r);
}

static void
test_damaged_files(void)
{
	const struct spec *sp[] = { &specs4[0], &specs4[1], &specs4[4] };
	char path[256], ng[256], cmd[1024];
	struct capture_reader *r;
	struct err e;
	FILE *fp;

	/* A record cut inside its data, then one cut inside its 16-byte record header. */
	CU_ASSERT_EQUAL_FATAL(write_file(tu_tmp_path(path, sizeof(path), "cut.pcap"), PKT_LINK_RAW,
	    sp, 3), 0);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s/cut.copy'", path, tu_tmpdir());
	CU_ASSERT_EQUAL_FATAL(tu_run(cmd, NULL, 0), 0);
	cut_file(path, 5);
	expect_damage_at(path, 3, "truncated");
	cut_file(path, 20 + 28 + (off_t)strlen(long_payload) - 5 - 10);
	expect_damage_at(path, 3, "header bytes");

	/* The same damage in pcapng: the last block cut short. */
	snprintf(cmd, sizeof(cmd), "editcap -F pcapng '%s/cut.copy' '%s/cut.pcapng' 2>&1",
	    tu_tmpdir(), tu_tmpdir());
	CU_ASSERT_EQUAL_FATAL(tu_run(cmd, NULL, 0), 0);
	tu_tmp_path(ng, sizeof(ng), "cut.pcapng");
	cut_file(ng, 30);
	expect_damage_at(ng, 3, "truncated");

	/* Bad magic. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp = fopen(tu_tmp_path(path, sizeof(path), "magic.pcap"),
	    "wb"));
	fputs("this is not a capture file, not even close to one\n", fp);
	fclose(fp);
	CU_ASSERT_PTR_NULL(r = capture_open(path, &e));
	CU_ASSERT_TRUE(tu_has(e.msg, path));
	CU_ASSERT_TRUE(tu_has(e.msg, "unknown file format"));
	capture_close(r);

	/* Empty, and a file header cut in half. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp = fopen(tu_tmp_path(path, sizeof(path), "empty.pcap"),
	    "wb"));
	fclose(fp);
	CU_ASSERT_PTR_NULL(capture_open(path, &e));
	CU_ASSERT_TRUE(tu_has(e.msg, "capture: "));
	CU_ASSERT_TRUE(tu_has(e.msg, "truncated"));
	snprintf(cmd, sizeof(cmd), "head -c 10 '%s/cut.copy' > '%s/half.pcap'", tu_tmpdir(),
	    tu_tmpdir());
	CU_ASSERT_EQUAL_FATAL(tu_run(cmd, NULL, 0), 0);
	CU_ASSERT_PTR_NULL(capture_open(tu_tmp_path(path, sizeof(path), "half.pcap"), &e));
	CU_ASSERT_TRUE(tu_has(e.msg, "truncated"));

	/* A file header alone is a valid capture of no packets. */
	snprintf(cmd, sizeof(cmd), "head -c 24 '%s/cut.copy' > '%s/none.pcap'", tu_tmpdir(),
	    tu_tmpdir());
	CU_ASSERT_EQUAL_FATAL(tu_run(cmd, NULL, 0), 0);
	r = capture_open(tu_tmp_path(path, sizeof(path), "none.pcap"), &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	{
		struct capture_pkt p;

		CU_ASSERT_EQUAL(capture_next(r, &p, &e), 0);
	}
	capture_close(r);

	/* Missing file: the system's reason, the path once. */
	CU_ASSERT_PTR_NULL(capture_open(tu_tmp_path(path, sizeof(path), "absent.pcap"), &e));
	CU_ASSERT_TRUE(tu_has(e.msg, "No such file or directory"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(strstr(e.msg, path));
	CU_ASSERT_PTR_NULL(strstr(strstr(e.msg, path) + 1, path));
	capture_close(NULL);
}

/* Writes a classic pcap by hand, in host byte order as libpcap writes it. */
static void
write_raw_pcap(const char *path, uint32_t linktype, const uint8_t *frame, uint32_t len)
{
	const uint32_t magic = 0xa1b2c3d4, zero = 0, snap = 65535, sec = 5, usec = 6;
	const uint16_t major = 2, minor = 4;
	FILE *fp;

	CU_ASSERT_PTR_NOT_NULL_FATAL(fp = fopen(path, "wb"));
	fwrite(&magic, 4, 1, fp);
	fwrite(&major, 2, 1, fp);
	fwrite(&minor, 2, 1, fp);
	fwrite(&zero, 4, 1, fp);
	fwrite(&zero, 4, 1, fp);
	fwrite(&snap, 4, 1, fp);
	fwrite(&linktype, 4, 1, fp);
	fwrite(&sec, 4, 1, fp);
	fwrite(&usec, 4, 1, fp);
	fwrite(&len, 4, 1, fp);
	fwrite(&len, 4, 1, fp);
	fwrite(frame, 1, len, fp);
	CU_ASSERT_EQUAL(fclose(fp), 0);
}

/*
 * libpcap opens files of any link type; pkt refuses to guess at the frames of one it does not
 * know, per packet, so a reader can report and go on.
 */
static void
test_unsupported_linktype(void)
{
	static const uint8_t frame[] = { 0x45, 0, 0, 0x1c, 0, 0, 0x40, 0, 0x40, 0x11, 0, 0,
	    127, 0, 0, 1, 127, 0, 0, 2, 0x03, 0xe8, 0x07, 0xd0, 0, 8, 0, 0 };
	static const uint32_t types[] = { 147, 4000 };
	struct capture_reader *r;
	struct capture_pkt p;
	struct pkt_info in;
	char path[256], want[64];
	struct err e;
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		write_raw_pcap(tu_tmp_path(path, sizeof(path), "lt.pcap"), types[i], frame,
		    sizeof(frame));
		r = capture_open(path, &e);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		CU_ASSERT_EQUAL(capture_linktype(r), (int)types[i]);
		CU_ASSERT_EQUAL_FATAL(capture_next(r, &p, &e), 1);
		CU_ASSERT_EQUAL(p.ts_sec, 5);
		CU_ASSERT_EQUAL(p.ts_usec, 6);
		CU_ASSERT_EQUAL(p.caplen, sizeof(frame));
		CU_ASSERT_EQUAL(pkt_dissect(p.linktype, p.data, p.caplen, p.wirelen, &in, &e), -1);
		snprintf(want, sizeof(want), "link: unsupported link type %u", types[i]);
		CU_ASSERT_STRING_EQUAL(e.msg, want);
		CU_ASSERT_EQUAL(capture_next(r, &p, &e), 0);
		capture_close(r);
	}
	/* The same frame under RAW is fine, which shows the link type was the only problem. */
	write_raw_pcap(path, PKT_LINK_RAW, frame, sizeof(frame));
	r = capture_open(path, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(capture_linktype(r), PKT_LINK_RAW);
	CU_ASSERT_EQUAL_FATAL(capture_next(r, &p, &e), 1);
	CU_ASSERT_EQUAL(pkt_dissect(p.linktype, p.data, p.caplen, p.wirelen, &in, &e), 0);
	CU_ASSERT_EQUAL(in.proto, PKT_PROTO_UDP);
	capture_close(r);
}

static void
test_writer_errors(void)
{
	struct pkt_addr s4 = tu_addr("10.0.0.1", 1), d4 = tu_addr("10.0.0.2", 2);
	struct pkt_addr d6 = tu_addr("::2", 2);
	static uint8_t big[65536];
	struct capture_writer *w;
	struct capture_reader *r;
	struct capture_pkt p;
	char path[256];
	struct err e;

	/* A directory that does not exist. */
	CU_ASSERT_PTR_NULL(capture_create(tu_tmp_path(path, sizeof(path), "nodir/x.pcap"),
	    PKT_LINK_RAW, &e));
	CU_ASSERT_TRUE(tu_has(e.msg, "No such file or directory"));

	/* Link types that have no number in the file format, or are not numbers at all. */
	CU_ASSERT_PTR_NULL(capture_create(tu_tmp_path(path, sizeof(path), "badlt.pcap"), 5000,
	    &e));
	CU_ASSERT_TRUE(tu_has(e.msg, "link-layer type 5000 isn't supported in savefiles"));
	CU_ASSERT_EQUAL(access(path, F_OK), -1);
	CU_ASSERT_PTR_NULL(capture_create(path, -1, &e));
	CU_ASSERT_TRUE(tu_has(e.msg, "negative"));

	/* Refused writes leave the file good: only the accepted packet is in it. */
	w = capture_create(tu_tmp_path(path, sizeof(path), "refused.pcap"), PKT_LINK_ETHERNET, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_EQUAL(capture_write(w, 1, 0, big, sizeof(big), &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "exceeds the snap length 65535"));
	CU_ASSERT_EQUAL(capture_write(w, -1, 0, big, 60, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "outside the pcap range"));
	CU_ASSERT_EQUAL(capture_write(w, 1, 1000000, big, 60, &e), -1);
	CU_ASSERT_EQUAL(capture_write(w, 0x100000000LL, 0, big, 60, &e), -1);
	CU_ASSERT_EQUAL(capture_write_udp(w, 1, 0, &s4, &d6, NULL, 0, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "packet 1: pkt: source is IPv4 but destination is IPv6"));
	CU_ASSERT_EQUAL(capture_write_tcp(w, 1, 0, &s4, &d4, 0, 0, 0, big, 65536, &e), -1);
	CU_ASSERT_EQUAL(capture_write_udp(w, 7, 8, &s4, &d4, big, 100, &e), 0);
	/* The largest frame the snap length allows is written whole. */
	CU_ASSERT_EQUAL(capture_write(w, 9, 10, big, 65535, &e), 0);
	CU_ASSERT_EQUAL(capture_close_writer(w, &e), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r = capture_open(path, &e));
	CU_ASSERT_EQUAL(capture_next(r, &p, &e), 1);
	CU_ASSERT_EQUAL(p.ts_sec, 7);
	CU_ASSERT_EQUAL(p.caplen, 14 + 20 + 8 + 100);
	CU_ASSERT_EQUAL(capture_next(r, &p, &e), 1);
	CU_ASSERT_EQUAL(p.caplen, 65535);
	CU_ASSERT_EQUAL(capture_next(r, &p, &e), 0);
	capture_close(r);

	/* A full disk is reported when the writer closes, not lost. */
	w = capture_create("/dev/full", PKT_LINK_RAW, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	(void)capture_write_udp(w, 1, 0, &s4, &d4, big, 10, &e);
	err_clear(&e);
	CU_ASSERT_EQUAL(capture_close_writer(w, &e), -1);
	CU_ASSERT_TRUE(tu_has(e.msg, "/dev/full"));
	CU_ASSERT_TRUE(tu_has(e.msg, "No space left on device"));
	CU_ASSERT_EQUAL(capture_close_writer(NULL, &e), 0);
}

/* "-" reads standard input and writes standard output, which both survive the capture. */
static void
test_standard_streams(void)
{
	const struct spec *sp[] = { &specs4[0], &specs6[1] };
	struct capture_writer *w;
	struct capture_reader *r;
	struct capture_pkt p;
	char path[256], path2[256];
	int saved, fd, pass;
	struct err e;

	/* Writing: standard output pointed at a file for the duration. */
	tu_tmp_path(path, sizeof(path), "stdout.pcap");
	fflush(stdout);
	CU_ASSERT_FATAL((saved = dup(STDOUT_FILENO)) != -1);
	CU_ASSERT_FATAL((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) != -1);
	CU_ASSERT_FATAL(dup2(fd, STDOUT_FILENO) != -1);
	close(fd);
	w = capture_create("-", PKT_LINK_ETHERNET, &e);
	if (w != NULL) {
		(void)write_spec(w, sp[0], &e);
		(void)write_spec(w, sp[1], &e);
	}
	CU_ASSERT_EQUAL(capture_close_writer(w, &e), 0);
	fflush(stdout);
	CU_ASSERT_FATAL(dup2(saved, STDOUT_FILENO) != -1);
	close(saved);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	/* Standard output is still open for the rest of the program. */
	CU_ASSERT_NOT_EQUAL(fcntl(STDOUT_FILENO, F_GETFD), -1);
	read_and_check(path, PKT_LINK_ETHERNET, sp, 2);

	/* Reading, twice, to show the first close left standard input usable. */
	CU_ASSERT_EQUAL_FATAL(write_file(tu_tmp_path(path2, sizeof(path2), "stdin.pcap"),
	    PKT_LINK_LINUX_SLL, sp, 2), 0);
	CU_ASSERT_FATAL((saved = dup(STDIN_FILENO)) != -1);
	for (pass = 0; pass < 2; pass++) {
		CU_ASSERT_FATAL((fd = open(pass ? path : path2, O_RDONLY)) != -1);
		CU_ASSERT_FATAL(dup2(fd, STDIN_FILENO) != -1);
		close(fd);
		clearerr(stdin);
		r = capture_open("-", &e);
		if (r == NULL)
			fprintf(stderr, "\n%s\n", e.msg);
		CU_ASSERT_PTR_NOT_NULL(r);
		if (r != NULL) {
			CU_ASSERT_EQUAL(capture_linktype(r),
			    pass ? PKT_LINK_ETHERNET : PKT_LINK_LINUX_SLL);
			CU_ASSERT_EQUAL(capture_next(r, &p, &e), 1);
			check_packet(&p, 1, capture_linktype(r), sp[0]);
			CU_ASSERT_EQUAL(capture_next(r, &p, &e), 1);
			check_packet(&p, 2, capture_linktype(r), sp[1]);
			CU_ASSERT_EQUAL(capture_next(r, &p, &e), 0);
			capture_close(r);
		}
	}
	CU_ASSERT_FATAL(dup2(saved, STDIN_FILENO) != -1);
	close(saved);
	clearerr(stdin);
}

int
test_capture_register(void)
{
	static const struct tu_test tests[] = {
		{ "pcap round trip over every link type", test_round_trip_pcap },
		{ "pcapng (editcap) round trip", test_round_trip_pcapng },
		{ "tshark reads the fields written", test_tshark_fields },
		{ "tshark finds checksums good", test_tshark_checks },
		{ "damaged files", test_damaged_files },
		{ "unsupported link type", test_unsupported_linktype },
		{ "writer errors", test_writer_errors },
		{ "standard input and output", test_standard_streams },
		{ NULL, NULL }
	};

	return tu_register("capture", tests);
}
