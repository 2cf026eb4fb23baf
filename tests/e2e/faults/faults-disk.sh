#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vtap-collector's pcap disk fails under it while traffic flows (a replay
# loop of vtap-sender --read, ~2,500 frames/s), three ways, each undone
# again: the pcap directory is removed, the disk fills up (a tmpfs filled
# by a file), and the directory becomes read-only (a read-only bind mount
# over it).
# For each fault:
#   - the collector keeps running and receiving (datagrams grow);
#   - write_errors counts up and /healthz answers 503 with the reason
#     (no space / directory missing or not writable);
#   - once the disk is back, /healthz answers 200 again and written grows.
# At the end, after a clean stop: every frame received is either written
# or a write error (frames == written + write_errors), no file is left
# open, every closed file is readable (capinfos) with a sidecar whose
# packet count is its own, and the files hold at most what was written.
set -euo pipefail
# shellcheck source=flib.sh
source "$(dirname "$0")/flib.sh"
ft_isolate "$@"
trap ft_cleanup EXIT

ft_init --isolated
e2e_need capinfos findmnt dd
T=$E2E_TMP/disk
D=$T/pcap
ft_tmpfs "$T" 64M
mkdir "$D"
ft_mkflows "$E2E_TMP/steady.pcap" --packets 500 --flows 64 --size 200

ft_collector c --listen 127.0.0.1:4789 --pcap-dir "$D" --workers 1 \
  --rotate-size 1M --min-free 0
FT_LOOP_PAUSE=0.2 ft_replay_loop loop "$E2E_TMP/steady.pcap" --destination 127.0.0.1
loop_pid=$E2E_LAST_PID
ft_wait_live 20 .counters.written 2000
ft_wait_health 5 200 '^$'

# before_fault: the counters before a fault is made.
before_fault() {
  e0=$(ft_live .counters.write_errors)
  d0=$(ft_live .counters.datagrams)
}

# fault NAME HEALTH-REGEX: after the fault is made, the collector lives,
# counts write errors and says why on /healthz.
fault() {
  local what=$1 re=$2
  ft_wait_live 20 .counters.write_errors $((e0 + 1))
  ft_wait_health 20 503 "$re"
  ft_wait_live 10 .counters.datagrams $((d0 + 1000))
  ft_collector_alive c
  ft_log "$what: alive, write_errors $e0 -> $(ft_live .counters.write_errors), /healthz: $(ft_health)"
}

# recovered WHAT: /healthz is 200 again and written grows.
recovered() {
  local what=$1 w0 t0=$SECONDS
  ft_wait_health 30 200 '^$'
  w0=$(ft_live .counters.written)
  ft_wait_live 20 .counters.written $((w0 + 2000))
  ft_collector_alive c
  ft_log "$what undone: /healthz 200 after $((SECONDS - t0)) s; written $w0 -> $(ft_live .counters.written)"
}

# 1. Directory removed, with every file in it (first, so that the files
# written through the other faults are checked at the end).
before_fault
rm -rf "$D"
fault "directory removed" 'missing or not writable'
mkdir "$D"
recovered "directory removed"

# 2. Disk full.
before_fault
dd if=/dev/zero of="$T/filler" bs=1M status=none 2>/dev/null || true
ft_log "disk full: $(df -h --output=avail "$T" | tail -n 1 | tr -d ' ') free"
fault "disk full" 'No space left|free space'
rm -f "$T/filler"
recovered "disk full"

# 3. Read-only: the open file stays writable through its descriptor, but
# no file can be created or renamed; SIGHUP makes the collector try now.
before_fault
mount --bind -o ro "$D" "$D" || e2e_skip "cannot make a read-only bind mount here"
[[ $(findmnt -rn -o OPTIONS --target "$D" | cut -d, -f1) == ro ]] ||
  e2e_fail "the bind mount over $D is not read-only: $(findmnt -rn -o OPTIONS --target "$D")"
kill -HUP "$COLLECTOR_PID"
fault "read-only" 'missing or not writable|Read-only'
umount "$D"
recovered "read-only"

