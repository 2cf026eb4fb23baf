#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The tunnel leaves through the mirrored NIC itself, and the sender does not
# mirror its own datagrams (UDP to the collector's port 4789, and the IP
# fragments of the large ones): the collector receives exactly the frames
# the NIC carried besides the tunnel, byte for byte, none of them a VXLAN
# datagram or a fragment of one, and their number stops growing when the
# traffic stops. Some mirrored frames are larger than the MTU, so the tunnel
# itself is fragmented on the NIC it watches.
#
#   tap: eth0 198.18.0.1 (mirrored) ==(veth, MTU 1500)== col: ceth0
#        198.18.0.2 (the VXLAN endpoint, vx0 VNI 9) and 198.18.0.3 (a peer)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
trap cleanup EXIT

e2e_init
e2e_need_pcap_cmp
e2e_need tcpdump tcpreplay capinfos jq socat ping timeout

VNI=9
COLLECTOR=198.18.0.2
PEER=198.18.0.3
TUNNEL="ip dst $COLLECTOR and (udp dst port 4789 or ip[6:2] & 0x1fff != 0)"

e2e_ns TAP tap
e2e_ns COL col
e2e_veth "$TAP" eth0 "$COL" ceth0 1500
ip -n "$TAP" addr add 198.18.0.1/24 dev eth0
ip -n "$COL" addr add "$COLLECTOR/24" dev ceth0
ip -n "$COL" addr add "$PEER/24" dev ceth0
e2e_vxlan "$COL" vx0 "$VNI" "$COLLECTOR"

e2e_bg "$E2E_TMP/tcp-echo" ip netns exec "$COL" socat TCP-LISTEN:5001,bind="$PEER",reuseaddr PIPE
e2e_bg "$E2E_TMP/udp-sink" ip netns exec "$COL" socat -u UDP-RECV:5002,bind="$PEER" OPEN:/dev/null
e2e_wait 10 "the echo server to listen" eval "ip netns exec $COL ss -Htln 'sport = :5001' | grep -q ."

e2e_tcpdump "$COL" vx0 "$E2E_TMP/vx0.pcap" -Q in
vx_pid=$E2E_LAST_PID
# The NIC as the sender sees it, all of it, and without the tunnel; from
# before the sender starts, as its first datagram makes eth0 ARP for the
# collector. Probe frames (which tell when mirroring began) left out.
e2e_tcpdump "$TAP" eth0 "$E2E_TMP/wire.pcap" not ether proto "$E2E_PROBE_TYPE"
wire_pid=$E2E_LAST_PID
e2e_tcpdump "$TAP" eth0 "$E2E_TMP/eth0.pcap" not ether proto "$E2E_PROBE_TYPE" and not "($TUNNEL)"
eth0_pid=$E2E_LAST_PID
e2e_sender sender "$TAP" --interface eth0 --destination "$COLLECTOR" --vni "$VNI"
e2e_wait_mirroring "$COL" ceth0 "$E2E_TMP/vx0.pcap"

in_tap() {
  ip netns exec "$TAP" timeout 20 "$@"
}
in_tap ping -n -q -c 5 -i 0.1 "$PEER" >/dev/null
in_tap ping -n -q -c 3 -i 0.1 -s 3000 "$PEER" >/dev/null
in_tap ping -n -q -c 2 -i 0.1 "$COLLECTOR" >/dev/null
for size in 1 1472 4000; do
  head -c "$size" /dev/urandom | in_tap socat -u - UDP-SENDTO:"$PEER":5002
  head -c "$size" /dev/urandom | in_tap socat -u - UDP-SENDTO:"$PEER":5003
done
head -c 20000 /dev/urandom >"$E2E_TMP/tcp.in"
in_tap socat -t 5 - TCP:"$PEER":5001 <"$E2E_TMP/tcp.in" >"$E2E_TMP/tcp.back"
cmp -s "$E2E_TMP/tcp.in" "$E2E_TMP/tcp.back" || e2e_fail "the TCP echo did not come back whole"
sleep 1
e2e_tcpdump_stop "$eth0_pid" "$E2E_TMP/eth0.pcap"
read -r _ frames bytes < <(capinfos -M -T -r -c -d "$E2E_TMP/eth0.pcap")
e2e_wait_count 30 "$E2E_TMP/vx0.pcap" "$frames" not ether proto "$E2E_PROBE_TYPE"

# No growth: with the traffic over, the collector's count stays put.
before=$(e2e_count "$E2E_TMP/vx0.pcap")
sleep 2
after=$(e2e_count "$E2E_TMP/vx0.pcap")
e2e_sender_stop sender
sleep 0.5
e2e_tcpdump_stop "$wire_pid" "$E2E_TMP/wire.pcap"
e2e_tcpdump_stop "$vx_pid" "$E2E_TMP/vx0.pcap"
((before == after)) || e2e_fail "the collector kept receiving after the traffic stopped: $before, then $after frames 2 s later"

probes=$(e2e_count "$E2E_TMP/vx0.pcap" ether proto "$E2E_PROBE_TYPE")
e2e_filter "$E2E_TMP/vx0.pcap" "$E2E_TMP/mirrored.pcap" not ether proto "$E2E_PROBE_TYPE"
looped=$(e2e_count "$E2E_TMP/mirrored.pcap" "udp port 4789 or ($TUNNEL) or (ip dst $COLLECTOR and ip[6:2] & 0x2000 != 0)")
((looped == 0)) || e2e_fail "$looped mirrored frames are the sender's own tunnel traffic"
mirrored=$(e2e_count "$E2E_TMP/mirrored.pcap")
((mirrored == frames)) || e2e_fail "eth0 carried $frames frames besides the tunnel, the collector got $mirrored"
e2e_same_frames "$E2E_TMP/eth0.pcap" "$E2E_TMP/mirrored.pcap" ||
  e2e_fail "the collector's frames are not eth0's (sender stderr: $(tail -n 3 "$E2E_TMP/sender.err" | tr '\n' ' '))"
# One datagram on the wire per mirrored frame: the sender sent nothing
# about its own datagrams.
tunnel=$(e2e_count "$E2E_TMP/wire.pcap" "ip dst $COLLECTOR and udp dst port 4789 and not udp[28:2] = $E2E_PROBE_TYPE")
frag_frames=$(e2e_count "$E2E_TMP/wire.pcap" "ip dst $COLLECTOR and ip[6:2] & 0x1fff != 0")
((tunnel == frames)) || e2e_fail "the sender sent $tunnel datagrams on eth0 for $frames frames"
e2e_check_counters "$E2E_TMP/sender.out" $((frames + probes)) $((bytes + probes * 60))
e2e_log "ok: $frames frames mirrored once each, none looped, no growth; the tunnel was $tunnel datagrams (+$frag_frames non-first fragments) on the mirrored NIC itself"
