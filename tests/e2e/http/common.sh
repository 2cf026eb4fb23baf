# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Helpers for the end-to-end tests of vtap-collector's HTTP side, sourced by
# tests/e2e/http/http-*.sh after ../lib.sh's helpers (skip, fail, background
# processes stopped on exit, bounded waits).
#
# Each test re-executes itself in a private network namespace and a private
# mount namespace (he_isolate): the collector, vtap-sender and curl meet on
# that namespace's own loopback, so fixed ports never clash with anything
# else on the machine, and the tmpfs and bind mounts a test makes vanish with
# it. Every request has a time limit; every wait is bounded.
#
# Environment (set by tests/e2e/http/meson.build): VTAP_COLLECTOR,
# VTAP_SENDER, PCAP_CMP, VTAP_PCAPS. E2E_KEEP=1 keeps the temporary
# directory (stores, logs, downloads) for a post-mortem.

# shellcheck source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
HE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)

# ../shared/pcaps beside the source tree, when meson did not say
VTAP_PCAPS=${VTAP_PCAPS:-$HE_DIR/../../../../shared/pcaps}
HE_UDP=4789                # the collector's VXLAN port
HE_HTTP=8080               # its --http port
# shellcheck disable=SC2034 # for the tests
HE_PROBE=8081              # its --probe port
HE_BASE="http://127.0.0.1:$HE_HTTP"
HE_CURL_OPTS=()            # added to every he_get (credentials, -k, ...)
HE_WRAP=()                 # a command that execs the collector (limits)
COL_PID=""                 # set by he_collector
COL_NAME=""
HE_SENT=0                  # frames sent by he_send, all runs together
HE_CODE=""                 # set by he_get: the HTTP status (000: none)
HE_BODY=""                 # set by he_init: where he_get puts bodies
HE_HDR=""                  # and headers

# he_isolate "$@": run this script again as root in new network and mount
# namespaces (loopback up), unless it already runs there.
he_isolate() {
  if [[ ${HE_ISOLATED:-0} != 1 ]]; then
    [[ $(id -u) -eq 0 ]] || e2e_skip "needs root (network and mount namespaces, tmpfs mounts)"
    command -v unshare >/dev/null 2>&1 || e2e_skip "unshare not found (util-linux)"
    unshare --net --mount true 2>/dev/null || e2e_skip "cannot create network and mount namespaces here"
    HE_ISOLATED=1 exec unshare --net --mount --propagation private bash "$0" "$@"
  fi
  ip link set lo up
  if [[ ${HE_XTRACE:-0} == 1 ]]; then
    PS4='+[$SECONDS] '
    set -x
  fi
}

# he_cleanup: the EXIT trap. Detach this test's mounts (lazily: a process
# may still hold them), then lib.sh's cleanup stops the processes and
# removes the temporary directory.
he_cleanup() {
  local rc=$? m i
  set +e
  for ((i = 0; i < 10; i++)); do
    m=$(findmnt -rn -o TARGET 2>/dev/null | grep -F -- "${E2E_TMP:-/nonexistent}/" | sort -r | head -n 1)
    [[ -n $m && -n $E2E_TMP ]] || break
    umount -l "$m"
  done
  (exit "$rc")
  cleanup
}

# he_log MESSAGE: e2e_log with the seconds since the test started.
he_log() {
  e2e_log "[${SECONDS}s] $*"
}

# he_init: check the binaries and tools every HTTP test uses; make the
# temporary directory. Call after he_isolate.
he_init() {
  e2e_need ip curl jq python3 tcpdump capinfos
  [[ -n ${VTAP_COLLECTOR:-} ]] || e2e_skip "VTAP_COLLECTOR is not set (run through meson test)"
  [[ -x $VTAP_COLLECTOR ]] || e2e_fail "VTAP_COLLECTOR=$VTAP_COLLECTOR is not an executable"
  [[ -n ${VTAP_SENDER:-} ]] || e2e_skip "VTAP_SENDER is not set (run through meson test)"
  [[ -x $VTAP_SENDER ]] || e2e_fail "VTAP_SENDER=$VTAP_SENDER is not an executable"
  E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/vtap-$E2E_NAME.XXXXXX")
  HE_BODY=$E2E_TMP/body
  HE_HDR=$E2E_TMP/headers
}

