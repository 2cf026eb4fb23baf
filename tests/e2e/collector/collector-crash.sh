#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kill -9 during heavy writing, then restart on the same --pcap-dir.
#
# vtap-sender --read replays the app captures in a loop into a collector
# (2 workers, --rotate-size 2M: the writer buffers 1 MiB, so a smaller
# file would reach the disk only when closed) on loopback in a namespace.
# Once it has closed a few files and a .part holds records on disk, the
# collector is killed with SIGKILL and its .part files are copied aside
# at once (nothing writes them any more). Beside
# them goes one more .part, torn on purpose: a closed file cut in the
# middle of a record, as a crash between two write() calls leaves it.
# Then the collector starts again on the same directory, and stops:
#
# - every closed file passes capinfos and has a sidecar with its count;
# - each crashed .part became NAME.pcap holding exactly the complete
#   records the .part held (pcap-records scan: count, and the same bytes
#   up to the end of the last complete record), with a sidecar; a .part
#   without a complete record is removed (without a whole pcap header:
#   set aside as .broken), none is left;
# - the files closed before the crash are unchanged.
set -euo pipefail
source "$(dirname "$0")/clib.sh"
trap ce_cleanup EXIT

ce_init
e2e_need_pcaps
e2e_need capinfos mergecap md5sum

STORE=$E2E_TMP/store
ARGS=(--listen 127.0.0.1:4789 --pcap-dir "$STORE" --workers 2 --rotate-size 2M
  --rotate-seconds 0 --min-free 0)

