/*
 * capture_int: what capture.c shares with capture_live.c inside the capture module; no libpcap
 * type appears here, so the rest of the harness still never sees <pcap.h>.
 */
#ifndef MBMS_CAPTURE_INT_H
#define MBMS_CAPTURE_INT_H

/* libpcap's DLT_* number as the public LINKTYPE_* number (they differ for raw IP and others). */
int	capture_linktype_from_dlt(int dlt);

#endif
