#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Failover through the ILB. 64 numbered two-way UDP flows cross the tapped
# NIC at 1000 frames/s for ~10 s, spread by the ILB over both collectors.
# Three seconds in, collector 1 is killed (SIGKILL). Within 3 s the prober
# must see it fail and take it out of the hash map (flushing its conntrack
# entries), and every flow, those that were on collector 1 included, must
# then land on collector 2. The datagrams lost in the switch are counted
# (sent by the sender minus stored by both collectors, per number) and
# printed with the switch times; only flows of the killed collector may
# lose any, only around the kill, and nothing is stored twice. Collector 1
# is then restarted on its own directory (it repairs the file the kill
# left open); the prober must add it back and new flows must land on it
# again. Topology: topology.sh.
set -euo pipefail
source "$(dirname "$0")/topology.sh"
trap cleanup EXIT

FLOWS=64
ROUNDS=80  # 2 * 64 * 80 = 10240 frames
RATE=1000  # frames/s
KILL_AFTER=3

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

# Batch A in the background; kill collector 1 in the middle of it.
ilb_replay "$E2E_TMP/a.pcap" "$RATE" &
replay_pid=$!
t_start=$(ilb_now)
sleep "$KILL_AFTER"
(($(ilb_written 1) > 0 && $(ilb_written 2) > 0)) ||
  e2e_fail "before the kill, both collectors should be storing: $(ilb_written 1) and $(ilb_written 2) frames"
t_kill=$(ilb_now)
kill -KILL "${COL_PID[1]}"
wait "${COL_PID[1]}" 2>/dev/null || true # reaped at once, so bash says nothing
ilb_forget "${COL_PID[1]}"
e2e_log "collector 1 killed at +$(ilb_ms "$t_start" "$t_kill") ms into batch A"
e2e_wait 3 "the prober to take collector 1 out (within 3 s)" ilb_backends_are "${COL_ADDR[2]}"
e2e_wait 3 "the prober to flush collector 1's conntrack entries" \
  grep -q "flushed ${COL_ADDR[1]} " "$E2E_TMP/prober.out"
t_down=$(ilb_prober_time down "${COL_ADDR[1]}")
t_map=$(awk '$2 == "backends" && $3 == "'"${COL_ADDR[2]}"'" && NF == 3 { t = $1 } END { print t }' "$E2E_TMP/prober.out")
t_removed=$(ilb_prober_time flushed "${COL_ADDR[1]}")
[[ -n $t_down && -n $t_map && -n $t_removed ]] ||
  e2e_fail "the prober did not log the removal: $(tail -n 3 "$E2E_TMP/prober.out" | tr '\n' ' ')"
(($(ilb_ms "$t_kill" "$t_removed") <= 3000)) || e2e_fail "the switch took more than 3 s: $(ilb_ms "$t_kill" "$t_removed") ms"
e2e_log "prober: $(tail -n 3 "$E2E_TMP/prober.out" | tr '\n' ';')"
wait "$replay_pid" || e2e_fail "the replay of batch A failed"

# Restart collector 1 on the same directory: it comes back.
t_restart=$(ilb_now)
ilb_collector 1
e2e_wait 5 "the prober to add collector 1 back" ilb_backends_are "${COL_ADDR[1]}" "${COL_ADDR[2]}"
t_up=$(ilb_prober_time up "${COL_ADDR[1]}")
grep -Eiq 'repair|truncat|recover' "$E2E_TMP/col1.err" &&
  e2e_log "collector 1 at restart: $(grep -Ei 'repair|truncat|recover' "$E2E_TMP/col1.err" | tail -n 1)"
ilb_replay "$E2E_TMP/b.pcap" "$RATE"
sleep 2
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

# Nothing stored twice.
dups=$(awk '{ print $1, $2 }' "$E2E_TMP/gen.txt" | sort | uniq -d | wc -l)
((dups == 0)) || e2e_fail "$dups numbered datagram(s) stored twice"

# Batch A: which flows were on collector 1 before the kill, what was lost.
kill_ns=$(awk -v t="$t_kill" 'BEGIN { printf "%.0f", t * 1e9 }')
removed_ns=$(awk -v t="$t_removed" 'BEGIN { printf "%.0f", t * 1e9 }')
# (sorted as text, for comm)
awk '$1 == 1 && $7 == 1 { print $3 }' "$E2E_TMP/gen.txt" | sort -u >"$E2E_TMP/on1.txt"
awk '$1 == 1 && $7 == 2 && $6 < '"$kill_ns"' { print $3 }' "$E2E_TMP/gen.txt" | sort -u >"$E2E_TMP/on2.txt"
n_on1=$(wc -l <"$E2E_TMP/on1.txt")
n_on2=$(wc -l <"$E2E_TMP/on2.txt")
((n_on1 > 0 && n_on2 > 0)) || e2e_fail "batch A was not spread: $n_on1 flows on collector 1, $n_on2 on collector 2"
awk '$1 == 1 { print $2 }' "$E2E_TMP/gen.txt" | sort >"$E2E_TMP/a-stored.txt"
seq 0 $((total_a - 1)) | sort | comm -23 - "$E2E_TMP/a-stored.txt" | sort -n >"$E2E_TMP/a-lost.txt"
lost=$(wc -l <"$E2E_TMP/a-lost.txt")
# flow of each lost datagram: gseq = (round * FLOWS + flow) * 2 + dir
lost_flows_bad=$(awk -v f="$FLOWS" '{ print int($1 / 2) % f }' "$E2E_TMP/a-lost.txt" | sort -u |
  comm -23 - "$E2E_TMP/on1.txt" | wc -l)
