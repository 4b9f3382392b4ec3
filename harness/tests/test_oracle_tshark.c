/*
 * test_oracle_tshark: Wireshark's MIKEY dissector, which nobody on this team wrote, as the
 * judge of the codec. Every valid vector (MSK delivery, solicited pull, MTK delivery,
 * verification, error, and the public camera/ONVIF messages) goes into a pcap written with
 * libpcap; tshark's fields must equal what the vector's `# fields:` line says was intended and
 * what mbmsct decodes, and tshark must report nothing malformed.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "hex.h"
#include "mikey.h"
#include "testutil.h"

/* The tshark columns, in order; a fields-line key maps onto one of them. */
static const char *const columns[] = {
	"mikey.version", "mikey.type", "mikey.v.set", "mikey.prf_func", "mikey.csb_id",
	"mikey.cs_count", "mikey.cs_id_map_type", "mikey.next_payload", "mikey.t.ts_type",
	"mikey.rand.data", "mikey.id.data", "mikey.ext.type", "mikey.ext.data",
	"mikey.kemac.encr_alg", "mikey.kemac.key_data_len", "mikey.kemac.mac_alg",
	"mikey.kemac.mac", "mikey.key.type", "mikey.key.kv", "mikey.key.data", "mikey.key.kv.spi",
	"mikey.key.kv.from", "mikey.key.kv.to", "mikey.v.auth_alg", "mikey.v.ver_data",
	"mikey.err.no", "_ws.malformed", "_ws.expert", NULL
};
enum { C_VERSION, C_TYPE, C_V, C_PRF, C_CSB, C_CS_COUNT, C_MAP, C_NEXT, C_TS_TYPE, C_RAND, C_ID,
	C_EXT_TYPE, C_EXT_DATA, C_ENCR, C_ENCR_LEN, C_MAC_ALG, C_MAC, C_KEY_TYPE, C_KV, C_KEY,
	C_SPI, C_FROM, C_TO, C_AUTH_ALG, C_VER_DATA, C_ERR, C_MALFORMED, C_EXPERT, C_N };

/* fields-line key -> column, for the keys tshark can show as the line writes them. */
static const struct {
	const char *key;
	int col;
} keymap[] = {
	{ "version", C_VERSION }, { "type", C_TYPE }, { "v", C_V }, { "prf_func", C_PRF },
	{ "csb_id", C_CSB }, { "cs_count", C_CS_COUNT }, { "cs_id_map_type", C_MAP },
	{ "ts_type", C_TS_TYPE }, { "rand", C_RAND }, { "ext_type", C_EXT_TYPE },
	{ "encr_alg", C_ENCR }, { "encr_data_len", C_ENCR_LEN }, { "mac_alg", C_MAC_ALG },
	{ "key_data_type", C_KEY_TYPE }, { "kv", C_KV }, { "key", C_KEY }, { "spi", C_SPI },
	{ "valid_from", C_FROM }, { "valid_to", C_TO }, { "auth_alg", C_AUTH_ALG },
	{ "err_no", C_ERR }, { NULL, 0 }
};

#define MAXVEC 64

struct vec {
	char name[256];
	char fields[4096];
	uint8_t *buf;
	size_t len;
};

