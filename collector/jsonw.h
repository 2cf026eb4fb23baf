/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small JSON writer for the collector's hot output (flow-log lines and
 * sidecar entries): members appended to one growable buffer that is
 * reused from record to record, no allocation per value.
 *
 * The text is what jansson's json_dumps(JSON_COMPACT) gives for the same
 * values, so readers (which parse with jansson) and byte-for-byte
 * comparisons with older files see no difference:
 *
 *   - strings must be valid UTF-8 by jansson's rules (no overlong forms,
 *     no surrogates, nothing above U+10FFFF); a string that is not is
 *     refused and nothing is written (jansson refused to build it);
 *   - '"' and '\\' are escaped, \b \f \n \r \t by name, the other
 *     control characters below 0x20 as \u00XX (upper-case hex); '/',
 *     DEL and everything from U+0080 up are written as they are;
 *   - integers in plain decimal, reals as jansson's "%.15g" with ".0"
 *     added when the text would read as an integer.
 *
 * Commas are the writer's business: after '{' or '[' the next member or
 * element goes without one, after any value the next gets one. Object
 * keys are written raw: callers pass literal ASCII names that need no
 * escaping.
 */
#ifndef VTAP_COLLECTOR_JSONW_H
#define VTAP_COLLECTOR_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct jsonw {
	char *buf;       /* owned: the text, not NUL-terminated */
	size_t len, cap;
	bool comma;      /* a value was written at this level: next needs ',' */
	bool failed;     /* an allocation failed: the text is incomplete */
};

/* Empty writer (no memory yet). */
void jsonw_init(struct jsonw *w);

/* Free the buffer and zero *w. Accepts NULL. */
void jsonw_finish(struct jsonw *w);

/* Forget the text (keeping the memory) and clear failed. */
void jsonw_reset(struct jsonw *w);

/* '{' / '}' and '[' / ']'; an object or array opened with a key is a member. */
void jsonw_object_begin(struct jsonw *w);
void jsonw_object_end(struct jsonw *w);
void jsonw_array_begin(struct jsonw *w);
void jsonw_array_end(struct jsonw *w);

/*
 * "key": (with a comma first when one is due); the value must follow.
 * jsonw_key is jsonw_key_n with strlen, inline so that a literal key's
 * length is known when compiling.
 */
void jsonw_key_n(struct jsonw *w, const char *key, size_t n);

static inline void
jsonw_key(struct jsonw *w, const char *key)
{
	jsonw_key_n(w, key, strlen(key));
}

/*
 * A string value, quoted and escaped. False, and nothing written, when s
 * (n bytes, or up to its NUL with jsonw_string) is not valid UTF-8.
 */
bool jsonw_string(struct jsonw *w, const char *s);
bool jsonw_string_n(struct jsonw *w, const char *s, size_t n);

/* Numbers and literals as values. */
void jsonw_uint(struct jsonw *w, uint64_t v);
void jsonw_int(struct jsonw *w, int64_t v);
void jsonw_bool(struct jsonw *w, bool v);

/*
 * A non-negative real given as micro-units (v / 1e6, e.g. microseconds as
 * seconds), written exactly as jansson writes the double v / 1e6 with
 * JSON_REAL_PRECISION(15): "0.0", "1.5", "0.000123", "1.2e-5".
 */
void jsonw_micros(struct jsonw *w, uint64_t v);

/*
 * Members: key and value together. The string one writes nothing and
 * returns false when the value is not valid UTF-8.
 */
bool jsonw_member_string_n(struct jsonw *w, const char *key, size_t keylen,
			   const char *s);

static inline bool
jsonw_member_string(struct jsonw *w, const char *key, const char *s)
{
	return jsonw_member_string_n(w, key, strlen(key), s);
}

static inline void
jsonw_member_uint(struct jsonw *w, const char *key, uint64_t v)
{
	jsonw_key(w, key);
	jsonw_uint(w, v);
}

static inline void
jsonw_member_int(struct jsonw *w, const char *key, int64_t v)
{
	jsonw_key(w, key);
	jsonw_int(w, v);
}

static inline void
jsonw_member_bool(struct jsonw *w, const char *key, bool v)
{
	jsonw_key(w, key);
	jsonw_bool(w, v);
}

/* Bytes appended as they are (already JSON, or text between documents). */
void jsonw_raw(struct jsonw *w, const char *s, size_t n);

/* True when s (n bytes) is valid UTF-8 by jansson's rules. Pure. */
bool jsonw_utf8_valid(const char *s, size_t n);

/*
 * Digits of v into out (at least 20 bytes), no NUL; returns how many.
 * Pure.
 */
size_t jsonw_format_uint(char *out, uint64_t v);

#endif
