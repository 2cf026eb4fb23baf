/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-worker counters and their merge into JSON (see stats.h for the
 * threading rules). It counts; deciding what to count is the worker's.
 */
#include "collector/stats.h"

#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

void
stats_init(struct stats *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < STATS_TABLE_SLOTS; i++) {
		s->senders.slot[i] = -1;
		s->vnis.slot[i] = -1;
		s->protos.slot[i] = -1;
	}
	snprintf(s->protos.other.name, sizeof(s->protos.other.name), "other");
	snprintf(s->senders.other.name, sizeof(s->senders.other.name), "other");
	snprintf(s->vnis.other.name, sizeof(s->vnis.other.name), "other");
}

static uint32_t
key_hash(const uint8_t key[17])
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < 17; i++) {
		h = (h ^ key[i]) * 16777619u;
	}
	return h;
}

/*
 * Find key in an append-only table whose entries start with their 17-byte
 * key: the entry's index, or -1 with *slot set to where it would go.
 */
_Static_assert(offsetof(struct stats_entry, key) == 0, "key must come first");
_Static_assert(offsetof(struct stats_proto, key) == 0, "key must come first");

static int
index_find(const int16_t *slots, const void *entries, size_t stride,
	   const uint8_t key[17], uint32_t *slot)
{
	uint32_t i = key_hash(key) & (STATS_TABLE_SLOTS - 1);

	for (int16_t idx; (idx = slots[i]) >= 0;
	     i = (i + 1) & (STATS_TABLE_SLOTS - 1)) {
		if (memcmp((const uint8_t *)entries + (size_t)idx * stride, key, 17) == 0) {
			return idx;
		}
	}
	*slot = i;
	return -1;
}

static struct stats_entry *
table_find(struct stats_table *t, const uint8_t key[17], uint32_t *slot)
{
	int idx = index_find(t->slot, t->e, sizeof(t->e[0]), key, slot);

	return idx < 0 ? NULL : &t->e[idx];
}

/*
 * Append an entry (key at offset 0, name at name_off) to an append-only
 * table and index it at slot; NULL when the table is full. The count that
 * publishes it to readers is stored last.
 */
static void *
index_insert(_Atomic size_t *count, int16_t *slots, void *entries,
	     size_t stride, size_t name_off, size_t name_len,
	     const uint8_t key[17], uint32_t slot, const char *name)
{
	size_t n = atomic_load_explicit(count, memory_order_relaxed);
	uint8_t *e;

	if (n == STATS_TABLE_MAX) {
		return NULL;
	}
	e = (uint8_t *)entries + n * stride;
	memcpy(e, key, 17);
	snprintf((char *)e + name_off, name_len, "%s", name);
	slots[slot] = (int16_t)n;
	/* publish the filled-in entry to readers */
	atomic_store_explicit(count, n + 1, memory_order_release);
	return e;
}

static struct stats_entry *
table_insert(struct stats_table *t, const uint8_t key[17], uint32_t slot,
	     const char *name)
{
	struct stats_entry *e = index_insert(&t->n, t->slot, t->e, sizeof(t->e[0]),
		offsetof(struct stats_entry, name), sizeof(t->e[0].name), key,
		slot, name);

	return e != NULL ? e : &t->other;
}

