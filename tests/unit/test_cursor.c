/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The bounds-checked byte cursor: reads inside the buffer succeed in network
 * byte order, and a read past the end fails without moving the cursor.
 */
#include <criterion/criterion.h>

#include "shared/cursor.h"

static const uint8_t bytes[] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc };

Test(cursor, init_starts_at_zero_with_everything_left)
{
	struct cursor c;

	cursor_init(&c, bytes, sizeof(bytes));
	cr_assert_eq(c.off, 0);
	cr_assert_eq(cursor_left(&c), sizeof(bytes));
	cr_assert_eq(cursor_ptr(&c), bytes);
}

Test(cursor, u8_reads_each_byte_in_order)
{
	struct cursor c;
	uint8_t v;

	cursor_init(&c, bytes, sizeof(bytes));
	for (size_t i = 0; i < sizeof(bytes); i++) {
		cr_assert(cursor_u8(&c, &v));
		cr_assert_eq(v, bytes[i]);
		cr_assert_eq(c.off, i + 1);
	}
	cr_assert_eq(cursor_left(&c), 0);
}

Test(cursor, be16_is_big_endian)
{
	struct cursor c;
	uint16_t v;

	cursor_init(&c, bytes, sizeof(bytes));
	cr_assert(cursor_be16(&c, &v));
	cr_assert_eq(v, 0x1234);
	cr_assert(cursor_be16(&c, &v));
	cr_assert_eq(v, 0x5678);
	cr_assert_eq(c.off, 4);
}

Test(cursor, be32_is_big_endian)
{
	struct cursor c;
	uint32_t v;

	cursor_init(&c, bytes, sizeof(bytes));
	cr_assert(cursor_skip(&c, 1));
	cr_assert(cursor_be32(&c, &v));
	cr_assert_eq(v, 0x3456789a);
	cr_assert_eq(c.off, 5);
}

Test(cursor, be32_of_high_bytes_does_not_sign_extend)
{
	static const uint8_t high[] = { 0xff, 0xfe, 0x80, 0x01 };
	struct cursor c;
	uint32_t v;

	cursor_init(&c, high, sizeof(high));
	cr_assert(cursor_be32(&c, &v));
	cr_assert_eq(v, 0xfffe8001u);
}

Test(cursor, read_to_the_exact_end_succeeds)
{
	struct cursor c;
	uint16_t v;

	cursor_init(&c, bytes, sizeof(bytes));
	cr_assert(cursor_skip(&c, 4));
	cr_assert(cursor_be16(&c, &v));
	cr_assert_eq(v, 0x9abc);
	cr_assert_eq(c.off, c.len);
	cr_assert(cursor_has(&c, 0));
	cr_assert_not(cursor_has(&c, 1));
}

Test(cursor, reads_past_the_end_fail_and_leave_off_unchanged)
{
	struct cursor c;
	uint8_t v8 = 0xaa, out[8];
	uint16_t v16 = 0xaaaa;
	uint32_t v32 = 0xaaaaaaaa;

	cursor_init(&c, bytes, sizeof(bytes));
	cr_assert(cursor_skip(&c, 3));

	cr_assert_not(cursor_be32(&c, &v32));
	cr_assert_eq(c.off, 3);
	cr_assert_eq(v32, 0xaaaaaaaa);

	cr_assert_not(cursor_skip(&c, 4));
	cr_assert_eq(c.off, 3);

	cr_assert_not(cursor_copy(&c, out, 4));
	cr_assert_eq(c.off, 3);

	cr_assert(cursor_skip(&c, 2));
	cr_assert_not(cursor_be16(&c, &v16));
	cr_assert_eq(c.off, 5);
	cr_assert_eq(v16, 0xaaaa);

	cr_assert(cursor_u8(&c, &v8));
	cr_assert_not(cursor_u8(&c, &v8));
	cr_assert_eq(c.off, 6);
	cr_assert_eq(v8, 0xbc);
}

