/* hexstr: strict fixed-length hex text, for configuration values and XML attributes. */
#include "hexstr.h"

#include <string.h>

static int
nibble(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

long
hexstr_parse(const char *s, uint8_t *out, size_t want, size_t cap)
{
	size_t n = strlen(s), i;

	if (n % 2 != 0 || n == 0)
		return -1;
	n /= 2;
	if ((want > 0 && n != want) || (want == 0 && n > cap))
		return -1;
	for (i = 0; i < n; i++) {
		int hi = nibble((unsigned char)s[2 * i]), lo = nibble((unsigned char)s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (long)n;
}

void
hexstr_format(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}