struct stats_entry *
stats_sender(struct stats *s, const struct sockaddr *sa)
{
	uint8_t key[17] = { 0 };
	char name[ADDR_STRLEN];
	struct stats_entry *e;
	uint32_t slot;

	if (sa->sa_family == AF_INET) {
		key[0] = 4;
		memcpy(key + 1, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		key[0] = 6;
		memcpy(key + 1, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
	}
	if ((e = table_find(&s->senders, key, &slot)) != NULL) {
		return e;
	}
	/* a new sender: only now is its name worth formatting */
	addr_format(sa, false, name, sizeof(name));
	return table_insert(&s->senders, key, slot, name);
}

struct stats_entry *
stats_vni(struct stats *s, uint32_t vni)
{
	uint8_t key[17] = { 0xff };
	char name[16];
	struct stats_entry *e;
	uint32_t slot;

	memcpy(key + 1, &vni, sizeof(vni));
	if ((e = table_find(&s->vnis, key, &slot)) != NULL) {
		return e;
	}
	snprintf(name, sizeof(name), "%u", vni);
	return table_insert(&s->vnis, key, slot, name);
}

struct stats_proto *
stats_proto(struct stats *s, const char *name)
{
	struct stats_proto_table *t = &s->protos;
	uint8_t key[17] = { 0xfe };
	uint64_t h = 1469598103934665603ULL;
	struct stats_proto *e;
	uint32_t slot;
	int idx;

	for (const char *p = name; *p != '\0'; p++) {
		h = (h ^ (uint8_t)*p) * 1099511628211ULL;
	}
	memcpy(key + 1, &h, sizeof(h));
	if ((idx = index_find(t->slot, t->e, sizeof(t->e[0]), key, &slot)) >= 0) {
		return &t->e[idx];
	}
	e = index_insert(&t->n, t->slot, t->e, sizeof(t->e[0]),
			 offsetof(struct stats_proto, name), sizeof(t->e[0].name),
			 key, slot, name);
	return e != NULL ? e : &t->other;
}

static void
add_entry(json_t *arr, const struct stats_entry *e)
{
	json_t *item = NULL, *drops;
	size_t i;

	json_array_foreach(arr, i, item) {
		if (strcmp(json_string_value(json_object_get(item, "name")), e->name) == 0) {
			break;
		}
		item = NULL;
	}
	if (item == NULL) {
		item = json_pack("{s:s, s:I, s:I, s:I, s:{}}", "name", e->name,
				 "datagrams", (json_int_t)0, "bytes", (json_int_t)0,
				 "written", (json_int_t)0, "dropped");
		json_array_append_new(arr, item);
	}
#define ADD(field, v) json_object_set_new(item, field, \
	json_integer(json_integer_value(json_object_get(item, field)) + (json_int_t)(v)))
	ADD("datagrams", stat_get(&e->datagrams));
	ADD("bytes", stat_get(&e->bytes));
	ADD("written", stat_get(&e->written));
#undef ADD
	drops = json_object_get(item, "dropped");
	for (int r = 1; r < DECAP__COUNT; r++) {
		const char *name = decap_strverdict((enum decap_verdict)r);

		json_object_set_new(drops, name,
			json_integer(json_integer_value(json_object_get(drops, name)) +
				     (json_int_t)stat_get(&e->drops[r])));
	}
}

static void
add_proto(json_t *obj, const struct stats_proto *e)
{
	json_t *item = json_object_get(obj, e->name);

	if (item == NULL) {
		item = json_pack("{s:I, s:I, s:I}", "flows", (json_int_t)0,
				 "packets", (json_int_t)0, "bytes", (json_int_t)0);
		json_object_set_new(obj, e->name, item);
	}
	json_object_set_new(item, "flows", json_integer(json_integer_value(
		json_object_get(item, "flows")) + (json_int_t)stat_get(&e->flows)));
	json_object_set_new(item, "packets", json_integer(json_integer_value(
		json_object_get(item, "packets")) + (json_int_t)stat_get(&e->packets)));
	json_object_set_new(item, "bytes", json_integer(json_integer_value(
		json_object_get(item, "bytes")) + (json_int_t)stat_get(&e->bytes)));
}

static void
add_protos(json_t *obj, struct stats_proto_table *t)
{
	size_t n = atomic_load_explicit(&t->n, memory_order_acquire);

	for (size_t i = 0; i < n; i++) {
		add_proto(obj, &t->e[i]);
	}
	if (stat_get(&t->other.flows) != 0) {
		add_proto(obj, &t->other);
	}
}

static void
add_table(json_t *arr, struct stats_table *t)
{
	size_t n = atomic_load_explicit(&t->n, memory_order_acquire);

	for (size_t i = 0; i < n; i++) {
		add_entry(arr, &t->e[i]);
	}
	if (stat_get(&t->other.datagrams) != 0) {
		add_entry(arr, &t->other);
	}
}

json_t *
stats_json(struct stats *const *w, size_t n)
{
	json_t *root, *drops, *malformed, *senders, *vnis, *protos;
	uint64_t sum[16] = { 0 }, d[DECAP__COUNT] = { 0 }, m[FRAME_ERR__COUNT] = { 0 };
	uint64_t dropped = 0;

	senders = json_array();
	vnis = json_array();
	protos = json_object();
	for (size_t k = 0; k < n; k++) {
		const struct stats *s = w[k];
		const stat_t *f[16] = {
			&s->datagrams, &s->datagram_bytes, &s->reserved_set,
			&s->frames, &s->frame_bytes, &s->inner_truncated,
			&s->written, &s->written_bytes, &s->write_errors,
			&s->flows_active, &s->flows_created, &s->flows_evicted,
			&s->flows_logged, &s->outer_fragments, &s->not_vxlan,
			&s->kernel_drops,
		};

		for (int i = 0; i < 16; i++) {
			sum[i] += stat_get(f[i]);
		}
		for (int r = 1; r < DECAP__COUNT; r++) {
			d[r] += stat_get(&s->drops[r]);
		}
		for (int r = 1; r < FRAME_ERR__COUNT; r++) {
			m[r] += stat_get(&s->malformed[r]);
		}
		add_table(senders, &w[k]->senders);
		add_table(vnis, &w[k]->vnis);
		add_protos(protos, &w[k]->protos);
	}
	drops = json_object();
	for (int r = 1; r < DECAP__COUNT; r++) {
		json_object_set_new(drops, decap_strverdict((enum decap_verdict)r),
				    json_integer((json_int_t)d[r]));
		dropped += d[r];
	}
	malformed = json_object();
	for (int r = 1; r < FRAME_ERR__COUNT; r++) {
		json_object_set_new(malformed, frame_strerror((enum frame_err)r),
				    json_integer((json_int_t)m[r]));
	}
	root = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		"datagrams", (json_int_t)sum[0],
		"datagram_bytes", (json_int_t)sum[1],
		"reserved_bits_set", (json_int_t)sum[2],
		"frames", (json_int_t)sum[3],
		"frame_bytes", (json_int_t)sum[4],
		"inner_truncated", (json_int_t)sum[5],
		"written", (json_int_t)sum[6],
		"written_bytes", (json_int_t)sum[7],
		"write_errors", (json_int_t)sum[8],
		"flows_active", (json_int_t)sum[9],
		"flows_created", (json_int_t)sum[10],
		"flows_evicted", (json_int_t)sum[11],
		"flows_logged", (json_int_t)sum[12],
		"outer_fragments", (json_int_t)sum[13],
		"not_vxlan", (json_int_t)sum[14],
		"kernel_drops", (json_int_t)sum[15],
		"dropped_total", (json_int_t)dropped);
	json_object_set_new(root, "dropped", drops);
	json_object_set_new(root, "malformed", malformed);
	json_object_set_new(root, "senders", senders);
	json_object_set_new(root, "vnis", vnis);
	json_object_set_new(root, "protocols", protos);
	return root;
}
