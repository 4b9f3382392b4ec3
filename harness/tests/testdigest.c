/* testdigest: assertion and lookup helpers shared by the CUnit Digest test files. */
#include "testdigest.h"

#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

void
tu_digest_expect_err(const char *what, int rc, const struct err *e, const char *want)
{
	if (rc != -1 || strstr(e->msg, want) == NULL)
		fprintf(stderr, "\n%s: expected an error with '%s' vs actual rc %d '%s'\n", what,
		    want, rc, rc == -1 ? e->msg : "");
	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e->msg, want));
}

void
tu_digest_expect_str(const char *what, const char *got, const char *want)
{
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\n%s: expected\n%s\nvs actual\n%s\n", what, want, got);
	CU_ASSERT_STRING_EQUAL(got, want);
}

const char *
tu_digest_cstr(struct bld *b)
{
	bld_u8(b, 0);
	b->len--;
	return (const char *)b->buf;
}

const char *
tu_digest_pval(const struct digest_params *p, const char *name)
{
	const struct digest_param *dp = digest_param_get(p, name);

	return dp != NULL ? dp->value : "(absent)";
}
