#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Drain through the ILB. 64 numbered two-way UDP flows cross the tapped
# NIC at 1000 frames/s for ~8 s, spread by the ILB over both collectors.
# 2.5 s in, collector 1 is drained (POST /api/v1/drain): its /healthz, as
# the ILB sees it, must answer 503 "draining", and within 3 s the prober
# must take it out of the hash map and flush its conntrack entries. A
# second batch of new flows follows the drain. Nothing may be lost: the
# frames the sender sent equal the frames both collectors stored, every
# numbered datagram is stored exactly once, and each flow that was on
# collector 1 goes on on collector 2 from where it left off (collector 1
# keeps the packets before the switch, collector 2 has every packet after
# it, none twice, none missing), and no flow reaches the drained collector
# afterwards. SIGUSR2 then ends the drain and the prober adds collector 1
# back. Topology: topology.sh.
set -euo pipefail
source "$(dirname "$0")/topology.sh"
trap cleanup EXIT

FLOWS=64
ROUNDS=60  # 2 * 64 * 60 = 7680 frames
RATE=1000  # frames/s

ilb_init
ilb_topology
ilb_collector 1
ilb_collector 2
ilb_balancer
ilb_sender
ilb_servers
ilb_clients 3

ilb_flowgen "$E2E_TMP/a.pcap" --flows "$FLOWS" --rounds "$ROUNDS" --tag 1 --port-base 20000
ilb_flowgen "$E2E_TMP/b.pcap" --flows "$FLOWS" --rounds 5 --tag 2 --port-base 30000
total_a=$((2 * FLOWS * ROUNDS))
total_b=$((2 * FLOWS * 5))

ilb_replay "$E2E_TMP/a.pcap" "$RATE" &
replay_pid=$!
t_start=$(ilb_now)
sleep 2.5
(($(ilb_written 1) > 0 && $(ilb_written 2) > 0)) ||
  e2e_fail "before the drain, both collectors should be storing: $(ilb_written 1) and $(ilb_written 2) frames"
t_drain=$(ilb_now)
answer=$(ilb_api 1 /api/v1/drain -X POST) || e2e_fail "POST /api/v1/drain failed"
jq -e '.draining == true' <<<"$answer" >/dev/null || e2e_fail "POST /api/v1/drain answered $answer"
e2e_log "collector 1 drained at +$(ilb_ms "$t_start" "$t_drain") ms into batch A: $answer"
hz=$(ilb_healthz 1)
[[ $hz == 503* && $hz == *draining* ]] || e2e_fail "collector 1's /healthz while draining: $hz"
e2e_log "collector 1's /healthz from the ILB: $hz"
[[ $(ilb_healthz 2) == 200* ]] || e2e_fail "collector 2's /healthz: $(ilb_healthz 2)"
e2e_wait 3 "the prober to take collector 1 out (within 3 s)" ilb_backends_are "${COL_ADDR[2]}"
e2e_wait 3 "the prober to flush collector 1's conntrack entries" \
  grep -q "flushed ${COL_ADDR[1]} " "$E2E_TMP/prober.out"
t_down=$(ilb_prober_time down "${COL_ADDR[1]}")
t_removed=$(ilb_prober_time flushed "${COL_ADDR[1]}")
(($(ilb_ms "$t_drain" "$t_removed") <= 3000)) || e2e_fail "the switch took $(ilb_ms "$t_drain" "$t_removed") ms"
e2e_log "prober: $(tail -n 3 "$E2E_TMP/prober.out" | tr '\n' ';')"
wait "$replay_pid" || e2e_fail "the replay of batch A failed"
ilb_replay "$E2E_TMP/b.pcap" "$RATE"
[[ $(ilb_live 1 .draining) == true ]] || e2e_fail "collector 1's status does not say draining"
sleep 2

# The drain ends: collector 1 comes back.
kill -USR2 "${COL_PID[1]}"
t_undrain=$(ilb_now)
e2e_wait 5 "the prober to add collector 1 back" ilb_backends_are "${COL_ADDR[1]}" "${COL_ADDR[2]}"
t_up=$(ilb_prober_time up "${COL_ADDR[1]}")
ilb_sender_status
ilb_collector_stop 1
ilb_collector_stop 2
ilb_left_open 1
ilb_left_open 2

for n in 1 2; do
  ilb_merge "$n" "$E2E_TMP/col$n.pcap"
  ilb_dump "$E2E_TMP/gen$n.txt" "$E2E_TMP/col$n.pcap"
done
# "tag gseq flow dir fseq ts_ns collector"
awk '{ print $0, 1 }' "$E2E_TMP/gen1.txt" >"$E2E_TMP/gen.txt"
awk '{ print $0, 2 }' "$E2E_TMP/gen2.txt" >>"$E2E_TMP/gen.txt"

