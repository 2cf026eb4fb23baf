# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the fault, load and privilege tests (tests/e2e/faults/*.sh),
# on top of ../lib.sh (namespaces, background processes, bounded waits):
# isolation of a whole test in fresh network and mount namespaces, scratch
# file systems, the collector started and read live (/api/v1/status,
# /healthz), replay loops that keep traffic flowing, resident memory
# samples and the three-host topology of the sender tests.
#
# Environment (set by tests/e2e/faults/meson.build): VTAP_COLLECTOR,
# VTAP_SENDER, VTAP_CLI. E2E_KEEP=1 keeps the temporary directory.

# shellcheck source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
FT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)

FT_HTTP=127.0.0.1:8080  # the collector's HTTP server, in its namespace
FT_NS=""                # where the collector runs ("": this namespace)
COLLECTOR_PID=""        # set by ft_collector
FT_T0=$SECONDS
INJ="" TAP="" COL=""    # namespaces made by ft_hosts

ft_log() {
  e2e_log "[$((SECONDS - FT_T0))s] $*"
}

# ft_isolate "$@": run this script again in new network and mount
# namespaces (loopback up), so the collector, its senders and curl meet on
# a private loopback and every mount dies with the test. Skips unless root.
ft_isolate() {
  if [[ ${FT_ISOLATED:-0} != 1 ]]; then
    [[ $(id -u) -eq 0 ]] || e2e_skip "needs root (network and mount namespaces, mounts)"
    command -v unshare >/dev/null 2>&1 || e2e_skip "unshare not found (util-linux)"
    unshare --net --mount true 2>/dev/null || e2e_skip "cannot create network and mount namespaces here"
    FT_ISOLATED=1 exec unshare --net --mount --propagation private bash "$0" "$@"
  fi
  ip link set lo up
}

# ft_cleanup: the EXIT trap. Stop what runs (a busy mount cannot go),
# detach every mount under the temporary directory, then lib.sh's cleanup.
ft_cleanup() {
  local rc=$? pid m i
  set +e
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
  for ((i = 0; i < 20; i++)); do
    m=$(findmnt -rn -o TARGET 2>/dev/null | grep -F -- "${E2E_TMP:-/nonexistent}/" | sort -r | head -n 1)
    [[ -n $m && -n $E2E_TMP ]] || break
    umount "$m" 2>/dev/null || umount -l "$m"
  done
  (exit "$rc")
  cleanup
}

# shellcheck disable=SC2120 # the option is optional
# ft_init [--isolated]: the binaries and tools every test here uses, and
# the temporary directory (with --isolated, after ft_isolate, without
# lib.sh's namespace check).
ft_init() {
  if [[ ${1:-} == --isolated ]]; then
    E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/vtap-$E2E_NAME.XXXXXX")
    E2E_PROBE=$E2E_TMP/probe.pcap
    e2e_make_probe "$E2E_PROBE"
  else
    e2e_init
  fi
  e2e_need jq curl python3
  [[ -n ${VTAP_SENDER:-} ]] || e2e_skip "VTAP_SENDER is not set (run through meson test)"
  [[ -x $VTAP_SENDER ]] || e2e_fail "VTAP_SENDER=$VTAP_SENDER is not an executable"
  [[ -n ${VTAP_COLLECTOR:-} ]] || e2e_skip "VTAP_COLLECTOR is not set (run through meson test)"
  [[ -x $VTAP_COLLECTOR ]] || e2e_fail "VTAP_COLLECTOR=$VTAP_COLLECTOR is not an executable"
}

# ft_tmpfs DIR SIZE: a tmpfs of SIZE at DIR (the test's mount namespace).
ft_tmpfs() {
  mkdir -p "$1"
  mount -t tmpfs -o "size=$2,mode=0755" vtap-ft "$1" || e2e_skip "cannot mount a tmpfs here"
}

# ft_in NS CMD...: CMD in network namespace NS, or here when NS is "".
ft_in() {
  local ns=$1
  shift
  if [[ -n $ns ]]; then
    ip netns exec "$ns" "$@"
  else
    "$@"
  fi
}

# ft_bg NAME NS CMD...: e2e_bg of CMD in NS with no shell in between, so
# E2E_LAST_PID is CMD's own pid (ip netns exec execs CMD).
ft_bg() {
  local name=$1 ns=$2
  shift 2
  if [[ -n $ns ]]; then
    e2e_bg "$name" ip netns exec "$ns" "$@"
  else
    e2e_bg "$name" "$@"
  fi
}

# ft_mkflows OUT ARGS...: mkflows.py (see there).
ft_mkflows() {
  python3 "$FT_DIR/mkflows.py" "$@" || e2e_fail "mkflows.py $* failed"
}

# ft_collector NAME ARGS...: start vtap-collector in FT_NS with ARGS and
# --http FT_HTTP; stdout in $E2E_TMP/NAME.out, stderr in NAME.err, pid in
# COLLECTOR_PID (ip netns exec execs, so it is the collector's). Returns
# once it receives and answers HTTP.
ft_collector() {
  local name=$1
  shift
  ft_bg "$E2E_TMP/$name" "$FT_NS" "$VTAP_COLLECTOR" --http "$FT_HTTP" "$@"
  COLLECTOR_PID=$E2E_LAST_PID
  e2e_wait 20 "vtap-collector to start" ft_started "$name" "$COLLECTOR_PID"
}