Test(cursor, empty_buffer_refuses_every_read)
{
	struct cursor c;
	uint8_t v8;
	uint16_t v16;
	uint32_t v32;

	cursor_init(&c, bytes, 0);
	cr_assert_not(cursor_u8(&c, &v8));
	cr_assert_not(cursor_be16(&c, &v16));
	cr_assert_not(cursor_be32(&c, &v32));
	cr_assert_not(cursor_skip(&c, 1));
	cr_assert_not(cursor_peek_u8(&c, 0, &v8));
	cr_assert(cursor_skip(&c, 0));
	cr_assert_eq(c.off, 0);
}

Test(cursor, huge_skip_does_not_wrap_around)
{
	struct cursor c;

	cursor_init(&c, bytes, sizeof(bytes));
	cr_assert(cursor_skip(&c, 2));
	cr_assert_not(cursor_skip(&c, SIZE_MAX));
	cr_assert_not(cursor_skip(&c, SIZE_MAX - 1));
	cr_assert_not(cursor_has(&c, SIZE_MAX));
	cr_assert_eq(c.off, 2);
}

Test(cursor, skip_moves_by_n_bytes)
{
	struct cursor c;
	uint8_t v;

	cursor_init(&c, bytes, sizeof(bytes));
	cr_assert(cursor_skip(&c, 2));
	cr_assert_eq(c.off, 2);
	cr_assert_eq(cursor_left(&c), 4);
	cr_assert_eq(cursor_ptr(&c), bytes + 2);
	cr_assert(cursor_u8(&c, &v));
	cr_assert_eq(v, 0x56);
}

Test(cursor, copy_reads_n_bytes_out)
{
	struct cursor c;
	uint8_t out[3] = { 0 };

	cursor_init(&c, bytes, sizeof(bytes));
	cr_assert(cursor_skip(&c, 1));
	cr_assert(cursor_copy(&c, out, sizeof(out)));
	cr_assert_arr_eq(out, bytes + 1, sizeof(out));
	cr_assert_eq(c.off, 4);
}

Test(cursor, peek_reads_ahead_without_moving)
{
	struct cursor c;
	uint8_t v;

	cursor_init(&c, bytes, sizeof(bytes));
	cr_assert(cursor_skip(&c, 1));
	cr_assert(cursor_peek_u8(&c, 0, &v));
	cr_assert_eq(v, 0x34);
	cr_assert(cursor_peek_u8(&c, 4, &v));
	cr_assert_eq(v, 0xbc);
	cr_assert_eq(c.off, 1);
}

Test(cursor, peek_past_the_end_fails)
{
	struct cursor c;
	uint8_t v = 0x55;

	cursor_init(&c, bytes, sizeof(bytes));
	cr_assert(cursor_skip(&c, 1));
	cr_assert_not(cursor_peek_u8(&c, 5, &v));
	cr_assert_eq(v, 0x55);
	cr_assert_eq(c.off, 1);
}

Test(cursor, never_reads_beyond_len_of_a_larger_buffer)
{
	/* len covers 2 bytes of a 6-byte array: the rest must stay invisible */
	struct cursor c;
	uint32_t v32;
	uint8_t v8;

	cursor_init(&c, bytes, 2);
	cr_assert_not(cursor_be32(&c, &v32));
	cr_assert_not(cursor_peek_u8(&c, 2, &v8));
	cr_assert_eq(cursor_left(&c), 2);
}

Test(cursor, peek_with_a_huge_offset_does_not_wrap_around)
{
	/* ahead + 1 must not overflow into "0 bytes needed" */
	struct cursor c;
	uint8_t v = 0x55;

	cursor_init(&c, bytes, sizeof(bytes));
	cr_assert(cursor_skip(&c, 1));
	cr_assert_not(cursor_peek_u8(&c, SIZE_MAX, &v));
	cr_assert_eq(v, 0x55);
}
