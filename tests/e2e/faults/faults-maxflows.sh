#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vtap-collector with --max-flows 1024 per worker (2 workers) under a flood
# of new flows: 3 x 50,000 frames, each of a flow never seen (random
# 5-tuples, UDP and TCP, from mkflows.py; the same 50,000 again in each
# pass, evicted long before they come back), sent with vtap-sender --read.
# While it runs, /api/v1/status and VmRSS are sampled every 0.2 s:
#   - flows_active never exceeds 1024 x 2;
#   - flows_evicted counts every flow pushed out: at the end flows_created
#     == flows_active + flows_evicted (before the stop closes the rest),
#     every evicted flow is logged, and
#     most of the flood (> 100,000 flows) went through the table;
#   - memory is bounded: VmRSS stops growing once the table is full; over
#     the second half of the flood (more than 50,000 more new flows) it
#     grows by less than 8 MiB, and stays under base + 96 MiB in all.
#     (Uncapped, the same flood costs ~2.3 KiB a flow: 230 MiB for
#     100,000 flows on the machine this was written on.) Under
#     AddressSanitizer (its quarantine holds freed flows) RSS is only
#     reported.
# Files rotate every 1 MiB: a file's sidecar lists its flows (up to
# 100,000), so a large file would hold memory of its own, which is not
# what this test is about.
set -euo pipefail
# shellcheck source=flib.sh
source "$(dirname "$0")/flib.sh"
ft_isolate "$@"
trap ft_cleanup EXIT

ft_init --isolated
CAP=1024 WORKERS=2 PASSES=3 FLOWS=50000
T=$E2E_TMP/disk
ft_tmpfs "$T" 256M
ft_mkflows "$E2E_TMP/flood.pcap" --packets "$FLOWS" --size 60 --seed 11

ft_collector c --listen 127.0.0.1:4789 --pcap-dir "$T" --workers "$WORKERS" \
  --max-flows "$CAP" --rotate-size 1M --min-free 0
sleep 0.5
rss_base=$(ft_rss "$COLLECTOR_PID")

# sampler: every 0.05 s (plus the time a sample takes), "RSS-kB flows_active flows_created" in samples.
sampler() {
  local s
  while :; do
    s=$(ft_live '.counters | "\(.flows_active) \(.flows_created)"')
    [[ -z $s ]] || printf '%s %s\n' "$(ft_rss "$COLLECTOR_PID")" "$s" >>"$E2E_TMP/samples"
    sleep 0.05
  done
}
sampler &
E2E_PIDS+=("$!")
sampler_pid=$!

sent=0
for ((i = 1; i <= PASSES; i++)); do
  "$VTAP_SENDER" --read "$E2E_TMP/flood.pcap" --destination 127.0.0.1 >"$E2E_TMP/send$i.json" ||
    e2e_fail "vtap-sender --read failed: $(cat "$E2E_TMP/send$i.json")"
  sent=$((sent + $(jq -r .sent "$E2E_TMP/send$i.json")))
  # Let the collector catch up before the next pass, or its socket
  # buffers, not its flow table, would be what the flood fills.
  e2e_wait 60 "the collector to take pass $i" \
    eval "[[ \$(ft_live '.counters.datagrams + .counters.kernel_drops') -ge $sent ]]"
  ft_collector_alive c
  ft_log "pass $i: $(ft_live '.counters | "created \(.flows_created), active \(.flows_active), evicted \(.flows_evicted), kernel drops \(.kernel_drops)"'), RSS $(ft_rss "$COLLECTOR_PID") kB"
done
sleep 0.5
e2e_stop "$sampler_pid" TERM 5
ft_live .counters >"$E2E_TMP/live.json"
j=$E2E_TMP/live.json
created=$(jq -r .flows_created "$j")
active=$(jq -r .flows_active "$j")
evicted=$(jq -r .flows_evicted "$j")
logged=$(jq -r .flows_logged "$j")
ft_collector_stop c
((created > 100000)) || e2e_fail "only $created flows were created from $sent frames of new flows"
((created == active + evicted)) || e2e_fail "flows_created $created != flows_active $active + flows_evicted $evicted"
((evicted >= created - CAP * WORKERS)) || e2e_fail "flows_evicted $evicted < $created created - $((CAP * WORKERS)) cap"
((logged >= evicted)) || e2e_fail "$evicted flows evicted, $logged logged"

n=$(wc -l <"$E2E_TMP/samples")
((n >= 10)) || e2e_fail "only $n samples of the collector's status"
max_active=$(awk '$2 > m { m = $2 } END { print m + 0 }' "$E2E_TMP/samples")
((max_active <= CAP * WORKERS)) || e2e_fail "flows_active reached $max_active > $CAP x $WORKERS"
# The samples taken once half the flows were created, and before.
half=$((created / 2))
read -r rss_half rss_max created_half < <(awk -v h="$half" \
  '$3 < h && $1 > a { a = $1 } $1 > m { m = $1 } $3 < h { c = $3 } END { print a + 0, m + 0, c + 0 }' "$E2E_TMP/samples")
((rss_half > 0)) || e2e_fail "no sample from the first half of the flood"
if ft_sanitized "$VTAP_COLLECTOR"; then
  ft_log "AddressSanitizer build: RSS bounds not checked"
else
  ((rss_max - rss_half < 8192)) ||
    e2e_fail "RSS grew from $rss_half kB (at $created_half flows) to $rss_max kB (at $created): not bounded"
  ((rss_max - rss_base < 96 * 1024)) || e2e_fail "RSS grew from $rss_base kB at start to $rss_max kB"
fi
ft_log "$sent frames of new flows: created $created, evicted $evicted, logged $logged; flows_active at most $max_active ($n samples)"
ft_log "RSS: $rss_base kB at start, $rss_half kB by $created_half flows, at most $rss_max kB by $created flows"
ft_log "PASS"
