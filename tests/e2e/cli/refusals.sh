#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every refusal of the CLI is one line on stderr and exit status 1 (usage
# errors: 2), and leaves the store byte-identical (its sha256 is compared
# around each): a second configuration on a NIC, deleting a TAP that
# configurations reference (naming them), an unknown NIC, an unknown TAP,
# bad names (Azure's rule), ports outside 1..65535, VNIs outside
# 0..16777215. Deletes ask on a terminal. A store that does not parse, or
# breaks a rule, stops the sender's start-up and is never overwritten.
set -euo pipefail
source "$(dirname "$0")/lib-cli.sh"
trap cleanup EXIT

cli_init
e2e_need script

cli_hosts
cli_sender sender "$TAP"
vt_ok -- tap create -n myTap --destination 198.18.0.2 --vni 77
vt_ok -- nic vtap-config create --nic eth0 -n myTapConfig --vnet-tap myTap

# The resource rules.
cli_refused root 1 "NIC 'eth0' already has tap configuration 'myTapConfig' \(a NIC has at most one\)" \
  nic vtap-config create --nic eth0 -n second --vnet-tap myTap
cli_refused root 1 "already exists on NIC 'eth0'" \
  nic vtap-config create --nic eth0 -n myTapConfig --vnet-tap myTap
cli_refused root 1 "tap 'myTap' is still referenced by tap configuration /nics/eth0/tapConfigurations/myTapConfig" \
  tap delete -n myTap --yes
cli_refused root 1 "NIC 'nope0' not found on this host" \
  nic vtap-config create --nic-name nope0 -n c --vnet-tap myTap
cli_refused root 1 "NIC 'nope0' not found on this host" nic vtap-config list --nic nope0
cli_refused root 1 "tap 'nope' not found" nic vtap-config create --nic lo -n c --vnet-tap nope
cli_refused root 1 "tap 'nope' not found" nic vtap-config create --nic lo -n c --vnet-tap /taps/nope
cli_refused root 1 "invalid --vnet-tap" nic vtap-config create --nic lo -n c --vnet-tap /other/x
cli_refused root 1 "tap 'nope' not found" tap show -n nope
cli_refused root 1 "tap 'nope' not found" tap update -n nope --port 1
cli_refused root 1 "tap 'nope' not found" tap delete -n nope -y
cli_refused root 1 "NIC 'eth0' has no tap configuration 'other'" \
  nic vtap-config delete --nic eth0 -n other -y
cli_refused root 1 "tap 'myTap' already exists" tap create -n myTap --destination 198.18.0.3

# Names: Azure's rule, for TAPs and configurations alike.
long81=$(printf 'a%.0s' {1..81})
for name in "bad name" "-lead" "_lead" ".lead" "trail-" "trail." "$long81" "täp" "a/b" "a:b"; do
  cli_refused root 1 "invalid tap name '.*': use 1-80 letters" \
    tap create --name="$name" --destination 198.18.0.2
  cli_refused root 1 "invalid tap configuration name" \
    nic vtap-config create --nic lo --name="$name" --vnet-tap myTap
done
cli_refused root 1 "invalid NIC name" nic vtap-config create --nic 'a/b' -n c --vnet-tap myTap

# Ports and VNIs, at create and at update.
for port in 0 65536 70000 -1; do
  cli_refused root 1 "invalid destination port $port: must be 1\.\.65535" \
    tap create -n p --destination 198.18.0.2 --port "$port"
  cli_refused root 1 "invalid destination port $port: must be 1\.\.65535" \
    tap update -n myTap --port "$port"
done
for vni in -1 16777216; do
  cli_refused root 1 "invalid VNI $vni: must be 0\.\.16777215" \
    tap create -n v --destination 198.18.0.2 --vni "$vni"
  cli_refused root 1 "invalid VNI $vni: must be 0\.\.16777215" tap update -n myTap --vni "$vni"
done
cli_refused root 1 "invalid destination 'not an address'" tap create -n d --destination "not an address"
cli_refused root 1 "invalid destination type 'vm': must be nic or lb" \
  tap create -n d --destination 198.18.0.2 --destination-type vm

# The edges of the rules are accepted.
long80=$(printf 'b%.0s' {1..80})
for name in a 9 x_ "$long80" a.b-c_d; do
  vt_ok -- tap create -n "$name" --destination 198.18.0.2 --port 65535 --vni 16777215
  vt_ok -- tap delete -n "$name" --yes
done
vt_ok -- tap create -n edge --destination 198.18.0.2 --port 1 --vni 0
vt_ok -- tap delete -n edge --yes

