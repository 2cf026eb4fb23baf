/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The resource model: Azure's name rule, destinations, TAP and tap
 * configuration rules, and that every refusal leaves the document exactly
 * as it was.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "sender/resource.h"

static json_t *doc;
static char err[1024];

static void
setup(void)
{
	doc = resource_document_new();
	err[0] = '\0';
}

static void
teardown(void)
{
	json_decref(doc);
}

TestSuite(resource, .init = setup, .fini = teardown);

static void
tap(const char *name, const char *dest)
{
	struct resource_tap_spec spec = { .name = name, .destination = dest };
	json_t *out = NULL;

	cr_assert_eq(resource_tap_create(doc, &spec, &out, err, sizeof(err)),
		     RESOURCE_OK, "create %s: %s", name, err);
	json_decref(out);
}

static void
config(const char *nic, const char *name, const char *ref)
{
	json_t *out = NULL;

	cr_assert_eq(resource_config_create(doc, nic, name, ref, &out, err, sizeof(err)),
		     RESOURCE_OK, "config %s: %s", name, err);
	json_decref(out);
}

/* The document as text, to compare before and after a refusal. */
static char *
text(void)
{
	return json_dumps(doc, JSON_SORT_KEYS);
}

static void
assert_unchanged(char *before)
{
	char *after = text();

	cr_assert_str_eq(after, before, "a refusal changed the document");
	free(after);
	free(before);
}

Test(resource, names_follow_azures_rule)
{
	char long_ok[81], too_long[82];

	memset(long_ok, 'a', 80);
	long_ok[80] = '\0';
	memset(too_long, 'a', 81);
	too_long[81] = '\0';
	cr_assert(resource_name_is_valid("myTap"));
	cr_assert(resource_name_is_valid("a"));
	cr_assert(resource_name_is_valid("9tap_"));
	cr_assert(resource_name_is_valid("tap.one-two_3"));
	cr_assert(resource_name_is_valid(long_ok));
	cr_assert_not(resource_name_is_valid(""));
	cr_assert_not(resource_name_is_valid(too_long));
	cr_assert_not(resource_name_is_valid("_tap"));
	cr_assert_not(resource_name_is_valid("-tap"));
	cr_assert_not(resource_name_is_valid(".tap"));
	cr_assert_not(resource_name_is_valid("tap."));
	cr_assert_not(resource_name_is_valid("tap-"));
	cr_assert_not(resource_name_is_valid("my tap"));
	cr_assert_not(resource_name_is_valid("tap/x"));
	cr_assert_not(resource_name_is_valid("t\xc3\xa4p"));
	cr_assert_not(resource_name_is_valid(NULL));
}

Test(resource, destinations_are_addresses_or_host_names)
{
	cr_assert(resource_destination_is_valid("10.0.0.5"));
	cr_assert(resource_destination_is_valid("2001:db8::5"));
	cr_assert(resource_destination_is_valid("collector.example.net"));
	cr_assert(resource_destination_is_valid("collector.example.net."));
	cr_assert(resource_destination_is_valid("ilb-1"));
	cr_assert_not(resource_destination_is_valid(""));
	cr_assert_not(resource_destination_is_valid("10.0.0.256"));
	cr_assert_not(resource_destination_is_valid("a..b"));
	cr_assert_not(resource_destination_is_valid("-a.b"));
	cr_assert_not(resource_destination_is_valid("a b"));
	cr_assert_not(resource_destination_is_valid("10.0.0.5:4789"));
}

Test(resource, a_new_tap_has_azures_shape_and_defaults)
{
	struct resource_tap_spec spec = { .name = "myTap", .destination = "10.0.0.5" };
	json_t *out = NULL, *p;

	cr_assert_eq(resource_tap_create(doc, &spec, &out, err, sizeof(err)), RESOURCE_OK);
	cr_assert_str_eq(json_string_value(json_object_get(out, "id")), "/taps/myTap");
	cr_assert_str_eq(json_string_value(json_object_get(out, "type")), RESOURCE_TAP_TYPE);
	cr_assert_not_null(json_object_get(out, "etag"));
	p = json_object_get(out, "properties");
	cr_assert_eq(json_integer_value(json_object_get(p, "destinationPort")), 4789);
	cr_assert_eq(json_integer_value(json_object_get(p, "vni")), 0);
	cr_assert_str_eq(json_string_value(json_object_get(p, "provisioningState")), "Succeeded");
	cr_assert_eq(strlen(json_string_value(json_object_get(p, "resourceGuid"))), 36);
	cr_assert_str_eq(json_string_value(json_object_get(
		json_object_get(p, "destinationNetworkInterfaceIPConfiguration"),
		"privateIPAddress")), "10.0.0.5");
	cr_assert_eq(json_array_size(json_object_get(p, "networkInterfaceTapConfigurations")), 0);
	cr_assert_eq(resource_document_check(doc, err, sizeof(err)), RESOURCE_OK, "%s", err);
	json_decref(out);
}

