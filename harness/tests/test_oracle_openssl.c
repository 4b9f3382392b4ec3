/* test_oracle_openssl: our PRF, AES-CM and GBA KDF against the openssl command on random inputs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "hex.h"
#include "testutil.h"

#define ROUNDS		100
#define MULTI_ROUNDS	30
#define MAX_PRF_OUT	100
#define MAX_AES_LEN	300
#define MAX_PARAM_LEN	300

/*
 * splitmix64: a fixed seed makes every run draw the same inputs, so a failure can be replayed;
 * MBMSCT_SEED picks another sequence.
 */
static uint64_t rng_state;

/* Starts the sequence of one test (stream) and returns its seed, for failure messages. */
static uint64_t
rng_start(uint64_t stream)
{
	const char *s = getenv("MBMSCT_SEED");

	rng_state = (s != NULL ? strtoull(s, NULL, 0) : 0x6d626d7363740001ULL) ^ stream;
	return rng_state;
}

static uint64_t
rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A length in lo..hi. */
static size_t
rng_len(size_t lo, size_t hi)
{
	return lo + (size_t)(rng_next() % (hi - lo + 1));
}

static void
rng_bytes(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)rng_next();
}

/* Fails the test once, with the reason, when the oracle is not installed. */
static int
have_openssl(void)
{
	if (tu_have("openssl"))
		return 1;
	fprintf(stderr, "\nopenssl is not on PATH: the oracle tests need it (scripts/setup installs "
	    "the openssl package)\n");
	CU_FAIL("openssl command missing: run scripts/setup");
	return 0;
}

/* Hex text of p, in a caller buffer of 2n+1 bytes. */
static const char *
hex(const uint8_t *p, size_t n, char *buf)
{
	hex_encode(p, n, buf);
	return buf;
}

/* Reports a disagreement and the (last) command that produced the oracle's answer; returns 0. */
static int
disagree(uint64_t seed, int round, const char *cmd, const uint8_t *ours, const uint8_t *theirs,
    size_t n)
{
	char *a = malloc(2 * n + 1), *b = malloc(2 * n + 1);

	if (a != NULL && b != NULL)
		fprintf(stderr, "\nseed %#llx round %d: %s\n  expected %s vs actual %s\n",
		    (unsigned long long)seed, round, cmd, hex(theirs, n, a), hex(ours, n, b));
	free(a);
	free(b);
	return 0;
}

/* Runs cmd and decodes the hex it prints (colons and case ignored) into b. */
static int
run_hex(const char *cmd, struct bld *b)
{
	char out[1024];
	struct err e;
	int st;

	bld_init(b);
	if ((st = tu_run(cmd, out, sizeof(out))) != 0) {
		fprintf(stderr, "\n%s: exit status %d\n", cmd, st);
		return -1;
	}
	if (hex_decode(out, strlen(out), b, &e) == -1) {
		fprintf(stderr, "\n%s: unreadable output: %s\n", cmd, e.msg);
		bld_free(b);
		return -1;
	}
	return 0;
}

static int
write_file(const char *path, const void *p, size_t n)
{
	FILE *fp;
	int ok;

	if ((fp = fopen(path, "wb")) == NULL)
		return -1;
	ok = fwrite(p, 1, n, fp) == n;
	return fclose(fp) == 0 && ok ? 0 : -1;
}

/* Reads at most cap bytes of a file; returns the length or -1. */
static long
read_file(const char *path, uint8_t *p, size_t cap)
{
	size_t n;
	FILE *fp;

	if ((fp = fopen(path, "rb")) == NULL)
		return -1;
	n = fread(p, 1, cap, fp);
	fclose(fp);
	return (long)n;
}

/*
 * openssl's TLS1-PRF with SHA-1 is TLS 1.2 P_SHA1, which is MIKEY's P(s, label, m) for one
 * chunk (mikey.md 3). Sets out to its answer for one chunk; returns 0, or -1 after printing why.
 */
