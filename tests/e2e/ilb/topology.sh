# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# The whole TAP path on one machine, for tests/e2e/ilb/*.sh (sourced):
# a tapped host mirrored by vtap-sender in daemon mode (configured with the
# vtap CLI, the seed's workflow) to the frontend of a kernel load balancer
# (tests/ilb/ilb, kept current by tests/ilb/prober polling /healthz), which
# spreads the VXLAN datagrams over two vtap-collectors.
#
#   INJ  inj0 198.18.1.2 ==(veth, MTU 9000)== TAP eth0 198.18.1.1 (mirrored)
#   TAP  ul0 198.18.2.2 (default via .1) ==(veth, MTU 1500)== ILB ul0 198.18.2.1
#   ILB  lo 198.18.9.1 = FRONTEND (UDP 4789 DNATed by the hash map)
#        br0 198.18.3.1/24 (bridge) -- c1 ==(veth)== COL1 ul0 198.18.3.11
#                                   -- c2 ==(veth)== COL2 ul0 198.18.3.12
#   COLn vtap-collector --listen 0.0.0.0:4789 --probe 0.0.0.0:8081
#        --http 127.0.0.1:8080 --workers 2, pcaps in $E2E_TMP/colN
#
# The tapped host's traffic: captures of ../shared/pcaps/app replayed into
# inj0 (when present), real clients (curl against a small HTTP server on
# the tapped host, ping, a socat TCP exchange) and numbered flows made by
# flowgen.py. Neighbours are static, IPv6 is off and offloads are off on
# the tapped link, so nothing crosses eth0 unasked and every frame is
# wire-sized.
#
# Environment (tests/e2e/ilb/meson.build): VTAP_SENDER, VTAP_CLI,
# VTAP_COLLECTOR, PCAP_CMP, VTAP_PCAPS; VTAP_ILB_DIR (tests/ilb). Optional:
# E2E_ILB_HASH (jhash, symhash or numgen; jhash), E2E_PPS (replay rate).

# shellcheck source=../cli/lib-cli.sh
source "$(dirname "${BASH_SOURCE[0]}")/../cli/lib-cli.sh"

: "${VTAP_ILB_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../ilb" && pwd)}"
ILB_CMD=$VTAP_ILB_DIR/ilb
PROBER_CMD=$VTAP_ILB_DIR/prober
FLOWGEN=$(dirname "${BASH_SOURCE[0]}")/flowgen.py

FRONTEND=198.18.9.1
COL_ADDR=([1]=198.18.3.11 [2]=198.18.3.12)
COL_NS=()     # [1], [2]: the collectors' namespaces
COL_PID=()    # [1], [2]: running collectors
ILB=""        # the load balancer's namespace
PROBER_PID=""
PROBE_PORT=8081
API=127.0.0.1:8080 # each collector's HTTP server, inside its namespace
REPLAY_FILES=()    # set by ilb_replay_files
PPS=${E2E_PPS:-2000}
ILB_HASH=${E2E_ILB_HASH:-jhash} # the ILB's hash: jhash, symhash or numgen

# ilb_init: root, namespaces, the binaries and every tool the tests use.
ilb_init() {
  cli_init
  [[ -n ${VTAP_COLLECTOR:-} ]] || e2e_skip "VTAP_COLLECTOR is not set (run through meson test)"
  [[ -x $VTAP_COLLECTOR ]] || e2e_fail "VTAP_COLLECTOR=$VTAP_COLLECTOR is not an executable"
  [[ -x $ILB_CMD && -x $PROBER_CMD ]] || e2e_fail "no executable ilb and prober in $VTAP_ILB_DIR"
  e2e_need nft conntrack curl jq tcpdump tcpreplay mergecap capinfos socat ping python3 timeout
  ip netns add "$E2E_PFX-nftry"
  if ! ip netns exec "$E2E_PFX-nftry" nft add table ip vtap_try 2>/dev/null; then
    ip netns del "$E2E_PFX-nftry"
    e2e_skip "nftables does not work here (no nf_tables in the kernel?)"
  fi
  ip netns del "$E2E_PFX-nftry"
}