((lost_flows_bad == 0)) ||
  e2e_fail "$lost_flows_bad flow(s) that were on the surviving collector lost datagrams"
# Every flow of batch A was still stored after the switch, on collector 2.
moved=$(awk '$1 == 1 && $7 == 2 && $6 > '"$removed_ns"' { print $3 }' "$E2E_TMP/gen.txt" | sort -un | wc -l)
((moved == FLOWS)) || e2e_fail "after the switch only $moved of $FLOWS flows reached collector 2"
late1=$(awk '$1 == 1 && $7 == 1 && $6 > '"$removed_ns"' + 500000000' "$E2E_TMP/gen.txt" | wc -l)
((late1 == 0)) || e2e_fail "$late1 datagram(s) of batch A on collector 1 after it was removed"
# When did the first moved flow's datagram reach collector 2?
first_moved_ns=$(awk 'NR == FNR { on1[$1] = 1; next }
  $1 == 1 && $7 == 2 && ($3 in on1) && (m == "" || $6 < m) { m = $6 } END { print m }' \
  "$E2E_TMP/on1.txt" "$E2E_TMP/gen.txt")
[[ -n $first_moved_ns ]] || e2e_fail "no flow of collector 1 reached collector 2"
if ((lost > 0)); then
  first_lost=$(head -n 1 "$E2E_TMP/a-lost.txt")
  last_lost=$(tail -n 1 "$E2E_TMP/a-lost.txt")
  # When was each lost datagram sent? About when the stored one numbered
  # just before it arrived (on collector 2, which stored throughout).
  read -r lost_before lost_after < <(awk '$1 == 1 { print $2, $6 }' "$E2E_TMP/gen.txt" | sort -n |
    awk -v k="$kill_ns" 'NR == FNR { g[NR] = $1; t[NR] = $2; n = NR; next }
      { while (i < n && g[i + 1] < $1) i++; if (i > 0 && t[i] < k) b++; else a++ }
      END { print b + 0, a + 0 }' - "$E2E_TMP/a-lost.txt")
  window="datagrams #$first_lost..#$last_lost of batch A, ~$(((last_lost - first_lost) * 1000 / RATE)) ms of traffic at $RATE/s;"
  window+=" $lost_before sent before the kill (received by collector 1, not yet written), $lost_after after it (sent to the dead collector until the switch)"
  # Bound: collector 1's share for at most 3 s of detection plus 1 s of
  # frames it had received but not yet written.
  ((lost <= 4 * RATE)) || e2e_fail "$lost datagrams lost: more than 4 s of traffic"
else
  window="none"
fi

# Batch B, after the rejoin: spread again, collector 1 included.
b1=$(awk '$1 == 2 && $7 == 1 { print $3 }' "$E2E_TMP/gen.txt" | sort -u | wc -l)
b2=$(awk '$1 == 2 && $7 == 2 { print $3 }' "$E2E_TMP/gen.txt" | sort -u | wc -l)
((b1 + b2 == FLOWS)) || e2e_fail "batch B: $((b1 + b2)) of $FLOWS flows stored"
(($(awk '$1 == 2' "$E2E_TMP/gen.txt" | wc -l) == 2 * FLOWS * 5)) || e2e_fail "batch B lost datagrams"
((b1 * 5 >= FLOWS)) || e2e_fail "after the rejoin only $b1 of $FLOWS new flows reached collector 1"

# Sent by the sender minus stored by both collectors, all traffic.
sent=$(jq '.[0].sent' "$E2E_TMP/status.json")
stored=$(($(e2e_count "$E2E_TMP/col1.pcap") + $(e2e_count "$E2E_TMP/col2.pcap")))
((sent - stored == lost)) ||
  e2e_fail "the sender sent $sent frames, the collectors stored $stored: $((sent - stored)) lost, but $lost numbered datagrams are missing"

e2e_log "figures: batch A $total_a datagrams at $RATE/s over 64 flows ($n_on1 on collector 1, $n_on2 on collector 2)"
e2e_log "figures: SIGKILL -> prober saw it down: $(ilb_ms "$t_kill" "$t_down") ms; -> new map: $(ilb_ms "$t_kill" "$t_map") ms; -> its conntrack entries flushed: $(ilb_ms "$t_kill" "$t_removed") ms"
e2e_log "figures: SIGKILL -> first datagram of a moved flow stored on collector 2: $(((first_moved_ns - kill_ns) / 1000000)) ms"
e2e_log "figures: lost in the switch: $lost datagrams (sent $sent - stored $stored), $window"
e2e_log "figures: restart -> prober added collector 1 back: $(ilb_ms "$t_restart" "$t_up") ms; new flows after: $b1 on collector 1, $b2 on collector 2"
e2e_log "PASS"
