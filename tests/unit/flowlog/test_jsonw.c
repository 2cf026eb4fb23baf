/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The JSON writer: its text must be what jansson's compact dump gives for
 * the same values (the readers parse with jansson, and files written
 * before it must compare equal), so most tests hold it against jansson
 * itself: escaping of every control character, quotes and backslash,
 * UTF-8 passed through, invalid UTF-8 refused exactly where jansson
 * refuses it, integers at their limits, reals as micro-units, commas.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/jsonw.h"

#define REAL_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

/* The writer's text as a C string (the test owns it). */
static char *
text(const struct jsonw *w)
{
	char *s = malloc(w->len + 1);

	cr_assert_not_null(s);
	memcpy(s, w->buf, w->len);
	s[w->len] = '\0';
	return s;
}

/*
 * s (n bytes) through jansson and through the writer: both refuse it, or
 * both give the same text.
 */
static void
same_string(const char *s, size_t n)
{
	json_t *j = json_stringn(s, n);
	struct jsonw w;
	bool ok;

	jsonw_init(&w);
	ok = jsonw_string_n(&w, s, n);
	cr_assert_eq(ok, j != NULL, "validity of a %zu-byte string differs from jansson "
		     "(first byte 0x%02x)", n, n > 0 ? (unsigned char)s[0] : 0);
	cr_assert_eq(jsonw_utf8_valid(s, n), j != NULL);
	if (j != NULL) {
		char *want = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
		char *got = text(&w);

		cr_assert_str_eq(got, want);
		free(want);
		free(got);
	} else {
		cr_assert_eq(w.len, 0, "a refused string wrote something");
	}
	json_decref(j);
	jsonw_finish(&w);
}

Test(jsonw, escapes_every_control_character_quote_and_backslash_as_jansson)
{
	for (int c = 1; c < 0x80; c++) {
		char s[4] = { 'a', (char)c, 'b', '\0' };

		same_string(s, 3);
	}
	same_string("\"quoted\" \\ back/slash", 22);
	same_string("", 0);
	same_string("tab\there\nnew\r\f\b", 15);
}

Test(jsonw, spells_control_characters_as_named_or_upper_case_escapes)
{
	struct jsonw w;
	char *got;

	jsonw_init(&w);
	cr_assert(jsonw_string(&w, "\x01\x1f\n\"\\/\x7f"));
	got = text(&w);
	cr_expect_str_eq(got, "\"\\u0001\\u001F\\n\\\"\\\\/\x7f\"");
	free(got);
	jsonw_finish(&w);
}

Test(jsonw, passes_utf8_through_unescaped)
{
	const char *s = "Caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xe2\x80\xa8 \xf4\x8f\xbf\xbf";
	struct jsonw w;
	char *got;

	same_string(s, strlen(s));
	jsonw_init(&w);
	cr_assert(jsonw_string(&w, s));
	got = text(&w);
	cr_expect_eq(strlen(got), strlen(s) + 2);
	cr_expect_eq(memcmp(got + 1, s, strlen(s)), 0);
	free(got);
	jsonw_finish(&w);
}

Test(jsonw, refuses_invalid_utf8_where_jansson_does)
{
	static const char *const bad[] = {
		"\x80",             /* lone continuation */
		"\xc0\x80",         /* overlong NUL */
		"\xc1\xbf",         /* overlong */
		"\xe0\x80\x80",     /* overlong 3-byte */
		"\xf0\x80\x80\x80", /* overlong 4-byte */
		"\xed\xa0\x80",     /* surrogate U+D800 */
		"\xed\xbf\xbf",     /* surrogate U+DFFF */
		"\xf4\x90\x80\x80", /* U+110000 */
		"\xf5\x80\x80\x80", /* beyond F4 */
		"\xff",
		"\xc3",             /* truncated */
		"\xe2\x82",         /* truncated */
		"ok\xe2\x82",       /* truncated at the end */
		"\xc3\x28",         /* bad continuation */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		same_string(bad[i], strlen(bad[i]));
		cr_expect_not(jsonw_utf8_valid(bad[i], strlen(bad[i])), "case %zu", i);
	}
	/* the edges that are valid */
	same_string("\xc2\x80", 2);
	same_string("\xe0\xa0\x80", 3);
	same_string("\xed\x9f\xbf", 3);
	same_string("\xee\x80\x80", 3);
	same_string("\xf0\x90\x80\x80", 4);
}

Test(jsonw, agrees_with_jansson_on_random_byte_strings)
{
	/* biased towards the interesting bytes: controls, quotes, high bytes */
	static const unsigned char pick[] = {
		0x01, 0x08, 0x09, 0x0a, 0x1f, 0x20, '"', '\\', '/', 'a', 0x7f,
		0x80, 0xbf, 0xc2, 0xc3, 0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4,
		0xf5, 0xff, 0x82, 0x9f, 0xa0,
	};
	unsigned seed = 12345;

	for (int round = 0; round < 20000; round++) {
		char s[12];
		size_t n = (size_t)(rand_r(&seed) % (int)sizeof(s));

		for (size_t i = 0; i < n; i++) {
			s[i] = (char)pick[rand_r(&seed) % (int)sizeof(pick)];
		}
		same_string(s, n);
	}
}

