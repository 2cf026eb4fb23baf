# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the end-to-end tests, sourced by tests/e2e/sender-*.sh: skip
# and fail, network namespaces and veth pairs that are deleted on exit,
# background processes that are stopped on exit, bounded waits, tcpdump
# started and known to be capturing, and a probe frame that tells when the
# sender is mirroring. Every wait is bounded in both tries and seconds.
#
# Environment (set by tests/e2e/meson.build): VTAP_SENDER, PCAP_CMP,
# VTAP_PCAPS (../shared/pcaps beside the source tree). E2E_KEEP=1 keeps the
# temporary directory (captures, logs) for a post-mortem.

E2E_NAME=$(basename "$0" .sh)
# Without these, a test stopped by a signal (meson's timeout) would skip its
# EXIT trap and leave its namespaces behind.
trap 'exit 130' INT
trap 'exit 143' TERM
E2E_PFX="vt$$"         # prefix of every namespace this run creates
E2E_NSES=()            # namespaces to delete on exit
E2E_PIDS=()            # background processes to stop on exit
E2E_TMP=""             # temporary directory, removed on exit
E2E_LAST_PID=""        # set by e2e_bg
E2E_RC=0               # set by e2e_stop: the stopped process's exit status
E2E_PROBE=""           # a one-frame pcap, made by e2e_init
SENDER_PID=""          # set by e2e_sender
SENDER_NAME=""
PCAPS=""              # set by e2e_need_pcaps
# The probe's ethertype (IEEE local experimental 1): no capture uses it.
E2E_PROBE_TYPE=0x88b5

e2e_log() {
  printf '%s: %s\n' "$E2E_NAME" "$*"
}

# Exit 77, which meson reports as skipped, with a one-line reason.
e2e_skip() {
  printf 'SKIP: %s: %s\n' "$E2E_NAME" "$*"
  exit 77
}

e2e_fail() {
  printf 'FAIL: %s: %s\n' "$E2E_NAME" "$*"
  exit 1
}

# e2e_need TOOL...: skip unless every tool is on PATH.
e2e_need() {
  local t
  for t in "$@"; do
    command -v "$t" >/dev/null 2>&1 || e2e_skip "$t not found (the Debian packages are listed in tests/e2e/meson.build)"
  done
}

# Is PID alive (and not a zombie)?
e2e_alive() {
  local state
  [[ -r /proc/$1/stat ]] || return 1
  state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z && $state != X ]]
}

cleanup() {
  local rc=$? pid ns i
  set +e
  for pid in "${E2E_PIDS[@]}"; do
    e2e_alive "$pid" && kill -TERM "$pid" 2>/dev/null
  done
  for pid in "${E2E_PIDS[@]}"; do
    for ((i = 0; i < 30; i++)); do
      e2e_alive "$pid" || break
      sleep 0.1
    done
    e2e_alive "$pid" && kill -KILL "$pid" 2>/dev/null
  done
  for ns in "${E2E_NSES[@]}"; do
    # Whatever still runs inside a namespace this test made is its own
    # (a forked socat child, say): end it by id.
    for pid in $(ip netns pids "$ns" 2>/dev/null); do
      kill -KILL "$pid" 2>/dev/null
    done
    ip netns del "$ns" 2>/dev/null
  done
  if [[ -n $E2E_TMP && -d $E2E_TMP ]]; then
    if [[ ${E2E_KEEP:-0} == 1 || ($rc -ne 0 && $rc -ne 77 && ${E2E_KEEP_ON_FAIL:-0} == 1) ]]; then
      printf '%s: kept %s\n' "$E2E_NAME" "$E2E_TMP"
    else
      rm -rf -- "$E2E_TMP"
    fi
  fi
  return "$rc"
}

# e2e_init: skip unless root, with ip(8), namespaces and the sender binary;
# make the temporary directory and the probe frame.
e2e_init() {
  [[ $(id -u) -eq 0 ]] || e2e_skip "needs root (network namespaces)"
  e2e_need ip awk
  [[ -n ${VTAP_SENDER:-} ]] || e2e_skip "VTAP_SENDER is not set (run through meson test)"
  [[ -x $VTAP_SENDER ]] || e2e_fail "VTAP_SENDER=$VTAP_SENDER is not an executable"
  ip netns add "$E2E_PFX-try" 2>/dev/null || e2e_skip "cannot create a network namespace here"
  ip netns del "$E2E_PFX-try"
  E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/vtap-$E2E_NAME.XXXXXX")
  E2E_PROBE=$E2E_TMP/probe.pcap
  e2e_make_probe "$E2E_PROBE"
}