# ilb_topology: the namespaces and links drawn above.
ilb_topology() {
  local i colns
  e2e_ns INJ inj
  e2e_ns TAP tap
  e2e_ns ILB ilb
  e2e_ns colns col1
  COL_NS[1]=$colns
  e2e_ns colns col2
  COL_NS[2]=$colns

  e2e_veth "$INJ" inj0 "$TAP" eth0 9000
  ip -n "$INJ" addr add 198.18.1.2/24 dev inj0
  ip -n "$TAP" addr add 198.18.1.1/24 dev eth0
  ip -n "$INJ" neigh replace 198.18.1.1 lladdr "$(ilb_mac "$TAP" eth0)" dev inj0 nud permanent
  ip -n "$TAP" neigh replace 198.18.1.2 lladdr "$(ilb_mac "$INJ" inj0)" dev eth0 nud permanent
  if command -v ethtool >/dev/null; then
    ip netns exec "$INJ" ethtool -K inj0 tso off gso off gro off >/dev/null 2>&1 || true
    ip netns exec "$TAP" ethtool -K eth0 tso off gso off gro off >/dev/null 2>&1 || true
  fi

  e2e_veth "$TAP" ul0 "$ILB" ul0 1500
  ip -n "$TAP" addr add 198.18.2.2/24 dev ul0
  ip -n "$ILB" addr add 198.18.2.1/24 dev ul0
  ip -n "$TAP" route add default via 198.18.2.1
  ip -n "$ILB" addr add "$FRONTEND/32" dev lo
  ip netns exec "$ILB" sysctl -qw net.ipv4.ip_forward=1

  ip -n "$ILB" link add br0 type bridge
  ip -n "$ILB" link set br0 up
  ip -n "$ILB" addr add 198.18.3.1/24 dev br0
  for i in 1 2; do
    e2e_veth "$ILB" "c$i" "${COL_NS[i]}" ul0 1500
    ip -n "$ILB" link set "c$i" master br0
    ip -n "${COL_NS[i]}" addr add "${COL_ADDR[i]}/24" dev ul0
    ip -n "${COL_NS[i]}" route add default via 198.18.3.1
  done
}

ilb_mac() {
  ip -n "$1" -j link show dev "$2" | jq -r '.[0].address'
}

# ilb_collector N [ARGS...]: start collector N (1 or 2) in its namespace,
# pcaps in $E2E_TMP/colN; returns once it receives. Its stdout (the
# counters at exit) goes to $E2E_TMP/colN.out, stderr to colN.err
# (appended, so a restart keeps the first run's log).
ilb_collector() {
  local n=$1 log=$E2E_TMP/col$1 runs
  shift
  mkdir -p "$E2E_TMP/col$n"
  runs=$(grep -c 'receiving VXLAN on' "$log.err" 2>/dev/null || true)
  ip netns exec "${COL_NS[n]}" "$VTAP_COLLECTOR" --listen 0.0.0.0:4789 \
    --pcap-dir "$E2E_TMP/col$n" --http "$API" --probe "0.0.0.0:$PROBE_PORT" \
    --workers 2 "$@" >>"$log.out" 2>>"$log.err" &
  COL_PID[n]=$!
  E2E_PIDS+=("${COL_PID[n]}")
  e2e_wait 20 "collector $n to start receiving" ilb_collector_started "$n" "$((${runs:-0} + 1))"
}

# ilb_collector_started N RUNS: collector N's log holds RUNS start lines
# (a restart appends to the log).
ilb_collector_started() {
  [[ $(grep -c 'receiving VXLAN on' "$E2E_TMP/col$1.err" 2>/dev/null) -ge $2 ]] && return 0
  e2e_alive "${COL_PID[$1]}" ||
    e2e_fail "collector $1 exited at start: $(tail -n 5 "$E2E_TMP/col$1.err" | tr '\n' ' ')"
  return 1
}

