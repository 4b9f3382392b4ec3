/* tu: configuration, message builders and a fake world for the reference UE's tests. */
#include "tu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "builder.h"
#include "hex.h"
#include "mikey.h"
#include "protect.h"

const uint8_t tu_muk[32] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e,
	0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d,
	0x1e, 0x1f
};
const uint8_t tu_kdid[3] = { 0x00, 0xf1, 0x10 };
const uint8_t tu_msk1_id[4] = { 0x00, 0x01, 0x00, 0x02 };
const uint8_t tu_msk2_id[4] = { 0x00, 0x01, 0x00, 0x03 };
const uint8_t tu_msk3_id[4] = { 0x00, 0x01, 0x00, 0x04 };
const uint8_t tu_msk1[16] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee,
	0xff
};
const uint8_t tu_msk2[16] = {
	0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
	0x00
};
const uint8_t tu_msk3[16] = { 0x33 };

static const char base_conf[] =
    "# test configuration (reference/ue/tests)\n"
    "[node]\nrole = ue\nfqdn = " TU_FQDN "\nhttp = 127.0.0.1:18280\nmikey = 127.0.0.1:12469\n"
    "control = 127.0.0.1:19201\nbtid = " TU_BTID "\nseed = 7\n"
    "[timers]\nT_request = 500\nT_delivery = 500\nT_leave = 1000\nW_spread = 1000\n"
    "retry_max = 3\nretry_window = 6000\n"
    "[service " TU_SVC "]\nkdid = 00f110\n"
    "msk = 00010002 00112233445566778899aabbccddeeff 1 4095\n"
    "msk = 00010003 ffeeddccbbaa99887766554433221100 4096 8191\n"
    "current = 00010002\n"
    "[subscriber " TU_BTID "]\n"
    "impi = 001010123456789@ims.mnc001.mcc001.3gppnetwork.org\n"
    "ks = 00112233445566778899aabbccddeeffffeeddccbbaa99887766554433221100\n"
    "rand = a0a1a2a3a4a5a6a7a8a9aaabacadaeaf\n"
    "entitled = " TU_SVC "\nexpired = 0\n";

void
tu_conf(struct conf *c, const char *extra)
{
	char text[8192];
	struct err e;

	snprintf(text, sizeof(text), "%s%s", base_conf, extra ? extra : "");
	if (conf_parse("test.conf", text, c, &e) == -1) {
		fprintf(stderr, "tu_conf: %s\n", e.msg);
		abort();
	}
}

void
tu_keys(struct keys *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->muk, tu_muk, sizeof(tu_muk));
	k->muk_len = sizeof(tu_muk);
	snprintf(k->password, sizeof(k->password), "pw");
}

static size_t
finish(const struct mikey_msg *m, const uint8_t *psk, size_t psk_len, uint8_t *out, size_t cap)
{
	struct bld b;
	struct err e;
	size_t n = 0;

	bld_init(&b);
	if (protect_encode(m, psk, psk_len, &b, &e) == -1) {
		fprintf(stderr, "tu: protect_encode: %s\n", e.msg);
		abort();
	}
	if (b.len <= cap) {
		memcpy(out, b.buf, b.len);
		n = b.len;
	}
	bld_free(&b);
	return n;
}

static void
header(struct mikey_msg *m, uint32_t csb, int v)
{
	memset(m, 0, sizeof(*m));
	m->hdr.version = 1;
	m->hdr.data_type = 0;
	m->hdr.v = (uint8_t)v;
	m->hdr.prf = 0;
	m->hdr.csb_id = csb;
	m->hdr.cs_count = 0;
	m->hdr.map_type = MIKEY_MAP_EMPTY;
}

