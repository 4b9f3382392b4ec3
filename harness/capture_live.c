/*
 * capture_live: packets captured live from an interface through libpcap, in immediate and
 * non-blocking mode so that the scheduler's poll loop drains them; part of the capture module,
 * which alone includes <pcap.h>.
 */
#include "capture.h"
#include "capture_int.h"

#include <pcap.h>

#include <stdlib.h>
#include <string.h>

#define LIVE_SNAPLEN		65535
#define LIVE_BUFFER_SIZE	(4 * 1024 * 1024)

struct capture_live {
	pcap_t *p;
	char *iface;
	int fd;
	int linktype;
	uint64_t count;		/* packets returned so far */
};

/*
 * The message of a failed activation: libpcap's status text plus its detail when it has one
 * (a missing interface gives "No such device exists" and the ioctl that found out).
 */
static int
activate_error(struct err *e, const char *iface, pcap_t *p, int rc)
{
	const char *detail = pcap_geterr(p), *status = pcap_statustostr(rc);

	if (rc == PCAP_ERROR_PERM_DENIED)
		return err_setx(e, "capture: %s: %s (%s); capturing needs root or CAP_NET_RAW",
		    iface, status, detail);
	/* libpcap repeats the status as the detail when it has nothing to add. */
	if (detail != NULL && detail[0] != '\0' && strcmp(detail, status) != 0 &&
	    (rc == PCAP_ERROR || rc == PCAP_ERROR_NO_SUCH_DEVICE ||
	    rc == PCAP_ERROR_IFACE_NOT_UP))
		return err_setx(e, "capture: %s: %s (%s)", iface, status, detail);
	return err_setx(e, "capture: %s: %s", iface, status);
}

static int
set_filter(struct capture_live *l, const char *filter, struct err *e)
{
	struct bpf_program prog;
	int rc;

	/* The netmask matters only to "ip broadcast"; the interface may have no IPv4 address. */
	if (pcap_compile(l->p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) == -1)
		return err_setx(e, "capture: %s: filter '%s': %s", l->iface, filter,
		    pcap_geterr(l->p));
	rc = pcap_setfilter(l->p, &prog);
	pcap_freecode(&prog);
	if (rc == -1)
		return err_setx(e, "capture: %s: filter '%s': %s", l->iface, filter,
		    pcap_geterr(l->p));
	return 0;
}

struct capture_live *
capture_live_open(const char *iface, const struct capture_live_opts *o, struct err *e)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct capture_live *l;
	int rc, snaplen, bufsize;

	snaplen = o != NULL && o->snaplen > 0 ? o->snaplen : LIVE_SNAPLEN;
	bufsize = o != NULL && o->buffer_size > 0 ? o->buffer_size : LIVE_BUFFER_SIZE;
	if ((l = calloc(1, sizeof(*l))) == NULL || (l->iface = strdup(iface)) == NULL) {
		err_set(e, "capture: %s", iface);
		free(l);
		return NULL;
	}
	l->fd = -1;
	if ((l->p = pcap_create(iface, errbuf)) == NULL) {
		err_setx(e, "capture: %s: %s", iface, errbuf);
		goto fail;
	}
	/*
	 * Immediate mode hands each packet over as it arrives instead of when a buffer fills, so
	 * that a scenario waiting on the descriptor sees an IGMP leave when it happens.
	 */
	if (pcap_set_snaplen(l->p, snaplen) != 0 || pcap_set_promisc(l->p, 0) != 0 ||
	    pcap_set_immediate_mode(l->p, 1) != 0 || pcap_set_buffer_size(l->p, bufsize) != 0 ||
	    pcap_set_tstamp_precision(l->p, PCAP_TSTAMP_PRECISION_MICRO) != 0) {
		err_setx(e, "capture: %s: cannot set the capture options", iface);
		goto fail;
	}
	/* A positive result is a warning (promiscuous mode refused, say): the capture works. */
	if ((rc = pcap_activate(l->p)) < 0) {
		activate_error(e, iface, l->p, rc);
		goto fail;
	}
	if (o != NULL && o->filter != NULL && o->filter[0] != '\0' &&
	    set_filter(l, o->filter, e) == -1)
		goto fail;
	if (pcap_setnonblock(l->p, 1, errbuf) == -1) {
		err_setx(e, "capture: %s: non-blocking mode: %s", iface, errbuf);
		goto fail;
	}
	if ((l->fd = pcap_get_selectable_fd(l->p)) == -1) {
		err_setx(e, "capture: %s: libpcap offers no descriptor to poll", iface);
		goto fail;
	}
	l->linktype = capture_linktype_from_dlt(pcap_datalink(l->p));
	return l;
fail:
	capture_live_close(l);
	return NULL;
}

int
capture_live_fd(const struct capture_live *l)
{
	return l->fd;
}

int
capture_live_linktype(const struct capture_live *l)
{
	return l->linktype;
}

int
capture_live_next(struct capture_live *l, struct capture_pkt *p, struct err *e)
{
	struct pcap_pkthdr *h;
	const u_char *data;

	switch (pcap_next_ex(l->p, &h, &data)) {
	case 1:
		break;
	case 0:
		/* Non-blocking: nothing is pending now. */
		return 0;
	case PCAP_ERROR:
		return err_setx(e, "capture: %s: %s", l->iface, pcap_geterr(l->p));
	default:
		return err_setx(e, "capture: %s: unexpected result from pcap_next_ex", l->iface);
	}
	l->count++;
	p->index = (size_t)l->count;
	p->ts_sec = (int64_t)h->ts.tv_sec;
	p->ts_usec = (int32_t)h->ts.tv_usec;
	p->linktype = l->linktype;
	p->data = data;
	p->caplen = h->caplen;
	p->wirelen = h->len;
	return 1;
}

int
capture_live_stats(struct capture_live *l, struct capture_live_stats *s, struct err *e)
{
	struct pcap_stat ps;

	memset(s, 0, sizeof(*s));
	s->received = l->count;
	if (pcap_stats(l->p, &ps) == -1)
		return err_setx(e, "capture: %s: statistics: %s", l->iface, pcap_geterr(l->p));
	s->kernel_seen = ps.ps_recv;
	s->dropped = ps.ps_drop;
	s->if_dropped = ps.ps_ifdrop;
	return 0;
}

void
capture_live_close(struct capture_live *l)
{
	if (l == NULL)
		return;
	if (l->p != NULL)
		pcap_close(l->p);
	free(l->iface);
	free(l);
}