ft_started() {
  e2e_alive "$2" || e2e_fail "vtap-collector exited at start: $(tail -n 5 "$E2E_TMP/$1.err" | tr '\n' ' ')"
  e2e_grep_q 'receiving VXLAN on' "$E2E_TMP/$1.err" &&
    ft_in "$FT_NS" curl -sf --max-time 2 -o /dev/null "http://$FT_HTTP/healthz"
}

# ft_collector_stop NAME: SIGTERM; exit 0 and a JSON object last on stdout,
# saved as $E2E_TMP/NAME.json.
ft_collector_stop() {
  local name=$1
  e2e_stop "$COLLECTOR_PID" TERM 30
  [[ $E2E_RC -eq 0 ]] ||
    e2e_fail "vtap-collector exited $E2E_RC on SIGTERM; stderr: $(tail -n 5 "$E2E_TMP/$name.err" | tr '\n' ' ')"
  tail -n 1 "$E2E_TMP/$name.out" | jq -e 'type == "object"' >/dev/null 2>&1 ||
    e2e_fail "the last line of the collector's stdout is not a JSON object: '$(tail -n 1 "$E2E_TMP/$name.out" | cut -c 1-200)'"
  tail -n 1 "$E2E_TMP/$name.out" >"$E2E_TMP/$name.json"
}

# ft_collector_alive NAME: fail unless the collector still runs.
ft_collector_alive() {
  e2e_alive "$COLLECTOR_PID" ||
    e2e_fail "vtap-collector died: $(tail -n 5 "$E2E_TMP/$1.err" | tr '\n' ' ')"
}

# ft_live JQ: one value of the collector's /api/v1/status ("" if none).
ft_live() {
  ft_in "$FT_NS" curl -sf --max-time 5 "http://$FT_HTTP/api/v1/status" 2>/dev/null |
    jq -r "$1" 2>/dev/null || true
}

# ft_wait_live SECONDS JQ N: wait until the live value JQ is at least N.
ft_wait_live() {
  local secs=$1 path=$2 n=$3 v="" end=$((SECONDS + $1))
  while ((SECONDS <= end)); do
    v=$(ft_live "$path")
    [[ $v =~ ^[0-9]+$ ]] && ((v >= n)) && return 0
    sleep 0.25
  done
  e2e_fail "timed out after $secs s waiting for $path >= $n (it is '$v')"
}

# ft_health: "CODE BODY" of GET /healthz.
ft_health() {
  ft_in "$FT_NS" curl -s --max-time 5 -o "$E2E_TMP/healthz" -w '%{http_code}' \
    "http://$FT_HTTP/healthz" 2>/dev/null || true
  printf ' %s\n' "$(cat "$E2E_TMP/healthz" 2>/dev/null)"
}

# ft_health_is CODE REGEX: /healthz answers CODE with a reason matching REGEX.
ft_health_is() {
  local h
  h=$(ft_health)
  [[ ${h%% *} == "$1" ]] || return 1
  [[ $(jq -r .reason <<<"${h#* }" 2>/dev/null) =~ $2 ]]
}

# ft_wait_health SECONDS CODE REGEX: wait for ft_health_is CODE REGEX.
ft_wait_health() {
  local secs=$1 end=$((SECONDS + $1))
  while ((SECONDS <= end)); do
    ft_health_is "$2" "$3" && return 0
    sleep 0.2
  done
  e2e_fail "timed out after $secs s waiting for /healthz $2 /$3/ (it says: $(ft_health))"
}

# ft_sanitized BINARY: built with AddressSanitizer (its quarantine and
# shadow memory make resident memory say little about the program's own).
ft_sanitized() {
  ldd "$1" 2>/dev/null | grep -q 'libasan'
}

# ft_rss PID: resident memory in KiB (VmRSS), "" when PID is gone.
ft_rss() {
  awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || true
}

# ft_replay_loop NAME FILE ARGS...: keep replaying FILE with vtap-sender
# --read ARGS in FT_NS until stopped (each run's counters appended to
# $E2E_TMP/NAME.out); FT_LOOP_PAUSE seconds between runs (0.1). Pid in
# E2E_LAST_PID.
ft_replay_loop() {
  local name=$1 file=$2
  shift 2
  ft_bg "$E2E_TMP/$name" "$FT_NS" bash "$FT_DIR/replay-loop.sh" \
    "${FT_LOOP_PAUSE:-0.1}" "$VTAP_SENDER" --read "$file" "$@"
}

# ft_loop_sent NAME: frames sent by every finished run of a replay loop.
ft_loop_sent() {
  jq -s 'map(.sent) | add // 0' "$E2E_TMP/$1.out"
}

# ft_hosts: three hosts, as in the sender tests:
#
#   INJ: inj0 198.18.1.2 ==(veth)== TAP: eth0 198.18.1.1 (mirrored)
#                                   TAP: ul0 198.18.0.1 ==(veth)==
#                                   COL: ul0 198.18.0.2 (the collector)
ft_hosts() {
  e2e_ns INJ inj
  e2e_ns TAP tap
  e2e_ns COL col
  e2e_veth "$INJ" inj0 "$TAP" eth0 1500
  e2e_veth "$TAP" ul0 "$COL" ul0 1500
  ip -n "$INJ" addr add 198.18.1.2/24 dev inj0
  ip -n "$TAP" addr add 198.18.1.1/24 dev eth0
  ip -n "$TAP" addr add 198.18.0.1/24 dev ul0
  ip -n "$COL" addr add 198.18.0.2/24 dev ul0
}

# ft_inject_count FILE: packets tcpreplay says it sent (its -q summary).
ft_inject_count() {
  awk '/^Actual:/ { print $2; exit }' "$1"
}
