/* hex: hex text conversion and the vector file readers shared by tests and tools. */
#include "hex.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
hex_nibble(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int
hex_decode(const char *s, size_t len, struct bld *b, struct err *e)
{
	int hi = -1, v;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (isspace(ch) || ch == ':')
			continue;
		if ((v = hex_nibble(ch)) < 0)
			return err_setx(e, "bad hex digit '%c' at column %zu",
			    isprint(ch) ? ch : '?', i + 1);
		if (hi < 0)
			hi = v;
		else {
			bld_u8(b, (uint8_t)(hi << 4 | v));
			hi = -1;
		}
	}
	if (hi >= 0)
		return err_setx(e, "odd number of hex digits");
	return bld_finish(b, e);
}

void
hex_encode(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
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

/* Copies the text after a "# key:" comment prefix into dst when the line is one. */
static int
comment_tag(const char *line, const char *key, char *dst, size_t cap)
{
	size_t kl = strlen(key);
	char tmp[512];

	if (line[0] != '#')
		return 0;
	line++;
	while (*line == ' ')
		line++;
	if (strncmp(line, key, kl) != 0 || line[kl] != ':')
		return 0;
	snprintf(tmp, sizeof(tmp), "%s", line + kl + 1);
	snprintf(dst, cap, "%s", trim(tmp));
	return 1;
}

static void
record_free(struct hex_record *r)
{
	size_t i;

	for (i = 0; i < r->nfields; i++)
		free(r->f[i].val);
	r->nfields = 0;
}

void
hex_kat_free(struct hex_kat *k)
{
	size_t i;

	if (k == NULL)
		return;
	for (i = 0; i < k->nrec; i++)
		record_free(&k->rec[i]);
	free(k->rec);
	k->rec = NULL;
	k->nrec = 0;
}

const struct hex_field *
hex_kat_get(const struct hex_record *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nfields; i++)
		if (strcmp(r->f[i].name, name) == 0)
			return &r->f[i];
	return NULL;
}

/* Parses "name = value" into a new field of r; value is hex or "quoted text". */
static int
kat_field(struct hex_record *r, char *line, struct err *e)
{
	char *eq = strchr(line, '='), *name, *val;
	struct hex_field *f;
	struct bld b;
	size_t vl;

	if (eq == NULL)
		return err_setx(e, "expected 'name = value'");
	*eq = '\0';
	name = trim(line);
	val = trim(eq + 1);
	if (r->nfields == HEX_MAX_FIELDS)
		return err_setx(e, "more than %d fields in one record", HEX_MAX_FIELDS);
	if (strlen(name) == 0 || strlen(name) >= sizeof(r->f[0].name))
		return err_setx(e, "field name empty or too long");
	bld_init(&b);
	vl = strlen(val);
	if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"')
		bld_bytes(&b, val + 1, vl - 2);
	else if (hex_decode(val, vl, &b, e) == -1) {
		bld_free(&b);
		return err_prefix(e, "field %s", name);
	}
	if (bld_finish(&b, e) == -1) {
		bld_free(&b);
		return -1;
	}
	f = &r->f[r->nfields++];
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->len = b.len;
	f->val = b.len ? b.buf : malloc(1);	/* never NULL, so free() is uniform */
	if (b.len == 0)
		bld_free(&b);
	if (f->val == NULL) {
		r->nfields--;
		return err_set(e, "malloc");
	}
	return 0;
}

int
hex_kat_load(const char *path, struct hex_kat *k, struct err *e)
{
	char line[8192], *s;
	FILE *fp;
	size_t lineno = 0;
	int inrec = 0;
	struct hex_record *nr;

	memset(k, 0, sizeof(*k));
	if ((fp = fopen(path, "r")) == NULL)
		return err_set(e, "%s", path);
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		if (comment_tag(line, "source", k->source, sizeof(k->source)))
			continue;
		s = trim(line);
		if (*s == '#')
			continue;
		if (*s == '\0') {
			inrec = 0;
			continue;
		}
		if (!inrec) {
			nr = realloc(k->rec, (k->nrec + 1) * sizeof(*nr));
			if (nr == NULL) {
				err_set(e, "%s:%zu", path, lineno);
				goto fail;
			}
			k->rec = nr;
			memset(&k->rec[k->nrec], 0, sizeof(*nr));
			k->rec[k->nrec].line = lineno;
			k->nrec++;
			inrec = 1;
		}
		if (kat_field(&k->rec[k->nrec - 1], s, e) == -1) {
			err_prefix(e, "%s:%zu", path, lineno);
			goto fail;
		}
	}
	if (k->source[0] == '\0') {
		err_setx(e, "%s: no '# source:' line", path);
		goto fail;
	}
	fclose(fp);
	return 0;
fail:
	fclose(fp);
	hex_kat_free(k);
	return -1;
}

void
hex_msgs_free(struct hex_msgs *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n; i++)
		free(v->m[i].buf);
	free(v->m);
	v->m = NULL;
	v->n = 0;
}

int
hex_msgs_load(const char *path, struct hex_msgs *v, struct err *e)
{
	char line[65536 * 2 + 64], *s;
	struct hex_msg *nm;
	size_t lineno = 0;
	struct bld b;
	FILE *fp;

	memset(v, 0, sizeof(*v));
	if ((fp = fopen(path, "r")) == NULL)
		return err_set(e, "%s", path);
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		if (comment_tag(line, "source", v->source, sizeof(v->source)) ||
		    comment_tag(line, "expect", v->expect, sizeof(v->expect)))
			continue;
		s = trim(line);
		if (*s == '#' || *s == '\0')
			continue;
		bld_init(&b);
		if (hex_decode(s, strlen(s), &b, e) == -1) {
			bld_free(&b);
			err_prefix(e, "%s:%zu", path, lineno);
			goto fail;
		}
		if ((nm = realloc(v->m, (v->n + 1) * sizeof(*nm))) == NULL) {
			bld_free(&b);
			err_set(e, "%s:%zu", path, lineno);
			goto fail;
		}
		v->m = nm;
		v->m[v->n].line = lineno;
		v->m[v->n].buf = b.buf;
		v->m[v->n].len = b.len;
		v->n++;
	}
	if (v->source[0] == '\0') {
		err_setx(e, "%s: no '# source:' line", path);
		goto fail;
	}
	fclose(fp);
	return 0;
fail:
	fclose(fp);
	hex_msgs_free(v);
	return -1;
}
