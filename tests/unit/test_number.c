/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Strict number parsing: integers in a range, byte sizes with binary
 * suffixes and durations; every malformed string is refused untouched.
 */
#include <criterion/criterion.h>

#include "shared/number.h"

#define UNTOUCHED 0x5a5a5a5a5a5a5a5aULL

static void
assert_u64(const char *s, uint64_t min, uint64_t max, uint64_t want)
{
	uint64_t v = UNTOUCHED;

	cr_assert(number_parse_u64(s, min, max, &v), "'%s' refused", s);
	cr_assert_eq(v, want, "'%s' gave %llu", s, (unsigned long long)v);
}

static void
refuse_u64(const char *s, uint64_t min, uint64_t max)
{
	uint64_t v = UNTOUCHED;

	cr_assert_not(number_parse_u64(s, min, max, &v), "'%s' accepted", s);
	cr_assert_eq(v, UNTOUCHED, "'%s' wrote a result", s);
}

static void
assert_size(const char *s, uint64_t want)
{
	uint64_t v = UNTOUCHED;

	cr_assert(number_parse_size(s, &v), "'%s' refused", s);
	cr_assert_eq(v, want, "'%s' gave %llu", s, (unsigned long long)v);
}

static void
refuse_size(const char *s)
{
	uint64_t v = UNTOUCHED;

	cr_assert_not(number_parse_size(s, &v), "'%s' accepted", s);
	cr_assert_eq(v, UNTOUCHED, "'%s' wrote a result", s);
}

static void
assert_duration(const char *s, uint64_t want)
{
	uint64_t v = UNTOUCHED;

	cr_assert(number_parse_duration(s, &v), "'%s' refused", s);
	cr_assert_eq(v, want, "'%s' gave %llu", s, (unsigned long long)v);
}

static void
refuse_duration(const char *s)
{
	uint64_t v = UNTOUCHED;

	cr_assert_not(number_parse_duration(s, &v), "'%s' accepted", s);
	cr_assert_eq(v, UNTOUCHED, "'%s' wrote a result", s);
}

Test(number, u64_accepts_values_inside_the_range)
{
	assert_u64("0", 0, 10, 0);
	assert_u64("10", 0, 10, 10);
	assert_u64("1", 1, 65535, 1);
	assert_u64("65535", 1, 65535, 65535);
	assert_u64("007", 0, 10, 7);
	assert_u64("18446744073709551615", 0, UINT64_MAX, UINT64_MAX);
}

Test(number, u64_refuses_values_outside_the_range)
{
	refuse_u64("0", 1, 65535);
	refuse_u64("65536", 1, 65535);
	refuse_u64("11", 0, 10);
	refuse_u64("4", 5, 5);
}

Test(number, u64_refuses_an_empty_string)
{
	refuse_u64("", 0, UINT64_MAX);
	refuse_u64(NULL, 0, UINT64_MAX);
}

Test(number, u64_refuses_a_sign)
{
	refuse_u64("-1", 0, UINT64_MAX);
	refuse_u64("+1", 0, UINT64_MAX);
	refuse_u64("-0", 0, UINT64_MAX);
}

Test(number, u64_refuses_blanks)
{
	refuse_u64(" 1", 0, UINT64_MAX);
	refuse_u64("1 ", 0, UINT64_MAX);
	refuse_u64("1\n", 0, UINT64_MAX);
	refuse_u64("\t1", 0, UINT64_MAX);
	refuse_u64("1 2", 0, UINT64_MAX);
}

Test(number, u64_refuses_overflow)
{
	refuse_u64("18446744073709551616", 0, UINT64_MAX);
	refuse_u64("18446744073709551620", 0, UINT64_MAX);
	refuse_u64("99999999999999999999999", 0, UINT64_MAX);
}

Test(number, u64_refuses_trailing_garbage)
{
	refuse_u64("12x", 0, UINT64_MAX);
	refuse_u64("0x10", 0, UINT64_MAX);
	refuse_u64("1.5", 0, UINT64_MAX);
	refuse_u64("1e3", 0, UINT64_MAX);
}

Test(number, size_without_suffix_is_bytes)
{
	assert_size("0", 0);
	assert_size("512", 512);
	assert_size("10B", 10);
}

Test(number, size_suffixes_are_powers_of_1024)
{
	assert_size("4K", 4ULL << 10);
	assert_size("64M", 64ULL << 20);
	assert_size("1G", 1ULL << 30);
	assert_size("2T", 2ULL << 40);
}

Test(number, size_accepts_b_and_ib_after_a_suffix)
{
	assert_size("4MiB", 4ULL << 20);
	assert_size("4MB", 4ULL << 20);
	assert_size("8KiB", 8ULL << 10);
	assert_size("3GiB", 3ULL << 30);
	assert_size("1TiB", 1ULL << 40);
}

Test(number, size_refuses_unknown_or_malformed_suffixes)
{
	refuse_size("4X");
	refuse_size("M");
	refuse_size("4Mi");
	refuse_size("4iB");
	refuse_size("4MM");
	refuse_size("4MiBx");
	refuse_size("4BB");
	refuse_size("4 M");
	refuse_size("");
}

Test(number, size_refuses_a_sign)
{
	refuse_size("-1");
	refuse_size("+1K");
}

Test(number, size_refuses_overflow)
{
	refuse_size("18446744073709551616");
	refuse_size("16777216T"); /* exactly 2^64 */
	refuse_size("17179869184G");
	assert_size("16777215T", 16777215ULL << 40);
}

Test(number, duration_units_scale_to_seconds)
{
	assert_duration("0", 0);
	assert_duration("30", 30);
	assert_duration("30s", 30);
	assert_duration("5m", 300);
	assert_duration("1h", 3600);
	assert_duration("7d", 7 * 86400);
}

Test(number, duration_refuses_malformed_strings)
{
	refuse_duration("");
	refuse_duration("s");
	refuse_duration("-5");
	refuse_duration("5x");
	refuse_duration("5ms");
	refuse_duration("5 s");
	refuse_duration("1h30m");
	refuse_duration("5S");
	refuse_duration("1.5h");
}

Test(number, duration_refuses_overflow)
{
	refuse_duration("213503982334602d");
	refuse_duration("18446744073709551616");
	assert_duration("18446744073709551615s", UINT64_MAX);
}
