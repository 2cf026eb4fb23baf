#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Restarting vtap-sender resumes mirroring from the store with no CLI
# call: a TAP and a configuration are made, mirroring is seen, the sender
# is stopped (its counters printed as JSON lines, the store untouched),
# nothing is mirrored while it is down, and a new sender started on the
# same store mirrors again, found only by probe frames reaching the sink.
set -euo pipefail
source "$(dirname "$0")/lib-cli.sh"
trap cleanup EXIT

cli_init
e2e_need tcpdump tcpreplay

cli_hosts
e2e_tcpdump "$COL" vx77 "$E2E_TMP/vx77.pcap" -Q in --immediate-mode
vx77_pid=$E2E_LAST_PID
cli_sender first "$TAP"
vt_ok -- tap create -n myTap --destination 198.18.0.2 --vni 77
vt_ok -- nic vtap-config create --nic eth0 -n myTapConfig --vnet-tap myTap
cli_probes_arrive "$E2E_TMP/vx77.pcap" 2 || e2e_fail "the first sender did not mirror"
sum=$(store_sum)

cli_sender_stop first
jq -e -s 'length == 1 and .[0].interface == "eth0" and .[0].captured >= 1
          and .[0].sent >= 1' "$E2E_TMP/first.out" >/dev/null ||
  e2e_fail "the stopped sender's counters: $(cat "$E2E_TMP/first.out")"
[[ $(store_sum) == "$sum" ]] || e2e_fail "stopping the sender changed the store"

# Nothing is mirrored while no sender runs.
sleep 0.5
n=$(e2e_count "$E2E_TMP/vx77.pcap")
for _ in 1 2 3; do
  ip netns exec "$INJ" tcpreplay -q -i inj0 "$E2E_PROBE" >/dev/null 2>&1
done
sleep 0.5
(($(e2e_count "$E2E_TMP/vx77.pcap") == n)) || e2e_fail "frames were mirrored with no sender running"

# A new sender on the same store: no vtap call until the probes arrive.
e2e_sender second "$TAP" --state "$STORE" --socket "$SOCK" --roles "$ROLES"
t0=$(date +%s%N)
e2e_wait 15 "the restarted sender to mirror" eval \
  "e2e_alive $SENDER_PID || e2e_fail 'the second sender died: \$(tr '\n' ' ' <$E2E_TMP/second.err)'
   ip netns exec $INJ tcpreplay -q -i inj0 $E2E_PROBE >/dev/null 2>&1
   sleep 0.05
   (( \$(e2e_count $E2E_TMP/vx77.pcap) > n ))"
e2e_log "mirroring resumed $((($(date +%s%N) - t0) / 1000000)) ms after the restart, with no CLI call"
grep -q "eth0: mirroring to 198.18.0.2:4789, VNI 77" "$E2E_TMP/second.err" ||
  e2e_fail "the restarted sender did not log its mirror: $(cat "$E2E_TMP/second.err")"

vt_ok -- status
jq -e '.[0].nic == "eth0" and .[0].state == "mirroring" and .[0].captured >= 1' \
  <<<"$CLI_OUT" >/dev/null || e2e_fail "status after the restart: $CLI_OUT"
[[ $(store_sum) == "$sum" ]] || e2e_fail "the restart changed the store"
cli_sender_stop second
e2e_tcpdump_stop "$vx77_pid" "$E2E_TMP/vx77.pcap"
e2e_log "PASS"
