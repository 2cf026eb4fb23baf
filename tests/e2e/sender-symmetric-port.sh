#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Both directions of an inner flow leave in one outer UDP 5-tuple: every
# datagram of a TCP connection (and of a UDP exchange and an ICMP echo)
# made through the tapped NIC carries the same outer source port, in
# 49152..65535, to port 4789, with the VXLAN header 08 000000 VNI 00 and a
# zero outer UDP checksum (IPv4). tshark decodes the outer datagrams
# captured on the collector's underlay.
#
#   inj: inj0 198.18.1.2 ==(veth)== tap: eth0 198.18.1.1 (mirrored)
#                                   tap: ul0 198.18.0.1 ==(veth, MTU 9000)==
#                                   col: ul0 198.18.0.2, vx0 (VXLAN, VNI 0xabcdef)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
trap cleanup EXIT

e2e_init
e2e_need tcpdump tcpreplay tshark socat ping timeout

VNI=11259375 # 0xabcdef: every byte of the VNI field non-zero
VXLAN_HDR=$(printf '08000000%06x00' "$VNI")

e2e_ns INJ inj
e2e_ns TAP tap
e2e_ns COL col
e2e_veth "$INJ" inj0 "$TAP" eth0 1500
e2e_veth "$TAP" ul0 "$COL" ul0 9000
ip -n "$INJ" addr add 198.18.1.2/24 dev inj0
ip -n "$TAP" addr add 198.18.1.1/24 dev eth0
ip -n "$TAP" addr add 198.18.0.1/24 dev ul0
ip -n "$COL" addr add 198.18.0.2/24 dev ul0
e2e_vxlan "$COL" vx0 "$VNI" 198.18.0.2

e2e_bg "$E2E_TMP/tcp-echo" ip netns exec "$INJ" socat TCP-LISTEN:5001,reuseaddr PIPE
e2e_bg "$E2E_TMP/udp-echo" ip netns exec "$INJ" socat UDP-LISTEN:5002,reuseaddr PIPE
e2e_wait 10 "the echo server to listen" eval "ip netns exec $INJ ss -Htln 'sport = :5001' | grep -q ."

e2e_tcpdump "$COL" ul0 "$E2E_TMP/ul0.pcap" -Q in udp dst port 4789
ul_pid=$E2E_LAST_PID
e2e_sender sender "$TAP" --interface eth0 --destination 198.18.0.2 --vni "$VNI"
e2e_wait_mirroring "$INJ" inj0 "$E2E_TMP/ul0.pcap" "udp[28:2] = $E2E_PROBE_TYPE"

in_tap() {
  ip netns exec "$TAP" timeout 20 "$@"
}
head -c 20000 /dev/urandom >"$E2E_TMP/tcp.in"
in_tap socat -t 5 - TCP:198.18.1.2:5001 <"$E2E_TMP/tcp.in" >"$E2E_TMP/tcp.back"
cmp -s "$E2E_TMP/tcp.in" "$E2E_TMP/tcp.back" || e2e_fail "the TCP echo did not come back whole"
echo "vtap e2e udp" | in_tap socat -t 1 - UDP:198.18.1.2:5002 >"$E2E_TMP/udp.back"
[[ -s $E2E_TMP/udp.back ]] || e2e_fail "the UDP echo did not come back"
in_tap ping -n -q -c 3 -i 0.2 198.18.1.2 >/dev/null
sleep 1
e2e_sender_stop sender
sleep 0.5
e2e_tcpdump_stop "$ul_pid" "$E2E_TMP/ul0.pcap"

# check NAME FILTER: every datagram whose inner frame matches FILTER has one
# outer source port in range, both inner directions appear, and the VXLAN
# header and outer UDP fields are right. Prints the port.
check() {
  local name=$1 filter=$2
  tshark -r "$E2E_TMP/ul0.pcap" -n -Y "vxlan && $filter" -T fields -E occurrence=f \
    -e udp.srcport -e udp.dstport -e udp.checksum -e udp.payload \
    -e ip.src -e ip.dst -e vxlan.vni >"$E2E_TMP/$name.tsv" 2>"$E2E_TMP/$name.tshark.err" ||
    e2e_fail "tshark failed: $(head -n 3 "$E2E_TMP/$name.tshark.err")"
  # Inner addresses: the last occurrence of ip.src/ip.dst.
  tshark -r "$E2E_TMP/ul0.pcap" -n -Y "vxlan && $filter" -T fields -E occurrence=l \
    -e ip.src -e ip.dst >"$E2E_TMP/$name.inner.tsv" 2>/dev/null
  paste "$E2E_TMP/$name.tsv" "$E2E_TMP/$name.inner.tsv" | awk -F '\t' -v hdr="$VXLAN_HDR" -v vni="$VNI" -v name="$name" '
    function fault(msg) { if (++nbad <= 5) bad = bad " packet " n ": " msg ";" }
    {
      n++
      if (port == "") port = $1
      if ($1 != port) fault("source port " $1 ", earlier " port)
      if ($1 < 49152 || $1 > 65535) fault("source port " $1 " out of 49152..65535")
      if ($2 != 4789) fault("destination port " $2)
      if ($3 != "0x0000") fault("outer UDP checksum " $3 ", not 0")
      if (substr($4, 1, 16) != hdr) fault("VXLAN header " substr($4, 1, 16) ", want " hdr)
      if ($7 != vni) fault("tshark reads VNI " $7)
      dir[$8 ">" $9]++
    }
    END {
      if (n == 0) { print name ": no packet"; exit 1 }
      ndir = 0
      for (d in dir) ndir++
      if (ndir != 2) { print name ": " ndir " inner direction(s), want 2"; exit 1 }
      if (nbad > 0) { printf "%s: %d faults:%s%s\n", name, nbad, bad, (nbad > 5 ? " ..." : ""); exit 1 }
      printf "%s: %d packets, both directions, outer source port %s\n", name, n, port
    }' || e2e_fail "$name: the outer datagrams of one flow differ (see above)"
}
check tcp "tcp.port == 5001"
check udp "udp.port == 5002"
check icmp "icmp.type == 0 || icmp.type == 8"
e2e_log "ok"