Test(resource, a_load_balancer_destination_uses_the_frontend_key)
{
	struct resource_tap_spec spec = { .name = "t", .destination = "ilb.example",
					  .destination_type = "lb" };
	json_t *out = NULL, *p;

	cr_assert_eq(resource_tap_create(doc, &spec, &out, err, sizeof(err)), RESOURCE_OK);
	p = json_object_get(out, "properties");
	cr_assert_null(json_object_get(p, "destinationNetworkInterfaceIPConfiguration"));
	cr_assert_str_eq(json_string_value(json_object_get(
		json_object_get(p, "destinationLoadBalancerFrontEndIPConfiguration"), "fqdn")),
		"ilb.example");
	json_decref(out);
}

Test(resource, bad_values_are_refused_and_change_nothing)
{
	struct resource_tap_spec bad[] = {
		{ .name = "bad name", .destination = "10.0.0.5" },
		{ .name = "t", .destination = "10.0.0.5", .has_port = true, .port = 0 },
		{ .name = "t", .destination = "10.0.0.5", .has_port = true, .port = 65536 },
		{ .name = "t", .destination = "10.0.0.5", .has_vni = true, .vni = 16777216 },
		{ .name = "t", .destination = "10.0.0.5", .has_vni = true, .vni = -1 },
		{ .name = "t", .destination = "not an address" },
		{ .name = "t", .destination = "10.0.0.5", .destination_type = "vm" },
	};
	json_t *out = NULL;

	tap("existing", "10.0.0.1");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *before = text();

		cr_assert_eq(resource_tap_create(doc, &bad[i], &out, err, sizeof(err)),
			     RESOURCE_INVALID, "case %zu accepted", i);
		cr_assert_null(strchr(err, '\n'));
		assert_unchanged(before);
	}
}

Test(resource, port_bounds_are_accepted)
{
	struct resource_tap_spec lo = { .name = "lo", .destination = "10.0.0.5",
					.has_port = true, .port = 1, .has_vni = true,
					.vni = 16777215 };
	struct resource_tap_spec hi = { .name = "hi", .destination = "10.0.0.5",
					.has_port = true, .port = 65535 };
	json_t *out = NULL;

	cr_assert_eq(resource_tap_create(doc, &lo, &out, err, sizeof(err)), RESOURCE_OK);
	json_decref(out);
	cr_assert_eq(resource_tap_create(doc, &hi, &out, err, sizeof(err)), RESOURCE_OK);
	json_decref(out);
}

Test(resource, a_taken_name_is_a_conflict)
{
	struct resource_tap_spec spec = { .name = "t", .destination = "10.0.0.9" };
	json_t *out = NULL;
	char *before;

	tap("t", "10.0.0.5");
	before = text();
	cr_assert_eq(resource_tap_create(doc, &spec, &out, err, sizeof(err)), RESOURCE_CONFLICT);
	assert_unchanged(before);
}

Test(resource, update_changes_only_what_is_given)
{
	struct resource_tap_spec spec = { .name = "t", .has_port = true, .port = 4790 };
	json_t *out = NULL, *p;

	tap("t", "10.0.0.5");
	cr_assert_eq(resource_tap_update(doc, &spec, &out, err, sizeof(err)), RESOURCE_OK, "%s", err);
	p = json_object_get(out, "properties");
	cr_assert_eq(json_integer_value(json_object_get(p, "destinationPort")), 4790);
	cr_assert_str_eq(json_string_value(json_object_get(p, "destination")), "10.0.0.5");
	json_decref(out);
}

Test(resource, update_of_a_bad_port_changes_nothing)
{
	struct resource_tap_spec spec = { .name = "t", .destination = "10.9.9.9",
					  .has_port = true, .port = 70000 };
	json_t *out = NULL;
	char *before;

	tap("t", "10.0.0.5");
	before = text();
	cr_assert_eq(resource_tap_update(doc, &spec, &out, err, sizeof(err)), RESOURCE_INVALID);
	assert_unchanged(before);
}

Test(resource, a_configuration_is_listed_in_its_tap)
{
	json_t *out = NULL, *refs;

	tap("t", "10.0.0.5");
	config("eth0", "c", "/taps/t");
	cr_assert_eq(resource_tap_show(doc, "t", &out, err, sizeof(err)), RESOURCE_OK);
	refs = json_object_get(json_object_get(out, "properties"), "networkInterfaceTapConfigurations");
	cr_assert_eq(json_array_size(refs), 1);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(refs, 0), "id")),
			 "/nics/eth0/tapConfigurations/c");
	cr_assert_eq(resource_document_check(doc, err, sizeof(err)), RESOURCE_OK, "%s", err);
	json_decref(out);
}

