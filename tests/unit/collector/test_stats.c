/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The collector's counters: per-sender and per-VNI entries are found
 * again (not re-created), the tables overflow into "other" only past
 * their size, and stats_json sums workers by name.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "collector/stats.h"

static struct stats *
new_stats(void)
{
	struct stats *s = malloc(sizeof(*s));

	cr_assert_not_null(s);
	stats_init(s);
	return s;
}

static struct sockaddr_in
v4(const char *ip, uint16_t port)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(port) };

	inet_pton(AF_INET, ip, &in.sin_addr);
	return in;
}

Test(stats, a_sender_is_found_again_whatever_its_port)
{
	struct stats *s = new_stats();
	struct sockaddr_in a = v4("192.0.2.1", 50000), b = v4("192.0.2.1", 60000);

	for (int i = 0; i < 1000; i++) {
		struct stats_entry *e = stats_sender(s, (struct sockaddr *)(i % 2 ? &a : &b));

		stat_add(&e->datagrams, 1);
	}
	cr_assert_eq(atomic_load(&s->senders.n), 1);
	cr_assert_eq(stat_get(&s->senders.e[0].datagrams), 1000);
	cr_assert_str_eq(s->senders.e[0].name, "192.0.2.1");
	free(s);
}

Test(stats, a_vni_is_found_again)
{
	struct stats *s = new_stats();

	for (int i = 0; i < 1000; i++) {
		stat_add(&stats_vni(s, (uint32_t)(i % 3))->datagrams, 1);
	}
	cr_assert_eq(atomic_load(&s->vnis.n), 3);
	cr_assert_eq(stat_get(&stats_vni(s, 1)->datagrams), 333);
	free(s);
}

Test(stats, the_table_overflows_into_other_only_when_full)
{
	struct stats *s = new_stats();

	for (uint32_t v = 0; v < STATS_TABLE_MAX + 10; v++) {
		stat_add(&stats_vni(s, v)->datagrams, 1);
	}
	cr_assert_eq(atomic_load(&s->vnis.n), STATS_TABLE_MAX);
	cr_assert_eq(stat_get(&s->vnis.other.datagrams), 10);
	/* known ones are still found, not sent to "other" */
	stat_add(&stats_vni(s, 7)->datagrams, 1);
	cr_assert_eq(stat_get(&stats_vni(s, 7)->datagrams), 2);
	cr_assert_eq(stat_get(&s->vnis.other.datagrams), 10);
	free(s);
}

Test(stats, protocols_are_tallied_by_name)
{
	struct stats *s = new_stats();

	stat_add(&stats_proto(s, "DNS")->flows, 1);
	stat_add(&stats_proto(s, "TLS.Google")->flows, 1);
	stat_add(&stats_proto(s, "DNS")->flows, 1);
	cr_assert_eq(atomic_load(&s->protos.n), 2);
	cr_assert_eq(stat_get(&stats_proto(s, "DNS")->flows), 2);
	free(s);
}

Test(stats, json_sums_workers_by_name)
{
	struct stats *w[2] = { new_stats(), new_stats() };
	struct sockaddr_in a = v4("198.51.100.7", 1);
	json_t *j, *senders, *e;

	stat_add(&w[0]->datagrams, 5);
	stat_add(&w[1]->datagrams, 7);
	stat_add(&w[0]->drops[DECAP_SHORT], 2);
	stat_add(&w[1]->drops[DECAP_SHORT], 3);
	stat_add(&stats_sender(w[0], (struct sockaddr *)&a)->datagrams, 4);
	stat_add(&stats_sender(w[1], (struct sockaddr *)&a)->datagrams, 6);
	stat_add(&stats_proto(w[0], "SSH")->bytes, 100);
	stat_add(&stats_proto(w[1], "SSH")->bytes, 50);
	j = stats_json(w, 2);
	cr_assert_eq(json_integer_value(json_object_get(j, "datagrams")), 12);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(j, "dropped"), "short")), 5);
	cr_assert_eq(json_integer_value(json_object_get(j, "dropped_total")), 5);
	senders = json_object_get(j, "senders");
	cr_assert_eq(json_array_size(senders), 1);
	e = json_array_get(senders, 0);
	cr_assert_str_eq(json_string_value(json_object_get(e, "name")), "198.51.100.7");
	cr_assert_eq(json_integer_value(json_object_get(e, "datagrams")), 10);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(
		json_object_get(j, "protocols"), "SSH"), "bytes")), 150);
	json_decref(j);
	free(w[0]);
	free(w[1]);
}
