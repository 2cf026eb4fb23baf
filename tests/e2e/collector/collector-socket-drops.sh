#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Datagrams the kernel drops before the collector reads them are counted:
# a collector with one worker and the smallest receive buffer (--rcvbuf 64K)
# is stopped (SIGSTOP) while 2000 VXLAN datagrams of ~1 KB arrive on
# loopback, more than its socket can queue; then it goes on (SIGCONT).
#
# Expected, live (/api/v1/status, /metrics) and in the summary at exit:
# kernel_drops > 0 and equal to the socket's own drop count as the kernel
# shows it (/proc/net/udp's last column, `ss -m`'s d...), and
# datagrams + kernel_drops = 2000 sent: nothing vanishes uncounted. (The
# first version read SO_RXQ_OVFL, which reported none of these drops.)
set -euo pipefail
source "$(dirname "$0")/clib.sh"
trap ce_cleanup EXIT

ce_init
e2e_need python3

SENT=2000
e2e_ns COL col
STORE=$E2E_TMP/store
ce_collector collector "$COL" --listen 127.0.0.1:4789 --pcap-dir "$STORE" --workers 1 \
  --rcvbuf 64K --min-free 0

kill -STOP "$COLLECTOR_PID"
ip netns exec "$COL" python3 - "$SENT" <<'EOF'
import socket, struct, sys

eth = bytes.fromhex("0276740000020276740000010800")
payload = b"d" * 1000
udp = struct.pack(">HHHH", 1111, 2222, 8 + len(payload), 0) + payload
ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                 bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2]))
dgram = struct.pack(">B3sI", 0x08, b"\0\0\0", 42 << 8) + eth + ip + udp
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(int(sys.argv[1])):
    assert s.sendto(dgram, ("127.0.0.1", 4789)) == len(dgram)
EOF
# The kernel's count, while the collector is stopped: the drops column of
# the socket bound to port 4789 (12B5 in hex).
kdrops=$(ip netns exec "$COL" awk '$2 ~ /:12B5$/ { print $NF }' /proc/net/udp)
[[ $kdrops =~ ^[0-9]+$ ]] || e2e_fail "no socket on port 4789 in /proc/net/udp"
((kdrops > 0)) || e2e_fail "the kernel dropped nothing: $SENT datagrams fit the queue; the test proves nothing"
kill -CONT "$COLLECTOR_PID"
e2e_log "the kernel dropped $kdrops of $SENT datagrams for the stopped collector"

want=$((SENT - kdrops))
ce_wait_live 10 "$COL" .counters.datagrams "$want"
ce_wait_live 5 "$COL" .counters.kernel_drops "$kdrops"
ce_api "$COL" /api/v1/status >"$E2E_TMP/status.json" || e2e_fail "no /api/v1/status"
ce_expect_json "$E2E_TMP/status.json" ".counters.datagrams=$want" ".counters.kernel_drops=$kdrops"
ce_api "$COL" /metrics >"$E2E_TMP/metrics.txt" || e2e_fail "no /metrics"
m=$(awk '$1 == "vtap_kernel_drops_total" { print $2 }' "$E2E_TMP/metrics.txt")
[[ $m == "$kdrops" ]] || e2e_fail "/metrics vtap_kernel_drops_total is '$m', the kernel says $kdrops"
e2e_log "ok: live: $want datagrams + $kdrops kernel drops = $SENT sent"

ce_collector_stop collector
ce_expect_json "$E2E_TMP/collector.json" ".datagrams=$want" ".kernel_drops=$kdrops"
e2e_log "ok: the summary at exit says the same"