# Every fault is undone: whatever its sealing failed on (a sidecar not
# written on the full disk, a rename refused on the read-only one) should
# be sealed by now. It is not retried (KNOWN BUG, reported): such a file
# stays a .part or a .pcap without sidecar until the next start-up, which
# repairs it. FAULTS_STRICT=1 makes that a failure.
sleep 2
unsealed=()
for f in "$D"/vtap-*.pcap; do
  [[ -e $f && ! -e ${f%.pcap}.idx.json ]] && unsealed+=("$(basename "$f") (no sidecar)")
done
open_now=$(find "$D" -maxdepth 1 -name '*.pcap.part' | wc -l)
((open_now <= 1)) || unsealed+=("$((open_now - 1)) .part beside the open one")
e2e_stop "$loop_pid" TERM 10
ft_collector_stop c
mapfile -t parts < <(cd "$D" && ls -- *.part 2>/dev/null)
((${#parts[@]} == 0)) || unsealed+=("${parts[*]} left after a clean stop")
if ((${#unsealed[@]} > 0)); then
  [[ ${FAULTS_STRICT:-0} != 1 ]] || e2e_fail "not sealed after the faults were undone: ${unsealed[*]}"
  ft_log "KNOWN BUG: not sealed after the faults were undone: ${unsealed[*]}"
  ft_collector c2 --listen 127.0.0.1:4789 --pcap-dir "$D" --workers 1 --min-free 0
  ft_collector_stop c2
  grep -q 'repair: ' "$E2E_TMP/c2.err" ||
    e2e_fail "the restart repaired nothing: $(tr '\n' ' ' <"$E2E_TMP/c2.err")"
  ft_log "a restart sealed them: $(grep -c 'repair: ' "$E2E_TMP/c2.err") repairs"
fi

# The store as it is left.
j=$E2E_TMP/c.json
frames=$(jq -r .frames "$j")
written=$(jq -r .written "$j")
errors=$(jq -r .write_errors "$j")
((errors > 0)) || e2e_fail "the collector counted no write error at exit: $(jq -c 'del(.senders, .vnis, .protocols, .malformed)' "$j")"
((frames == written + errors)) ||
  e2e_fail "frames $frames != written $written + write_errors $errors"
for p in "$D"/*.part; do
  [[ -e $p ]] && e2e_fail "$(basename "$p") still open after a clean stop"
done
mapfile -t closed < <(cd "$D" && ls vtap-*.pcap)
((${#closed[@]} > 0)) || e2e_fail "no closed file in $D"
(cd "$D" && capinfos -M -T -r -c "${closed[@]}") >"$E2E_TMP/capinfos.out" 2>"$E2E_TMP/capinfos.err" ||
  e2e_fail "capinfos refuses a closed file: $(head -c 300 "$E2E_TMP/capinfos.err")"
(cd "$D" && jq -r '[(input_filename | sub("\\.idx\\.json$"; ".pcap")), .packets] | @tsv' \
  "${closed[@]/%.pcap/.idx.json}") >"$E2E_TMP/sidecars.out" 2>"$E2E_TMP/sidecars.err" ||
  e2e_fail "a sidecar is missing or not JSON: $(head -c 300 "$E2E_TMP/sidecars.err")"
diff <(sort "$E2E_TMP/capinfos.out") <(sort "$E2E_TMP/sidecars.out") >"$E2E_TMP/counts.diff" ||
  e2e_fail "file and sidecar packet counts differ: $(head -n 6 "$E2E_TMP/counts.diff" | tr '\n' ' ')"
stored=$(awk '{ n += $2 } END { print n + 0 }' "$E2E_TMP/capinfos.out")
((stored <= written)) || e2e_fail "the files hold $stored frames, more than the $written written"
grep -q 'pcap store w0: cannot .*No such file or directory (1 write errors' "$E2E_TMP/c.err" ||
  e2e_fail "the collector did not log the first failure: $(tr '\n' ' ' <"$E2E_TMP/c.err" | cut -c 1-400)"
ft_log "frames $frames = written $written + write_errors $errors; ${#closed[@]} closed files hold $stored frames ($((written - stored)) written frames lost with the removed directory or failed write buffers)"
ft_log "PASS"
