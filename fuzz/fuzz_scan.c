/*
 * fuzz_scan: libFuzzer target for the audit's scanner — a whole capture file (pcap or pcapng,
 * through libpcap) dissected, TCP reassembled and read as HTTP, MIKEY decoded, validated and
 * run through the MTK fast path. Any input must end in events and an end or an error, never a
 * crash or a sanitizer report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The default profile's MTK and MSK kinds (what inference and the fast path need). */
static void
config(struct scan_config *c)
{
	struct mikey_kind_rules *k;

	memset(c, 0, sizeof(*c));
	mikey_rules_init(&c->rules);
	c->rules.version = 1;
	c->rules.prf = 0;
	c->rules.cs_count = 0;
	c->rules.map_type = 1;
	c->rules.keyid_ext_type = 2;
	c->rules.nkinds = 2;
	k = &c->rules.kinds[0];
	mikey_kind_rules_init(k);
	strcpy(k->name, "mtk_delivery");
	k->data_type = 0;
	k->keyid_type = 1;
	k->keyid_len = 9;
	k->kemac_empty = 0;
	k = &c->rules.kinds[1];
	mikey_kind_rules_init(k);
	strcpy(k->name, "msk_delivery");
	k->data_type = 0;
	k->keyid_type = 0;
	k->keyid_len = 7;
	c->mikey_ports[0] = 2269;	/* the default profile's */
	c->mikey_ports[1] = 12469;	/* the reference UE target's, as in the seed captures */
	c->nports = 2;
	strcpy(c->fast_kind, "mtk_delivery");
	c->kdid_len = 3;
	c->mskid_len = 4;
	c->mtkid_len = 2;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	static const uint8_t msk[] = { 0x00, 0xf1, 0x10, 0x00, 0x01, 0x00, 0x02 };
	static const uint8_t key[16] = { 0x00, 0x11, 0x22, 0x33 };
	struct scan_config c;
	struct scan_event ev;
	struct scan *s;
	struct err e;
	FILE *f;
	size_t n;

	/* libpcap reads files: the input goes through one in shared memory. */
	if (path[0] == '\0')
		snprintf(path, sizeof(path), "/dev/shm/fuzz_scan.%ld", (long)getpid());
	if ((f = fopen(path, "wb")) == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	config(&c);
	if ((s = scan_open(path, &c, &e)) == NULL)
		return 0;
	/* A known MSK: the MAC and SEQ range checks of the fast path run too. */
	if (scan_add_key(s, msk, sizeof(msk), key, sizeof(key), 1, 4095, &e) == -1)
		abort();
	for (n = 0; n < 100000 && scan_next(s, &ev, &e) == 1; n++)
		if (ev.type == SCAN_EV_HTTP && ev.http->body == NULL)
			abort();	/* the contract: never NULL */
	scan_findings(s, &n);
	scan_free(s);
	return 0;
}
