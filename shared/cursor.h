/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A bounds-checked byte cursor over a borrowed buffer. Every read of
 * packet bytes goes through one of these getters (as tcpdump's GET_*
 * macros do): a read past the end fails and leaves the cursor unchanged,
 * it never touches memory outside [p, p + len).
 */
#ifndef VTAP_SHARED_CURSOR_H
#define VTAP_SHARED_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct cursor {
	const uint8_t *p; /* borrowed: the buffer being read */
	size_t len;       /* bytes in the buffer */
	size_t off;       /* next byte to read, 0 <= off <= len */
};

static inline void
cursor_init(struct cursor *c, const void *p, size_t len)
{
	c->p = p;
	c->len = len;
	c->off = 0;
}

/* Bytes left to read. */
static inline size_t
cursor_left(const struct cursor *c)
{
	return c->len - c->off;
}

/* Pointer to the next unread byte (valid for cursor_left() bytes). */
static inline const uint8_t *
cursor_ptr(const struct cursor *c)
{
	return c->p + c->off;
}

/* True when at least n more bytes can be read. */
static inline bool
cursor_has(const struct cursor *c, size_t n)
{
	return n <= c->len - c->off;
}

static inline bool
cursor_skip(struct cursor *c, size_t n)
{
	if (!cursor_has(c, n)) {
		return false;
	}
	c->off += n;
	return true;
}

static inline bool
cursor_u8(struct cursor *c, uint8_t *v)
{
	if (!cursor_has(c, 1)) {
		return false;
	}
	*v = c->p[c->off];
	c->off += 1;
	return true;
}

/* Big-endian (network order) 16-bit read. */
static inline bool
cursor_be16(struct cursor *c, uint16_t *v)
{
	if (!cursor_has(c, 2)) {
		return false;
	}
	*v = (uint16_t)((uint16_t)c->p[c->off] << 8 | c->p[c->off + 1]);
	c->off += 2;
	return true;
}

/* Big-endian (network order) 32-bit read. */
static inline bool
cursor_be32(struct cursor *c, uint32_t *v)
{
	const uint8_t *b;

	if (!cursor_has(c, 4)) {
		return false;
	}
	b = c->p + c->off;
	*v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	     (uint32_t)b[2] << 8 | b[3];
	c->off += 4;
	return true;
}

/* Copy n bytes out. */
static inline bool
cursor_copy(struct cursor *c, void *dst, size_t n)
{
	if (!cursor_has(c, n)) {
		return false;
	}
	memcpy(dst, c->p + c->off, n);
	c->off += n;
	return true;
}

/* Peek one byte at offset ahead of the cursor without moving it. */
static inline bool
cursor_peek_u8(const struct cursor *c, size_t ahead, uint8_t *v)
{
	if (ahead >= cursor_left(c)) {
		return false;
	}
	*v = c->p[c->off + ahead];
	return true;
}

#endif
