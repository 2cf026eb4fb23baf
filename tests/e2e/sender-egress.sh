#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Traffic the tapped host itself sends (and the replies it gets) is mirrored
# byte for byte: tcpdump on the tapped NIC and the collector's VXLAN device
# hold the same frames. The traffic: ARP, ICMP echo (small, and large enough
# to be IP-fragmented on the NIC), UDP to an open and to a closed port (ICMP
# port unreachable comes back), a 4000-byte UDP datagram, a TCP echo of
# 30000 bytes (segmentation offload makes some frames far larger than the
# MTU: they must arrive whole). SIGUSR1 prints the counters and the sender
# goes on; they are exact on SIGUSR1 and at exit.
#
#   inj: inj0 198.18.1.2 ==(veth)== tap: eth0 198.18.1.1 (mirrored)
#                                   tap: ul0 198.18.0.1 ==(veth, MTU 1500)==
#                                   col: ul0 198.18.0.2, vx0 (VXLAN, VNI 77)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
trap cleanup EXIT

e2e_init
e2e_need_pcap_cmp
e2e_need tcpdump tcpreplay capinfos jq socat ping timeout

VNI=77
TCP_BYTES=30000

e2e_ns INJ inj
e2e_ns TAP tap
e2e_ns COL col
e2e_veth "$INJ" inj0 "$TAP" eth0 1500
e2e_veth "$TAP" ul0 "$COL" ul0 1500
ip -n "$INJ" addr add 198.18.1.2/24 dev inj0
ip -n "$TAP" addr add 198.18.1.1/24 dev eth0
ip -n "$TAP" addr add 198.18.0.1/24 dev ul0
ip -n "$COL" addr add 198.18.0.2/24 dev ul0
e2e_vxlan "$COL" vx0 "$VNI" 198.18.0.2
eth0_mac=$(ip netns exec "$TAP" cat /sys/class/net/eth0/address)

# Servers on the far side: a TCP echo and a UDP sink.
e2e_bg "$E2E_TMP/tcp-echo" ip netns exec "$INJ" socat TCP-LISTEN:5001,reuseaddr PIPE
e2e_bg "$E2E_TMP/udp-sink" ip netns exec "$INJ" socat -u UDP-RECV:5002 OPEN:/dev/null
e2e_wait 10 "the echo server to listen" eval "ip netns exec $INJ ss -Htln 'sport = :5001' | grep -q ."

e2e_tcpdump "$COL" vx0 "$E2E_TMP/vx0.pcap" -Q in
vx_pid=$E2E_LAST_PID
# The reference: eth0 as the sender sees it, less the probe frames that
# tell when mirroring began, and less the tunnel (which takes ul0 here, so
# the sender would exclude it from eth0 anyway).
e2e_tcpdump "$TAP" eth0 "$E2E_TMP/eth0.pcap" not ether proto "$E2E_PROBE_TYPE" \
  and not "(ip dst 198.18.0.2 and (udp dst port 4789 or ip[6:2] & 0x1fff != 0))"
eth0_pid=$E2E_LAST_PID
e2e_sender sender "$TAP" --interface eth0 --destination 198.18.0.2 --vni "$VNI"
e2e_wait_mirroring "$INJ" inj0 "$E2E_TMP/vx0.pcap"

in_tap() {
  ip netns exec "$TAP" timeout 20 "$@"
}
in_tap ping -n -q -c 3 -i 0.2 198.18.1.2 >/dev/null
in_tap ping -n -q -c 2 -i 0.2 -s 3000 198.18.1.2 >/dev/null
for size in 1 100 1472 4000; do
  head -c "$size" /dev/urandom | in_tap socat -u - UDP-SENDTO:198.18.1.2:5002
  head -c "$size" /dev/urandom | in_tap socat -u - UDP-SENDTO:198.18.1.2:5003
  sleep 0.1
done
head -c "$TCP_BYTES" /dev/urandom >"$E2E_TMP/tcp.in"
in_tap socat -t 5 - TCP:198.18.1.2:5001 <"$E2E_TMP/tcp.in" >"$E2E_TMP/tcp.back"
cmp -s "$E2E_TMP/tcp.in" "$E2E_TMP/tcp.back" || e2e_fail "the TCP echo did not come back whole"
sleep 1
e2e_tcpdump_stop "$eth0_pid" "$E2E_TMP/eth0.pcap"

read -r _ frames bytes < <(capinfos -M -T -r -c -d "$E2E_TMP/eth0.pcap")
out=$(e2e_count "$E2E_TMP/eth0.pcap" ether src "$eth0_mac")
in=$(e2e_count "$E2E_TMP/eth0.pcap" not ether src "$eth0_mac")
((out > 0 && in > 0)) || e2e_fail "expected traffic both ways on eth0, saw $out out and $in in"
big=$(e2e_count "$E2E_TMP/eth0.pcap" greater 1515)
e2e_wait_count 30 "$E2E_TMP/vx0.pcap" "$frames" not ether proto "$E2E_PROBE_TYPE"
# SIGUSR1: one JSON line of counters, and the sender goes on.
kill -USR1 "$SENDER_PID"
e2e_wait_file "$E2E_TMP/sender.out" 10
sleep 0.2
if [[ $(wc -l <"$E2E_TMP/sender.out") -ne 1 ]] || ! e2e_alive "$SENDER_PID"; then
  e2e_fail "on SIGUSR1 the sender should print one line and go on; stdout: '$(cat "$E2E_TMP/sender.out")'"
fi
e2e_counters_ok "$E2E_TMP/sender.out"
cp "$E2E_TMP/sender.out" "$E2E_TMP/usr1.out"
e2e_sender_stop sender
sleep 0.5
e2e_tcpdump_stop "$vx_pid" "$E2E_TMP/vx0.pcap"

probes=$(e2e_count "$E2E_TMP/vx0.pcap" ether proto "$E2E_PROBE_TYPE")
e2e_filter "$E2E_TMP/vx0.pcap" "$E2E_TMP/mirrored.pcap" not ether proto "$E2E_PROBE_TYPE"
e2e_same_frames "$E2E_TMP/eth0.pcap" "$E2E_TMP/mirrored.pcap" ||
  e2e_fail "the collector's frames are not eth0's (sender stderr: $(tail -n 3 "$E2E_TMP/sender.err" | tr '\n' ' '))"
e2e_check_counters "$E2E_TMP/usr1.out" $((frames + probes)) $((bytes + probes * 60))
e2e_check_counters "$E2E_TMP/sender.out" $((frames + probes)) $((bytes + probes * 60))
e2e_log "ok: $frames frames ($out sent by eth0, $in received, $big larger than 1514 bytes) mirrored byte for byte; counters: $(tail -n 1 "$E2E_TMP/sender.out")"