# 1. Nothing lost: sent == stored, each numbered datagram exactly once.
sent=$(jq '.[0].sent' "$E2E_TMP/status.json")
s1=$(e2e_count "$E2E_TMP/col1.pcap")
s2=$(e2e_count "$E2E_TMP/col2.pcap")
((s1 + s2 == sent)) || e2e_fail "the sender sent $sent frames, the collectors stored $s1 + $s2 = $((s1 + s2))"
dups=$(awk '{ print $1, $2 }' "$E2E_TMP/gen.txt" | sort | uniq -d | wc -l)
((dups == 0)) || e2e_fail "$dups numbered datagram(s) stored twice"
a=$(awk '$1 == 1' "$E2E_TMP/gen.txt" | wc -l)
b=$(awk '$1 == 2' "$E2E_TMP/gen.txt" | wc -l)
((a == total_a && b == total_b)) || e2e_fail "numbered datagrams stored: batch A $a of $total_a, batch B $b of $total_b"

# 2. The flows that were on collector 1 went on on collector 2: per flow
# and direction, collector 1 holds numbers 0..k-1 and collector 2 k..end.
drain_ns=$(awk -v t="$t_drain" 'BEGIN { printf "%.0f", t * 1e9 }')
removed_ns=$(awk -v t="$t_removed" 'BEGIN { printf "%.0f", t * 1e9 }')
awk '$1 == 1' "$E2E_TMP/gen.txt" | awk -v r="$ROUNDS" '
  { k = $3 " " $4; n[k]++
    if ($7 == 1) { if (!(k in max1) || $5 > max1[k]) max1[k] = $5 }
    else { if (!(k in min2) || $5 < min2[k]) min2[k] = $5 } }
  END {
    for (k in n) {
      if (n[k] != r) { print "flow/dir " k ": " n[k] " datagrams, want " r; bad = 1 }
      if ((k in max1) && (k in min2) && min2[k] != max1[k] + 1) {
        print "flow/dir " k ": collector 1 up to " max1[k] ", collector 2 from " min2[k]; bad = 1 }
      if ((k in max1) && (k in min2)) moved++
    }
    print "moved", moved / 2
    exit bad }' >"$E2E_TMP/moved.txt" || e2e_fail "$(head -n 3 "$E2E_TMP/moved.txt" | tr '\n' ';')"
moved=$(awk '$1 == "moved" { print $2 }' "$E2E_TMP/moved.txt")
on1=$(awk '$1 == 1 && $7 == 1 && $6 < '"$drain_ns"' { print $3 }' "$E2E_TMP/gen.txt" | sort -u | wc -l)
on2=$(awk '$1 == 1 && $7 == 2 && $6 < '"$drain_ns"' { print $3 }' "$E2E_TMP/gen.txt" | sort -u | wc -l)
((on1 > 0 && on2 > 0)) || e2e_fail "batch A was not spread before the drain: $on1 and $on2 flows"
((moved == on1)) || e2e_fail "$on1 flows were on collector 1 before the drain, but $moved went on on collector 2"

# 3. Nothing reached the drained collector after the switch (0.5 s for
# what was already on the wire), and batch B went to collector 2 alone.
late=$(awk '$7 == 1 && $6 > '"$removed_ns"' + 500000000 && $6 < '"$(awk -v t="$t_undrain" 'BEGIN { printf "%.0f", t * 1e9 }')" "$E2E_TMP/gen.txt" | wc -l)
((late == 0)) || e2e_fail "$late numbered datagram(s) reached the drained collector after the switch"
b1=$(awk '$1 == 2 && $7 == 1' "$E2E_TMP/gen.txt" | wc -l)
((b1 == 0)) || e2e_fail "$b1 datagram(s) of the batch after the drain reached the drained collector"
last1_ns=$(awk '$1 == 1 && $7 == 1 { if ($6 > m) m = $6 } END { printf "%.0f\n", m }' "$E2E_TMP/gen.txt")

# 4. The flow logs agree: the numbered flows' packets add up.
pk=$(cat "$E2E_TMP"/col[12]/flows-*.jsonl | jq -s '[.[] | select(.src_ip == "198.18.50.2" or .dest_ip == "198.18.50.2") | .orig_pkts + .resp_pkts] | add')
((pk == total_a + total_b)) || e2e_fail "the flow logs count $pk numbered datagrams, want $((total_a + total_b))"

e2e_log "figures: batch A $total_a datagrams at $RATE/s over 64 flows ($on1 on collector 1, $on2 on collector 2 before the drain)"
e2e_log "figures: drain -> prober saw 503: $(ilb_ms "$t_drain" "$t_down") ms; -> conntrack entries flushed: $(ilb_ms "$t_drain" "$t_removed") ms; last datagram stored on collector 1: $(((last1_ns - drain_ns) / 1000000)) ms after the drain"
e2e_log "figures: lost: $((sent - s1 - s2)) (sent $sent, stored $s1 + $s2); $moved flows moved, each continued on collector 2 with no gap and no overlap; batch B: all $FLOWS flows on collector 2"
e2e_log "figures: undrain (SIGUSR2) -> prober added collector 1 back: $(ilb_ms "$t_undrain" "$t_up") ms"
e2e_log "PASS"
