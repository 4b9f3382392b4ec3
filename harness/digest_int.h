/* digest_int: helpers shared by digest.c and digest_parse.c; not part of the contract. */
#ifndef MBMS_DIGEST_INT_H
#define MBMS_DIGEST_INT_H

#include <stddef.h>

#include "crypto.h"
#include "digest.h"
#include "err.h"

/* ASCII case-insensitive equality of two C strings. */
int	digest_ieq(const char *a, const char *b);
/* The hash function of an algorithm (MD5 or SHA-256, -sess or not). */
enum crypto_md digest_alg_md(enum digest_alg alg);
/* A C string as an iov (without its NUL). */
struct crypto_iov digest_iov_str(const char *s);
/* out = lower-case hex of H(f[0] ":" f[1] ":" ... f[n-1]); n is at most 6. */
int	digest_hash_join(enum crypto_md md, const struct crypto_iov *f, size_t n,
	    char out[DIGEST_HEX_MAX + 1], struct err *e);

#endif
