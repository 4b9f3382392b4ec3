/* testdigest: assertion and lookup helpers shared by the CUnit Digest test files. */
#ifndef MBMS_TESTDIGEST_H
#define MBMS_TESTDIGEST_H

#include "builder.h"
#include "digest.h"
#include "err.h"

/* Asserts that rc is -1 and e's message holds want; prints what, want and the actual on failure. */
void	tu_digest_expect_err(const char *what, int rc, const struct err *e, const char *want);
/* Asserts that got equals want; prints what, want and got on mismatch. */
void	tu_digest_expect_str(const char *what, const char *got, const char *want);
/* The builder's content as a C string (for header values, which hold no NUL). */
const char *tu_digest_cstr(struct bld *b);
/* The value of parameter name in p, or "(absent)". */
const char *tu_digest_pval(const struct digest_params *p, const char *name);

#endif
