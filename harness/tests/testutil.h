/* testutil: small helpers shared by the CUnit test files (vector paths, commands, hex). */
#ifndef MBMS_TESTUTIL_H
#define MBMS_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include <CUnit/CUnit.h>

#include "builder.h"
#include "crypto.h"
#include "hex.h"
#include "pkt.h"

/* Each test_<name>.c exports its registration function (run-tests.c calls them all). */
int	test_cursor_register(void);
int	test_builder_register(void);
int	test_hex_register(void);
int	test_mikey_register(void);
int	test_protect_register(void);
int	test_lua_register(void);
int	test_crypto_register(void);
int	test_kdf_register(void);
int	test_oracle_openssl_register(void);
int	test_pkt_register(void);
int	test_capture_register(void);
int	test_tcpflow_register(void);
int	test_scan_register(void);
int	test_oracle_tshark_register(void);
int	test_net_udp_register(void);
int	test_net_tcp_register(void);
int	test_xml_build_register(void);
int	test_digest_parse_register(void);
int	test_digest_peer_register(void);

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
/*
 * A fresh temporary directory for this process (created once); path valid until exit, when the
 * directory and everything in it are removed.
 */
const char *tu_tmpdir(void);
/* Writes "<tu_tmpdir()>/<name>" into buf and returns buf. */
char	*tu_tmp_path(char *buf, size_t cap, const char *name);
/* Asserts that n bytes at a equal the hex text, printing both on mismatch. */
#define TU_ASSERT_HEX(a, n, hex) CU_ASSERT_TRUE(tu_hex_eq((a), (n), (hex), __FILE__, __LINE__))
int	tu_hex_eq(const uint8_t *a, size_t n, const char *hex, const char *file, int line);
/* 1 when msg contains want; otherwise prints both and returns 0 (for CU_ASSERT_TRUE). */
int	tu_has(const char *msg, const char *want);

/* --- known-answer files (vectors/kat/<name>, below $MBMSCT_HOME when set) ------------------ */
/* The most fields a tu_kat_each or tu_kat_fields caller may ask for. */
#define TU_KAT_MAX_FIELDS 8
/* Loads a KAT file; fails the test and returns -1 if it is unreadable or holds < min records. */
int	tu_kat_open(const char *name, size_t min, struct hex_kat *k);
/*
 * Fetches the named fields (a NULL-terminated list) of a record into f, in order; fails the test
 * and returns -1 if one is missing.
 */
int	tu_kat_fields(const char *file, const struct hex_record *r, const struct hex_field **f,
	    const char *const *names);
/* What tu_kat_each calls for one record: f holds the fields asked for, in the order named. */
typedef void tu_kat_fn(const char *file, const struct hex_record *r,
    const struct hex_field *const *f, void *arg);
/*
 * Loads a KAT file (as tu_kat_open) and calls fn on each record that has every named field,
 * failing the test for one that does not. Returns 0, or -1 when the file could not be used.
 */
int	tu_kat_each(const char *file, size_t min, const char *const *names, tu_kat_fn *fn,
	    void *arg);
/* Compares n bytes; on mismatch prints file:line, what, expected and actual. 1 when equal. */
int	tu_same(const char *file, size_t line, const char *what, const uint8_t *got,
	    const uint8_t *exp, size_t n);

/* --- reference encodings written from the specification, independent of the harness ------- */
/* Assembles the GBA KDF input S = FC || P0 || L0 || ... || Pn-1 || Ln-1 (TS 33.220 B.2) into b. */
void	tu_gba_s(struct bld *b, uint8_t fc, const struct crypto_iov *p, size_t n);
/* Parses an address literal and sets its port (aborts the test program on a bad literal). */
struct pkt_addr tu_addr(const char *s, uint16_t port);

#endif
