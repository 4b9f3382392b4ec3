/*
 * test_mikey: the codec over every vector file — decode, exact re-encoding, every prefix failing
 * cleanly, the malformed corpus failing with its stated error — and encoder edge cases.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "mikey.h"
#include "testutil.h"

typedef void (*vec_fn)(const char *path, const struct hex_msgs *v);

/* Calls fn for every *.hex file of dir; returns how many files were visited. */
static size_t
each_vector(const char *dir, vec_fn fn)
{
	struct dirent *de;
	struct hex_msgs v;
	struct err e;
	char path[512];
	size_t n = 0;
	DIR *d;

	d = opendir(dir);
	CU_ASSERT_PTR_NOT_NULL(d);
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);

		if (l < 5 || strcmp(de->d_name + l - 4, ".hex") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (hex_msgs_load(path, &v, &e) == -1) {
			fprintf(stderr, "\n%s\n", e.msg);
			CU_FAIL("vector file does not load");
			continue;
		}
		CU_ASSERT_TRUE(v.n > 0);
		fn(path, &v);
		hex_msgs_free(&v);
		n++;
	}
	closedir(d);
	return n;
}

static void
valid_one(const char *path, const struct hex_msgs *v)
{
	struct mikey_msg *m = malloc(sizeof(*m));
	struct err e;
	struct bld b;
	size_t i, cut;
	uint8_t *copy;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	for (i = 0; i < v->n; i++) {
		const struct hex_msg *hm = &v->m[i];

		if (mikey_decode(hm->buf, hm->len, m, &e) == -1) {
			fprintf(stderr, "\n%s:%zu: %s\n", path, hm->line, e.msg);
			CU_FAIL("valid vector does not decode");
			continue;
		}
		/* encode(decode(b)) == b */
		bld_init(&b);
		CU_ASSERT_EQUAL(mikey_encode(m, &b, &e), 0);
		if (b.len != hm->len || memcmp(b.buf, hm->buf, b.len) != 0) {
			fprintf(stderr, "\n%s:%zu: re-encoding differs\n", path, hm->line);
			CU_FAIL("round trip");
		}
		bld_free(&b);
		/* Every strict prefix fails cleanly, from a heap copy of exactly that size. */
		for (cut = 0; cut < hm->len; cut++) {
			copy = malloc(cut ? cut : 1);
			CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
			memcpy(copy, hm->buf, cut);
			if (mikey_decode(copy, cut, m, &e) != -1) {
				fprintf(stderr, "\n%s:%zu: prefix of %zu bytes decoded\n", path,
				    hm->line, cut);
				CU_FAIL("prefix accepted");
			} else
				CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "at offset"));
			free(copy);
		}
	}
	free(m);
}

static void
malformed_one(const char *path, const struct hex_msgs *v)
{
	struct mikey_msg *m = malloc(sizeof(*m));
	struct err e;
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	if (v->expect[0] == '\0') {
		fprintf(stderr, "\n%s: no '# expect:' line\n", path);
		CU_FAIL("malformed vector without expectation");
	}
	for (i = 0; i < v->n; i++) {
		if (mikey_decode(v->m[i].buf, v->m[i].len, m, &e) == 0) {
			fprintf(stderr, "\n%s:%zu: decoded, expected '%s'\n", path, v->m[i].line,
			    v->expect);
			CU_FAIL("malformed vector accepted");
		} else if (strcmp(e.msg, v->expect) != 0) {
			fprintf(stderr, "\n%s:%zu: expected '%s' vs actual '%s'\n", path,
			    v->m[i].line, v->expect, e.msg);
			CU_FAIL("wrong error message");
		}
	}
	free(m);
}

static void
test_valid(void)
{
	CU_ASSERT_TRUE(each_vector("vectors/mikey/valid", valid_one) >= 10);
}

static void
test_malformed(void)
{
	CU_ASSERT_TRUE(each_vector("vectors/mikey/malformed", malformed_one) >= 15);
}

