/* testutil: helpers shared by the CUnit test files. */
#include "testutil.h"

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

const char *
tu_tmpdir(void)
{
	static char dir[64];

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/tmp/mbmsct-test.XXXXXX");
		if (mkdtemp(dir) == NULL) {
			perror("mkdtemp");
			abort();
		}
	}
	return dir;
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
