/* conf_syntax: splits a CONF.md text into section headers and key = value lines for a caller. */
#include "conf_syntax.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONF_FILE_MAX	(1024 * 1024)

int
conf_syntax_errx(const struct conf_loc *l, const char *fmt, ...)
{
	char msg[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_setx(l->e, "%s:%zu: %s", l->file, l->line, msg);
}

int
conf_syntax_err(const struct conf_loc *l, const char *fmt, ...)
{
	char msg[ERR_MSG_MAX];
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* err_set reports errno: the failure's, not whatever formatting left there. */
	errno = saved;
	return err_set(l->e, "%s:%zu: %s", l->file, l->line, msg);
}

static char *
trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

int
conf_syntax_uint(const char *v, unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long n;

	/* strtoull alone would take leading space, a sign, and wrap "-1" to the maximum. */
	if (!isdigit((unsigned char)v[0]))
		return -1;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || *end || n > max)
		return -1;
	*out = n;
	return 0;
}

/* "[name]" or "[name arg]": the name ends at the first white space, the rest is the argument. */
static int
header(const struct conf_syntax_ops *ops, void *ctx, const struct conf_loc *l, char *s)
{
	char *end = strchr(s, ']'), *name, *arg;

	if (end == NULL || trim(end + 1)[0] != '\0')
		return conf_syntax_errx(l, "malformed section header");
	*end = '\0';
	name = trim(s + 1);
	arg = name;
	while (*arg && !isspace((unsigned char)*arg))
		arg++;
	if (*arg)
		*arg++ = '\0';
	arg = trim(arg);
	return ops->section(ctx, l, name, arg);
}

static int
line_of(const struct conf_syntax_ops *ops, void *ctx, const struct conf_loc *l, int *insection,
    char *s)
{
	char *eq, *key, *v, *hash;

	s = trim(s);
	if (*s == '\0' || *s == '#')
		return 0;
	if (*s == '[') {
		if (header(ops, ctx, l, s) == -1)
			return -1;
		*insection = 1;
		return 0;
	}
	if ((eq = strchr(s, '=')) == NULL)
		return conf_syntax_errx(l, "expected \"key = value\", a [section] or a # comment");
	*eq = '\0';
	key = trim(s);
	v = eq + 1;
	/*
	 * A '#' after whitespace starts a trailing comment, as in the examples of CONF.md; a '#'
	 * inside a word (a URI fragment) stays part of the value.
	 */
	for (hash = v; (hash = strchr(hash, '#')) != NULL; hash++)
		if (hash > v && isspace((unsigned char)hash[-1])) {
			*hash = '\0';
			break;
		}
	v = trim(v);
	if (*key == '\0')
		return conf_syntax_errx(l, "empty key");
	if (!*insection)
		return conf_syntax_errx(l, "key outside a section: %s", key);
	return ops->key(ctx, l, key, v);
}

int
conf_syntax_parse(const char *file, const char *text, const struct conf_syntax_ops *ops,
    void *ctx, struct err *e)
{
	struct conf_loc l;
	char *copy, *s, *nl;
	int insection = 0, rc = 0;

	l.file = file;
	l.line = 0;
	l.e = e;
	/* The lines are cut and trimmed in place. */
	if ((copy = strdup(text)) == NULL)
		return err_set(e, "%s: out of memory", file);
	for (s = copy; s != NULL; s = nl) {
		if ((nl = strchr(s, '\n')) != NULL)
			*nl++ = '\0';
		l.line++;
		if (line_of(ops, ctx, &l, &insection, s) == -1) {
			rc = -1;
			break;
		}
	}
	free(copy);
	return rc;
}

int
conf_syntax_read(const char *path, char **text, struct err *e)
{
	FILE *f;
	char *buf;
	size_t n;
	int rc;

	*text = NULL;
	if ((f = fopen(path, "r")) == NULL)
		return err_set(e, "%s", path);
	if ((buf = malloc(CONF_FILE_MAX + 1)) == NULL) {
		fclose(f);
		return err_set(e, "%s: out of memory", path);
	}
	/* One byte more than the limit tells a file at the limit from a larger one. */
	n = fread(buf, 1, CONF_FILE_MAX + 1, f);
	if (ferror(f) || n > CONF_FILE_MAX) {
		rc = ferror(f) ? err_set(e, "%s: read", path) :
		    err_setx(e, "%s: larger than %d bytes", path, CONF_FILE_MAX);
		fclose(f);
		free(buf);
		return rc;
	}
	fclose(f);
	buf[n] = '\0';
	/* A NUL would end the text early and hide the lines after it. */
	if (memchr(buf, '\0', n) != NULL) {
		free(buf);
		return err_setx(e, "%s: contains a NUL byte", path);
	}
	*text = buf;
	return 0;
}