/* Builds a message by hand covering every payload the codec knows, then round-trips it. */
static void
test_all_payloads(void)
{
	static const uint8_t rnd[16] = { 1, 2, 3 }, ts[8] = { 0, 0, 0, 0, 0, 0, 1, 2 };
	static const uint8_t key[16] = { 0xaa }, salt[14] = { 0xbb }, vd[20] = { 0xcc };
	struct mikey_msg *m = calloc(1, sizeof(*m)), *d = malloc(sizeof(*m));
	struct mikey_payload *p;
	struct bld b;
	struct err e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	m->hdr.version = 1;
	m->hdr.csb_id = 0xdeadbeef;
	m->hdr.v = 1;
	m->hdr.prf = 0;
	m->hdr.map_type = MIKEY_MAP_SRTP;
	m->hdr.cs_count = 2;
	m->hdr.cs[1].ssrc = 0x01020304;
	m->hdr.cs[1].roc = 7;
	p = &m->p[m->npayloads++];
	p->type = MIKEY_PT_T;
	p->u.t.ts_type = MIKEY_TS_NTP;
	p->u.t.value = (struct mikey_bytes){ ts, 8 };
	p = &m->p[m->npayloads++];
	p->type = MIKEY_PT_RAND;
	p->u.rand.data = (struct mikey_bytes){ rnd, 16 };
	p = &m->p[m->npayloads++];
	p->type = MIKEY_PT_IDR;
	p->u.idr.role = 2;
	p->u.idr.id_type = 1;
	p->u.idr.data = (struct mikey_bytes){ (const uint8_t *)"sip:x", 5 };
	p = &m->p[m->npayloads++];
	p->type = MIKEY_PT_SP;
	p->u.sp.prot_type = 0;
	p->u.sp.nparams = 2;
	p->u.sp.params[0] = (struct mikey_sp_param){ 1, { key, 1 } };
	p->u.sp.params[1] = (struct mikey_sp_param){ 2, { NULL, 0 } };
	p = &m->p[m->npayloads++];
	p->type = MIKEY_PT_GENEXT;
	p->u.ext.ext_type = 2;
	p->u.ext.data = (struct mikey_bytes){ key, 3 };
	p = &m->p[m->npayloads++];
	p->type = MIKEY_PT_ERR;
	p->u.err.code = 12;
	p = &m->p[m->npayloads++];
	p->type = MIKEY_PT_V;
	p->u.v.auth_alg = 1;
	p->u.v.data = (struct mikey_bytes){ vd, 20 };
	p = &m->p[m->npayloads++];
	p->type = MIKEY_PT_KEMAC;
	p->u.kemac.keys[0] = (struct mikey_keydata){ .type = 3, .kv = 1, .key = { key, 16 },
	    .salt = { salt, 14 }, .spi = { key, 4 } };
	p->u.kemac.keys[1] = (struct mikey_keydata){ .type = 0, .kv = 2, .key = { key, 16 },
	    .valid_from = { key, 2 }, .valid_to = { salt, 0 } };
	p->u.kemac.nkeys = 2;
	bld_init(&b);
	CU_ASSERT_EQUAL_FATAL(mikey_encode_keys(p->u.kemac.keys, 2, &b, &e), 0);
	p->u.kemac.encr = (struct mikey_bytes){ b.buf, b.len };
	p->u.kemac.mac = (struct mikey_bytes){ vd, 20 };
	p->u.kemac.mac_alg = 1;
	p->u.kemac.encr_alg = MIKEY_ENCR_AES_CM_128;
	{
		struct bld out;

		bld_init(&out);
		CU_ASSERT_EQUAL_FATAL(mikey_encode(m, &out, &e), 0);
		CU_ASSERT_EQUAL_FATAL(mikey_decode(out.buf, out.len, d, &e), 0);
		CU_ASSERT_EQUAL(d->hdr.csb_id, 0xdeadbeef);
		CU_ASSERT_EQUAL(d->hdr.v, 1);
		CU_ASSERT_EQUAL(d->hdr.cs[1].roc, 7);
		CU_ASSERT_EQUAL(d->npayloads, 8);
		CU_ASSERT_EQUAL(d->p[2].u.idr.role, 2);
		CU_ASSERT_EQUAL(d->p[3].u.sp.nparams, 2);
		CU_ASSERT_EQUAL(d->p[3].u.sp.params[1].type, 2);
		CU_ASSERT_EQUAL(d->p[5].u.err.code, 12);
		CU_ASSERT_EQUAL(d->p[7].u.kemac.mac_offset, out.len - 20);
		/* AES-CM-protected key data is opaque until decrypted; parse it explicitly. */
		CU_ASSERT_FALSE(d->p[7].u.kemac.keys_parsed);
		CU_ASSERT_EQUAL(mikey_parse_keys(d->p[7].u.kemac.encr.p, d->p[7].u.kemac.encr.len,
		    0, &d->p[7].u.kemac, &e), 0);
		CU_ASSERT_EQUAL(d->p[7].u.kemac.nkeys, 2);
		CU_ASSERT_EQUAL(d->p[7].u.kemac.keys[0].salt.len, 14);
		CU_ASSERT_EQUAL(d->p[7].u.kemac.keys[0].spi.len, 4);
		CU_ASSERT_EQUAL(d->p[7].u.kemac.keys[1].valid_from.len, 2);
		CU_ASSERT_EQUAL(mikey_ts_u64(&d->p[0].u.t.value), 0x102);
		bld_free(&out);
	}
	bld_free(&b);
	free(m);
	free(d);
}

