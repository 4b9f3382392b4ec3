/* http_int: syntax classes shared by http.c and http_write.c; not part of the contract. */
#ifndef MBMS_HTTP_INT_H
#define MBMS_HTTP_INT_H

#include <stddef.h>

/* 1 when the n bytes at s are a token: one or more tchar (RFC 9110 5.6.2). */
int	http_is_token(const char *s, size_t n);
/* request-target: visible ASCII, at least one byte (RFC 9112 3.2). */
int	http_is_target_n(const char *s, size_t n);
/* Field names compare ASCII case-insensitively (RFC 9110 5.1): 1 when s[0..n) is name. */
int	http_name_is(const char *s, size_t n, const char *name);

#endif
