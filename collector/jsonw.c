/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The JSON writer behind the flow log and the sidecar index: values
 * appended to a reusable buffer with jansson's compact spelling. It does
 * not read JSON (jansson does) nor write anywhere but memory.
 */
#include "collector/jsonw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GROW_MIN 1024u
#define MICROS_EXACT 1000000000000000ull /* below 1e15: 15 digits, exact */

void
jsonw_init(struct jsonw *w)
{
	memset(w, 0, sizeof(*w));
}

void
jsonw_finish(struct jsonw *w)
{
	if (w == NULL) {
		return;
	}
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

void
jsonw_reset(struct jsonw *w)
{
	w->len = 0;
	w->comma = false;
	w->failed = false;
}

/* Room for n more bytes; false (and failed set) when memory runs out. */
static bool
reserve(struct jsonw *w, size_t n)
{
	size_t cap;
	char *p;

	if (w->cap - w->len >= n) {
		return true;
	}
	cap = w->cap != 0 ? w->cap : GROW_MIN;
	while (cap - w->len < n) {
		if (cap > SIZE_MAX / 2) {
			w->failed = true;
			return false;
		}
		cap *= 2;
	}
	p = realloc(w->buf, cap);
	if (p == NULL) {
		w->failed = true;
		return false;
	}
	w->buf = p;
	w->cap = cap;
	return true;
}

void
jsonw_raw(struct jsonw *w, const char *s, size_t n)
{
	if (reserve(w, n)) {
		memcpy(w->buf + w->len, s, n);
		w->len += n;
	}
}

static void
put_char(struct jsonw *w, char c)
{
	if (reserve(w, 1)) {
		w->buf[w->len++] = c;
	}
}

/* A comma before a value when one is due at this level. */
static void
sep(struct jsonw *w)
{
	if (w->comma) {
		put_char(w, ',');
	}
	w->comma = true;
}

void
jsonw_object_begin(struct jsonw *w)
{
	sep(w);
	put_char(w, '{');
	w->comma = false;
}

void
jsonw_object_end(struct jsonw *w)
{
	put_char(w, '}');
	w->comma = true;
}

void
jsonw_array_begin(struct jsonw *w)
{
	sep(w);
	put_char(w, '[');
	w->comma = false;
}

void
jsonw_array_end(struct jsonw *w)
{
	put_char(w, ']');
	w->comma = true;
}

void
jsonw_key_n(struct jsonw *w, const char *key, size_t n)
{
	if (!reserve(w, n + 4)) {
		return;
	}
	if (w->comma) {
		w->buf[w->len++] = ',';
	}
	w->buf[w->len++] = '"';
	memcpy(w->buf + w->len, key, n);
	w->len += n;
	w->buf[w->len++] = '"';
	w->buf[w->len++] = ':';
	/* the value that follows must not add a comma of its own */
	w->comma = false;
}

/* ---- strings ---- */

/*
 * Length of the UTF-8 sequence starting at s (at most n bytes), or 0 when
 * it is not valid: jansson's utf8_check_first and utf8_check_full.
 */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char u = s[0];
	size_t len;
	uint32_t v;

	if (u < 0x80) {
		return 1;
	}
	if (u >= 0xc2 && u <= 0xdf) {
		len = 2;
		v = u & 0x1f;
	} else if (u >= 0xe0 && u <= 0xef) {
		len = 3;
		v = u & 0x0f;
	} else if (u >= 0xf0 && u <= 0xf4) {
		len = 4;
		v = u & 0x07;
	} else {
		return 0; /* continuation byte, 0xc0/0xc1 or beyond 0xf4 */
	}
	if (len > n) {
		return 0;
	}
	for (size_t i = 1; i < len; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf) {
			return 0;
		}
		v = (v << 6) | (s[i] & 0x3fu);
	}
	if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff) ||
	    (len == 3 && v < 0x800) || (len == 4 && v < 0x10000)) {
		return 0;
	}
	return len;
}

bool
jsonw_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		size_t k;

		if (p[i] < 0x80) {
			i++;
			continue;
		}
		k = utf8_seq(p + i, n - i);
		if (k == 0) {
			return false;
		}
		i += k;
	}
	return true;
}

static const char hex[] = "0123456789ABCDEF";

/* s, already checked to be valid UTF-8, quoted and escaped */
static void
put_string(struct jsonw *w, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	char *o;

	/* worst case: every byte a \u00XX, the quotes, a comma */
	if (n > (SIZE_MAX - 3) / 6 || !reserve(w, 6 * n + 3)) {
		w->failed = true;
		return;
	}
	o = w->buf + w->len;
	if (w->comma) {
		*o++ = ',';
	}
	*o++ = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];

		if (c >= 0x20 && c != '"' && c != '\\') {
			*o++ = (char)c;
			continue;
		}
		*o++ = '\\';
		switch (c) {
		case '"':
		case '\\':
			*o++ = (char)c;
			break;
		case '\b':
			*o++ = 'b';
			break;
		case '\f':
			*o++ = 'f';
			break;
		case '\n':
			*o++ = 'n';
			break;
		case '\r':
			*o++ = 'r';
			break;
		case '\t':
			*o++ = 't';
			break;
		default:
			*o++ = 'u';
			*o++ = '0';
			*o++ = '0';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 0xf];
			break;
		}
	}
	*o++ = '"';
	w->len = (size_t)(o - w->buf);
	w->comma = true;
}

bool
jsonw_string_n(struct jsonw *w, const char *s, size_t n)
{
	if (!jsonw_utf8_valid(s, n)) {
		return false;
	}
	put_string(w, s, n);
	return true;
}

bool
jsonw_string(struct jsonw *w, const char *s)
{
	return jsonw_string_n(w, s, strlen(s));
}

/* ---- numbers ---- */