e2e_ns COL col
files=()
for f in "$PCAPS"/app/*; do
  [[ $(capinfos -T -r -E "$f" 2>/dev/null | cut -f 2) == ether ]] && files+=("$f")
done
((${#files[@]} > 0)) || e2e_skip "no Ethernet capture in $PCAPS/app"
mergecap -a -F pcap -w "$E2E_TMP/traffic.pcap" "${files[@]}"

closed() {
  local f n=0
  for f in "$STORE"/vtap-*.pcap; do
    [[ -e $f ]] && n=$((n + 1))
  done
  echo "$n"
}

# crash_once NAME: start the collector as NAME and the traffic, wait for
# heavy writing (files closed, a .part with records on disk), SIGKILL the
# collector, copy its .part files aside at once, stop the traffic.
crash_once() {
  ce_collector "$1" "$COL" "${ARGS[@]}"
  # at most 2000 replays (~1.7 MB each); stopped right after the kill
  e2e_bg "$E2E_TMP/traffic" ip netns exec "$COL" bash -c '
    for ((i = 0; i < 2000; i++)); do
      "$1" --read "$2" --destination 127.0.0.1 --vni 7 >/dev/null 2>&1 || true
    done' traffic "$VTAP_SENDER" "$E2E_TMP/traffic.pcap"
  local traffic_pid=$E2E_LAST_PID start i
  # shellcheck disable=SC2034 # read by the eval below
  start=$(closed)
  e2e_wait 60 "the collector to close 4 more files" eval '(($(closed) >= start + 4))'
  written=$(ce_live "$COL" .counters.written)
  # The writer buffers 1 MiB: kill as soon as a .part holds data on disk.
  for ((i = 0; i < 3000; i++)); do
    [[ -z $(find "$STORE" -name 'vtap-*.pcap.part' -size +64k) ]] || break
    sleep 0.01
  done
  kill -KILL "$COLLECTOR_PID"
  e2e_wait_exit "$COLLECTOR_PID" 10
  rm -rf "$E2E_TMP/crashed"
  mkdir "$E2E_TMP/crashed"
  cp -p "$STORE"/*.part "$E2E_TMP/crashed/"
  e2e_stop "$traffic_pid" TERM 10
}

# complete_records: the complete records of the crashed .pcap.part files.
complete_records() {
  local p n total=0
  for p in "$E2E_TMP/crashed"/vtap-*.pcap.part; do
    [[ -e $p ]] || continue
    read -r _ n _ < <("$PCAP_RECORDS" scan "$p") || n=0
    total=$((total + n))
  done
  echo "$total"
}

# Usually once is enough; a kill just after a rotation leaves .part files
# with a header only, which shows nothing: then crash it again (the
# restart repairs the first crash's files on the way).
for ((attempt = 1; attempt <= 5; attempt++)); do
  crash_once "crash$attempt"
  (($(complete_records) > 0)) && break
  e2e_log "the kill left no complete record in a .part (a rotation had just happened): again"
done
parts=$(find "$E2E_TMP/crashed" -name 'vtap-*.pcap.part' | wc -l)
(($(complete_records) > 0)) || e2e_fail "5 kills left no .pcap.part holding a complete record"
e2e_log "killed the collector (over $written frames written) with $(closed) files closed; it left $parts .pcap.part file(s): $(cd "$E2E_TMP/crashed" && ls -l vtap-*.pcap.part | awk '{ printf "%s (%s bytes) ", $9, $5 }')"

# The torn file: the newest closed file, cut 40 bytes short of its end
# (inside its last record, or the one before when that is shorter), as a .part
# of a worker that does not exist (so no writer ever opens that name).
src=$(ls "$STORE"/vtap-*.pcap | tail -n 1)
read -r _ n _ v _ s < <("$PCAP_RECORDS" scan "$src")
torn=vtap-w9-$(basename "$src" | sed 's/^vtap-w[0-9]*-//').part
head -c $((s - 40)) "$src" >"$E2E_TMP/crashed/$torn"
cp -p "$E2E_TMP/crashed/$torn" "$STORE/$torn"

( cd "$STORE" && md5sum vtap-*.pcap ) >"$E2E_TMP/closed.md5"

ce_collector second "$COL" "${ARGS[@]}"
ce_collector_stop second

ce_check_store "$STORE" >/dev/null
( cd "$STORE" && md5sum --quiet -c "$E2E_TMP/closed.md5" ) >"$E2E_TMP/md5.out" 2>&1 ||
  e2e_fail "files closed before the crash changed at restart: $(tr '\n' ' ' <"$E2E_TMP/md5.out")"

kept=0
for p in "$E2E_TMP/crashed"/vtap-*.pcap.part; do
  name=$(basename "$p" .part)
  stem=${name%.pcap}
  if ! read -r _ n _ v _ s < <("$PCAP_RECORDS" scan "$p" 2>/dev/null); then
    # killed before the header was written: set aside, never deleted
    [[ -e $STORE/$name.broken ]] ||
      e2e_fail "$(basename "$p") has no valid pcap header, yet it was not set aside as $name.broken"
    e2e_log "ok: $(basename "$p") had no valid header ($(stat -c %s "$p") bytes): set aside as .broken"
    continue
  fi
  if ((n == 0)); then
    [[ ! -e $STORE/$name && ! -e $STORE/$name.part ]] ||
      e2e_fail "$(basename "$p") held no complete record, yet it was not removed"
    e2e_log "ok: $(basename "$p") held no complete record ($s bytes): removed"
    continue
  fi
  [[ -f $STORE/$name ]] || e2e_fail "$(basename "$p") ($n complete records) was not repaired into $name: $(grep -i repair "$E2E_TMP/second.err" | tr '\n' ' ')"
  got=$(capinfos -M -T -r -c "$STORE/$name" 2>/dev/null | cut -f 2) ||
    e2e_fail "capinfos refuses the repaired $name"
  ((got == n)) || e2e_fail "$name holds $got records; the crashed .part held $n complete ones"
  size=$(stat -c %s "$STORE/$name")
  ((size == v)) || e2e_fail "$name is $size bytes; the .part's complete records end at byte $v"
  cmp -s -n "$v" "$p" "$STORE/$name" ||
    e2e_fail "$name differs from the first $v bytes of the crashed .part"
  [[ $(jq -r .packets "$STORE/$stem.idx.json") == "$n" ]] ||
    e2e_fail "the sidecar of $name does not count $n packets"
  e2e_log "ok: $(basename "$p"): $n complete records in $v of $s bytes; repaired to exactly those ($((s - v)) bytes cut)"
  kept=$((kept + n))
done
[[ ! -e $STORE/$torn ]] || e2e_fail "$torn is still there after the restart"
grep -q "repair: .*$(basename "$torn" .pcap.part)" "$E2E_TMP/second.err" ||
  e2e_fail "the restart did not log the repair of $torn"
e2e_log "ok: $kept records kept from $((parts + 1)) .part files; $(closed) closed files pass capinfos with sidecars; those closed before the crash are unchanged"
for f in "$STORE"/flows-*.part; do
  [[ -e $f ]] && e2e_log "note: flow log $(basename "$f") ($(stat -c %s "$f") bytes) left by the crash stays a .part after the restart"
done
true
