#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Flow affinity through the ILB: vtap-sender (daemon mode, configured with
# the CLI) mirrors the tapped host's NIC to the ILB frontend, which hashes
# each outer 5-tuple to one of two collectors. Traffic: the shared app
# captures replayed into the NIC (when present), real clients (curl, a TCP
# echo, ping) and 64 numbered two-way UDP flows. After SIGTERM, the two
# collectors' flow logs (flows-*.jsonl) must not share a flow (the same
# community_id, or for non-IP flows the same MAC pair and ethertype): every
# inner flow, both directions, is on one collector. Both collectors must
# hold a fair part of the flows (the hash spreads them), and each numbered
# flow must be one record on one collector with all its datagrams, both
# directions. Topology: topology.sh.
set -euo pipefail
source "$(dirname "$0")/topology.sh"
trap cleanup EXIT

FLOWS=64
ROUNDS=10
CLIENTS=20

ilb_init
ilb_topology
ilb_collector 1
ilb_collector 2
ilb_balancer
ilb_sender
ilb_servers
ilb_replay_files

t0=$SECONDS
if ((${#REPLAY_FILES[@]} > 0)); then
  e2e_log "replaying ${#REPLAY_FILES[@]} shared captures into the tapped NIC at $PPS frames/s"
  ilb_replay_all
fi
ilb_clients "$CLIENTS"
ilb_flowgen "$E2E_TMP/flows.pcap" --flows "$FLOWS" --rounds "$ROUNDS" --tag 1
ilb_replay "$E2E_TMP/flows.pcap"
e2e_log "traffic took $((SECONDS - t0)) s"
sleep 2
ilb_sender_status
sent=$(jq '.[0].sent' "$E2E_TMP/status.json")
ilb_collector_stop 1
ilb_collector_stop 2

# One line per flow record: "key tuple orig_pkts resp_pkts". The key is
# the community_id; for IP flows without one (ICMP other than echo) the
# address pair and protocol, for non-IP flows the MAC pair and ethertype,
# in either order; plus the VNI.
records() {
  cat "$E2E_TMP/col$1"/flows-*.jsonl 2>/dev/null |
    jq -r '[(.community_id
             // (if .src_ip then ([.src_ip, .dest_ip] | sort | join("~")) + "/\(.proto)"
                 else ([.src_mac, .dest_mac] | sort | join("~")) + "/\(.ether_type)" end))
            + "@\(.vni)",
            "\(.src_ip // .src_mac):\(.src_port // "")>\(.dest_ip // .dest_mac):\(.dest_port // "")/\(.proto // .ether_type)",
            .orig_pkts, .resp_pkts] | @tsv'
}
records 1 >"$E2E_TMP/rec1.tsv"
records 2 >"$E2E_TMP/rec2.tsv"
n1=$(cut -f 1 "$E2E_TMP/rec1.tsv" | sort -u | wc -l)
n2=$(cut -f 1 "$E2E_TMP/rec2.tsv" | sort -u | wc -l)
w1=$(jq .written "$E2E_TMP/col1.json")
w2=$(jq .written "$E2E_TMP/col2.json")
e2e_log "collector 1: $n1 flows, $w1 frames; collector 2: $n2 flows, $w2 frames; the sender sent $sent"

# 1. No flow on both collectors.
comm -12 <(cut -f 1 "$E2E_TMP/rec1.tsv" | sort -u) <(cut -f 1 "$E2E_TMP/rec2.tsv" | sort -u) >"$E2E_TMP/split.txt"
if [[ -s $E2E_TMP/split.txt ]]; then
  while read -r key; do
    e2e_log "split flow $key:"
    grep -F -- "$key" "$E2E_TMP/rec1.tsv" | sed 's/^/  collector 1: /'
    grep -F -- "$key" "$E2E_TMP/rec2.tsv" | sed 's/^/  collector 2: /'
  done < <(head -n 5 "$E2E_TMP/split.txt")
  e2e_fail "$(wc -l <"$E2E_TMP/split.txt") flow(s) are on both collectors"
fi

# 2. The hash spread the flows: each collector holds at least a fifth.
total=$((n1 + n2))
((n1 * 5 >= total && n2 * 5 >= total)) ||
  e2e_fail "the ILB did not spread the flows: $n1 on collector 1, $n2 on collector 2"

# 3. Each numbered flow: one record, on one collector, every datagram of
# both directions in it.
for n in 1 2; do
  awk -F '\t' '$2 ~ /^198\.18\.(50|60)\.2:/' "$E2E_TMP/rec$n.tsv"
done >"$E2E_TMP/gen.tsv"
(($(wc -l <"$E2E_TMP/gen.tsv") == FLOWS)) ||
  e2e_fail "want $FLOWS records of numbered flows, found $(wc -l <"$E2E_TMP/gen.tsv")"
notwhole=$(awk -F '\t' -v r="$ROUNDS" '$3 != r || $4 != r' "$E2E_TMP/gen.tsv" | head -n 3)
[[ -z $notwhole ]] || e2e_fail "numbered flows not whole (want $ROUNDS datagrams each way): $notwhole"
g1=$(grep -c '198\.18\.[56]0\.2:' "$E2E_TMP/rec1.tsv" || true)
e2e_log "numbered flows: $g1 on collector 1, $((FLOWS - g1)) on collector 2, each whole"

# 4. The real clients' TCP flows: answered, so both directions in one record.
for n in 1 2; do
  awk -F '\t' '$2 ~ /^198\.18\.1\.2:[0-9]+>198\.18\.1\.1:800[01]\/TCP$/' "$E2E_TMP/rec$n.tsv"
done >"$E2E_TMP/tcp.tsv"
(($(wc -l <"$E2E_TMP/tcp.tsv") == 2 * CLIENTS)) ||
  e2e_fail "want $((2 * CLIENTS)) client TCP flows, found $(wc -l <"$E2E_TMP/tcp.tsv"): $(head -c 300 "$E2E_TMP/tcp.tsv")"
awk -F '\t' '$3 == 0 || $4 == 0 { exit 1 }' "$E2E_TMP/tcp.tsv" ||
  e2e_fail "a client TCP flow lacks a direction: $(awk -F '\t' '$3 == 0 || $4 == 0' "$E2E_TMP/tcp.tsv" | head -n 2)"

((w1 + w2 == sent)) || e2e_fail "the collectors wrote $((w1 + w2)) frames, the sender sent $sent"
e2e_log "PASS: $total flows, none split; collector 1 $n1, collector 2 $n2; $((w1 + w2)) of $sent frames stored"