static void
same_integer(int64_t v)
{
	json_t *j = json_integer(v);
	char *want = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY), *got;
	struct jsonw w;

	jsonw_init(&w);
	jsonw_int(&w, v);
	got = text(&w);
	cr_assert_str_eq(got, want);
	if (v >= 0) {
		free(got);
		jsonw_reset(&w);
		jsonw_uint(&w, (uint64_t)v);
		got = text(&w);
		cr_assert_str_eq(got, want);
	}
	free(got);
	free(want);
	json_decref(j);
	jsonw_finish(&w);
}

Test(jsonw, writes_integers_as_jansson_at_every_magnitude)
{
	int64_t v = 1;

	same_integer(0);
	same_integer(INT64_MAX);
	same_integer(INT64_MIN);
	for (int i = 0; i < 19; i++) {
		same_integer(v);
		same_integer(v - 1);
		same_integer(-v);
		same_integer(v + 7);
		if (i < 18) {
			v *= 10; /* 10^18 is the last power that fits */
		}
	}
}

Test(jsonw, writes_the_largest_unsigned_integer)
{
	struct jsonw w;
	char *got;

	jsonw_init(&w);
	jsonw_uint(&w, UINT64_MAX);
	got = text(&w);
	cr_expect_str_eq(got, "18446744073709551615");
	free(got);
	jsonw_finish(&w);
}

static void
same_micros(uint64_t v)
{
	json_t *j = json_real((double)v / 1e6);
	char *want = json_dumps(j, REAL_FLAGS | JSON_ENCODE_ANY), *got;
	struct jsonw w;

	jsonw_init(&w);
	jsonw_micros(&w, v);
	got = text(&w);
	cr_assert_str_eq(got, want, "micros %llu", (unsigned long long)v);
	free(got);
	free(want);
	json_decref(j);
	jsonw_finish(&w);
}

Test(jsonw, writes_micro_units_as_jansson_writes_the_real)
{
	static const uint64_t fixed[] = {
		0, 1, 5, 9, 10, 12, 99, 100, 101, 999, 1000, 123456, 1000000,
		1500000, 1000001, 4102444799999999ull, 999999999999999ull,
		1000000000000000ull, 1234567890123456ull, UINT64_MAX,
	};
	unsigned seed = 7;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		same_micros(fixed[i]);
	}
	for (int i = 0; i < 20000; i++) {
		uint64_t v = ((uint64_t)rand_r(&seed) << 31 | (uint64_t)rand_r(&seed));

		same_micros(v >> (rand_r(&seed) % 62));
	}
}

Test(jsonw, puts_commas_between_members_and_elements_only)
{
	struct jsonw w;
	char *got;

	jsonw_init(&w);
	jsonw_object_begin(&w);
	jsonw_member_uint(&w, "a", 1);
	cr_assert(jsonw_member_string(&w, "b", "x"));
	cr_assert_not(jsonw_member_string(&w, "skipped", "\xff"));
	jsonw_key(&w, "o");
	jsonw_object_begin(&w);
	jsonw_object_end(&w);
	jsonw_key(&w, "l");
	jsonw_array_begin(&w);
	jsonw_int(&w, -1);
	jsonw_bool(&w, true);
	jsonw_object_begin(&w);
	jsonw_member_bool(&w, "f", false);
	jsonw_object_end(&w);
	jsonw_array_end(&w);
	jsonw_member_int(&w, "z", 0);
	jsonw_object_end(&w);
	got = text(&w);
	cr_expect_str_eq(got, "{\"a\":1,\"b\":\"x\",\"o\":{},\"l\":[-1,true,{\"f\":false}],\"z\":0}");
	free(got);

	/* reset forgets the text and the pending comma, keeps the memory */
	jsonw_reset(&w);
	cr_expect_eq(w.len, 0);
	cr_expect_not_null(w.buf);
	jsonw_uint(&w, 5);
	got = text(&w);
	cr_expect_str_eq(got, "5");
	free(got);
	jsonw_finish(&w);
	jsonw_finish(NULL);
}

Test(jsonw, grows_past_its_first_allocation)
{
	struct jsonw w;
	char big[5000];
	char *got;
	json_t *j;

	memset(big, '\x01', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	jsonw_init(&w);
	jsonw_array_begin(&w);
	for (int i = 0; i < 3; i++) {
		cr_assert(jsonw_string(&w, big));
	}
	jsonw_array_end(&w);
	cr_assert_not(w.failed);
	got = text(&w);
	j = json_loads(got, 0, NULL);
	cr_assert_not_null(j);
	cr_expect_eq(json_array_size(j), 3);
	cr_expect_str_eq(json_string_value(json_array_get(j, 2)), big);
	json_decref(j);
	free(got);
	jsonw_finish(&w);
}
