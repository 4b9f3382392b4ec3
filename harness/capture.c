/*
 * capture: pcap and pcapng files read and written through libpcap; with capture_live.c the only
 * user of <pcap.h>.
 */
#include "capture.h"
#include "capture_int.h"

#include <pcap.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CAPTURE_READ_BUFFER	(1 << 20)	/* stdio buffer of a capture file being read */

#define CAPTURE_SNAPLEN		65535
#define PCAP_MAX_SECONDS	0xffffffffLL	/* the classic pcap record holds 32-bit seconds */

struct capture_reader {
	pcap_t *p;
	size_t index;		/* packets returned so far */
	int linktype;
	char *iobuf;		/* the file's stdio buffer; freed after pcap_close closed the file */
};

struct capture_writer {
	pcap_t *dead;		/* libpcap's handle describing the file: link type, snap length */
	pcap_dumper_t *d;
	char *path;
	int linktype;
	size_t count;		/* packets written so far */
	struct bld frame;	/* reused for every synthesized frame */
};

/*
 * libpcap speaks DLT_* numbers, files and pkt speak LINKTYPE_* numbers. They agree except where
 * an OS picked its own DLT value (raw IP above all), so the pairs pkt knows are listed and the
 * rest passed through, as libpcap itself does for the matching range.
 */
static const struct {
	int linktype;
	int dlt;
} link_dlt[] = {
	{ PKT_LINK_NULL, DLT_NULL },
	{ PKT_LINK_ETHERNET, DLT_EN10MB },
	{ PKT_LINK_RAW, DLT_RAW },
	{ PKT_LINK_LOOP, DLT_LOOP },
	{ PKT_LINK_LINUX_SLL, DLT_LINUX_SLL },
	{ PKT_LINK_IPV4, DLT_IPV4 },
	{ PKT_LINK_IPV6, DLT_IPV6 },
	{ PKT_LINK_LINUX_SLL2, DLT_LINUX_SLL2 },
};

static int
dlt_from_linktype(int linktype)
{
	size_t i;

	for (i = 0; i < sizeof(link_dlt) / sizeof(link_dlt[0]); i++)
		if (link_dlt[i].linktype == linktype)
			return link_dlt[i].dlt;
	return linktype;
}

int
capture_linktype_from_dlt(int dlt)
{
	size_t i;

	for (i = 0; i < sizeof(link_dlt) / sizeof(link_dlt[0]); i++)
		if (link_dlt[i].dlt == dlt)
			return link_dlt[i].linktype;
	return dlt;
}

struct capture_reader *
capture_open(const char *path, struct err *e)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct capture_reader *r;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		err_set(e, "capture: %s", path);
		return NULL;
	}
	/*
	 * The offline opener recognizes both pcap and pcapng and takes "-" as standard input.
	 * Microsecond precision matches struct capture_pkt whatever the file stores.
	 */
	if (strcmp(path, "-") == 0)
		r->p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO,
		    errbuf);
	else {
		/*
		 * A large stdio buffer: libpcap reads record by record, the audit reads millions.
		 * glibc ignores the size asked for unless it is handed the buffer itself.
		 */
		FILE *f = fopen(path, "rb");

		if (f == NULL) {
			err_set(e, "capture: %s", path);
			free(r);
			return NULL;
		}
		if ((r->iobuf = malloc(CAPTURE_READ_BUFFER)) != NULL)
			setvbuf(f, r->iobuf, _IOFBF, CAPTURE_READ_BUFFER);
		r->p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO,
		    errbuf);
		if (r->p == NULL)
			fclose(f);	/* not taken over by libpcap on failure */
	}
	if (r->p == NULL) {
		/* libpcap names the file itself when the error came from the system. */
		if (strncmp(errbuf, path, strlen(path)) == 0 && errbuf[strlen(path)] == ':')
			err_setx(e, "capture: %s", errbuf);
		else
			err_setx(e, "capture: %s: %s", path, errbuf);
		free(r->iobuf);
		free(r);
		return NULL;
	}
	r->linktype = capture_linktype_from_dlt(pcap_datalink(r->p));
	return r;
}