# he_tmpfs DIR SIZE: a fresh tmpfs of SIZE at DIR (gone with the namespace).
he_tmpfs() {
  mkdir -p "$1"
  mount -t tmpfs -o "size=$2,mode=0750" "vtap-e2e" "$1" || e2e_skip "cannot mount a tmpfs at $1"
}

# he_collector NAME ARGS...: start vtap-collector receiving on
# 127.0.0.1:HE_UDP with ARGS (through HE_WRAP, which must exec it); stdout
# and stderr in $E2E_TMP/NAME.{out,err}; return once it says it receives
# (its HTTP listeners are bound by then).
he_collector() {
  local name=$1 i
  shift
  e2e_bg "$E2E_TMP/$name" "${HE_WRAP[@]}" "$VTAP_COLLECTOR" --listen "127.0.0.1:$HE_UDP" "$@"
  COL_PID=$E2E_LAST_PID
  COL_NAME=$name
  for ((i = 0; i < 100; i++)); do
    e2e_grep_q 'receiving VXLAN' "$E2E_TMP/$name.err" && return 0
    e2e_alive "$COL_PID" ||
      e2e_fail "vtap-collector $* exited at start: $(tr '\n' ' ' <"$E2E_TMP/$name.err")"
    sleep 0.1
  done
  e2e_fail "vtap-collector did not start within 10 s: $(tr '\n' ' ' <"$E2E_TMP/$name.err")"
}

# he_collector_stop: SIGTERM the collector, expect exit 0 within 15 s.
he_collector_stop() {
  e2e_stop "$COL_PID" TERM 15
  [[ $E2E_RC -eq 0 ]] ||
    e2e_fail "vtap-collector exited $E2E_RC on SIGTERM: $(tail -n 5 "$E2E_TMP/$COL_NAME.err" | tr '\n' ' ')"
  COL_PID=""
}

# he_send VNI FILE...: replay each capture into the collector as VXLAN in
# VNI; every frame must be sent. Adds to HE_SENT.
he_send() {
  local vni=$1 f out captured sent
  shift
  for f in "$@"; do
    out=$(timeout 60 "$VTAP_SENDER" --read "$f" --destination 127.0.0.1 --port "$HE_UDP" \
      --vni "$vni" 2>"$E2E_TMP/sender.err") ||
      e2e_fail "vtap-sender --read $f exited $?: $(tr '\n' ' ' <"$E2E_TMP/sender.err")"
    captured=$(tail -n 1 <<<"$out" | jq -r .captured)
    sent=$(tail -n 1 <<<"$out" | jq -r .sent)
    [[ $captured =~ ^[0-9]+$ && $captured == "$sent" && $sent -gt 0 ]] ||
      e2e_fail "vtap-sender --read $f sent $sent of $captured frames: $out"
    HE_SENT=$((HE_SENT + sent))
  done
}

# he_get URL [CURL-ARGS...]: one request (20 s at most). Status in HE_CODE
# (000 when there was no answer), body in HE_BODY, headers in HE_HDR.
he_get() {
  local url=$1
  shift
  : >"$HE_BODY"
  : >"$HE_HDR"
  HE_CODE=$(curl -sS --max-time 20 "${HE_CURL_OPTS[@]}" -o "$HE_BODY" -D "$HE_HDR" \
    -w '%{http_code}' "$@" "$url" 2>"$E2E_TMP/curl.err") || true
  [[ -n $HE_CODE ]] || HE_CODE=000
}

# he_expect CODE URL [CURL-ARGS...]: he_get, failing unless it answers CODE.
he_expect() {
  local code=$1
  shift
  he_get "$@"
  [[ $HE_CODE == "$code" ]] ||
    e2e_fail "curl ${*:2} $1: expected HTTP $code, got $HE_CODE ($(he_said))"
}

