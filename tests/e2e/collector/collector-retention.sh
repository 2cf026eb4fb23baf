#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Retention on a small disk: a 64 MiB tmpfs as --pcap-dir, --rotate-size
# 4M, --retain-bytes 40M and --min-free 16M, and continuous traffic
# (vtap-sender --read of the app captures, 1.7 MB, every 0.55 s: ~3 MB/s,
# for 45 s: about twice the disk)
# into a collector on loopback in a namespace. Sampled 5 times a second
# while it runs, and checked at the end:
#
# - the disk never fills: free space stays above zero at every sample and
#   the collector counts no write error;
# - the oldest files go first: whenever files have gone, every file gone
#   is older (by the time in its name) than every closed file still there;
# - writing never stops: the written counter (/api/v1/status) grows in
#   every second, and in all well over 64 MiB is written;
# - retention logged each deletion once, and only deletions that
#   happened; no sidecar outlives its pcap; what is left passes capinfos.
#
# The rate is bounded because retention runs every 5 s: the store may grow
# by 5 s of traffic past --retain-bytes before it acts (E2E_RETENTION_PERIOD
# sets the seconds between replays, E2E_RETENTION_SECONDS the duration).
# vtap-sender's --max-mbps does not pace a replay (it drops what exceeds
# the budget), hence the pauses.
set -euo pipefail
source "$(dirname "$0")/clib.sh"
trap ce_cleanup EXIT

ce_init
e2e_need_pcaps
e2e_need capinfos mergecap stat
PERIOD=${E2E_RETENTION_PERIOD:-0.55}
DURATION=${E2E_RETENTION_SECONDS:-45}
DISK=$((64 * 1024 * 1024))

STORE=$E2E_TMP/store
ce_mount_tmpfs "$STORE" 64m
e2e_ns COL col
files=()
for f in "$PCAPS"/app/*; do
  [[ $(capinfos -T -r -E "$f" 2>/dev/null | cut -f 2) == ether ]] && files+=("$f")
done
((${#files[@]} > 0)) || e2e_skip "no Ethernet capture in $PCAPS/app"
mergecap -a -F pcap -w "$E2E_TMP/traffic.pcap" "${files[@]}"

ce_collector collector "$COL" --listen 127.0.0.1:4789 --pcap-dir "$STORE" --workers 1 \
  --rotate-size 4M --rotate-seconds 0 --retain-bytes 40M --min-free 16M
e2e_bg "$E2E_TMP/traffic" ip netns exec "$COL" bash -c '
  end=$((SECONDS + $4))
  while ((SECONDS < end)); do
    "$1" --read "$2" --destination 127.0.0.1 --vni 9 >/dev/null 2>&1 || true
    sleep "$3"
  done' traffic "$VTAP_SENDER" "$E2E_TMP/traffic.pcap" "$PERIOD" "$DURATION"
traffic_pid=$E2E_LAST_PID
e2e_log "traffic: $(stat -c %s "$E2E_TMP/traffic.pcap") bytes of captures every $PERIOD s for $DURATION s into a 64 MiB tmpfs"

# closed_names: the closed pcaps now in the store, oldest first (one
# worker: names sort by time).
closed_names() {
  local f
  for f in "$STORE"/vtap-*.pcap; do
    [[ -e $f ]] && basename "$f"
  done
}

declare -A seen=()
min_free=$DISK
samples=0
last_written=0
last_second=$SECONDS
stalls=()
end=$((SECONDS + DURATION + 5))
while e2e_alive "$traffic_pid" && ((SECONDS < end)); do
  read -r avail bsize < <(stat -f -c '%a %S' "$STORE")
  free=$((avail * bsize))
  ((free < min_free)) && min_free=$free
  ((free > 0)) || e2e_fail "the disk is full ($(df -h "$STORE" | tail -n 1))"
  # Everything seen before and not listed now must be older than what is
  # listed. A listing is not atomic: one taken while retention deletes a
  # run of files may show an older file (read before its deletion) and
  # miss a newer one; so a violation counts only if it is still there
  # half a second later, when the run is long over.
  mapfile -t present < <(closed_names)
  declare -A now=()
  for n in "${present[@]}"; do
    now[$n]=1
  done
  if ((${#present[@]} > 0)); then
    for n in "${!seen[@]}"; do
      [[ -n ${now[$n]:-} ]] && continue
      [[ $n > ${present[0]} ]] || continue
      sleep 0.5
      if [[ -e $STORE/${present[0]} && ! -e $STORE/$n ]]; then
        e2e_fail "$n was deleted while the older ${present[0]} is still there"
      fi
    done
  fi
  for n in "${present[@]}"; do
    seen[$n]=1
  done
  unset now
  if ((SECONDS > last_second)); then
    w=$(ce_live "$COL" .counters.written)
    [[ $w =~ ^[0-9]+$ ]] || e2e_fail "no answer from /api/v1/status"
    ((w > last_written)) || stalls+=("$SECONDS")
    last_written=$w
    last_second=$SECONDS
  fi
  samples=$((samples + 1))
  sleep 0.2
done
e2e_stop "$traffic_pid" TERM 10
# The first second may pass before the first datagram: a stall is one
# where writing had started and traffic still ran.
((${#stalls[@]} <= 1)) || e2e_fail "writing stopped at seconds ${stalls[*]} (of the test's clock)"
ce_collector_stop collector

ce_expect_json "$E2E_TMP/collector.json" .write_errors=0 .dropped_total=0
written=$(ce_json "$E2E_TMP/collector.json" .written_bytes)
((written > DISK * 3 / 2)) ||
  e2e_fail "only $written bytes were written: not well over the 64 MiB disk (lower E2E_RETENTION_PERIOD)"

# Deletions: seen and gone files, and what the log says.
mapfile -t present < <(closed_names)
gone=()
for n in "${!seen[@]}"; do
  [[ -e $STORE/$n ]] || gone+=("$n")
done
((${#gone[@]} > 0)) || e2e_fail "retention deleted nothing"
grep -o 'retention: deleted [^ ]*' "$E2E_TMP/collector.err" | awk '{ print $3 }' |
  sed 's|.*/||' | sort >"$E2E_TMP/logged"
