# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the benchmarks in tests/bench/, sourced by each script: finding
# (or building) the binaries, network namespaces and background processes
# that are removed on exit, counters (per-process CPU, softirq time, sysfs
# link statistics inside a namespace) and the printed table. Benchmarks are
# not tests: nothing here decides pass or fail, it only measures.
#
# Environment:
#   VTAP_BUILD   a meson build directory with sender/ and collector/ built
#                (default: build it from this tree into /tmp/vtap-bench-build)
#   BENCH_TMP    scratch directory for big captures (default /tmp/vtap-bench)
#   BENCH_KEEP=1 keep the per-run directory for a post-mortem

BENCH_NAME=$(basename "$0")
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_SRC=$(cd "$BENCH_DIR/../.." && pwd)
BENCH_PFX="vb$$"
BENCH_PIDS=()
BENCH_RUN=""
BENCH_TMP=${BENCH_TMP:-/tmp/vtap-bench}
HZ=$(getconf CLK_TCK)
trap 'exit 130' INT
trap 'exit 143' TERM

blog() {
  printf '%s: %s\n' "$BENCH_NAME" "$*" >&2
}

bdie() {
  printf '%s: error: %s\n' "$BENCH_NAME" "$*" >&2
  exit 1
}

balive() {
  local s
  [[ -r /proc/$1/stat ]] || return 1
  s=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $s && $s != Z && $s != X ]]
}

bench_cleanup() {
  local pid ns i
  set +e
  for pid in "${BENCH_PIDS[@]}"; do
    balive "$pid" && kill -TERM "$pid" 2>/dev/null
  done
  for pid in "${BENCH_PIDS[@]}"; do
    for ((i = 0; i < 30; i++)); do
      balive "$pid" || break
      sleep 0.1
    done
    balive "$pid" && kill -KILL "$pid" 2>/dev/null
  done
  # bench_ns runs in $(...), a subshell: find this run's namespaces by name.
  for ns in $(ip netns list 2>/dev/null | awk -v p="$BENCH_PFX-" 'index($1, p) == 1 { print $1 }'); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do
      kill -KILL "$pid" 2>/dev/null
    done
    ip netns del "$ns" 2>/dev/null
  done
  if [[ -n $BENCH_RUN && -z ${BENCH_KEEP:-} ]]; then
    mountpoint -q "$BENCH_RUN/tmpfs" && umount "$BENCH_RUN/tmpfs"
    rm -rf "$BENCH_RUN"
  fi
}
trap bench_cleanup EXIT

# bench_need TOOL...: stop with the Debian package to install when a tool
# is missing.
bench_need() {
  local t pkg
  for t in "$@"; do
    command -v "$t" >/dev/null 2>&1 && continue
    case $t in
      trafgen | netsniff-ng) pkg=netsniff-ng ;;
      ndpiReader) pkg=libndpi-bin ;;
      callgrind_annotate) pkg=valgrind ;;
      nft) pkg=nftables ;;
      ip | tc) pkg=iproute2 ;;
      *) pkg=$t ;;
    esac
    bdie "$t not found: apt-get install $pkg (see tests/bench/README.md)"
  done
}

# bench_init: root check, a per-run directory (with a tmpfs at tmpfs/ when
# asked: bench_init tmpfs SIZE), the helper programs and the vtap binaries.
bench_init() {
  [[ $(id -u) -eq 0 ]] || bdie "needs root (network namespaces, raw sockets)"
  mkdir -p "$BENCH_TMP"
  BENCH_RUN=$(mktemp -d "$BENCH_TMP/run.XXXXXX")
  if [[ ${1:-} == tmpfs ]]; then
    mkdir -p "$BENCH_RUN/tmpfs"
    mount -t tmpfs -o "size=${2:-4G}" vtap-bench "$BENCH_RUN/tmpfs"
  fi
  bench_binaries
}