static int
openssl_p_sha1(const uint8_t *s, size_t s_len, const uint8_t *label, size_t label_len,
    uint8_t *out, size_t out_len, char *cmd, size_t cmd_cap)
{
	char hs[2 * 32 + 1], hl[2 * 64 + 1];
	struct bld b;

	snprintf(cmd, cmd_cap, "openssl kdf -keylen %zu -kdfopt digest:SHA1 -kdfopt hexsecret:%s "
	    "-kdfopt hexseed:%s TLS1-PRF 2>&1", out_len, hex(s, s_len, hs),
	    hex(label, label_len, hl));
	if (run_hex(cmd, &b) == -1)
		return -1;
	if (b.len != out_len) {
		fprintf(stderr, "\n%s: %zu bytes, expected %zu\n", cmd, b.len, out_len);
		bld_free(&b);
		return -1;
	}
	memcpy(out, b.buf, out_len);
	bld_free(&b);
	return 0;
}

/* One random PRF case with an inkey of lo..hi bytes; 1 when ours agrees with openssl. */
static int
prf_case(uint64_t seed, int round, size_t lo, size_t hi)
{
	uint8_t inkey[128], label[64], ours[MAX_PRF_OUT], theirs[MAX_PRF_OUT], part[MAX_PRF_OUT];
	size_t inkey_len = rng_len(lo, hi), label_len = rng_len(1, sizeof(label));
	size_t out_len = rng_len(1, MAX_PRF_OUT), off, chunk, i;
	char cmd[512];
	struct err e;

	rng_bytes(inkey, inkey_len);
	rng_bytes(label, label_len);
	if (crypto_mikey_prf(inkey, inkey_len, label, label_len, ours, out_len, &e) == -1) {
		fprintf(stderr, "\nseed %#llx round %d: %s\n", (unsigned long long)seed, round, e.msg);
		return 0;
	}
	/* RFC 3830 4.1.2: XOR of P over the 32-byte chunks, each computed by openssl. */
	memset(theirs, 0, out_len);
	for (off = 0; off < inkey_len; off += chunk) {
		chunk = inkey_len - off < 32 ? inkey_len - off : 32;
		if (openssl_p_sha1(inkey + off, chunk, label, label_len, part, out_len, cmd,
		    sizeof(cmd)) == -1)
			return 0;
		for (i = 0; i < out_len; i++)
			theirs[i] ^= part[i];
	}
	if (memcmp(ours, theirs, out_len) != 0)
		return disagree(seed, round, cmd, ours, theirs, out_len);
	return 1;
}

/* The PRF cases of one test (stream), inkeys of lo..hi bytes, up to the first disagreement. */
static void
prf_rounds(uint64_t stream, int rounds, size_t lo, size_t hi)
{
	uint64_t seed = rng_start(stream);
	int round, ok = 1;

	if (!have_openssl())
		return;
	for (round = 0; round < rounds && ok; round++)
		ok = prf_case(seed, round, lo, hi);
	CU_ASSERT_TRUE(ok);
}

static void
test_prf_single_chunk(void)
{
	prf_rounds(0, ROUNDS, 1, 32);
}

static void
test_prf_multi_chunk(void)
{
	prf_rounds(1, MULTI_ROUNDS, 33, 128);
}