# What the last answer said, shortened for a message.
he_said() {
  if [[ -s $HE_BODY ]]; then
    head -c 300 "$HE_BODY" | tr -c '[:print:]' ' '
  else
    tr '\n' ' ' 2>/dev/null <"$E2E_TMP/curl.err"
  fi
}

# he_header NAME: the value of header NAME in the last answer ("" if none).
he_header() {
  awk -v want="$(tr '[:upper:]' '[:lower:]' <<<"$1")" '
    { sub(/\r$/, "") }
    /^HTTP\// { v = ""; next }
    { i = index($0, ":"); if (i == 0) next
      k = tolower(substr($0, 1, i - 1)); if (k != want) next
      v = substr($0, i + 1); sub(/^[ \t]+/, "", v); sub(/[ \t]+$/, "", v) }
    END { print v }' "$HE_HDR"
}

# he_json WHAT JQ-TEST: the last body is strict JSON (python3's parser) and
# JQ-TEST holds for it.
he_json() {
  python3 -m json.tool "$HE_BODY" >/dev/null 2>&1 ||
    e2e_fail "$1: the body is not valid JSON: $(he_said)"
  jq -e "$2" "$HE_BODY" >/dev/null 2>&1 ||
    e2e_fail "$1: JSON fails '$2': $(he_said)"
}

# he_json_error WHAT: the last answer is a JSON object {"error": "..."}.
he_json_error() {
  [[ $(he_header Content-Type) == application/json* ]] ||
    e2e_fail "$1: error answer is '$(he_header Content-Type)', not application/json"
  he_json "$1" '(.error | type == "string" and length > 0)'
}

# he_status JQ: one value from /api/v1/status (HE_CURL_OPTS apply).
he_status() {
  local out
  out=$(curl -sS --max-time 10 "${HE_CURL_OPTS[@]}" "$HE_BASE/api/v1/status" 2>/dev/null) || return 1
  jq -r "$1" <<<"$out" 2>/dev/null
}

he_written_at_least() {
  local w
  w=$(he_status .counters.written) || return 1
  [[ $w =~ ^[0-9]+$ ]] && ((w >= $1))
}

# he_wait_written N [SECONDS]: the collector has written at least N frames.
he_wait_written() {
  e2e_wait "${2:-20}" "the collector to write $1 frames (it has $(he_status .counters.written 2>/dev/null || echo '?'))" \
    he_written_at_least "$1"
}

# Is every pcap in DIR closed and indexed (and is there one at least)?
he_sealed() {
  local dir=$1 f n=0
  for f in "$dir"/*; do
    case $f in
    *.pcap.part) return 1 ;;
    *.pcap) [[ -e ${f%.pcap}.idx.json ]] || return 1; n=$((n + 1)) ;;
    *.pcap.lz4) [[ -e ${f%.pcap.lz4}.idx.json ]] || return 1; n=$((n + 1)) ;;
    esac
  done
  ((n > 0))
}

# he_seal DIR: SIGHUP the collector (close every file now) and wait until
# DIR holds closed, indexed files only. Send no traffic meanwhile.
he_seal() {
  kill -HUP "$COL_PID"
  e2e_wait 20 "every pcap in $1 to be closed and indexed after SIGHUP" he_sealed "$1"
}

# he_store_files DIR: the closed store files of DIR, by name (the order the
# collector merges them in), one a line.
he_store_files() {
  find "$1" -maxdepth 1 -type f \( -name 'vtap-w*.pcap' -o -name 'vtap-w*.pcap.lz4' \) -printf '%f\n' |
    LC_ALL=C sort
}

# he_pcaps NAME...: those of ../shared/pcaps/app, failing if one is missing.
he_pcaps() {
  local n
  for n in "$@"; do
    [[ -f $PCAPS/app/$n ]] || e2e_fail "$PCAPS/app/$n is missing (the tests name it)"
    printf '%s\n' "$PCAPS/app/$n"
  done
}

# he_py SCRIPT ARGS...: one of the Python helpers beside this file.
he_py() {
  python3 "$HE_DIR/$1" "${@:2}"
}
