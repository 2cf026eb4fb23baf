#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The collector goes away for 10 s while vtap-sender (direct mode) mirrors
# a NIC that tcpreplay feeds at 1,000 frames/s, then comes back:
#   - the sender never blocks: it answers SIGUSR1 within a second every
#     second, and its captured count keeps growing while the collector is
#     down;
#   - its memory does not grow (VmRSS sampled every second);
#   - its accounting holds: every injected frame was captured (or dropped
#     by the kernel ring, counted), and captured == sent + every drop
#     counter; what it sent is what crossed the wire (tcpdump on the
#     collector's side);
#   - what was not delivered is exactly what arrived while no collector
#     listened (between the first collector's exit and the second's
#     start, by the wire capture's timestamps); the ICMP port unreachables
#     that came back are counted and reported, as are the sender's
#     counters for them;
#   - delivery resumes: the second collector receives every datagram sent
#     after it started.
set -euo pipefail
# shellcheck source=flib.sh
source "$(dirname "$0")/flib.sh"
trap ft_cleanup EXIT

ft_init
e2e_need tcpdump tcpreplay tshark
RATE=1000

ft_hosts
FT_NS=$COL
ft_mkflows "$E2E_TMP/traffic.pcap" --packets 1000 --flows 50 --size 300
e2e_tcpdump "$COL" ul0 "$E2E_TMP/wire.pcap" -Q in 'udp dst port 4789'
wire_pid=$E2E_LAST_PID
e2e_tcpdump "$COL" ul0 "$E2E_TMP/icmp.pcap" -Q out icmp
icmp_pid=$E2E_LAST_PID
mkdir "$E2E_TMP/pcap1" "$E2E_TMP/pcap2"
ft_collector c1 --listen 198.18.0.2:4789 --pcap-dir "$E2E_TMP/pcap1" --min-free 0
e2e_sender sender "$TAP" --interface eth0 --destination 198.18.0.2 --vni 42
sender_pid=$SENDER_PID
e2e_wait 10 "the sender to log that it mirrors" e2e_grep_q 'mirroring' "$E2E_TMP/sender.err"

# ~30 s of traffic at RATE frames/s.
e2e_bg "$E2E_TMP/tcpreplay" ip netns exec "$INJ" tcpreplay -q -i inj0 --pps "$RATE" --loop 30 \
  "$E2E_TMP/traffic.pcap"
replay_pid=$E2E_LAST_PID

# sample TAG: ask the sender for its counters (it must answer within 1 s)
# and note them with its RSS in $E2E_TMP/samples (TAG captured sent RSS).
sample() {
  local n line
  # shellcheck disable=SC2034 # read by the eval below
  n=$(wc -l <"$E2E_TMP/sender.out")
  kill -USR1 "$sender_pid"
  e2e_wait 1 "the sender to answer SIGUSR1 ($1)" eval "(( \$(wc -l <$E2E_TMP/sender.out) > n ))"
  line=$(tail -n 1 "$E2E_TMP/sender.out")
  printf '%s %s %s %s\n' "$1" "$(jq -r .captured <<<"$line")" "$(jq -r .sent <<<"$line")" \
    "$(ft_rss "$sender_pid")" >>"$E2E_TMP/samples"
}

for _ in 1 2 3 4 5; do
  sleep 1
  sample up1
done
ft_wait_live 5 .counters.datagrams 3000

# Down for 10 s.
t_stop=$(date +%s.%N)
ft_collector_stop c1
t_exited=$(date +%s.%N)
for _ in $(seq 10); do
  sleep 1
  sample down
done
t_start=$(date +%s.%N)
ft_collector c2 --listen 198.18.0.2:4789 --pcap-dir "$E2E_TMP/pcap2" --min-free 0
t_ready=$(date +%s.%N)
for _ in 1 2 3 4 5; do
  sleep 1
  sample up2
done
c2_sent_from=$(awk '$1 == "up2" { print $3; exit }' "$E2E_TMP/samples")

e2e_wait_exit "$replay_pid" 40
injected=$(ft_inject_count "$E2E_TMP/tcpreplay.out")
sleep 1
e2e_sender_stop sender
ft_collector_stop c2
e2e_tcpdump_stop "$wire_pid" "$E2E_TMP/wire.pcap"
e2e_tcpdump_stop "$icmp_pid" "$E2E_TMP/icmp.pcap"
awk '{ printf "  %s captured=%s sent=%s rss=%s kB\n", $1, $2, $3, $4 }' "$E2E_TMP/samples"

# Never blocked: capture went on while the collector was down.
read -r d_first d_last < <(awk '$1 == "down" { if (f == "") f = $2; l = $2 } END { print f, l }' "$E2E_TMP/samples")
((d_last - d_first >= RATE * 9 * 8 / 10)) ||
  e2e_fail "captured grew by only $((d_last - d_first)) over 9 s with the collector down (want ~$((RATE * 9)))"

# Memory: no growth while the collector was down, or after.
read -r rss_base rss_max < <(awk '$1 == "up1" { b = $4 } $1 != "up1" && $4 > m { m = $4 } END { print b, m }' "$E2E_TMP/samples")
((rss_max - rss_base <= 1024)) ||
  e2e_fail "the sender's RSS grew from $rss_base kB to $rss_max kB"

# Accounting.
line=$(tail -n 1 "$E2E_TMP/sender.out")
v() { jq -r "$1" <<<"$line"; }
captured=$(v .captured) sent=$(v .sent) kernel=$(v .dropped.kernel)
drops=$(v '.dropped.socket_full + .dropped.oversize + .dropped.budget + .dropped.send_error')
((captured + kernel == injected)) ||
  e2e_fail "injected $injected frames, the sender captured $captured and its ring dropped $kernel"
((captured == sent + drops)) ||
  e2e_fail "captured $captured != sent $sent + dropped $drops: $line"
wire=$(e2e_count "$E2E_TMP/wire.pcap")
((wire == sent)) || e2e_fail "the sender says it sent $sent datagrams; $wire crossed the wire"

# Delivery: what did not arrive is what came while no collector listened.
got1=$(jq -r .datagrams "$E2E_TMP/c1.json")
got2=$(jq -r .datagrams "$E2E_TMP/c2.json")
lost=$((sent - got1 - got2))
between() {
  tshark -r "$E2E_TMP/wire.pcap" -Y "frame.time_epoch >= $1 && frame.time_epoch < $2" 2>/dev/null | wc -l
}
lost_min=$(between "$t_exited" "$t_start")
lost_max=$(between "$t_stop" "$t_ready")
((lost_min <= lost && lost <= lost_max)) ||
  e2e_fail "$lost datagrams were not delivered; between the collectors $lost_min..$lost_max arrived"
icmp=$(e2e_count "$E2E_TMP/icmp.pcap" 'icmp[icmptype] == icmp-unreach')
((got2 >= sent - c2_sent_from)) ||
  e2e_fail "the second collector received $got2 datagrams; $((sent - c2_sent_from)) were sent after it started"
ft_log "injected $injected, captured $captured, sent $sent (on the wire $wire), dropped: $(jq -c .dropped <<<"$line")"
ft_log "delivered $got1 + $got2; $lost sent while no collector listened ($lost_min..$lost_max by the wire), $icmp ICMP port unreachables came back; the sender counts them as sent (socket_full $(v .dropped.socket_full), send_error $(v .dropped.send_error))"
ft_log "RSS $rss_base kB before, at most $rss_max kB during and after the outage"
ft_log "PASS"