int
capture_next(struct capture_reader *r, struct capture_pkt *p, struct err *e)
{
	struct pcap_pkthdr *h;
	const u_char *data;

	switch (pcap_next_ex(r->p, &h, &data)) {
	case 1:
		break;
	case PCAP_ERROR_BREAK:
		/* For a savefile this is the end of the records. */
		return 0;
	case PCAP_ERROR:
		return err_setx(e, "packet %zu: %s", r->index + 1, pcap_geterr(r->p));
	default:
		return err_setx(e, "packet %zu: unexpected result from pcap_next_ex",
		    r->index + 1);
	}
	r->index++;
	p->index = r->index;
	p->ts_sec = (int64_t)h->ts.tv_sec;
	p->ts_usec = (int32_t)h->ts.tv_usec;
	/* libpcap 1.10 gives every pcapng interface the link type of the first one. */
	p->linktype = r->linktype;
	p->data = data;
	p->caplen = h->caplen;
	p->wirelen = h->len;
	return 1;
}

int
capture_linktype(const struct capture_reader *r)
{
	return r->linktype;
}

void
capture_close(struct capture_reader *r)
{
	if (r == NULL)
		return;
	pcap_close(r->p);	/* closes the file, which uses iobuf until then */
	free(r->iobuf);
	free(r);
}

static void
writer_free(struct capture_writer *w)
{
	if (w->d != NULL)
		pcap_dump_close(w->d);
	if (w->dead != NULL)
		pcap_close(w->dead);
	bld_free(&w->frame);
	free(w->path);
	free(w);
}

struct capture_writer *
capture_create(const char *path, int linktype, struct err *e)
{
	struct capture_writer *w;
	const char *err;
	FILE *fp;
	int fd;

	if (linktype < 0) {
		err_setx(e, "capture: %s: link type %d is negative", path, linktype);
		return NULL;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL || (w->path = strdup(path)) == NULL) {
		err_set(e, "capture: %s", path);
		free(w);
		return NULL;
	}
	bld_init(&w->frame);
	w->linktype = linktype;
	w->dead = pcap_open_dead_with_tstamp_precision(dlt_from_linktype(linktype),
	    CAPTURE_SNAPLEN, PCAP_TSTAMP_PRECISION_MICRO);
	if (w->dead == NULL) {
		err_setx(e, "capture: %s: cannot describe a capture of link type %d", path,
		    linktype);
		goto fail;
	}
	if (strcmp(path, "-") == 0) {
		/*
		 * Closing the dumper closes its stream, so "-" writes to a duplicate of standard
		 * output that the rest of the program does not depend on.
		 */
		if ((fd = dup(STDOUT_FILENO)) == -1 || (fp = fdopen(fd, "wb")) == NULL) {
			err_set(e, "capture: standard output");
			if (fd != -1)
				close(fd);
			goto fail;
		}
		if ((w->d = pcap_dump_fopen(w->dead, fp)) == NULL) {
			err_setx(e, "capture: -: link type %d: %s", linktype, pcap_geterr(w->dead));
			fclose(fp);
			goto fail;
		}
	} else if ((w->d = pcap_dump_open(w->dead, path)) == NULL) {
		/*
		 * libpcap refuses a link type the file format has no number for before it creates
		 * the file, so a refusal leaves nothing behind. It names the file itself when the
		 * system refused.
		 */
		err = pcap_geterr(w->dead);
		if (strncmp(err, path, strlen(path)) == 0 && err[strlen(path)] == ':')
			err_setx(e, "capture: %s", err);
		else
			err_setx(e, "capture: %s: link type %d: %s", path, linktype, err);
		goto fail;
	}
	return w;
fail:
	writer_free(w);
	return NULL;
}