# ilb_collector_stop N: SIGTERM collector N (it closes its files); it must
# exit 0 and print its counters, saved as $E2E_TMP/colN.json.
ilb_collector_stop() {
  local n=$1
  e2e_stop "${COL_PID[n]}" TERM 30
  [[ $E2E_RC -eq 0 ]] ||
    e2e_fail "collector $n exited $E2E_RC on SIGTERM: $(tail -n 5 "$E2E_TMP/col$n.err" | tr '\n' ' ')"
  tail -n 1 "$E2E_TMP/col$n.out" | jq -e 'type == "object"' >/dev/null 2>&1 ||
    e2e_fail "collector $n's last stdout line is not JSON: $(tail -n 1 "$E2E_TMP/col$n.out")"
  tail -n 1 "$E2E_TMP/col$n.out" >"$E2E_TMP/col$n.json"
  COL_PID[n]=""
}

# ilb_forget PID: a process this test reaped itself is no longer stopped
# on exit.
ilb_forget() {
  local p keep=()
  for p in "${E2E_PIDS[@]}"; do
    [[ $p == "$1" ]] || keep+=("$p")
  done
  E2E_PIDS=("${keep[@]}")
}

# ilb_api N PATH [CURL-ARGS...]: PATH from collector N's HTTP server.
ilb_api() {
  local n=$1 path=$2
  shift 2
  ip netns exec "${COL_NS[n]}" curl -sf --max-time 5 "$@" "http://$API$path"
}

# ilb_live N JQ: a value of collector N's /api/v1/status ("" if none).
ilb_live() {
  ilb_api "$1" /api/v1/status 2>/dev/null | jq -r "$2" 2>/dev/null || true
}