# Usage errors: exit 2, one line, nothing sent.
cli_refused root 2 "the following arguments are required: --name/-n" tap create --destination 198.18.0.2
cli_refused root 2 "required: --nic-name, --name/-n, --vnet-tap" nic vtap-config create
cli_refused root 2 "argument --port: invalid int value: 'abc'" \
  tap create -n x --destination 198.18.0.2 --port abc
cli_refused root 2 "unrecognized arguments: --bogus" tap list --bogus
cli_refused root 2 "unrecognized arguments: stray" tap show -n myTap stray
cli_refused root 2 "invalid choice: 'yaml'" tap list -o yaml
cli_refused root 2 "filters .* are not supported" tap list --query "[?name=='x']"
cli_refused root 2 "'frobnicate' is not a vtap command" frobnicate
cli_refused root 2 "'frob' is not in the 'vtap nic vtap-config' command group" nic vtap-config frob
cli_refused root 2 "expected one argument" tap show -n
cli_refused root 2 "vtap tap: give a command" tap

# --help is man-page text on stdout, exit 0, for vtap and every command.
for cmd in "" "tap create" "tap show" "tap list" "tap update" "tap delete" "nic list" \
  "nic vtap-config create" "nic vtap-config show" "nic vtap-config list" \
  "nic vtap-config delete" "status"; do
  # shellcheck disable=SC2086 # the command's words
  vt_ok -- $cmd --help
  for section in NAME SYNOPSIS DESCRIPTION "EXIT STATUS"; do
    grep -q "^$section" "$E2E_TMP/cli.out" || e2e_fail "vtap $cmd --help has no $section section"
  done
done

# A delete asks on a terminal: "n" keeps the TAP, "y" deletes it.
vt_ok -- tap create -n spare --destination 198.18.0.9
before=$(store_sum)
script -qec "$VTAP --socket $SOCK tap delete -n spare" /dev/null <<<"n" >"$E2E_TMP/prompt.out" 2>&1 || true
grep -q "Are you sure you want to perform this operation? (y/n)" "$E2E_TMP/prompt.out" ||
  e2e_fail "tap delete on a terminal did not ask: $(cat "$E2E_TMP/prompt.out")"
[[ $(store_sum) == "$before" ]] || e2e_fail "answering n changed the store"
vt_ok -- tap show -n spare
script -qec "$VTAP --socket $SOCK tap delete -n spare" /dev/null <<<"y" >"$E2E_TMP/prompt.out" 2>&1 || true
cli_refused root 1 "tap 'spare' not found" tap show -n spare

cli_sender_stop sender
[[ ! -e $SOCK ]] || e2e_fail "the sender left its socket behind"

# A store that does not parse stops the start-up, and is left as it was.
good=$(store_sum)
cp "$STORE" "$E2E_TMP/good.json"
printf '{"version": 1, "taps": [\n' >"$STORE"
bad_sum=$(store_sum)
e2e_sender broken "$TAP" --state "$STORE" --socket "$SOCK" --roles "$ROLES"
e2e_wait_exit "$SENDER_PID" 10
[[ $E2E_RC -eq 1 ]] || e2e_fail "a sender with an unparsable store exited $E2E_RC, want 1"
grep -q "cannot start: $STORE: line 2" "$E2E_TMP/broken.err" ||
  e2e_fail "no clear message for the unparsable store: $(cat "$E2E_TMP/broken.err")"
[[ $(store_sum) == "$bad_sum" ]] || e2e_fail "the unparsable store was overwritten"
[[ ! -e $SOCK ]] || e2e_fail "a sender that could not start made its socket"
e2e_log "unparsable store: $(cat "$E2E_TMP/broken.err")"

# So does one that parses but breaks a rule (port 0).
jq '.taps[0].properties.destinationPort = 0' "$E2E_TMP/good.json" >"$STORE"
bad_sum=$(store_sum)
e2e_sender broken2 "$TAP" --state "$STORE" --socket "$SOCK" --roles "$ROLES"
e2e_wait_exit "$SENDER_PID" 10
[[ $E2E_RC -eq 1 ]] || e2e_fail "a sender with a store breaking a rule exited $E2E_RC, want 1"
grep -q "tap 'myTap': destinationPort is not 1..65535" "$E2E_TMP/broken2.err" ||
  e2e_fail "no clear message for the bad store: $(cat "$E2E_TMP/broken2.err")"
[[ $(store_sum) == "$bad_sum" ]] || e2e_fail "the bad store was overwritten"

# The good store starts again.
cp "$E2E_TMP/good.json" "$STORE"
[[ $(store_sum) == "$good" ]] || e2e_fail "could not restore the store"
cli_sender sender2 "$TAP"
vt_ok -- nic vtap-config show --nic eth0 -n myTapConfig
cli_sender_stop sender2
e2e_log "PASS"