# e2e_need_pcap_cmp: fail unless PCAP_CMP is set and runs.
e2e_need_pcap_cmp() {
  [[ -n ${PCAP_CMP:-} ]] || e2e_skip "PCAP_CMP is not set (run through meson test)"
  [[ -x $PCAP_CMP ]] || e2e_fail "PCAP_CMP=$PCAP_CMP is not an executable"
}

# e2e_need_pcaps: skip unless the shared captures exist; sets PCAPS.
e2e_need_pcaps() {
  local d=${VTAP_PCAPS:-$(dirname "$0")/../../../shared/pcaps}
  [[ -d $d/app ]] || e2e_skip "no shared captures at $d"
  # shellcheck disable=SC2034 # read by the tests
  PCAPS=$(cd "$d" && pwd -P)
}

# e2e_ns VAR SUFFIX: create namespace $E2E_PFX-SUFFIX (loopback up, IPv6
# off, so nothing speaks unasked) and store its name in VAR.
e2e_ns() {
  local ns="$E2E_PFX-$2"
  ip netns add "$ns"
  E2E_NSES+=("$ns")
  # /proc/sys/net is the reading process's namespace's.
  ip netns exec "$ns" bash -c 'for c in all default; do
      f=/proc/sys/net/ipv6/conf/$c/disable_ipv6
      [[ ! -e $f ]] || echo 1 >"$f"
    done'
  ip -n "$ns" link set lo up
  printf -v "$1" '%s' "$ns"
}

# e2e_veth NS1 IF1 NS2 IF2 MTU: a veth pair between two namespaces, up.
e2e_veth() {
  ip -n "$1" link add "$2" mtu "$5" type veth peer name "$4" mtu "$5" netns "$3"
  ip -n "$1" link set "$2" up
  ip -n "$3" link set "$4" up
}

# e2e_vxlan NS DEV VNI LOCAL: the collector, a kernel VXLAN device on UDP
# 4789. No learning and no ARP: it must only ever receive, or its replies
# to mirrored frames would become traffic of their own.
e2e_vxlan() {
  ip -n "$1" link add "$2" type vxlan id "$3" dstport 4789 local "$4" nolearning \
    || e2e_skip "cannot create a kernel VXLAN device"
  ip -n "$1" link set "$2" mtu 9000 arp off up
}

# e2e_bg PREFIX CMD...: run CMD in the background, stdout to PREFIX.out,
# stderr to PREFIX.err; its pid in E2E_LAST_PID, stopped on exit.
e2e_bg() {
  "${@:2}" >"$1.out" 2>"$1.err" &
  E2E_LAST_PID=$!
  E2E_PIDS+=("$E2E_LAST_PID")
}

# e2e_stop PID [SIGNAL] [SECONDS]: signal PID (TERM by default), wait for it
# (10 s by default, then KILL); its exit status in E2E_RC.
e2e_stop() {
  local pid=$1 sig=${2:-TERM} secs=${3:-10} i p keep=()
  kill -s "$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < secs * 10; i++)); do
    e2e_alive "$pid" || break
    sleep 0.1
  done
  if e2e_alive "$pid"; then
    e2e_log "pid $pid ignored SIG$sig for $secs s: killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  E2E_RC=0
  wait "$pid" 2>/dev/null || E2E_RC=$?
  for p in "${E2E_PIDS[@]}"; do
    [[ $p == "$pid" ]] || keep+=("$p")
  done
  E2E_PIDS=("${keep[@]}")
}

# e2e_wait SECONDS WHAT CMD...: poll CMD every 0.1 s until it succeeds;
# fail naming WHAT after SECONDS (or that many tries times ten).
e2e_wait() {
  local secs=$1 what=$2 i end=$((SECONDS + $1 + 1))
  shift 2
  for ((i = 0; i < secs * 10; i++)); do
    "$@" && return 0
    ((SECONDS < end)) || break
    sleep 0.1
  done
  "$@" && return 0
  e2e_fail "timed out after $secs s waiting for $what"
}

# e2e_wait_file FILE [SECONDS]: wait until FILE exists and is not empty.
e2e_wait_file() {
  e2e_wait "${2:-10}" "$1" test -s "$1"
}

