# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the collector's end-to-end tests (tests/e2e/collector/*.sh),
# on top of ../lib.sh (namespaces, background processes, bounded waits):
# start and stop vtap-collector in a namespace, read its counters live
# (/api/v1/status) and at exit (the JSON line it prints), merge and check
# what it stored, and mount scratch file systems that go away on exit.
#
# Environment (set by tests/e2e/collector/meson.build): VTAP_COLLECTOR,
# VTAP_SENDER, PCAP_CMP, PCAP_RECORDS, VTAP_PCAPS.

# Byte order for sorting names and comparing them.
export LC_ALL=C
# Outside meson, find the shared captures beside the source tree.
: "${VTAP_PCAPS:=$(dirname "$0")/../../../../shared/pcaps}"
# shellcheck source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

CE_HTTP=127.0.0.1:8080  # the collector's HTTP server, inside its namespace
COLLECTOR_PID=""        # set by ce_collector
CE_MOUNTS=()            # file systems to unmount on exit

# ce_cleanup: the EXIT trap. Stops what runs first (a mount in use cannot
# go), unmounts CE_MOUNTS, then lib.sh's cleanup with the test's status.
ce_cleanup() {
  local rc=$? pid m i
  set +e
  if ((${#CE_MOUNTS[@]} > 0)); then
    for pid in "${E2E_PIDS[@]}"; do
      e2e_alive "$pid" && kill -TERM "$pid" 2>/dev/null
    done
    for pid in "${E2E_PIDS[@]}"; do
      for ((i = 0; i < 50; i++)); do
        e2e_alive "$pid" || break
        sleep 0.1
      done
      e2e_alive "$pid" && kill -KILL "$pid" 2>/dev/null
    done
    for m in "${CE_MOUNTS[@]}"; do
      umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
    done
  fi
  (exit "$rc")
  cleanup
}

# ce_init [--offline]: lib.sh's e2e_init plus the collector's binaries and
# tools; --offline needs neither root nor namespaces (only a temporary
# directory).
ce_init() {
  if [[ ${1:-} == --offline ]]; then
    E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/vtap-$E2E_NAME.XXXXXX")
  else
    e2e_init
  fi
  [[ -n ${VTAP_COLLECTOR:-} ]] || e2e_skip "VTAP_COLLECTOR is not set (run through meson test)"
  [[ -x $VTAP_COLLECTOR ]] || e2e_fail "VTAP_COLLECTOR=$VTAP_COLLECTOR is not an executable"
  [[ -n ${PCAP_RECORDS:-} ]] || e2e_skip "PCAP_RECORDS is not set (run through meson test)"
  [[ -x $PCAP_RECORDS ]] || e2e_fail "PCAP_RECORDS=$PCAP_RECORDS is not an executable"
  e2e_need jq curl
}

# ce_mount_tmpfs DIR SIZE: a tmpfs of SIZE at DIR, unmounted on exit.
ce_mount_tmpfs() {
  mkdir -p "$1"
  mount -t tmpfs -o "size=$2,mode=0750" "vtap-e2e" "$1" 2>/dev/null ||
    e2e_skip "cannot mount a tmpfs here"
  CE_MOUNTS+=("$1")
}

# ce_collector NAME NS ARGS...: start vtap-collector in NS with ARGS (give
# --listen, --pcap-dir; --http $CE_HTTP is added); stdout (the counters at
# exit) in $E2E_TMP/NAME.out, stderr in NAME.err; pid in COLLECTOR_PID.
# Returns once it says it receives, or fails if it exits before that.
ce_collector() {
  local name=$1 ns=$2
  shift 2
  e2e_bg "$E2E_TMP/$name" ip netns exec "$ns" "$VTAP_COLLECTOR" --http "$CE_HTTP" "$@"
  COLLECTOR_PID=$E2E_LAST_PID
  e2e_wait 20 "vtap-collector to start receiving" ce_started "$name" "$COLLECTOR_PID"
}

ce_started() {
  e2e_grep_q 'receiving VXLAN on' "$E2E_TMP/$1.err" && return 0
  e2e_alive "$2" || e2e_fail "vtap-collector exited at start: $(tail -n 5 "$E2E_TMP/$1.err" | tr '\n' ' ')"
  return 1
}

# ce_collector_stop NAME [SIGNAL]: stop the collector started as NAME
# (SIGTERM: it closes its files), expect exit 0 and a JSON object as the
# last line of its stdout, saved as $E2E_TMP/NAME.json.
ce_collector_stop() {
  local name=$1
  e2e_stop "$COLLECTOR_PID" "${2:-TERM}" 30
  [[ $E2E_RC -eq 0 ]] ||
    e2e_fail "vtap-collector exited $E2E_RC on SIG${2:-TERM}; stderr: $(tail -n 5 "$E2E_TMP/$name.err" | tr '\n' ' ')"
  tail -n 1 "$E2E_TMP/$name.out" | jq -e 'type == "object"' >/dev/null 2>&1 ||
    e2e_fail "the last line of the collector's stdout is not a JSON object: '$(tail -n 1 "$E2E_TMP/$name.out")'"
  tail -n 1 "$E2E_TMP/$name.out" >"$E2E_TMP/$name.json"
}

# ce_api NS PATH: GET PATH from the collector's HTTP server in NS.
ce_api() {
  ip netns exec "$1" curl -sf --max-time 5 "http://$CE_HTTP$2"
}

# ce_live NS JQ: one value of /api/v1/status (e.g. .counters.written),
# or "" when the collector does not answer.
ce_live() {
  ce_api "$1" /api/v1/status 2>/dev/null | jq -r "$2" 2>/dev/null || true
}

# ce_wait_live SECONDS NS JQ N [--soft]: wait until the live value JQ is
# at least N; fail after SECONDS (with --soft: say so and return 1).
ce_wait_live() {
  local secs=$1 ns=$2 path=$3 n=$4 i v=""
  for ((i = 0; i < secs * 4; i++)); do
    v=$(ce_live "$ns" "$path")
    [[ $v =~ ^[0-9]+$ ]] && ((v >= n)) && return 0
    sleep 0.25
  done
  if [[ ${5:-} == --soft ]]; then
    e2e_log "timed out after $secs s waiting for $path >= $n (it is '$v')"
    return 1
  fi
  e2e_fail "timed out after $secs s waiting for $path >= $n (it is '$v')"
}

# ce_json FILE JQ: one value of a saved JSON summary.
ce_json() {
  jq -r "$2" "$1"
}

# ce_expect_json FILE NAME=JQ=VALUE...: each JQ path of FILE has VALUE;
# fail listing every mismatch.
ce_expect_json() {
  local file=$1 spec path want v bad=()
  shift
  for spec in "$@"; do
    path=${spec%=*}
    want=${spec##*=}
    v=$(jq -r "$path" "$file")
    [[ $v == "$want" ]] || bad+=("$path=$v (want $want)")
  done
  ((${#bad[@]} == 0)) || e2e_fail "collector counters: ${bad[*]}; summary: $(jq -c 'del(.senders, .vnis, .protocols)' "$file")"
}

# ce_check_store DIR: every closed pcap in DIR is a valid capture
# (capinfos), has a sidecar NAME.idx.json whose packet count is the
# file's, and no .part is left. Prints the number of closed files.
ce_check_store() {
  local dir=$1 f n side pk files=0
  for f in "$dir"/*.pcap.part; do
    [[ -e $f ]] || continue
    e2e_fail "$(basename "$f") is still open after the collector stopped"
  done
  for f in "$dir"/vtap-*.pcap; do
    [[ -e $f ]] || continue
    n=$(capinfos -M -T -r -c "$f" 2>"$E2E_TMP/capinfos.err" | cut -f 2) ||
      e2e_fail "capinfos refuses $(basename "$f"): $(tr '\n' ' ' <"$E2E_TMP/capinfos.err")"
    [[ $n =~ ^[0-9]+$ ]] || e2e_fail "capinfos gave no packet count for $(basename "$f")"
    side=${f%.pcap}.idx.json
    [[ -s $side ]] || e2e_fail "$(basename "$f") has no sidecar index"
    pk=$(jq -r .packets "$side" 2>/dev/null) || e2e_fail "$(basename "$side") is not JSON"
    [[ $pk == "$n" ]] || e2e_fail "$(basename "$side") says $pk packets, the file holds $n"
    files=$((files + 1))
  done
  echo "$files"
}

# ce_merge DIR OUT: the frames of every closed pcap in DIR, merged in
# time order (kernel receive timestamps) into OUT; an empty capture when
# there is none.
ce_merge() {
  local dir=$1 out=$2 f files=()
  for f in "$dir"/vtap-*.pcap; do
    [[ -e $f ]] && files+=("$f")
  done
  if ((${#files[@]} == 0)); then
    # a nanosecond pcap header of link type Ethernet, and no record
    printf '\x4d\x3c\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04\x00\x01\x00\x00\x00' >"$out"
    return 0
  fi
  mergecap -F nsecpcap -w "$out" "${files[@]}" || e2e_fail "mergecap failed on $dir"
}

# ce_same_frames EXPECTED ACTUAL WHAT: the same frames byte for byte (in
# order, or, across workers, in another order: accepted and said);
# on a difference show which frames are missing or extra.
ce_same_frames() {
  local exp=$1 act=$2 what=$3
  if e2e_same_frames "$exp" "$act" >"$E2E_TMP/cmp.out"; then
    sed "s/^/$E2E_NAME: $what: /" "$E2E_TMP/cmp.out"
    return 0
  fi
  cat "$E2E_TMP/cmp.out"
  "$PCAP_RECORDS" hex "$exp" | sort >"$E2E_TMP/exp.hex"
  "$PCAP_RECORDS" hex "$act" | sort >"$E2E_TMP/act.hex"
  e2e_log "$what: $(comm -23 "$E2E_TMP/exp.hex" "$E2E_TMP/act.hex" | wc -l) frame(s) sent but not stored, $(comm -13 "$E2E_TMP/exp.hex" "$E2E_TMP/act.hex" | wc -l) stored but not sent; first of each:"
  comm -23 "$E2E_TMP/exp.hex" "$E2E_TMP/act.hex" | head -n 1 | cut -c 1-160 | sed 's/^/  missing: /'
  comm -13 "$E2E_TMP/exp.hex" "$E2E_TMP/act.hex" | head -n 1 | cut -c 1-160 | sed 's/^/  extra:   /'
  e2e_fail "$what: the stored frames are not the frames sent"
}
