#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Completeness through the ILB: everything that crossed the tapped NIC
# (captured there with tcpdump, both directions) is, byte for byte, in the
# union of the two collectors' pcaps, nothing missing and nothing extra,
# while the ILB spreads the flows over both. Traffic: the shared app
# captures replayed into the NIC (when present), real clients (curl, a TCP
# echo, ping) and 64 numbered two-way UDP flows. Two collectors (and two
# workers in each) interleave frames differently from the NIC, so the
# frames are compared as multisets; within each collector every numbered
# flow's datagrams must also be in the order sent. Topology: topology.sh.
set -euo pipefail
source "$(dirname "$0")/topology.sh"
trap cleanup EXIT

FLOWS=64
ROUNDS=10

ilb_init
ilb_topology
ilb_collector 1
ilb_collector 2
ilb_balancer
ilb_sender
ilb_servers
ilb_replay_files

# The NIC's own capture, from after the sender's start-up probes on. The
# tunnel leaves by ul0, so nothing of it is on eth0 to exclude.
e2e_tcpdump "$TAP" eth0 "$E2E_TMP/eth0.pcap"
nic_pid=$E2E_LAST_PID
t0=$SECONDS
if ((${#REPLAY_FILES[@]} > 0)); then
  e2e_log "replaying ${#REPLAY_FILES[@]} shared captures into the tapped NIC at $PPS frames/s"
  ilb_replay_all
fi
ilb_clients 10
ilb_flowgen "$E2E_TMP/flows.pcap" --flows "$FLOWS" --rounds "$ROUNDS" --tag 2
ilb_replay "$E2E_TMP/flows.pcap"
e2e_log "traffic took $((SECONDS - t0)) s"
# Nothing crosses eth0 unasked (static neighbours, no IPv6): wait for the
# tunnel to drain, then stop the capture.
sleep 2
e2e_tcpdump_stop "$nic_pid" "$E2E_TMP/eth0.pcap"
ilb_sender_status
ilb_collector_stop 1
ilb_collector_stop 2
ilb_left_open 1
ilb_left_open 2

# Both collectors' frames, less the probes sent before the capture began.
not_probe="not ether proto $E2E_PROBE_TYPE"
for n in 1 2; do
  ilb_merge "$n" "$E2E_TMP/col$n.all.pcap"
  e2e_filter "$E2E_TMP/col$n.all.pcap" "$E2E_TMP/col$n.pcap" "$not_probe"
done
mergecap -F nsecpcap -w "$E2E_TMP/union.pcap" "$E2E_TMP/col1.pcap" "$E2E_TMP/col2.pcap" ||
  e2e_fail "mergecap failed"
nic=$(e2e_count "$E2E_TMP/eth0.pcap")
c1=$(e2e_count "$E2E_TMP/col1.pcap")
c2=$(e2e_count "$E2E_TMP/col2.pcap")
e2e_log "eth0: $nic frames; collector 1: $c1, collector 2: $c2 (union $((c1 + c2)))"
((c1 > 0 && c2 > 0)) || e2e_fail "the ILB did not spread the traffic: $c1 and $c2 frames"
(($(e2e_count "$E2E_TMP/eth0.pcap" "$not_probe") == nic)) ||
  e2e_fail "eth0 saw probe frames after the start-up: the comparison would be off"

# Byte for byte, as multisets of frames.
e2e_frames_hex "$E2E_TMP/eth0.pcap" | sort >"$E2E_TMP/nic.hex"
e2e_frames_hex "$E2E_TMP/union.pcap" | sort >"$E2E_TMP/union.hex"
if ! cmp -s "$E2E_TMP/nic.hex" "$E2E_TMP/union.hex"; then
  missing=$(comm -23 "$E2E_TMP/nic.hex" "$E2E_TMP/union.hex" | wc -l)
  extra=$(comm -13 "$E2E_TMP/nic.hex" "$E2E_TMP/union.hex" | wc -l)
  comm -23 "$E2E_TMP/nic.hex" "$E2E_TMP/union.hex" | head -n 2 | cut -c 1-160 | sed 's/^/  missing: /'
  comm -13 "$E2E_TMP/nic.hex" "$E2E_TMP/union.hex" | head -n 2 | cut -c 1-160 | sed 's/^/  extra:   /'
  e2e_fail "the collectors' union differs from eth0: $missing frame(s) missing, $extra extra"
fi
read -r _ _ nic_bytes < <(capinfos -M -T -r -c -d "$E2E_TMP/eth0.pcap")
read -r _ _ union_bytes < <(capinfos -M -T -r -c -d "$E2E_TMP/union.pcap")
[[ $nic_bytes == "$union_bytes" ]] || e2e_fail "eth0 carried $nic_bytes bytes of frames, the union holds $union_bytes"

# Within each collector, each numbered flow in the order sent, whole, and
# on that collector alone.
for n in 1 2; do
  ilb_dump "$E2E_TMP/gen$n.txt" "$E2E_TMP/col$n.pcap"
  # "tag gseq flow dir fseq ts": sorted by time, fseq must count up by 1
  sort -k 6,6n "$E2E_TMP/gen$n.txt" | awk -v n="$n" '
    { k = $3 "/" $4; if ((k in last) && $5 != last[k] + 1) { print "collector " n ": flow " $3 " dir " $4 ": seq " $5 " after " last[k]; bad = 1 }
      if (!(k in last) && $5 != 0) { print "collector " n ": flow " $3 " dir " $4 " starts at seq " $5; bad = 1 }
      last[k] = $5 }
    END { exit bad }' >"$E2E_TMP/order$n.txt" ||
    e2e_fail "$(head -n 3 "$E2E_TMP/order$n.txt" | tr '\n' ';')"
done
shared=$(comm -12 <(awk '{ print $3 }' "$E2E_TMP/gen1.txt" | sort -u) <(awk '{ print $3 }' "$E2E_TMP/gen2.txt" | sort -u) | wc -l)
((shared == 0)) || e2e_fail "$shared numbered flow(s) on both collectors"
g=$(($(wc -l <"$E2E_TMP/gen1.txt") + $(wc -l <"$E2E_TMP/gen2.txt")))
((g == 2 * FLOWS * ROUNDS)) || e2e_fail "want $((2 * FLOWS * ROUNDS)) numbered datagrams, found $g"

sent=$(jq '.[0].sent' "$E2E_TMP/status.json")
w=$(($(jq .written "$E2E_TMP/col1.json") + $(jq .written "$E2E_TMP/col2.json")))
((w == sent)) || e2e_fail "the sender sent $sent frames, the collectors wrote $w"
e2e_log "PASS: the union of both collectors' pcaps is eth0's $nic frames ($nic_bytes bytes) byte for byte; sender sent $sent, collectors wrote $w"