# e2e_wait_exit PID [SECONDS]: wait until PID has ended; E2E_RC as e2e_stop.
e2e_wait_exit() {
  e2e_wait "${2:-30}" "pid $1 to exit" eval "! e2e_alive $1"
  e2e_stop "$1"
}

e2e_grep_q() {
  grep -q -- "$1" "$2" 2>/dev/null
}

# e2e_tcpdump NS IFACE FILE [OPTIONS...] [FILTER...]: capture into FILE
# (whole frames, written packet by packet) and return once tcpdump says it
# is listening, i.e. its socket is bound and filtered. Pid in E2E_LAST_PID.
e2e_tcpdump() {
  local ns=$1 ifc=$2 file=$3
  shift 3
  # Not --immediate-mode: it gives every packet a slot of the snap length,
  # so a burst of replay mode overflows the ring.
  e2e_bg "$file" ip netns exec "$ns" tcpdump -i "$ifc" -n -U -s 0 -B 16384 -Z root -w "$file" "$@"
  e2e_wait 30 "tcpdump on $ns/$ifc to listen" e2e_listening "$file.err" "$E2E_LAST_PID"
}

e2e_listening() {
  e2e_grep_q 'listening on' "$1" && return 0
  e2e_alive "$2" || e2e_fail "tcpdump exited before capturing: $(tr '\n' ' ' <"$1")"
  return 1
}

# e2e_tcpdump_stop PID FILE: stop a capture (flushing it) and fail unless
# it wrote every packet its filter passed: a check on a capture with holes
# would be meaningless.
e2e_tcpdump_stop() {
  local captured received dropped
  e2e_stop "$1" INT
  captured=$(awk '/packets? captured/ { print $1 }' "$2.err")
  received=$(awk '/packets? received by filter/ { print $1 }' "$2.err")
  dropped=$(awk '/packets? dropped by kernel/ { print $1 }' "$2.err")
  [[ -n $captured && $captured == "$received" && $dropped -eq 0 ]] ||
    e2e_fail "tcpdump into $2 did not write all it saw: $(tr '\n' ' ' <"$2.err")"
}

# e2e_count FILE [FILTER...]: number of packets in FILE matching FILTER
# (FILE may still be being written).
e2e_count() {
  local f=$1
  shift
  { tcpdump -Z root --count -r "$f" "$@" 2>/dev/null || true; } | awk '/ packets?$/ { n = $1 } END { print n + 0 }'
}

# e2e_filter IN OUT FILTER...: copy the packets of IN that match FILTER.
e2e_filter() {
  local in=$1 out=$2
  shift 2
  tcpdump -Z root -r "$in" -w "$out" "$@" 2>/dev/null || e2e_fail "cannot filter $in"
}

# e2e_make_probe FILE: a pcap holding one 60-byte frame of ethertype
# E2E_PROBE_TYPE between two locally administered MAC addresses.
e2e_make_probe() {
  {
    printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x01\x00\x00\x00'
    printf '\x00\x00\x00\x00\x00\x00\x00\x00\x3c\x00\x00\x00\x3c\x00\x00\x00'
    printf '\x02\x76\x74\x00\x00\x02\x02\x76\x74\x00\x00\x01\x88\xb5'
    printf 'vtap-e2e-probe'
    head -c 32 /dev/zero
  } >"$1"
}

