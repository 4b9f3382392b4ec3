/*
 * hexstr: strict hex text of an exact length — configuration values and the Key Domain ID /
 * MSK ID attributes of request bodies. No separators, no whitespace, either case.
 */
#ifndef BMSC_HEXSTR_H
#define BMSC_HEXSTR_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parses s (NUL-terminated) into out. want > 0: exactly want bytes; want == 0: any length up to
 * cap. Returns the byte count, or -1 on a bad digit, an odd count or a wrong length.
 */
long	hexstr_parse(const char *s, uint8_t *out, size_t want, size_t cap);
/* Writes 2n+1 bytes of lower-case hex and a NUL. */
void	hexstr_format(const uint8_t *p, size_t n, char *out);

#endif