static const uint8_t rand16[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

/* The payloads every test delivery starts with: Key ID extension, T (COUNTER), RAND. */
static void
add_keyid_t_rand(struct mikey_msg *m, const uint8_t *ext, size_t ext_len, const uint8_t *t)
{
	struct mikey_payload *p;

	p = &m->p[m->npayloads++];
	p->type = MIKEY_PT_GENEXT;
	p->u.ext.ext_type = 2;
	p->u.ext.data.p = ext;
	p->u.ext.data.len = ext_len;
	p = &m->p[m->npayloads++];
	p->type = MIKEY_PT_T;
	p->u.t.ts_type = MIKEY_TS_COUNTER;
	p->u.t.value.p = t;
	p->u.t.value.len = 4;
	p = &m->p[m->npayloads++];
	p->type = MIKEY_PT_RAND;
	p->u.rand.data.p = rand16;
	p->u.rand.data.len = 16;
}

size_t
tu_delivery(uint8_t *out, size_t cap, const uint8_t *muk, uint32_t counter, const char *idi,
    const char *idr, const uint8_t *mskid, const uint8_t *key, uint16_t seql, uint16_t sequ,
    int v)
{
	static struct mikey_msg m;
	uint8_t ext[3 + 7], t[4], vf[2], vt[2];
	struct mikey_payload *p;

	header(&m, 0x01000000u + counter, v);
	ext[0] = 0;			/* Key ID type MSK */
	ext[1] = 0;
	ext[2] = 7;
	memcpy(ext + 3, tu_kdid, 3);
	memcpy(ext + 6, mskid, 4);
	t[0] = (uint8_t)(counter >> 24);
	t[1] = (uint8_t)(counter >> 16);
	t[2] = (uint8_t)(counter >> 8);
	t[3] = (uint8_t)counter;
	vf[0] = (uint8_t)(seql >> 8);
	vf[1] = (uint8_t)seql;
	vt[0] = (uint8_t)(sequ >> 8);
	vt[1] = (uint8_t)sequ;
	add_keyid_t_rand(&m, ext, sizeof(ext), t);
	p = &m.p[m.npayloads++];
	p->type = MIKEY_PT_ID;
	p->u.id.id_type = 1;
	p->u.id.data.p = (const uint8_t *)idi;
	p->u.id.data.len = strlen(idi);
	p = &m.p[m.npayloads++];
	p->type = MIKEY_PT_ID;
	p->u.id.id_type = 1;
	p->u.id.data.p = (const uint8_t *)idr;
	p->u.id.data.len = strlen(idr);
	p = &m.p[m.npayloads++];
	p->type = MIKEY_PT_KEMAC;
	p->u.kemac.encr_alg = MIKEY_ENCR_AES_CM_128;
	p->u.kemac.mac_alg = MIKEY_MAC_HMAC_SHA1_160;
	if (key != NULL) {
		p->u.kemac.nkeys = 1;
		p->u.kemac.keys[0].type = 0;
		p->u.kemac.keys[0].kv = MIKEY_KV_INTERVAL;
		p->u.kemac.keys[0].key.p = key;
		p->u.kemac.keys[0].key.len = 16;
		p->u.kemac.keys[0].valid_from.p = vf;
		p->u.kemac.keys[0].valid_from.len = 2;
		p->u.kemac.keys[0].valid_to.p = vt;
		p->u.kemac.keys[0].valid_to.len = 2;
	}
	return finish(&m, muk, 32, out, cap);
}

size_t
tu_mtk(uint8_t *out, size_t cap, const uint8_t *msk, uint32_t counter, const uint8_t *mskid,
    uint16_t mtk_id)
{
	static struct mikey_msg m;
	static const uint8_t mtk[16] = { 0xab };
	uint8_t ext[3 + 9], t[4], spi[2];
	struct mikey_payload *p;

	header(&m, 0x02000000u + counter, 0);
	ext[0] = 1;			/* Key ID type MTK */
	ext[1] = 0;
	ext[2] = 9;
	memcpy(ext + 3, tu_kdid, 3);
	memcpy(ext + 6, mskid, 4);
	ext[10] = (uint8_t)(mtk_id >> 8);
	ext[11] = (uint8_t)mtk_id;
	t[0] = (uint8_t)(counter >> 24);
	t[1] = (uint8_t)(counter >> 16);
	t[2] = (uint8_t)(counter >> 8);
	t[3] = (uint8_t)counter;
	spi[0] = ext[10];
	spi[1] = ext[11];
	add_keyid_t_rand(&m, ext, sizeof(ext), t);
	p = &m.p[m.npayloads++];
	p->type = MIKEY_PT_KEMAC;
	p->u.kemac.encr_alg = MIKEY_ENCR_AES_CM_128;
	p->u.kemac.mac_alg = MIKEY_MAC_HMAC_SHA1_160;
	p->u.kemac.nkeys = 1;
	p->u.kemac.keys[0].type = 2;
	p->u.kemac.keys[0].kv = MIKEY_KV_SPI;
	p->u.kemac.keys[0].key.p = mtk;
	p->u.kemac.keys[0].key.len = 16;
	p->u.kemac.keys[0].spi.p = spi;
	p->u.kemac.keys[0].spi.len = 2;
	return finish(&m, msk, 16, out, cap);
}

size_t
tu_vector(const char *name, uint8_t *out, size_t cap)
{
	struct hex_msgs v;
	struct err e;
	char path[256];
	size_t n = 0;

	snprintf(path, sizeof(path), "vectors/mikey/valid/%s", name);
	if (hex_msgs_load(path, &v, &e) == -1) {
		fprintf(stderr, "tu_vector: %s (run from the repository root)\n", e.msg);
		return 0;
	}
	if (v.n > 0 && v.m[0].len <= cap) {
		memcpy(out, v.m[0].buf, v.m[0].len);
		n = v.m[0].len;
	}
	hex_msgs_free(&v);
	return n;
}

static int
fake_post(void *arg, const struct httpc_req *req, unsigned long *id, struct err *e)
{
	struct tu_world *w = arg;
	struct tu_post *p;

	if (w->fail_post)
		return err_setx(e, "fake post refused");
	if (w->nposts == TU_MAX_POSTS)
		return err_setx(e, "fake world: too many posts");
	p = &w->post[w->nposts];
	snprintf(p->url, sizeof(p->url), "%s", req->url);
	snprintf(p->type, sizeof(p->type), "%s", req->content_type);
	snprintf(p->user, sizeof(p->user), "%s", req->username);
	snprintf(p->body, sizeof(p->body), "%.*s", (int)req->body_len, req->body);
	p->id = ++w->nposts;
	*id = p->id;
	return 0;
}

static int
fake_send(void *arg, const uint8_t *buf, size_t len, const void *peer, size_t peer_len,
    struct err *e)
{
	struct tu_world *w = arg;

	(void)peer;
	(void)peer_len;
	if (w->nsent == TU_MAX_POSTS || len > sizeof(w->sent[0]))
		return err_setx(e, "fake world: cannot record");
	memcpy(w->sent[w->nsent], buf, len);
	w->sent_len[w->nsent++] = len;
	return 0;
}

void
tu_world_init(struct tu_world *w, struct ue_io *io)
{
	memset(w, 0, sizeof(*w));
	io->arg = w;
	io->post = fake_post;
	io->send = fake_send;
}

const struct tu_post *
tu_last_post(const struct tu_world *w)
{
	return w->nposts ? &w->post[w->nposts - 1] : NULL;
}

size_t
tu_count(const struct tu_world *w, const char *query)
{
	size_t i, n = 0, ql = strlen(query);

	for (i = 0; i < w->nposts; i++) {
		size_t ul = strlen(w->post[i].url);

		if (ul > ql && w->post[i].url[ul - ql - 1] == '=' &&
		    strcmp(w->post[i].url + ul - ql, query) == 0)
			n++;
	}
	return n;
}

void
tu_answer(struct ue *u, unsigned long id, const char *body, int64_t now)
{
	struct httpc_result r;

	memset(&r, 0, sizeof(r));
	if (body == NULL) {
		r.timed_out = 1;
		snprintf(r.error, sizeof(r.error), "Timeout was reached");
	} else {
		r.ok = 1;
		r.status = 200;
		r.body = body;
		r.body_len = strlen(body);
	}
	ue_http_done(u, id, &r, now);
}

void
tu_reg_answer(char *out, size_t size, int code)
{
	snprintf(out, size, "<?xml version=\"1.0\"?>\n<mbmsRegisterResponse "
	    "xmlns=\"urn:3GPP:metadata:2005:MBMS:mbmsRegisterResponse\"><status serviceId=\""
	    TU_SVC "\" code=\"%d\"/></mbmsRegisterResponse>", code);
}

void
tu_msk_answer(char *out, size_t size, const uint8_t *a, int code_a, const uint8_t *b,
    int code_b)
{
	char ha[9], hb[9];
	int n;

	hex_encode(a, 4, ha);
	n = snprintf(out, size, "<mskResponse xmlns=\"urn:3GPP:metadata:2005:MBMS:mskResponse\">"
	    "<status keyDomainId=\"00f110\" mskId=\"%s\" code=\"%d\"/>", ha, code_a);
	if (b != NULL) {
		hex_encode(b, 4, hb);
		n += snprintf(out + n, size - (size_t)n, "<status keyDomainId=\"00f110\" "
		    "mskId=\"%s\" code=\"%d\"/>", hb, code_b);
	}
	snprintf(out + n, size - (size_t)n, "</mskResponse>");
}