# e2e_wait_mirroring NS IFACE CAPFILE [FILTER...]: the sender's capture is
# set up once a probe frame sent into IFACE (in NS) shows up in CAPFILE.
# FILTER matches a probe in CAPFILE (default: by its ethertype, for a
# capture of inner frames). Sends at most 100 probes over at most ~30 s.
e2e_wait_mirroring() {
  local ns=$1 ifc=$2 cap=$3 i end=$((SECONDS + 30))
  shift 3
  (($# > 0)) || set -- ether proto "$E2E_PROBE_TYPE"
  for ((i = 0; i < 100 && SECONDS < end; i++)); do
    e2e_alive "$SENDER_PID" ||
      e2e_fail "vtap-sender died at start: $(tr '\n' ' ' <"$E2E_TMP/$SENDER_NAME.err")"
    ip netns exec "$ns" tcpreplay -q -i "$ifc" "$E2E_PROBE" >/dev/null 2>&1 || true
    sleep 0.2
    if (($(e2e_count "$cap" "$@") > 0)); then
      return 0
    fi
  done
  e2e_fail "the sender mirrored none of $i probe frames within 30 s (its stderr: $(tail -n 3 "$E2E_TMP/$SENDER_NAME.err" | tr '\n' ' '))"
}

# e2e_wait_count SECONDS FILE N FILTER...: wait until FILE holds at least N
# packets matching FILTER, then one more second for stragglers.
e2e_wait_count() {
  local secs=$1 file=$2 n=$3 i have=0
  shift 3
  for ((i = 0; i < secs * 4; i++)); do
    have=$(e2e_count "$file" "$@")
    ((have < n)) || break
    sleep 0.25
  done
  sleep 1
}

# e2e_sender NAME NS ARGS...: start the sender in NS; stdout (the counters)
# in $E2E_TMP/NAME.out, stderr in NAME.err; pid in SENDER_PID.
e2e_sender() {
  local name=$1 ns=$2
  shift 2
  e2e_bg "$E2E_TMP/$name" ip netns exec "$ns" "$VTAP_SENDER" "$@"
  SENDER_PID=$E2E_LAST_PID
  SENDER_NAME=$name
}

# e2e_sender_stop NAME: SIGTERM the sender started as NAME, expect exit 0
# and a JSON counters line as the last line of its stdout.
e2e_sender_stop() {
  e2e_stop "$SENDER_PID" TERM 10
  [[ $E2E_RC -eq 0 ]] || e2e_fail "vtap-sender exited $E2E_RC on SIGTERM; stderr: $(tr '\n' ' ' <"$E2E_TMP/$1.err")"
  e2e_counters_ok "$E2E_TMP/$1.out"
}

e2e_counters_ok() {
  tail -n 1 "$1" | jq -e 'type == "object"' >/dev/null 2>&1 ||
    e2e_fail "the last line of the sender's stdout is not a JSON object: '$(tail -n 1 "$1")'"
}

# e2e_counter FILE JQ-PATH: one counter from the last line of FILE.
e2e_counter() {
  tail -n 1 "$1" | jq -r "$2"
}

# e2e_check_counters FILE FRAMES [BYTES]: the sender captured and sent
# exactly FRAMES frames (BYTES bytes of frames), truncated none, dropped
# none for any reason and never saw its interface go down.
e2e_check_counters() {
  local file=$1 frames=$2 bytes=${3:-} bad=() k v
  local -A want=(
    [.captured]=$frames [.sent]=$frames [.truncated]=0 [.interface_down]=0
    [.dropped.kernel]=0 [.dropped.socket_full]=0 [.dropped.oversize]=0
    [.dropped.budget]=0 [.dropped.send_error]=0
  )
  [[ -z $bytes ]] || want[.captured_bytes]=$bytes
  for k in "${!want[@]}"; do
    v=$(e2e_counter "$file" "$k")
    [[ $v == "${want[$k]}" ]] || bad+=("$k=$v (want ${want[$k]})")
  done
  if ((${#bad[@]} > 0)); then
    e2e_fail "sender counters: ${bad[*]}; line: $(tail -n 1 "$file")"
  fi
  v=$(e2e_counter "$file" .sent_bytes)
  [[ -z $bytes || $v -ge $bytes ]] || e2e_fail "sender counters: sent_bytes=$v < captured_bytes $bytes"
}

# e2e_frames_hex FILE: one line of hex per frame, for an order-blind check.
e2e_frames_hex() {
  { tcpdump -Z root -r "$1" -n -xx 2>/dev/null || true; } |
    awk '/^[^\t ]/ { if (f != "") print f; f = ""; next }
         { for (i = 2; i <= NF; i++) f = f $i }
         END { if (f != "") print f }'
}

# e2e_same_frames EXPECTED ACTUAL: the same frames byte for byte, in order;
# if only the order differs (two directions captured on two CPUs), say so
# and accept it. Prints pcap-cmp's report either way.
e2e_same_frames() {
  local out
  if out=$("$PCAP_CMP" "$1" "$2"); then
    printf '%s\n' "$out"
    return 0
  fi
  printf '%s\n' "$out"
  if diff -q <(e2e_frames_hex "$1" | sort) <(e2e_frames_hex "$2" | sort) >/dev/null; then
    e2e_log "the same frames, in a different order (two directions interleave differently on two CPUs): accepted"
    return 0
  fi
  return 1
}