Test(resource, a_nic_has_at_most_one_configuration)
{
	json_t *out = NULL;
	char *before;

	tap("t", "10.0.0.5");
	config("eth0", "c1", "t");
	before = text();
	cr_assert_eq(resource_config_create(doc, "eth0", "c2", "t", &out, err, sizeof(err)),
		     RESOURCE_CONFLICT);
	cr_assert(strstr(err, "c1") != NULL, "%s", err);
	assert_unchanged(before);
}

Test(resource, a_configuration_of_an_unknown_tap_is_refused)
{
	json_t *out = NULL;
	char *before = text();

	cr_assert_eq(resource_config_create(doc, "eth0", "c", "nope", &out, err, sizeof(err)),
		     RESOURCE_NOT_FOUND);
	cr_assert_str_eq(err, "tap 'nope' not found");
	assert_unchanged(before);
}

Test(resource, a_referenced_tap_cannot_be_deleted_and_the_refusal_names_them)
{
	char *before;

	tap("t", "10.0.0.5");
	config("eth0", "c", "t");
	before = text();
	cr_assert_eq(resource_tap_delete(doc, "t", err, sizeof(err)), RESOURCE_CONFLICT);
	cr_assert(strstr(err, "/nics/eth0/tapConfigurations/c") != NULL, "%s", err);
	assert_unchanged(before);
}

Test(resource, deleting_the_configuration_frees_the_tap)
{
	json_t *out = NULL;

	tap("t", "10.0.0.5");
	config("eth0", "c", "t");
	cr_assert_eq(resource_config_delete(doc, "eth0", "c", err, sizeof(err)), RESOURCE_OK);
	cr_assert_eq(resource_config_show(doc, "eth0", "c", &out, err, sizeof(err)),
		     RESOURCE_NOT_FOUND);
	cr_assert_eq(resource_tap_delete(doc, "t", err, sizeof(err)), RESOURCE_OK, "%s", err);
	cr_assert_eq(json_array_size(json_object_get(doc, "taps")), 0);
	cr_assert_eq(json_object_size(json_object_get(doc, "nics")), 0);
}

Test(resource, targets_join_configurations_to_their_taps)
{
	struct resource_target t[4];
	struct resource_tap_spec spec = { .name = "t2", .destination = "10.0.0.7",
					  .has_port = true, .port = 5000, .has_vni = true,
					  .vni = 42 };
	json_t *out = NULL;

	cr_assert_eq(resource_tap_create(doc, &spec, &out, err, sizeof(err)), RESOURCE_OK);
	json_decref(out);
	config("eth1", "c", "t2");
	cr_assert_eq(resource_targets(doc, t, 4), 1);
	cr_assert_str_eq(t[0].nic, "eth1");
	cr_assert_str_eq(t[0].tap, "t2");
	cr_assert_str_eq(t[0].destination, "10.0.0.7");
	cr_assert_eq(t[0].port, 5000);
	cr_assert_eq(t[0].vni, 42);
}

Test(resource, broken_documents_are_corrupt)
{
	static const char *const bad[] = {
		"[]",
		"{\"version\": 2, \"taps\": [], \"nics\": {}}",
		"{\"version\": 1, \"taps\": {}, \"nics\": {}}",
		"{\"version\": 1, \"taps\": [{\"id\": \"/taps/x\", \"name\": \"-x\"}], \"nics\": {}}",
		"{\"version\": 1, \"taps\": [{\"id\": \"/taps/x\", \"name\": \"x\", \"properties\": "
		"{\"destination\": \"1.2.3.4\", \"destinationType\": \"nic\", \"destinationPort\": 0, "
		"\"vni\": 0, \"networkInterfaceTapConfigurations\": []}}], \"nics\": {}}",
		"{\"version\": 1, \"taps\": [], \"nics\": {\"eth0\": {\"tapConfigurations\": "
		"[{\"id\": \"/nics/eth0/tapConfigurations/c\", \"name\": \"c\", \"properties\": "
		"{\"virtualNetworkTap\": {\"id\": \"/taps/gone\"}}}]}}}",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *d = json_loads(bad[i], 0, NULL);

		cr_assert_not_null(d, "case %zu is not JSON", i);
		cr_assert_eq(resource_document_check(d, err, sizeof(err)), RESOURCE_CORRUPT,
			     "case %zu accepted", i);
		json_decref(d);
	}
}
