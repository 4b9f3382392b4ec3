/* testutil: small helpers shared by the CUnit test files (vector paths, commands, hex). */
#ifndef MBMS_TESTUTIL_H
#define MBMS_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include <CUnit/CUnit.h>

#include "builder.h"

/* Each test_<name>.c exports its registration function (run-tests.c calls them all). */
int	test_cursor_register(void);
int	test_builder_register(void);
int	test_hex_register(void);
int	test_mikey_register(void);
int	test_protect_register(void);
int	test_lua_register(void);
int	test_crypto_register(void);
int	test_oracle_openssl_register(void);
int	test_pkt_register(void);
int	test_capture_register(void);
int	test_oracle_tshark_register(void);

/* Adds a suite and its tests; tests is a NULL-terminated array of {name, fn}. */
struct tu_test {
	const char *name;
	CU_TestFunc fn;
};
int	tu_register(const char *suite, const struct tu_test *tests);

/* Decodes hex text into a fresh builder (aborts the test program on bad hex: tests own it). */
void	tu_hex(struct bld *b, const char *hex);
/*
 * Runs a shell command, stores up to cap-1 bytes of its standard output in out, returns the exit
 * status (or -1 if it could not be run).
 */
int	tu_run(const char *cmd, char *out, size_t cap);
/* 1 when a program is on PATH. */
int	tu_have(const char *prog);
/* A fresh temporary directory for this process (created once); path valid until exit. */
const char *tu_tmpdir(void);
/* Asserts that n bytes at a equal the hex text, printing both on mismatch. */
#define TU_ASSERT_HEX(a, n, hex) CU_ASSERT_TRUE(tu_hex_eq((a), (n), (hex), __FILE__, __LINE__))
int	tu_hex_eq(const uint8_t *a, size_t n, const char *hex, const char *file, int line);

#endif