static void
test_encode_errors(void)
{
	static uint8_t big[70000];
	struct mikey_msg *m = calloc(1, sizeof(*m));
	struct bld b;
	struct err e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	m->hdr.version = 1;
	m->hdr.map_type = MIKEY_MAP_EMPTY;
	m->npayloads = 1;
	m->p[0].type = MIKEY_PT_ID;
	m->p[0].u.id.data = (struct mikey_bytes){ big, sizeof(big) };
	bld_init(&b);
	CU_ASSERT_EQUAL(mikey_encode(m, &b, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "ID data longer than 65535"));
	bld_reset(&b);
	m->p[0].type = MIKEY_PT_T;
	m->p[0].u.t.ts_type = MIKEY_TS_COUNTER;
	m->p[0].u.t.value = (struct mikey_bytes){ big, 8 };
	CU_ASSERT_EQUAL(mikey_encode(m, &b, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "T value length"));
	bld_reset(&b);
	m->p[0].type = MIKEY_PT_PKE;
	CU_ASSERT_EQUAL(mikey_encode(m, &b, &e), -1);
	bld_reset(&b);
	m->npayloads = 0;
	m->hdr.map_type = 9;
	CU_ASSERT_EQUAL(mikey_encode(m, &b, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "map type 9"));
	bld_free(&b);
	free(m);
}

static void
test_names(void)
{
	CU_ASSERT_STRING_EQUAL(mikey_name(mikey_payload_names, 1), "KEMAC");
	CU_ASSERT_STRING_EQUAL(mikey_name(mikey_payload_names, 21), "EXT");
	CU_ASSERT_PTR_NULL(mikey_name(mikey_payload_names, 99));
	CU_ASSERT_EQUAL(mikey_value(mikey_payload_names, "kemac"), 1);
	CU_ASSERT_EQUAL(mikey_value(mikey_payload_names, "nope"), -1);
	CU_ASSERT_EQUAL(mikey_ts_len(MIKEY_TS_COUNTER), 4);
	CU_ASSERT_EQUAL(mikey_ts_len(7), -1);
}

int
test_mikey_register(void)
{
	static const struct tu_test tests[] = {
		{ "valid vectors: decode, exact re-encode, every prefix rejected", test_valid },
		{ "malformed corpus: each fails with its stated error", test_malformed },
		{ "every payload type round-trips", test_all_payloads },
		{ "encoder rejects what does not fit", test_encode_errors },
		{ "name tables", test_names },
		{ NULL, NULL }
	};

	return tu_register("mikey", tests);
}
