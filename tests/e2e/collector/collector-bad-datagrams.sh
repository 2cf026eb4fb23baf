#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Crafted datagrams into a live collector that accepts only sender
# 127.0.0.1 (--allow) and VNI 42 (--vni), on loopback in a namespace of
# its own. Each kind is sent a different number of times, so a counter
# that took another kind's datagrams would show the wrong number:
#
#   kind                                      times  counter (drop reason)
#   shorter than VXLAN + Ethernet headers       1    dropped.short
#   I flag clear                                2    dropped.no_i_flag
#   from 127.0.0.2 (not allowed)                3    dropped.sender_denied
#   VNI 43 (not accepted)                       4    dropped.vni_denied
#   inner IPv4 total length > bytes present     5    inner_truncated (stored)
#   a good frame                                6    written
#
# The first four are dropped, counted in total, per sender and per VNI,
# live (/api/v1/status, /metrics) and in the summary printed at exit; the
# truncated inner frames are stored as received (a TAP keeps what it
# gets) and counted as inner_truncated. The collector's pcaps hold
# exactly the truncated and the good frames, byte for byte, in order.
set -euo pipefail
source "$(dirname "$0")/clib.sh"
trap ce_cleanup EXIT

ce_init
e2e_need_pcap_cmp
e2e_need python3

e2e_ns COL col
STORE=$E2E_TMP/store
ce_collector collector "$COL" --listen 127.0.0.1:4789 --pcap-dir "$STORE" --workers 1 \
  --allow 127.0.0.1/32 --vni 42 --min-free 0

# The sender: each datagram from its own socket (its own source port),
# one sendto each; expected.pcap gets the frames that must be stored.
ip netns exec "$COL" python3 - "$E2E_TMP/expected.pcap" <<'EOF'
import socket, struct, sys, time

def vxlan(vni, flags=0x08):
    return struct.pack(">B3sI", flags, b"\0\0\0", vni << 8)

eth = bytes.fromhex("0276740000020276740000010800")

def ipv4(total_len, payload):
    # 20-byte header; total_len may claim more than is there
    hdr = struct.pack(">BBHHHBBH4s4s", 0x45, 0, total_len, 1, 0, 64, 17, 0,
                      bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2]))
    return hdr + payload

udp = struct.pack(">HHHH", 1111, 2222, 8 + 18, 0) + b"vtap-e2e-good-data"
good = eth + ipv4(20 + len(udp), udp)                 # 60 bytes, consistent
trunc = eth + ipv4(1000, udp)                         # says 1000, has 46

kinds = [
    ("short", 1, "127.0.0.1", vxlan(42) + eth[:10]),
    ("no_i_flag", 2, "127.0.0.1", vxlan(42, flags=0x00) + good),
    ("sender_denied", 3, "127.0.0.2", vxlan(42) + good),
    ("vni_denied", 4, "127.0.0.1", vxlan(43) + good),
    ("inner_truncated", 5, "127.0.0.1", vxlan(42) + trunc),
    ("good", 6, "127.0.0.1", vxlan(42) + good),
]
stored = []
for name, times, src, dgram in kinds:
    for _ in range(times):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((src, 0))
        assert s.sendto(dgram, ("127.0.0.1", 4789)) == len(dgram)
        s.close()
        if name in ("inner_truncated", "good"):
            stored.append(dgram[8:])
    time.sleep(0.01)

with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
    for i, frame in enumerate(stored):
        f.write(struct.pack("<IIII", i, 0, len(frame), len(frame)) + frame)
EOF

ce_wait_live 10 "$COL" .counters.datagrams 21

# Live: /api/v1/status and /metrics.
ce_api "$COL" /api/v1/status >"$E2E_TMP/status.json" || e2e_fail "no /api/v1/status"
jq '.counters + {senders: .senders, vnis: .vnis}' "$E2E_TMP/status.json" >"$E2E_TMP/live.json"
ce_api "$COL" /metrics >"$E2E_TMP/metrics.txt" || e2e_fail "no /metrics"

# check FILE WHEN: the counters of FILE (the summary's shape).
check() {
  ce_expect_json "$1" .datagrams=21 \
    .dropped.short=1 .dropped.no_i_flag=2 .dropped.sender_denied=3 .dropped.vni_denied=4 \
    .dropped.oversize=0 .dropped_total=10 \
    .frames=11 .inner_truncated=5 .written=11 .write_errors=0 .reserved_bits_set=0 \
    '.senders[] | select(.name == "127.0.0.2") | .datagrams=3' \
    '.senders[] | select(.name == "127.0.0.2") | .dropped.sender_denied=3' \
    '.senders[] | select(.name == "127.0.0.2") | .written=0' \
    '.senders[] | select(.name == "127.0.0.1") | .datagrams=18' \
    '.senders[] | select(.name == "127.0.0.1") | .dropped.short=1' \
    '.senders[] | select(.name == "127.0.0.1") | .dropped.no_i_flag=2' \
    '.senders[] | select(.name == "127.0.0.1") | .dropped.vni_denied=4' \
    '.senders[] | select(.name == "127.0.0.1") | .written=11' \
    '.vnis[] | select(.name == "43") | .dropped.vni_denied=4' \
    '.vnis[] | select(.name == "43") | .written=0' \
    '.vnis[] | select(.name == "42") | .written=11'
  e2e_log "ok: $2: each kind in its own counter, per sender and per VNI too"
}
check "$E2E_TMP/live.json" "/api/v1/status"

metric() {
  awk -v m="$1" '$1 == m { print $2; found = 1 } END { if (!found) print "absent" }' "$E2E_TMP/metrics.txt"
}
bad=()
for spec in 'vtap_dropped_total{reason="short"}=1' 'vtap_dropped_total{reason="no_i_flag"}=2' \
  'vtap_dropped_total{reason="sender_denied"}=3' 'vtap_dropped_total{reason="vni_denied"}=4' \
  'vtap_datagrams_total=21' 'vtap_written_frames_total=11' 'vtap_write_errors_total=0' \
  'vtap_sender_dropped_total{sender="127.0.0.2",reason="sender_denied"}=3' \
  'vtap_vni_dropped_total{vni="43",reason="vni_denied"}=4'; do
  v=$(metric "${spec%=*}")
  [[ $v == "${spec##*=}" ]] || bad+=("${spec%=*} is $v (want ${spec##*=})")
done
((${#bad[@]} == 0)) || e2e_fail "/metrics: ${bad[*]}"
e2e_log "ok: /metrics agrees"

ce_collector_stop collector
check "$E2E_TMP/collector.json" "the summary at exit"
ce_check_store "$STORE" >/dev/null
ce_merge "$STORE" "$E2E_TMP/stored.pcap"
"$PCAP_CMP" "$E2E_TMP/expected.pcap" "$E2E_TMP/stored.pcap" >"$E2E_TMP/cmp.out" || {
  cat "$E2E_TMP/cmp.out"
  e2e_fail "the stored frames are not the 5 truncated and 6 good frames, in order"
}
e2e_log "ok: stored exactly the 5 truncated inner frames as received and the 6 good ones; the 10 refused datagrams are not in the pcaps"
