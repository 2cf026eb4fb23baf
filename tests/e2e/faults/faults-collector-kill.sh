#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vtap-collector killed with SIGKILL while it rotates, then restarted on
# the same directory. Traffic never stops (vtap-sender --read in a loop)
# and files rotate every 256 KiB on a real disk, where sealing a file
# (fsync, rename, sidecar, fsync) takes long enough to be caught. Three
# rounds: one kill while an open file holds records on disk, two the
# moment a file is seen closed without its sidecar yet (mid-rotation).
# After each restart:
#   - every file closed at the kill is still there, byte for byte (sha256)
#     and readable (capinfos), with a sidecar whose packet count is its own
#     (rebuilt at start-up if the kill came between rename and sidecar);
#   - every .part open at the kill is sealed as NAME.pcap holding exactly
#     its complete records (a prefix of the part, as pcapscan.py reads it
#     without the collector's code), with a sidecar; none is set aside
#     (a part whose records were all still in the writer's buffer, which
#     is written once a second, holds none and is removed: a SIGKILL
#     loses up to a second of frames by design);
#   - no temporary file is left over.
# At the end the whole store is checked once more after a clean stop.
set -euo pipefail
# shellcheck source=flib.sh
source "$(dirname "$0")/flib.sh"
ft_isolate "$@"
trap ft_cleanup EXIT

ft_init --isolated
e2e_need capinfos sha256sum cmp
D=$E2E_TMP/pcap
mkdir "$D"
# ~400 KB/s in runs of 200 KB: a rotation every second or so per worker,
# so a file outlives the once-a-second flush of the writer's buffer.
ft_mkflows "$E2E_TMP/steady.pcap" --packets 1000 --flows 256 --size 200
COLLECTOR_ARGS=(--listen 127.0.0.1:4789 --pcap-dir "$D" --workers 2
  --rotate-size 256K --min-free 0)

ft_collector c0 "${COLLECTOR_ARGS[@]}"
FT_LOOP_PAUSE=0.5 ft_replay_loop loop "$E2E_TMP/steady.pcap" --destination 127.0.0.1
loop_pid=$E2E_LAST_PID

# closed_files: the closed pcaps of the store, one name a line.
closed_files() {
  (cd "$D" && find . -maxdepth 1 -name 'vtap-*.pcap' -printf '%f\n' | sort)
}

# mid_rotation: a closed file without its sidecar, or a temporary file.
mid_rotation() {
  local f
  for f in "$D"/vtap-*.pcap; do
    [[ -e $f && ! -e ${f%.pcap}.idx.json ]] && return 0
  done
  compgen -G "$D/*.tmp" >/dev/null
}

# open_with_records: an open file holds a complete record on disk.
open_with_records() {
  local f
  for f in "$D"/vtap-*.pcap.part; do
    [[ -e $f ]] && (($(stat -c %s "$f") > 24)) && return 0
  done
  return 1
}

