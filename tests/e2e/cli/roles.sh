#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Roles over SO_PEERCRED, for the unprivileged user nobody (group nogroup):
# with no role every action is refused, naming the user and the action,
# and the store is unchanged; with reader it can list and show but not
# create, update or delete; with network-contributor (given to its group)
# it runs the whole workflow and its traffic is mirrored. A custom role
# with wildcards and notActions is honoured; a broken roles file on SIGHUP
# keeps the roles in force. root may always act.
set -euo pipefail
source "$(dirname "$0")/lib-cli.sh"
trap cleanup EXIT

cli_init
e2e_need tcpdump tcpreplay
id nobody >/dev/null 2>&1 || e2e_skip "no user nobody"
U=nobody

# roles JSON: write the roles file and have the sender re-read it.
roles() {
  local n
  printf '%s\n' "$1" >"$ROLES"
  n=$(grep -c -E 'reload: (roles|keeping the roles)' "$E2E_TMP/sender.err" || true)
  kill -HUP "$SENDER_PID"
  e2e_wait 10 "the sender to re-read $ROLES" eval \
    "(( \$(grep -c -E 'reload: (roles|keeping the roles)' $E2E_TMP/sender.err) > $n ))"
}

cli_hosts
e2e_tcpdump "$COL" vx77 "$E2E_TMP/vx77.pcap" -Q in --immediate-mode
vx77_pid=$E2E_LAST_PID
cli_sender sender "$TAP"
vt_ok -- tap create -n rootTap --destination 198.18.0.2 --vni 77

# 1. No roles file: only root may act.
who="user 'nobody' \(uid 65534\) does not have authorization to perform action"
cli_refused $U 1 "$who 'taps/write' \(no roles file" tap create -n t --destination 198.18.0.2
cli_refused $U 1 "$who 'taps/read'" tap list
cli_refused $U 1 "$who 'taps/read'" tap show -n rootTap
cli_refused $U 1 "$who 'nics/read'" nic list
cli_refused $U 1 "$who 'nics/read'" status
cli_refused $U 1 "$who 'tapConfigurations/read'" nic vtap-config list --nic eth0
cli_refused $U 1 "$who 'tapConfigurations/write'" nic vtap-config create --nic eth0 -n c --vnet-tap rootTap
cli_refused $U 1 "$who 'taps/delete'" tap delete -n rootTap -y

# 2. A roles file that gives nobody nothing.
roles '{"assignments": [{"user": "daemon", "role": "network-contributor"}]}'
cli_refused $U 1 "$who 'taps/write' \(roles: none\)" tap create -n t --destination 198.18.0.2
cli_refused $U 1 "$who 'taps/read' \(roles: none\)" tap list

# 3. reader: reads, and nothing else.
roles '{"assignments": [{"user": "nobody", "role": "reader"}]}'
vt_ok $U -- tap list --query '[].name' -o tsv
[[ $CLI_OUT == rootTap ]] || e2e_fail "reader's tap list printed '$CLI_OUT'"
vt_ok $U -- tap show -n rootTap
vt_ok $U -- nic list
vt_ok $U -- nic vtap-config list --nic eth0
vt_ok $U -- status
cli_refused $U 1 "$who 'taps/write' \(roles: reader\)" tap create -n t --destination 198.18.0.2
cli_refused $U 1 "$who 'taps/write'" tap update -n rootTap --port 5000
cli_refused $U 1 "$who 'taps/delete'" tap delete -n rootTap -y
cli_refused $U 1 "$who 'tapConfigurations/write'" nic vtap-config create --nic eth0 -n c --vnet-tap rootTap

# 4. network-contributor, assigned to nobody's group: the whole workflow.
roles '{"assignments": [{"group": "nogroup", "role": "network-contributor"}]}'
vt_ok $U -- tap create -n myTap --destination 198.18.0.2 --vni 77
vt_ok $U -- tap show -n myTap --query id -o tsv
[[ $CLI_OUT == /taps/myTap ]] || e2e_fail "tap show printed '$CLI_OUT'"
vt_ok $U -- nic vtap-config create --nic-name eth0 -n myTapConfig --vnet-tap myTap
vt_ok $U -- nic vtap-config show --nic-name eth0 -n myTapConfig
cli_probes_arrive "$E2E_TMP/vx77.pcap" 1 || e2e_fail "nobody's tap configuration mirrors nothing"
vt_ok $U -- status
jq -e '.[0].state == "mirroring"' <<<"$CLI_OUT" >/dev/null || e2e_fail "status: $CLI_OUT"
vt_ok $U -- nic vtap-config delete --nic-name eth0 -n myTapConfig --yes
vt_ok $U -- tap list
vt_ok $U -- tap delete -n myTap --yes
grep -q "user 'nobody' (uid 65534): tap.create myTap" "$E2E_TMP/sender.err" ||
  e2e_fail "the sender's log does not say who created the TAP"

# 5. A custom role: taps/* minus taps/delete.
roles '{"roles": {"tap-editor": {"actions": ["taps/*"], "notActions": ["taps/delete"]}},
        "assignments": [{"user": "nobody", "role": "tap-editor"}]}'
vt_ok $U -- tap create -n edited --destination 198.18.0.2
vt_ok $U -- tap update -n edited --port 4790
cli_refused $U 1 "$who 'taps/delete' \(roles: tap-editor\)" tap delete -n edited -y
cli_refused $U 1 "$who 'nics/read'" nic list

# 6. A broken roles file is refused on SIGHUP; the roles in force stay.
roles '{"assignments": [{"user": "nobody", "role": "no-such-role"}]}'
grep -q "keeping the roles in force: .*unknown role 'no-such-role'" "$E2E_TMP/sender.err" ||
  e2e_fail "the broken roles file was not reported"
vt_ok $U -- tap show -n edited

# root is never refused.
vt_ok -- tap delete -n edited -y
vt_ok -- tap delete -n rootTap -y

cli_sender_stop sender
e2e_tcpdump_stop "$vx77_pid" "$E2E_TMP/vx77.pcap"
e2e_log "PASS"
