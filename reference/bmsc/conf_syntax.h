/*
 * conf_syntax: the text format of reference/CONF.md — lines, # comments, [section] and
 * [section NAME] headers, key = value lines — with every error naming file:line. It knows no
 * section or key: the caller's callbacks say what each header and key means.
 *
 * Return convention: 0 / -1, the message in the caller's struct err. A callback that fails
 * stops the parse and its message is the result.
 */
#ifndef BMSC_CONF_SYNTAX_H
#define BMSC_CONF_SYNTAX_H

#include <stddef.h>

#include "err.h"

/* Where the parse is: the file name for messages, the 1-based line and the error slot. */
struct conf_loc {
	const char *file;
	size_t line;
	struct err *e;
};

struct conf_syntax_ops {
	/* A "[name]" or "[name arg]" header, both trimmed; arg is "" when absent. */
	int	(*section)(void *ctx, const struct conf_loc *l, const char *name,
		    const char *arg);
	/*
	 * A "key = value" line after a header: key not empty, value without its trailing comment,
	 * both trimmed (the value may be empty).
	 */
	int	(*key)(void *ctx, const struct conf_loc *l, const char *key, const char *value);
};

/* Parses text (NUL-terminated) line by line; file is used in error messages. */
int	conf_syntax_parse(const char *file, const char *text, const struct conf_syntax_ops *ops,
	    void *ctx, struct err *e);
/* Reads path whole into *text (NUL-terminated, caller frees); refuses NUL bytes and large files. */
int	conf_syntax_read(const char *path, char **text, struct err *e);

/* Sets "file:line: <message>" and returns -1. */
int	conf_syntax_errx(const struct conf_loc *l, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* The same with ": strerror(errno)" appended. */
int	conf_syntax_err(const struct conf_loc *l, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* A decimal integer 0..max (digits only: no sign, no space); -1 otherwise. */
int	conf_syntax_uint(const char *v, unsigned long long max, unsigned long long *out);

#endif