# check_closed NAME...: capinfos reads each and each one's sidecar
# counts its packets (one capinfos and one jq for them all).
check_closed() {
  (($# > 0)) || return 0
  (cd "$D" && capinfos -M -T -r -c "$@") >"$E2E_TMP/capinfos.out" 2>"$E2E_TMP/capinfos.err" ||
    e2e_fail "capinfos refuses some of $*: $(head -c 300 "$E2E_TMP/capinfos.err")"
  (cd "$D" && jq -r '[(input_filename | sub("\\.idx\\.json$"; ".pcap")), .packets] | @tsv' \
    "${@/%.pcap/.idx.json}") >"$E2E_TMP/sidecars.out" 2>"$E2E_TMP/sidecars.err" ||
    e2e_fail "sidecars missing or not JSON: $(head -c 300 "$E2E_TMP/sidecars.err")"
  diff <(sort "$E2E_TMP/capinfos.out") <(sort "$E2E_TMP/sidecars.out") >"$E2E_TMP/counts.diff" ||
    e2e_fail "file (capinfos) and sidecar packet counts differ: $(head -n 6 "$E2E_TMP/counts.diff" | tr '\n' ' ')"
}

total_parts=0 total_mid=0 total_rebuilt=0 total_recs=0
for round in 1 2 3; do
  before_round=$(closed_files | wc -l)
  e2e_wait 30 "two rotations in round $round" \
    eval "(( \$(closed_files | wc -l) >= $before_round + 2 ))"
  caught="with an open file holding records"
  if ((round == 1)); then
    e2e_wait 15 "an open file with records on disk" open_with_records
  else
    caught="not caught within 10 s"
    end=$((SECONDS + 10))
    while ((SECONDS < end)); do
      if mid_rotation; then
        caught=mid-rotation
        break
      fi
    done
  fi
  kill -KILL "$COLLECTOR_PID"
  e2e_stop "$COLLECTOR_PID" KILL 10
  ((E2E_RC == 137)) || e2e_fail "the collector exited $E2E_RC, not by SIGKILL"

  # The store as the kill left it.
  snap=$E2E_TMP/snap$round
  mkdir "$snap"
  closed_files >"$snap/closed"
  mapfile -t closed <"$snap/closed"
  (cd "$D" && sha256sum -- "${closed[@]}") >"$snap/closed.sha"
  parts=() no_side=() temps=()
  for f in "$D"/vtap-*.pcap.part; do
    [[ -e $f ]] || continue
    parts+=("$(basename "$f")")
    cp -- "$f" "$snap/"
  done
  while read -r f; do
    [[ -e $D/${f%.pcap}.idx.json ]] || no_side+=("$f")
  done <"$snap/closed"
  for f in "$D"/*.tmp; do
    [[ -e $f ]] && temps+=("$(basename "$f")")
  done
  state="${#parts[@]} open, ${#no_side[@]} closed without sidecar, ${#temps[@]} temporary"
  ((${#no_side[@]} + ${#temps[@]} > 0)) && total_mid=$((total_mid + 1))
  total_parts=$((total_parts + ${#parts[@]}))
  total_rebuilt=$((total_rebuilt + ${#no_side[@]}))
  ft_log "round $round: killed ($caught) with $(wc -l <"$snap/closed") closed files; $state"
  # Mid-rotation, the file being sealed may be the only one open: the next
  # is opened by the next frame.
  ((${#parts[@]} + ${#no_side[@]} > 0)) ||
    e2e_fail "round $round: no file was open or being sealed at the kill, although traffic never stopped"

  # Restart on the same directory: start-up repair, then receive again.
  ft_collector "c$round" "${COLLECTOR_ARGS[@]}"
  (cd "$D" && sha256sum --quiet -c "$snap/closed.sha") >"$E2E_TMP/sha.out" 2>&1 ||
    e2e_fail "round $round: closed files changed or vanished across the kill and restart: $(head -n 5 "$E2E_TMP/sha.out" | tr '\n' ' ')"
  check_closed "${closed[@]}"
  for p in "${parts[@]}"; do
    read -r recs valid size < <(python3 "$FT_DIR/pcapscan.py" "$snap/$p") ||
      e2e_fail "round $round: $p as the kill left it has no pcap header"
    [[ ! -e $D/$p ]] || e2e_fail "round $round: $p is still open after the restart"
    if ((recs == 0)); then
      [[ ! -e $D/${p%.part} ]] || e2e_fail "round $round: $p held no complete record but was closed"
      ft_log "round $round: $p held no complete record ($size bytes): removed"
      continue
    fi
    f=${p%.part}
    [[ -e $D/$f ]] || e2e_fail "round $round: $p (with $recs complete records) was not closed as $f: $(cd "$D" && echo "${p%.pcap.part}"*)"
    [[ $(stat -c %s "$D/$f") == "$valid" ]] ||
      e2e_fail "round $round: $f is $(stat -c %s "$D/$f") bytes; the part's complete records end at $valid"
    cmp -s -n "$valid" "$snap/$p" "$D/$f" || e2e_fail "round $round: $f is not the part's first $valid bytes"
    check_closed "$f"
    total_recs=$((total_recs + recs))
    ft_log "round $round: $p repaired: $recs records kept, $((size - valid)) bytes of a cut record dropped"
  done
  for t in "${temps[@]}"; do
    [[ ! -e $D/$t ]] || e2e_fail "round $round: temporary file $t survived the restart"
  done
  compgen -G "$D/*.broken" >/dev/null && e2e_fail "round $round: files set aside: $(cd "$D" && echo ./*.broken)"
  grep -q 'repair:' "$E2E_TMP/c$round.err" || e2e_fail "round $round: the restarted collector logged no repair"
  ft_wait_live 15 .counters.written 1
done

((total_recs > 0)) || e2e_fail "no open file held a record at any kill: the repair was not exercised"
e2e_stop "$loop_pid" TERM 10
ft_collector_stop c3
for p in "$D"/*.part; do
  [[ -e $p ]] && e2e_fail "$(basename "$p") still open after a clean stop"
done
mapfile -t closed < <(closed_files)
check_closed "${closed[@]}"
n=${#closed[@]}
[[ $(jq -r .write_errors "$E2E_TMP/c3.json") == 0 ]] ||
  e2e_fail "write errors after the last restart: $(jq -c . "$E2E_TMP/c3.json" | cut -c 1-300)"
ft_log "3 kills ($total_mid caught mid-rotation): $total_parts open files repaired ($total_recs records kept), $total_rebuilt sidecars rebuilt; the store holds $n closed files, all readable and indexed"
ft_log "PASS"