# Finds vtap-sender and vtap-collector (VTAP_BUILD, else builds this tree),
# and builds the helpers. Sets SENDER, COLLECTOR, MKPCAP, PACE.
bench_binaries() {
  local b=${VTAP_BUILD:-}
  if [[ -z $b ]]; then
    b=/tmp/vtap-bench-build
    if [[ ! -d $b ]]; then
      meson setup "$b" "$BENCH_SRC" >"$BENCH_TMP/meson.log" 2>&1 ||
        bdie "meson setup failed: see $BENCH_TMP/meson.log"
    fi
    ninja -C "$b" sender/vtap-sender collector/vtap-collector >"$BENCH_TMP/ninja.log" 2>&1 ||
      bdie "build failed: see $BENCH_TMP/ninja.log"
  fi
  SENDER=$b/sender/vtap-sender
  COLLECTOR=$b/collector/vtap-collector
  [[ -x $SENDER ]] || bdie "$SENDER not built"
  [[ -x $COLLECTOR ]] || bdie "$COLLECTOR not built"
  local t
  for t in mkpcap pace; do
    if [[ ! -x $BENCH_TMP/$t || $BENCH_DIR/$t.c -nt $BENCH_TMP/$t ]]; then
      cc -O2 -Wall -Wextra -o "$BENCH_TMP/$t" "$BENCH_DIR/$t.c" -lpcap ||
        bdie "cannot build $t (gcc, libpcap-dev)"
    fi
  done
  MKPCAP=$BENCH_TMP/mkpcap
  PACE=$BENCH_TMP/pace
}

# bench_ns NAME: a new namespace $BENCH_PFX-NAME (echoed), IPv6 off so that
# no neighbour discovery or MLD frame disturbs a count, loopback up.
bench_ns() {
  local ns=$BENCH_PFX-$1
  ip netns add "$ns" || bdie "cannot create namespace $ns"
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$ns" link set lo up
  echo "$ns"
}

# offloads_off NS DEV: wire-sized frames (no GRO/GSO/TSO merging).
offloads_off() {
  ip netns exec "$1" ethtool -K "$2" gro off gso off tso off lro off \
    tx-checksumming off rx-checksumming off >/dev/null 2>&1 || true
}

# bench_bg NS CMD...: run CMD in namespace NS (or "-" for this one) in the
# background, stopped on exit; sets BG_PID.
bench_bg() {
  local ns=$1
  shift
  if [[ $ns == - ]]; then
    "$@" &
  else
    ip netns exec "$ns" "$@" &
  fi
  BG_PID=$!
  BENCH_PIDS+=("$BG_PID")
}

# bench_stop PID: SIGTERM then wait (bounded), SIGKILL if needed.
bench_stop() {
  local pid=$1 i
  [[ -n $pid ]] || return 0
  balive "$pid" && kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < 50; i++)); do
    balive "$pid" || break
    sleep 0.1
  done
  balive "$pid" && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}

# proc_cpu_ns PID: CPU time of a process (all its threads) in ns, from the
# scheduler's own clock (/proc/PID/task/*/schedstat): exact, where
# utime+stime are sampled by the tick and misjudge a process that a timer
# wakes at tick boundaries (a TPACKET_V3 block timeout, say).
proc_cpu_ns() {
  local f s=0 v
  if [[ $1 == 0 || ! -d /proc/$1/task ]]; then
    echo 0
    return
  fi
  for f in /proc/"$1"/task/*/schedstat; do
    read -r v _ <"$f" 2>/dev/null && s=$((s + v))
  done
  echo "$s"
}

# softirq_ticks: softirq time of all CPUs, in ticks (/proc/stat).
softirq_ticks() {
  awk '$1 == "cpu" { print $8; exit }' /proc/stat
}

# link_stat NS DEV FIELD: one counter of /sys/class/net/DEV/statistics.
link_stat() {
  ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"
}

# now: seconds since the epoch with nanoseconds.
now() {
  date +%s.%N
}

# fdiv A B [DIGITS]: A / B, or "-" when B is zero.
fdiv() {
  awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN { if (b == 0) print "-"; else printf "%.*f\n", d, a / b }'
}

# peak_rss_kb FILE: "Maximum resident set size" from /usr/bin/time -v output.
peak_rss_kb() {
  awk -F': ' '/Maximum resident set size/ { print $2 }' "$1"
}

# elapsed_s FILE: wall clock from /usr/bin/time -v output, in seconds.
elapsed_s() {
  awk -F': ' '/Elapsed \(wall clock\)/ {
    n = split($2, p, ":"); s = 0
    for (i = 1; i <= n; i++) s = s * 60 + p[i]
    print s }' "$1"
}

# bench_header: the machine and versions, printed above each table.
bench_header() {
  printf '# %s, %s\n' "$BENCH_NAME" "$(date -u +%Y-%m-%dT%H:%MZ)"
  printf '# machine: %s cores, %s, kernel %s\n' "$(nproc)" \
    "$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)" "$(uname -r)"
  printf '# load average (1, 5, 15 min): %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
  printf '# vtap %s (%s)\n' "$("$SENDER" --version 2>&1 | head -1)" \
    "$(git -C "$BENCH_SRC" describe --always --dirty 2>/dev/null || echo unknown)"
}