static void
test_aes_cm(void)
{
	uint8_t key[16], iv[16], in[MAX_AES_LEN], ours[MAX_AES_LEN], theirs[MAX_AES_LEN + 1];
	char hk[33], hiv[33], inpath[512], outpath[512], cmd[1536];
	uint64_t seed = rng_start(2);
	int round, ok = 1;
	struct err e;
	size_t len;
	long got;

	if (!have_openssl())
		return;
	tu_tmp_path(inpath, sizeof(inpath), "oracle-aes.in");
	tu_tmp_path(outpath, sizeof(outpath), "oracle-aes.out");
	for (round = 0; round < ROUNDS && ok; round++) {
		len = rng_len(0, MAX_AES_LEN);
		rng_bytes(key, sizeof(key));
		rng_bytes(iv, sizeof(iv));
		rng_bytes(in, len);
		/* Every tenth IV ends in ones so that the counter carries across bytes. */
		if (round % 10 == 0)
			memset(iv + 12, 0xff, 4);
		CU_ASSERT_EQUAL_FATAL(write_file(inpath, in, len), 0);
		remove(outpath);
		snprintf(cmd, sizeof(cmd), "openssl enc -aes-128-ctr -K %s -iv %s -nopad -in %s "
		    "-out %s 2>&1", hex(key, 16, hk), hex(iv, 16, hiv), inpath, outpath);
		if (tu_run(cmd, NULL, 0) != 0 ||
		    (got = read_file(outpath, theirs, sizeof(theirs))) < 0) {
			fprintf(stderr, "\n%s: failed\n", cmd);
			ok = 0;
			break;
		}
		if ((size_t)got != len) {
			fprintf(stderr, "\n%s: %ld bytes, expected %zu\n", cmd, got, len);
			ok = 0;
			break;
		}
		ok = crypto_aes_cm(key, iv, in, ours, len, &e) == 0;
		if (ok && memcmp(ours, theirs, len) != 0)
			ok = disagree(seed, round, cmd, ours, theirs, len);
	}
	CU_ASSERT_TRUE(ok);
}

static void
test_gba_kdf(void)
{
	uint8_t key[64], params[4][MAX_PARAM_LEN], ours[CRYPTO_SHA256_LEN];
	char hk[2 * sizeof(key) + 1], spath[512], cmd[1024];
	struct crypto_iov p[4];
	uint64_t seed = rng_start(3);
	size_t key_len, np, i;
	int round, ok = 1;
	struct bld s, theirs;
	struct err e;
	uint8_t fc;

	if (!have_openssl())
		return;
	tu_tmp_path(spath, sizeof(spath), "oracle-gba.s");
	for (round = 0; round < ROUNDS && ok; round++) {
		key_len = rng_len(1, sizeof(key));
		rng_bytes(key, key_len);
		fc = (uint8_t)rng_next();
		np = rng_len(0, 4);
		for (i = 0; i < np; i++) {
			p[i].len = rng_len(0, MAX_PARAM_LEN);
			rng_bytes(params[i], p[i].len);
			p[i].p = params[i];
		}
		ok = crypto_gba_kdf(key, key_len, fc, p, np, ours, &e) == 0;
		if (!ok) {
			fprintf(stderr, "\nseed %#llx round %d: %s\n", (unsigned long long)seed,
			    round, e.msg);
			break;
		}
		/* S = FC || P0 || L0 || ... (TS 33.220 B.2), written out for openssl to MAC. */
		tu_gba_s(&s, fc, p, np);
		CU_ASSERT_EQUAL_FATAL(bld_finish(&s, &e), 0);
		CU_ASSERT_EQUAL_FATAL(write_file(spath, s.buf, s.len), 0);
		bld_free(&s);
		snprintf(cmd, sizeof(cmd), "openssl mac -digest SHA256 -macopt hexkey:%s -in %s "
		    "HMAC 2>&1", hex(key, key_len, hk), spath);
		if (run_hex(cmd, &theirs) == -1) {
			ok = 0;
			break;
		}
		if (theirs.len != sizeof(ours)) {
			fprintf(stderr, "\n%s: %zu bytes, expected %zu\n", cmd, theirs.len,
			    sizeof(ours));
			ok = 0;
		} else if (memcmp(ours, theirs.buf, sizeof(ours)) != 0)
			ok = disagree(seed, round, cmd, ours, theirs.buf, sizeof(ours));
		bld_free(&theirs);
	}
	CU_ASSERT_TRUE(ok);
}

int
test_oracle_openssl_register(void)
{
	static const struct tu_test tests[] = {
		{ "MIKEY PRF, one chunk, vs openssl kdf TLS1-PRF", test_prf_single_chunk },
		{ "MIKEY PRF, several chunks, vs XOR of openssl kdf", test_prf_multi_chunk },
		{ "AES-CM vs openssl enc -aes-128-ctr", test_aes_cm },
		{ "GBA KDF vs openssl mac HMAC SHA256", test_gba_kdf },
		{ NULL, NULL }
	};

	return tu_register("oracle_openssl", tests);
}