static const char digit_pairs[] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

size_t
jsonw_format_uint(char *out, uint64_t v)
{
	char tmp[20];
	size_t i = sizeof(tmp), n;

	while (v >= 100) {
		unsigned d = (unsigned)(v % 100);

		v /= 100;
		tmp[--i] = digit_pairs[2 * d + 1];
		tmp[--i] = digit_pairs[2 * d];
	}
	if (v >= 10) {
		tmp[--i] = digit_pairs[2 * v + 1];
		tmp[--i] = digit_pairs[2 * v];
	} else {
		tmp[--i] = (char)('0' + v);
	}
	n = sizeof(tmp) - i;
	memcpy(out, tmp + i, n);
	return n;
}

void
jsonw_uint(struct jsonw *w, uint64_t v)
{
	if (!reserve(w, 21)) {
		return;
	}
	if (w->comma) {
		w->buf[w->len++] = ',';
	}
	w->len += jsonw_format_uint(w->buf + w->len, v);
	w->comma = true;
}

void
jsonw_int(struct jsonw *w, int64_t v)
{
	if (!reserve(w, 22)) {
		return;
	}
	if (w->comma) {
		w->buf[w->len++] = ',';
	}
	if (v < 0) {
		w->buf[w->len++] = '-';
		/* the magnitude, INT64_MIN included, without signed overflow */
		w->len += jsonw_format_uint(w->buf + w->len, (uint64_t)0 - (uint64_t)v);
	} else {
		w->len += jsonw_format_uint(w->buf + w->len, (uint64_t)v);
	}
	w->comma = true;
}

void
jsonw_bool(struct jsonw *w, bool v)
{
	sep(w);
	if (v) {
		jsonw_raw(w, "true", 4);
	} else {
		jsonw_raw(w, "false", 5);
	}
}

/*
 * jansson's jsonp_dtostr with precision 15 (the slow path, for values of
 * more than 15 digits, which "%.15g" rounds): the C locale's '.' assumed,
 * ".0" added when there is neither '.' nor 'e', the exponent's '+' and
 * leading zeros removed.
 */
static size_t
dtostr15(char *buf, size_t size, double v)
{
	int ret = snprintf(buf, size, "%.15g", v);
	size_t len;
	char *start, *end;

	if (ret < 0 || (size_t)ret >= size) {
		return 0;
	}
	len = (size_t)ret;
	if (strchr(buf, '.') == NULL && strchr(buf, 'e') == NULL) {
		if (len + 3 >= size) {
			return 0;
		}
		buf[len++] = '.';
		buf[len++] = '0';
		buf[len] = '\0';
	}
	start = strchr(buf, 'e');
	if (start != NULL) {
		start++;
		end = start + 1;
		if (*start == '-') {
			start++;
		}
		while (*end == '0') {
			end++;
		}
		if (end != start) {
			memmove(start, end, len - (size_t)(end - buf) + 1);
			len -= (size_t)(end - start);
		}
	}
	return len;
}

void
jsonw_micros(struct jsonw *w, uint64_t v)
{
	char t[48];
	size_t n = 0;

	if (v >= MICROS_EXACT) {
		n = dtostr15(t, sizeof(t), (double)v / 1e6);
	} else if (v == 0) {
		memcpy(t, "0.0", 3);
		n = 3;
	} else if (v < 100) {
		/*
		 * Below 1e-4 "%g" switches to an exponent: 1 or 2 digits
		 * d[.d]e-N with N = 6 or 5.
		 */
		unsigned d1 = v >= 10 ? (unsigned)(v / 10) : (unsigned)v;
		unsigned d2 = v >= 10 ? (unsigned)(v % 10) : 0;

		t[n++] = (char)('0' + d1);
		if (d2 != 0) {
			t[n++] = '.';
			t[n++] = (char)('0' + d2);
		}
		memcpy(t + n, v >= 10 ? "e-5" : "e-6", 3);
		n += 3;
	} else {
		/* 15 digits or fewer: "%.15g" gives them all, trailing zeros cut */
		uint64_t whole = v / 1000000u;
		unsigned frac = (unsigned)(v % 1000000u);

		n = jsonw_format_uint(t, whole);
		t[n++] = '.';
		if (frac == 0) {
			t[n++] = '0';
		} else {
			for (unsigned div = 100000; frac != 0; div /= 10) {
				t[n++] = (char)('0' + frac / div);
				frac %= div;
			}
		}
	}
	if (n == 0) {
		w->failed = true;
		return;
	}
	sep(w);
	jsonw_raw(w, t, n);
}

/* ---- members ---- */

/* True when no byte of s needs escaping or UTF-8 checking. */
static bool
plain_ascii(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < n; i++) {
		if (p[i] < 0x20 || p[i] >= 0x80 || p[i] == '"' || p[i] == '\\') {
			return false;
		}
	}
	return true;
}

bool
jsonw_member_string_n(struct jsonw *w, const char *key, size_t keylen,
		      const char *s)
{
	size_t n = strlen(s);
	char *o;

	if (!plain_ascii(s, n)) {
		if (!jsonw_utf8_valid(s, n)) {
			return false;
		}
		jsonw_key_n(w, key, keylen);
		put_string(w, s, n);
		return true;
	}
	/* the common case: ,"key":"value" in one go */
	if (!reserve(w, keylen + n + 6)) {
		return true;
	}
	o = w->buf + w->len;
	if (w->comma) {
		*o++ = ',';
	}
	*o++ = '"';
	memcpy(o, key, keylen);
	o += keylen;
	*o++ = '"';
	*o++ = ':';
	*o++ = '"';
	memcpy(o, s, n);
	o += n;
	*o++ = '"';
	w->len = (size_t)(o - w->buf);
	w->comma = true;
	return true;
}