printf '%s\n' "${gone[@]}" | sort >"$E2E_TMP/gone"
# the log says the deletions in the order they happened: oldest first
grep -o 'retention: deleted [^ ]*' "$E2E_TMP/collector.err" | awk '{ print $3 }' |
  sed 's|.*/||' >"$E2E_TMP/logged.order"
sort -c "$E2E_TMP/logged.order" 2>"$E2E_TMP/sort.err" ||
  e2e_fail "retention deleted a newer file before an older one: $(cat "$E2E_TMP/sort.err")"
dups=$(uniq -d "$E2E_TMP/logged")
[[ -z $dups ]] || e2e_fail "deletions logged more than once: $dups"
missing=$(comm -23 "$E2E_TMP/gone" "$E2E_TMP/logged")
[[ -z $missing ]] || e2e_fail "deleted without a log line: $(tr '\n' ' ' <<<"$missing")"
# logged but never sampled is fine (made and deleted between two samples),
# logged but still there is not
for n in $(cat "$E2E_TMP/logged"); do
  [[ ! -e $STORE/$n ]] || e2e_fail "retention logged the deletion of $n, which is still there"
done
# and what is left is newer than anything deleted
if ((${#present[@]} > 0)); then
  [[ $(tail -n 1 "$E2E_TMP/logged.order") < ${present[0]} ]] ||
    e2e_fail "$(tail -n 1 "$E2E_TMP/logged.order") was deleted, but the older ${present[0]} is still there"
fi
for f in "$STORE"/*.idx.json; do
  [[ -e $f ]] || continue
  [[ -e ${f%.idx.json}.pcap || -e ${f%.idx.json}.pcap.lz4 ]] ||
    e2e_fail "sidecar $(basename "$f") outlived its pcap"
done
left=$(ce_check_store "$STORE")
e2e_log "ok: $written bytes written in $samples samples; free space never under $((min_free / 1024)) KiB; $(wc -l <"$E2E_TMP/logged") files deleted oldest first, each logged once; $left closed files left ($(du -sh "$STORE" | cut -f 1)), all pass capinfos"