int
capture_write(struct capture_writer *w, int64_t ts_sec, int32_t ts_usec, const uint8_t *frame,
    size_t len, struct err *e)
{
	struct pcap_pkthdr h;

	if (len > CAPTURE_SNAPLEN)
		return err_setx(e, "capture: %s: packet %zu: frame of %zu bytes exceeds the snap "
		    "length %d", w->path, w->count + 1, len, CAPTURE_SNAPLEN);
	if (ts_sec < 0 || ts_sec > PCAP_MAX_SECONDS || ts_usec < 0 || ts_usec > 999999)
		return err_setx(e, "capture: %s: packet %zu: timestamp %lld.%06ld is outside the "
		    "pcap range", w->path, w->count + 1, (long long)ts_sec, (long)ts_usec);
	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = (time_t)ts_sec;
	h.ts.tv_usec = (suseconds_t)ts_usec;
	h.caplen = h.len = (bpf_u_int32)len;
	pcap_dump((u_char *)w->d, &h, frame);
	w->count++;
	/* pcap_dump() is silent about stdio errors; the stream's error flag is not. */
	if (ferror(pcap_dump_file(w->d)))
		return err_setx(e, "capture: %s: writing packet %zu failed", w->path, w->count);
	return 0;
}

int
capture_write_pkt(struct capture_writer *w, const struct capture_pkt *p, struct err *e)
{
	struct pcap_pkthdr h;

	if (p->caplen > CAPTURE_SNAPLEN)
		return err_setx(e, "capture: %s: packet %zu: %zu captured bytes exceed the snap "
		    "length %d", w->path, w->count + 1, p->caplen, CAPTURE_SNAPLEN);
	if (p->ts_sec < 0 || p->ts_sec > PCAP_MAX_SECONDS || p->ts_usec < 0 ||
	    p->ts_usec > 999999)
		return err_setx(e, "capture: %s: packet %zu: timestamp %lld.%06ld is outside the "
		    "pcap range", w->path, w->count + 1, (long long)p->ts_sec, (long)p->ts_usec);
	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = (time_t)p->ts_sec;
	h.ts.tv_usec = (suseconds_t)p->ts_usec;
	h.caplen = (bpf_u_int32)p->caplen;
	/* A wire length below the captured one would make the record unreadable. */
	h.len = (bpf_u_int32)(p->wirelen > p->caplen && p->wirelen <= 0xffffffffu ? p->wirelen :
	    p->caplen);
	pcap_dump((u_char *)w->d, &h, p->data);
	w->count++;
	if (ferror(pcap_dump_file(w->d)))
		return err_setx(e, "capture: %s: writing packet %zu failed", w->path, w->count);
	return 0;
}

int
capture_write_udp(struct capture_writer *w, int64_t ts_sec, int32_t ts_usec,
    const struct pkt_addr *src, const struct pkt_addr *dst, const uint8_t *payload,
    size_t len, struct err *e)
{
	bld_reset(&w->frame);
	if (pkt_build_udp(&w->frame, w->linktype, src, dst, payload, len, e) == -1)
		return err_prefix(e, "capture: %s: packet %zu", w->path, w->count + 1);
	return capture_write(w, ts_sec, ts_usec, w->frame.buf, w->frame.len, e);
}

int
capture_write_tcp(struct capture_writer *w, int64_t ts_sec, int32_t ts_usec,
    const struct pkt_addr *src, const struct pkt_addr *dst, uint32_t seq, uint32_t ack,
    uint8_t flags, const uint8_t *payload, size_t len, struct err *e)
{
	bld_reset(&w->frame);
	if (pkt_build_tcp(&w->frame, w->linktype, src, dst, seq, ack, flags, payload, len,
	    e) == -1)
		return err_prefix(e, "capture: %s: packet %zu", w->path, w->count + 1);
	return capture_write(w, ts_sec, ts_usec, w->frame.buf, w->frame.len, e);
}

int
capture_close_writer(struct capture_writer *w, struct err *e)
{
	FILE *fp;
	int rc = 0;

	if (w == NULL)
		return 0;
	/*
	 * Buffered records reach the file here, so this is where a full disk shows. The error
	 * flag also covers earlier failed writes that left errno long since overwritten.
	 */
	fp = pcap_dump_file(w->d);
	errno = 0;
	if (pcap_dump_flush(w->d) == -1 || ferror(fp)) {
		if (errno != 0)
			rc = err_set(e, "capture: %s: flushing %zu packets", w->path, w->count);
		else
			rc = err_setx(e, "capture: %s: flushing %zu packets failed", w->path,
			    w->count);
	}
	writer_free(w);
	return rc;
}