static size_t
load_vectors(struct vec *v, size_t cap)
{
	const char *dir = "vectors/mikey/valid";
	char path[512], line[4096];
	struct dirent *de;
	struct hex_msgs hm;
	struct err e;
	size_t n = 0;
	FILE *f;
	DIR *d;

	d = opendir(dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((de = readdir(d)) != NULL && n < cap) {
		if (strstr(de->d_name, ".hex") == NULL)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (hex_msgs_load(path, &hm, &e) == -1) {
			CU_FAIL(e.msg);
			continue;
		}
		snprintf(v[n].name, sizeof(v[n].name), "%s", de->d_name);
		v[n].fields[0] = '\0';
		if ((f = fopen(path, "r")) != NULL) {
			while (fgets(line, sizeof(line), f) != NULL)
				if (strncmp(line, "# fields: ", 10) == 0) {
					line[strcspn(line, "\n")] = '\0';
					snprintf(v[n].fields, sizeof(v[n].fields), "%s", line + 10);
				}
			fclose(f);
		}
		/* One message per vector file; the first is the one judged. */
		v[n].buf = hm.m[0].buf;
		v[n].len = hm.m[0].len;
		hm.m[0].buf = NULL;
		hex_msgs_free(&hm);
		n++;
	}
	closedir(d);
	return n;
}

/* Splits a tshark line at '|' into C_N columns (in place). */
static int
split(char *line, char **col)
{
	int i;

	line[strcspn(line, "\n")] = '\0';
	for (i = 0; i < C_N; i++) {
		col[i] = line;
		line = strchr(line, '|');
		if (line == NULL)
			return i == C_N - 1 ? 0 : -1;
		*line++ = '\0';
	}
	return -1;
}

static int mismatches;

static void
expect(const char *vec, const char *what, const char *want, const char *got)
{
	if (strcmp(want, got) != 0) {
		fprintf(stderr, "\n%s: %s: expected %s vs tshark %s", vec, what, want, got);
		mismatches++;
	}
}

/* The n-th (0-based) ';'-separated occurrence of a column value, into out. */
static void
occurrence(const char *s, int n, char *out, size_t cap)
{
	const char *end;

	while (n-- > 0 && s != NULL)
		if ((s = strchr(s, ';')) != NULL)
			s++;
	if (s == NULL) {
		out[0] = '\0';
		return;
	}
	end = strchr(s, ';');
	snprintf(out, cap, "%.*s", (int)(end ? (size_t)(end - s) : strlen(s)), s);
}

/* Compares one packet's columns with its vector's fields line and with mbmsct's decoding. */
static void
judge(const struct vec *v, char **col)
{
	char tok[512], *save = NULL, *t, want[4096], got[512];
	struct mikey_msg *m = malloc(sizeof(*m));
	struct err e;
	size_t i, k;
	int ncheck = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	expect(v->name, "_ws.malformed", "", col[C_MALFORMED]);
	expect(v->name, "_ws.expert", "", col[C_EXPERT]);
	snprintf(want, sizeof(want), "%s", v->fields);
	for (t = strtok_r(want, " ", &save); t != NULL; t = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(t, '=');

		if (eq == NULL)
			continue;
		*eq = '\0';
		snprintf(tok, sizeof(tok), "%s", eq + 1);
		for (k = 0; keymap[k].key != NULL; k++)
			if (strcmp(keymap[k].key, t) == 0)
				break;
		if (strcmp(t, "idi") == 0 || strcmp(t, "idr") == 0) {
			occurrence(col[C_ID], strcmp(t, "idi") == 0 ? 0 : 1, got, sizeof(got));
			/* A verification message carries only IDr. */
			if (strcmp(t, "idr") == 0 && strchr(col[C_ID], ';') == NULL)
				occurrence(col[C_ID], 0, got, sizeof(got));
			expect(v->name, t, tok, got);
			ncheck++;
		} else if (strcmp(t, "keyid") == 0) {
			size_t gl = strlen(col[C_EXT_DATA]), wl = strlen(tok);

			/* Key ID body = type(8) | len(16) | id: tshark shows it raw. */
			expect(v->name, "keyid (tail of mikey.ext.data)", tok,
			    gl >= wl ? col[C_EXT_DATA] + gl - wl : col[C_EXT_DATA]);
			ncheck++;
		} else if (keymap[k].key != NULL) {
			/* Encrypted key data is invisible to tshark: only NULL encryption shows it. */
			if (col[keymap[k].col][0] == '\0' && strcmp(col[C_ENCR], "0") != 0 &&
			    (keymap[k].col >= C_KEY_TYPE && keymap[k].col <= C_TO))
				continue;
			expect(v->name, t, tok, col[keymap[k].col]);
			ncheck++;
		}
	}
	CU_ASSERT_TRUE(ncheck >= 6);
	/* mbmsct's own decoding against tshark: payload chain, MACs, V data. */
	CU_ASSERT_EQUAL_FATAL(mikey_decode(v->buf, v->len, m, &e), 0);
	got[0] = '\0';
	for (i = 0; i <= m->npayloads; i++) {
		size_t l = strlen(got);

		snprintf(got + l, sizeof(got) - l, "%s%u", i ? ";" : "",
		    i < m->npayloads ? m->p[i].type : 0);
	}
	expect(v->name, "next payload chain", got, col[C_NEXT]);
	for (i = 0; i < m->npayloads; i++) {
		const struct mikey_payload *p = &m->p[i];

		if (p->type == MIKEY_PT_KEMAC && p->u.kemac.mac.len > 0) {
			hex_encode(p->u.kemac.mac.p, p->u.kemac.mac.len, got);
			expect(v->name, "KEMAC MAC", got, col[C_MAC]);
		}
		if (p->type == MIKEY_PT_V) {
			hex_encode(p->u.v.data.p, p->u.v.data.len, got);
			expect(v->name, "V ver_data", got, col[C_VER_DATA]);
		}
	}
	free(m);
}

static void
test_tshark(void)
{
	struct vec *v = calloc(MAXVEC, sizeof(*v));
	char pcap[512], cmd[4096], *out, *line, *col[C_N], *save = NULL;
	struct pkt_addr src, dst;
	struct capture_writer *w;
	struct err e;
	size_t n, i, used;
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	if (!tu_have("tshark")) {
		CU_FAIL("tshark is not installed (scripts/setup installs it)");
		free(v);
		return;
	}
	n = load_vectors(v, MAXVEC);
	CU_ASSERT_TRUE_FATAL(n >= 10);
	snprintf(pcap, sizeof(pcap), "%s/oracle.pcap", tu_tmpdir());
	CU_ASSERT_EQUAL_FATAL(pkt_addr_parse("127.0.0.1", &src, &e), 0);
	CU_ASSERT_EQUAL_FATAL(pkt_addr_parse("127.0.0.2", &dst, &e), 0);
	src.port = 40000;
	dst.port = 2269;	/* tshark's default MIKEY port */
	w = capture_create(pcap, PKT_LINK_ETHERNET, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	for (i = 0; i < n; i++)
		CU_ASSERT_EQUAL(capture_write_udp(w, (int64_t)i, 0, &src, &dst, v[i].buf, v[i].len,
		    &e), 0);
	CU_ASSERT_EQUAL(capture_close_writer(w, &e), 0);
	used = (size_t)snprintf(cmd, sizeof(cmd), "tshark -r %s -T fields -E occurrence=a "
	    "-E aggregator=';' -E separator='|'", pcap);
	for (i = 0; columns[i] != NULL; i++)
		used += (size_t)snprintf(cmd + used, sizeof(cmd) - used, " -e %s", columns[i]);
	snprintf(cmd + used, sizeof(cmd) - used, " 2>/dev/null");
	out = malloc(1 << 20);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	rc = tu_run(cmd, out, 1 << 20);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	mismatches = 0;
	for (i = 0, line = strtok_r(out, "\n", &save); line != NULL && i < n;
	    line = strtok_r(NULL, "\n", &save), i++) {
		if (split(line, col) == -1) {
			fprintf(stderr, "\n%s: tshark line has the wrong column count\n", v[i].name);
			mismatches++;
			continue;
		}
		judge(&v[i], col);
	}
	CU_ASSERT_EQUAL(i, n);
	CU_ASSERT_EQUAL(mismatches, 0);
	for (i = 0; i < n; i++)
		free(v[i].buf);
	free(out);
	free(v);
}

int
test_oracle_tshark_register(void)
{
	static const struct tu_test tests[] = {
		{ "tshark dissects every vector as intended, nothing malformed", test_tshark },
		{ NULL, NULL }
	};

	return tu_register("oracle_tshark", tests);
}
