/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Roles: root always, nobody without a roles file, the built-in roles,
 * assignments to users, groups, uids and gids, wildcards and notActions,
 * and the roles files that must be refused.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sender/rbac.h"

static const uint32_t alice_gids[] = { 1000, 2000 };
static const char *const alice_groups[] = { "alice", "netops" };
static const struct rbac_principal alice = {
	.uid = 1000, .user = "alice", .gids = alice_gids, .groups = alice_groups,
	.ngroups = 2,
};
static const uint32_t bob_gids[] = { 1001 };
static const char *const bob_groups[] = { "bob" };
static const struct rbac_principal bob = {
	.uid = 1001, .user = "bob", .gids = bob_gids, .groups = bob_groups, .ngroups = 1,
};
static const struct rbac_principal root = { .uid = 0, .user = "root" };

static void
parse(struct rbac *r, const char *text)
{
	char err[512] = "";

	cr_assert_eq(rbac_parse(r, text, "roles.json", err, sizeof(err)), 0, "refused: %s", err);
}

static void
refuse(const char *text, const char *why)
{
	struct rbac r;
	char err[512] = "";

	cr_assert_eq(rbac_parse(&r, text, "roles.json", err, sizeof(err)), -1, "accepted: %s", text);
	cr_assert(strstr(err, why) != NULL, "message '%s' lacks '%s'", err, why);
	cr_assert_not(r.configured);
	rbac_finish(&r);
}

Test(rbac, root_may_do_everything_even_without_a_roles_file)
{
	struct rbac r = { 0 };

	for (size_t i = 0; rbac_actions[i] != NULL; i++) {
		cr_assert(rbac_allows(&r, &root, rbac_actions[i]));
	}
}

Test(rbac, without_a_roles_file_nobody_else_may_act)
{
	struct rbac r;
	char err[256];

	cr_assert_eq(rbac_load(&r, "/nonexistent/roles.json", err, sizeof(err)), 0);
	cr_assert_not(r.configured);
	cr_assert_not(rbac_allows(&r, &alice, "taps/read"));
	rbac_finish(&r);
}

Test(rbac, a_user_without_a_role_may_do_nothing)
{
	struct rbac r;

	parse(&r, "{\"assignments\": [{\"user\": \"alice\", \"role\": \"network-contributor\"}]}");
	for (size_t i = 0; rbac_actions[i] != NULL; i++) {
		cr_assert_not(rbac_allows(&r, &bob, rbac_actions[i]), "%s allowed", rbac_actions[i]);
	}
	rbac_finish(&r);
}

Test(rbac, network_contributor_may_do_everything)
{
	struct rbac r;

	parse(&r, "{\"assignments\": [{\"user\": \"alice\", \"role\": \"network-contributor\"}]}");
	for (size_t i = 0; rbac_actions[i] != NULL; i++) {
		cr_assert(rbac_allows(&r, &alice, rbac_actions[i]), "%s refused", rbac_actions[i]);
	}
	rbac_finish(&r);
}

Test(rbac, reader_may_read_and_nothing_else)
{
	struct rbac r;

	parse(&r, "{\"assignments\": [{\"user\": \"bob\", \"role\": \"reader\"}]}");
	cr_assert(rbac_allows(&r, &bob, "taps/read"));
	cr_assert(rbac_allows(&r, &bob, "nics/read"));
	cr_assert(rbac_allows(&r, &bob, "tapConfigurations/read"));
	cr_assert_not(rbac_allows(&r, &bob, "taps/write"));
	cr_assert_not(rbac_allows(&r, &bob, "taps/delete"));
	cr_assert_not(rbac_allows(&r, &bob, "tapConfigurations/write"));
	rbac_finish(&r);
}

Test(rbac, a_group_assignment_covers_supplementary_groups)
{
	struct rbac r;

	parse(&r, "{\"assignments\": [{\"group\": \"netops\", \"role\": \"reader\"}]}");
	cr_assert(rbac_allows(&r, &alice, "taps/read"));
	cr_assert_not(rbac_allows(&r, &bob, "taps/read"));
	rbac_finish(&r);
}

Test(rbac, uid_and_gid_assignments_match_numbers)
{
	struct rbac r;

	parse(&r, "{\"assignments\": [{\"uid\": 1001, \"role\": \"reader\"},"
		  " {\"gid\": 2000, \"role\": \"network-contributor\"}]}");
	cr_assert(rbac_allows(&r, &bob, "taps/read"));
	cr_assert_not(rbac_allows(&r, &bob, "taps/write"));
	cr_assert(rbac_allows(&r, &alice, "taps/delete"));
	rbac_finish(&r);
}

Test(rbac, custom_roles_use_wildcards_minus_not_actions)
{
	struct rbac r;

	parse(&r, "{\"roles\": {\"op\": {\"actions\": [\"*/read\", \"tapConfigurations/*\"],"
		  " \"notActions\": [\"tapConfigurations/delete\"]}},"
		  " \"assignments\": [{\"user\": \"bob\", \"role\": \"op\"}]}");
	cr_assert(rbac_allows(&r, &bob, "taps/read"));
	cr_assert(rbac_allows(&r, &bob, "tapConfigurations/write"));
	cr_assert_not(rbac_allows(&r, &bob, "tapConfigurations/delete"));
	cr_assert_not(rbac_allows(&r, &bob, "taps/write"));
	rbac_finish(&r);
}

Test(rbac, wildcards_match_actions_case_insensitively)
{
	cr_assert(rbac_action_matches("*", "taps/read"));
	cr_assert(rbac_action_matches("taps/*", "taps/delete"));
	cr_assert(rbac_action_matches("TAPS/READ", "taps/read"));
	cr_assert_not(rbac_action_matches("taps/*", "tapConfigurations/read"));
}

Test(rbac, the_roles_of_a_principal_are_named)
{
	struct rbac r;
	char buf[128];

	parse(&r, "{\"assignments\": [{\"user\": \"alice\", \"role\": \"reader\"},"
		  " {\"group\": \"netops\", \"role\": \"network-contributor\"}]}");
	cr_assert_str_eq(rbac_roles_of(&r, &alice, buf, sizeof(buf)), "reader, network-contributor");
	cr_assert_str_eq(rbac_roles_of(&r, &bob, buf, sizeof(buf)), "none");
	rbac_finish(&r);
}

Test(rbac, broken_roles_files_are_refused_with_a_reason)
{
	refuse("{", "line 1");
	refuse("[]", "not a JSON object");
	refuse("{\"rolez\": {}}", "unknown key \"rolez\"");
	refuse("{\"assignments\": [{\"user\": \"a\", \"role\": \"admin\"}]}", "unknown role 'admin'");
	refuse("{\"assignments\": [{\"role\": \"reader\"}]}", "exactly one of");
	refuse("{\"assignments\": [{\"user\": \"a\", \"group\": \"b\", \"role\": \"reader\"}]}",
	       "exactly one of");
	refuse("{\"roles\": {\"x\": {\"actions\": [\"tap/read\"]}}}", "matches no action");
	refuse("{\"roles\": {\"x\": {}}}", "has no \"actions\"");
	refuse("{\"roles\": {\"reader\": {\"actions\": [\"*\"]}}}", "built in");
	refuse("{\"assignments\": [{\"uid\": -1, \"role\": \"reader\"}]}", "must be a number");
}
