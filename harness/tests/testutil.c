/* testutil: helpers shared by the CUnit test files. */
/* nftw(3) and FTW_DEPTH/FTW_PHYS are XSI; the Makefile asks only for _DEFAULT_SOURCE. */
#define _XOPEN_SOURCE 700

#include "testutil.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hex.h"

int
tu_register(const char *suite, const struct tu_test *tests)
{
	CU_pSuite s;

	if ((s = CU_add_suite(suite, NULL, NULL)) == NULL)
		return -1;
	for (; tests->name != NULL; tests++)
		if (CU_add_test(s, tests->name, tests->fn) == NULL)
			return -1;
	return 0;
}

void
tu_hex(struct bld *b, const char *hex)
{
	struct err e;

	bld_init(b);
	if (hex_decode(hex, strlen(hex), b, &e) == -1) {
		fprintf(stderr, "test vector: %s\n", e.msg);
		abort();
	}
}

int
tu_run(const char *cmd, char *out, size_t cap)
{
	FILE *fp;
	size_t n = 0, r;
	int st;

	if ((fp = popen(cmd, "r")) == NULL)
		return -1;
	if (out != NULL && cap > 0) {
		while (n < cap - 1 && (r = fread(out + n, 1, cap - 1 - n, fp)) > 0)
			n += r;
		out[n] = '\0';
	}
	/* Drain what did not fit so the child is not killed by SIGPIPE. */
	{
		char sink[4096];

		while (fread(sink, 1, sizeof(sink), fp) > 0)
			;
	}
	st = pclose(fp);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int
tu_have(const char *prog)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", prog);
	return tu_run(cmd, NULL, 0) == 0;
}

/* nftw callback: removes one entry (with FTW_DEPTH a directory, FTW_DP, follows its contents). */
static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if ((flag == FTW_DP ? rmdir(path) : unlink(path)) == -1)
		perror(path);
	return 0;
}

/*
 * The temporary directory, created on first use. This is the one piece of mutable global state
 * in the test helpers: atexit() handlers take no argument, so the path that rm_tmpdir() removes
 * has to live where it can find it.
 */
static char tmpdir[64];

static void
rm_tmpdir(void)
{
	/* FTW_PHYS: a symbolic link a test left behind is removed, never followed. */
	if (tmpdir[0] != '\0')
		(void)nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *
tu_tmpdir(void)
{
	if (tmpdir[0] == '\0') {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/mbmsct-test.XXXXXX");
		if (mkdtemp(tmpdir) == NULL) {
			perror("mkdtemp");
			abort();
		}
		if (atexit(rm_tmpdir) != 0) {
			fprintf(stderr, "atexit: cannot arrange to remove %s\n", tmpdir);
			abort();
		}
	}
	return tmpdir;
}

char *
tu_tmp_path(char *buf, size_t cap, const char *name)
{
	snprintf(buf, cap, "%s/%s", tu_tmpdir(), name);
	return buf;
}

int
tu_hex_eq(const uint8_t *a, size_t n, const char *hex, const char *file, int line)
{
	struct bld b;
	char *got;
	int ok;

	tu_hex(&b, hex);
	ok = b.len == n && (n == 0 || memcmp(a, b.buf, n) == 0);
	if (!ok) {
		if ((got = malloc(2 * n + 1)) != NULL) {
			hex_encode(a, n, got);
			fprintf(stderr, "\n%s:%d: expected %s vs actual %s\n", file, line, hex, got);
			free(got);
		}
	}
	bld_free(&b);
	return ok;
}

int
tu_has(const char *msg, const char *want)
{
	if (strstr(msg, want) != NULL)
		return 1;
	fprintf(stderr, "\nexpected text containing \"%s\" vs actual \"%s\"\n", want, msg);
	return 0;
}

int
tu_kat_open(const char *name, size_t min, struct hex_kat *k)
{
	const char *home = getenv("MBMSCT_HOME");
	char path[1024];
	struct err e;

	snprintf(path, sizeof(path), "%s%svectors/kat/%s", home ? home : "", home ? "/" : "", name);
	if (hex_kat_load(path, k, &e) == -1) {
		fprintf(stderr, "\n%s\n", e.msg);
		CU_FAIL("KAT file unreadable");
		return -1;
	}
	if (k->nrec < min) {
		fprintf(stderr, "\n%s: %zu records, expected at least %zu\n", path, k->nrec, min);
		CU_FAIL("KAT file has too few records");
		hex_kat_free(k);
		return -1;
	}
	return 0;
}

int
tu_kat_fields(const char *file, const struct hex_record *r, const struct hex_field **f,
    const char *const *names)
{
	size_t i;

	for (i = 0; names[i] != NULL; i++) {
		if (i == TU_KAT_MAX_FIELDS) {
			fprintf(stderr, "\n%s: more than %d fields asked for\n", file,
			    TU_KAT_MAX_FIELDS);
			CU_FAIL("test asks for too many KAT fields");
			return -1;
		}
		if ((f[i] = hex_kat_get(r, names[i])) == NULL) {
			fprintf(stderr, "\n%s:%zu: field %s missing\n", file, r->line, names[i]);
			CU_FAIL("KAT record lacks a field");
			return -1;
		}
	}
	return 0;
}

int
tu_kat_each(const char *file, size_t min, const char *const *names, tu_kat_fn *fn, void *arg)
{
	const struct hex_field *f[TU_KAT_MAX_FIELDS];
	struct hex_kat k;
	size_t i;

	if (tu_kat_open(file, min, &k) == -1)
		return -1;
	for (i = 0; i < k.nrec; i++)
		if (tu_kat_fields(file, &k.rec[i], f, names) == 0)
			fn(file, &k.rec[i], f, arg);
	hex_kat_free(&k);
	return 0;
}

int
tu_same(const char *file, size_t line, const char *what, const uint8_t *got, const uint8_t *exp,
    size_t n)
{
	char *a, *b;

	if (n == 0 || memcmp(got, exp, n) == 0)
		return 1;
	a = malloc(2 * n + 1);
	b = malloc(2 * n + 1);
	if (a != NULL && b != NULL) {
		hex_encode(exp, n, a);
		hex_encode(got, n, b);
		fprintf(stderr, "\n%s:%zu: %s: expected %s vs actual %s\n", file, line, what, a, b);
	}
	free(a);
	free(b);
	return 0;
}

void
tu_gba_s(struct bld *b, uint8_t fc, const struct crypto_iov *p, size_t n)
{
	size_t i;

	bld_init(b);
	bld_u8(b, fc);
	for (i = 0; i < n; i++) {
		bld_bytes(b, p[i].p, p[i].len);
		bld_u16(b, (uint16_t)p[i].len);
	}
}

struct pkt_addr
tu_addr(const char *s, uint16_t port)
{
	struct pkt_addr a;
	struct err e;

	memset(&a, 0, sizeof(a));
	if (pkt_addr_parse(s, &a, &e) == -1) {
		fprintf(stderr, "test address %s: %s\n", s, e.msg);
		abort();
	}
	a.port = port;
	return a;
}