# ilb_healthz N: collector N's /healthz as the ILB sees it: "CODE BODY".
ilb_healthz() {
  local body code
  body=$(ip netns exec "$ILB" curl -s --max-time 2 -w '\n%{http_code}' \
    "http://${COL_ADDR[$1]}:$PROBE_PORT/healthz" 2>/dev/null || true)
  code=${body##*$'\n'}
  printf '%s %s\n' "$code" "${body%$'\n'*}"
}

# ilb_balancer: the table (no backend yet) and the prober, which adds the
# backends it finds healthy; returns once both collectors are in.
ilb_balancer() {
  ip netns exec "$ILB" "$ILB_CMD" set --frontend "$FRONTEND" --hash "$ILB_HASH" ||
    e2e_fail "ilb set failed"
  e2e_bg "$E2E_TMP/prober" ip netns exec "$ILB" "$PROBER_CMD" --frontend "$FRONTEND" \
    --hash "$ILB_HASH" --probe-port "$PROBE_PORT" --interval 1 --timeout 0.8 \
    "${COL_ADDR[1]}" "${COL_ADDR[2]}"
  PROBER_PID=$E2E_LAST_PID
  e2e_wait 15 "the prober to put both collectors in" ilb_backends_are "${COL_ADDR[1]}" "${COL_ADDR[2]}"
  e2e_log "ILB $FRONTEND:4789 ($ILB_HASH) -> $(ilb_backends | tr '\n' ' ')"
}

# ilb_backends: the ILB's current backends, one a line.
ilb_backends() {
  ip netns exec "$ILB" "$ILB_CMD" show
}

# ilb_backends_are ADDR...: the ILB's backends are exactly these.
ilb_backends_are() {
  e2e_alive "$PROBER_PID" || e2e_fail "the prober exited: $(tail -n 3 "$E2E_TMP/prober.err" | tr '\n' ' ')"
  [[ $(ilb_backends | sort | tr '\n' ' ') == "$(printf '%s\n' "$@" | sort | tr '\n' ' ')" ]]
}

# ilb_prober_time WHAT ADDR: the time (s since the epoch, ms) of the
# prober's last line "WHAT ADDR" (up/down), or "".
ilb_prober_time() {
  awk -v w="$1" -v a="$2" '$2 == w && $3 == a { t = $1 } END { print t }' "$E2E_TMP/prober.out"
}

# ilb_sender: vtap-sender in daemon mode on the tapped host, configured
# with the CLI (tap create -> nic vtap-config create), mirroring once a
# probe frame sent into eth0 reaches a collector.
ilb_sender() {
  cli_sender sender "$TAP"
  vt_ok -- tap create --name t1 --destination "$FRONTEND" --port 4789 --vni 77
  jq -e '.id == "/taps/t1" and .provisioningState == "Succeeded"' <<<"$CLI_OUT" >/dev/null ||
    e2e_fail "tap create printed $CLI_OUT"
  vt_ok -- nic vtap-config create --nic eth0 --vnet-tap t1 --name c1
  jq -e '.virtualNetworkTap.id == "/taps/t1"' <<<"$CLI_OUT" >/dev/null ||
    e2e_fail "nic vtap-config create printed $CLI_OUT"
  e2e_wait 30 "a probe frame mirrored through the ILB to a collector" ilb_probe_arrives
  e2e_log "mirroring eth0 through the ILB: $(ilb_written 1) + $(ilb_written 2) probe frame(s) stored"
}

ilb_written() {
  local v
  v=$(ilb_live "$1" .counters.written)
  [[ $v =~ ^[0-9]+$ ]] && echo "$v" || echo 0
}

ilb_probe_arrives() {
  ip netns exec "$INJ" tcpreplay -q -i inj0 "$E2E_PROBE" >/dev/null 2>&1 || true
  sleep 0.3
  (($(ilb_written 1) + $(ilb_written 2) > 0))
}

# ilb_sender_status: `vtap status` now, into $E2E_TMP/status.json; fails
# unless the sender mirrors eth0 and dropped nothing for any reason.
ilb_sender_status() {
  vt_ok -- status
  printf '%s\n' "$CLI_OUT" >"$E2E_TMP/status.json"
  jq -e 'length == 1 and .[0].nic == "eth0" and .[0].state == "mirroring"' \
    "$E2E_TMP/status.json" >/dev/null || e2e_fail "vtap status: $CLI_OUT"
  jq -e '.[0].dropped | to_entries | all(.value == 0)' "$E2E_TMP/status.json" >/dev/null ||
    e2e_fail "the sender dropped frames: $(jq -c '.[0].dropped' "$E2E_TMP/status.json")"
}

# ilb_servers: a small HTTP server and a TCP echo on the tapped host.
ilb_servers() {
  # socat splits its address at commas: the exchange is a script of its own
  cat >"$E2E_TMP/httpd.sh" <<'EOF'
read -r line
while read -r h && [ "${#h}" -gt 1 ]; do :; done
printf 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nhello, vtap!\n'
EOF
  e2e_bg "$E2E_TMP/httpd" ip netns exec "$TAP" socat TCP4-LISTEN:8000,fork,reuseaddr \
    EXEC:"sh $E2E_TMP/httpd.sh"
  e2e_bg "$E2E_TMP/echo" ip netns exec "$TAP" socat TCP4-LISTEN:8001,fork,reuseaddr EXEC:cat
  e2e_wait 10 "the servers on the tapped host" ilb_servers_listen
}

ilb_servers_listen() {
  ip netns exec "$TAP" ss -ltn | grep -q ':8000 ' && ip netns exec "$TAP" ss -ltn | grep -q ':8001 '
}

# ilb_clients N: N HTTP requests (one connection each), N echo exchanges
# and N pings from the peer to the tapped host; all must succeed.
ilb_clients() {
  local i body
  for ((i = 1; i <= $1; i++)); do
    body=$(ip netns exec "$INJ" curl -sf --max-time 5 "http://198.18.1.1:8000/req$i") ||
      e2e_fail "curl request $i to the tapped host failed"
    [[ $body == "hello, vtap!" ]] || e2e_fail "curl request $i got '$body'"
    body=$(printf 'echo %d\n' "$i" | ip netns exec "$INJ" timeout 5 socat -t 1 - TCP4:198.18.1.1:8001) ||
      e2e_fail "echo exchange $i with the tapped host failed"
    [[ $body == "echo $i" ]] || e2e_fail "echo exchange $i got '$body'"
  done
  ip netns exec "$INJ" timeout 20 ping -n -q -c "$1" -i 0.05 198.18.1.1 >/dev/null ||
    e2e_fail "ping from the peer to the tapped host failed"
}

# ilb_replay_files: the shared captures that fit the 9000-byte tapped link,
# in REPLAY_FILES; empty (and said) when ../shared/pcaps is absent.
ilb_replay_files() {
  local d=${VTAP_PCAPS:-$(dirname "$0")/../../../../shared/pcaps} f link
  local unsendable="less 13 or greater 9019 or (greater 9015 and not vlan)"
  REPLAY_FILES=()
  if [[ ! -d $d/app ]]; then
    e2e_log "no shared captures at $d: real clients and numbered flows only"
    return 0
  fi
  for f in "$d"/app/*; do
    [[ -f $f ]] || continue
    link=$(capinfos -T -r -E "$f" 2>/dev/null | cut -f 2)
    [[ $link == ether ]] || continue
    if (($(e2e_count "$f" "$unsendable") > 0)); then
      e2e_filter "$f" "$E2E_TMP/$(basename "$f").sendable" "not ($unsendable)"
      f=$E2E_TMP/$(basename "$f").sendable
    fi
    REPLAY_FILES+=("$f")
  done
}

# ilb_replay FILE [PPS]: FILE into inj0 at PPS frames/s (default $PPS);
# fails unless tcpreplay sent every frame.
ilb_replay() {
  local out failed
  out=$(ip netns exec "$INJ" timeout 300 tcpreplay -i inj0 --pps "${2:-$PPS}" "$1" 2>&1) ||
    e2e_fail "tcpreplay $(basename "$1") failed: $(tail -n 3 <<<"$out" | tr '\n' ' ')"
  failed=$(awk '/Failed packets:/ { print $3 }' <<<"$out")
  [[ ${failed:-0} -eq 0 ]] || e2e_fail "tcpreplay $(basename "$1"): $failed frames not sent"
}

# ilb_replay_all: every file of REPLAY_FILES.
ilb_replay_all() {
  local f
  for f in "${REPLAY_FILES[@]}"; do
    ilb_replay "$f"
  done
}

# ilb_flowgen OUT ARGS...: flowgen.py make OUT ARGS.
ilb_flowgen() {
  python3 "$FLOWGEN" make "$@" || e2e_fail "flowgen.py make $* failed"
}

# ilb_dump OUT FILE...: flowgen.py dump of FILEs into OUT.
ilb_dump() {
  local out=$1
  shift
  python3 "$FLOWGEN" dump "$@" >"$out" || e2e_fail "flowgen.py dump $* failed"
}

# ilb_merge N OUT: collector N's closed pcaps merged in time order.
ilb_merge() {
  local n=$1 out=$2 f files=()
  for f in "$E2E_TMP/col$n"/*.pcap; do
    [[ -e $f ]] && files+=("$f")
  done
  if ((${#files[@]} == 0)); then
    printf '\x4d\x3c\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04\x00\x01\x00\x00\x00' >"$out"
    return 0
  fi
  mergecap -F nsecpcap -w "$out" "${files[@]}" || e2e_fail "mergecap failed on collector $n's files"
}

# ilb_left_open N: fail if collector N left a .pcap.part behind.
ilb_left_open() {
  local f
  for f in "$E2E_TMP/col$1"/*.pcap.part; do
    [[ -e $f ]] || continue
    e2e_fail "collector $1 left $(basename "$f") open after it stopped"
  done
}

# ilb_ms T0 T1: T1 - T0 in milliseconds (both in seconds, with decimals).
ilb_ms() {
  awk -v a="$1" -v b="$2" 'BEGIN { printf "%d", (b - a) * 1000 }'
}

ilb_now() {
  local t=$EPOCHREALTIME
  printf '%s' "${t:0:14}"
}
