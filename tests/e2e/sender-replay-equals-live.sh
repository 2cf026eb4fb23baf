#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Replay mode (--read FILE) sends what direct mode sends for the same frames:
# a few captures of ../shared/pcaps/app are mirrored once live (tcpreplay
# into the tapped NIC) and once read from the file; the outer datagrams
# captured at the collector have the same UDP ports and payload (VXLAN
# header and frame), in the same order. The underlay MTU is large, so there
# are no outer fragments to compare.
#
#   inj: inj0 ==(veth, MTU 9000)== tap: eth0 (no IP, mirrored)
#                                  tap: ul0 198.18.0.1 ==(veth, MTU 9000)==
#                                  col: ul0 198.18.0.2, vx0 (VXLAN, VNI 4711)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
trap cleanup EXIT

e2e_init
e2e_need_pcaps
e2e_need_pcap_cmp
e2e_need tcpdump tcpreplay capinfos jq timeout

VNI=4711
# QinQ + PPPoE, pcapng, 802.1Q, IPv6 and frames over 1514 bytes, IPv6
# fragments, IPv4 fragments, plain TCP and QUIC.
CHOICE=(dns.pcap http.pcapng rdp2.pcap tls_ech.pcapng dns_fragmented.pcap
  ip_fragmented_garbage.pcap 443-opvn.pcap quic-29.pcap)
NOT_PROBE="not udp[28:2] = $E2E_PROBE_TYPE"

files=()
frames=0
for name in "${CHOICE[@]}"; do
  f=$PCAPS/app/$name
  if [[ ! -f $f ]]; then
    e2e_log "skipping $name: not in $PCAPS/app"
    continue
  fi
  link=$(capinfos -T -r -E "$f" 2>/dev/null | cut -f 2)
  if [[ $link != ether ]]; then
    e2e_log "skipping $name: link type '$link' is not Ethernet"
    continue
  fi
  files+=("$f")
  frames=$((frames + $(capinfos -M -T -r -c "$f" | cut -f 2)))
done
((${#files[@]} > 0)) || e2e_skip "none of the chosen captures is in $PCAPS/app"

e2e_ns INJ inj
e2e_ns TAP tap
e2e_ns COL col
e2e_veth "$INJ" inj0 "$TAP" eth0 9000
e2e_veth "$TAP" ul0 "$COL" ul0 9000
ip -n "$TAP" link set eth0 arp off
ip -n "$TAP" addr add 198.18.0.1/24 dev ul0
ip -n "$COL" addr add 198.18.0.2/24 dev ul0
e2e_vxlan "$COL" vx0 "$VNI" 198.18.0.2

# Live: tcpreplay into the tapped NIC.
e2e_tcpdump "$COL" ul0 "$E2E_TMP/live-all.pcap" -Q in udp dst port 4789
ul_pid=$E2E_LAST_PID
e2e_sender live "$TAP" --interface eth0 --destination 198.18.0.2 --vni "$VNI"
e2e_wait_mirroring "$INJ" inj0 "$E2E_TMP/live-all.pcap" "udp[28:2] = $E2E_PROBE_TYPE"
for f in "${files[@]}"; do
  out=$(ip netns exec "$INJ" timeout 60 tcpreplay -i inj0 --pps 1000 "$f" 2>&1) ||
    e2e_fail "tcpreplay $(basename "$f") failed: $(tail -n 3 <<<"$out" | tr '\n' ' ')"
  failed=$(awk '/Failed packets:/ { print $3 }' <<<"$out")
  [[ ${failed:-0} -eq 0 ]] || e2e_fail "tcpreplay could not send $failed frame(s) of $(basename "$f")"
done
e2e_wait_count 30 "$E2E_TMP/live-all.pcap" "$frames" "$NOT_PROBE"
e2e_sender_stop live
sleep 0.5
e2e_tcpdump_stop "$ul_pid" "$E2E_TMP/live-all.pcap"
probes=$(e2e_count "$E2E_TMP/live-all.pcap" "udp[28:2] = $E2E_PROBE_TYPE")
e2e_check_counters "$E2E_TMP/live.out" $((frames + probes))
e2e_filter "$E2E_TMP/live-all.pcap" "$E2E_TMP/live.pcap" "$NOT_PROBE"

# Replay: --read each file, one after the other.
e2e_tcpdump "$COL" ul0 "$E2E_TMP/read.pcap" -Q in udp dst port 4789
ul_pid=$E2E_LAST_PID
i=0
for f in "${files[@]}"; do
  i=$((i + 1))
  rc=0
  ip netns exec "$TAP" timeout 60 "$VTAP_SENDER" --read "$f" --destination 198.18.0.2 --vni "$VNI" \
    >"$E2E_TMP/read$i.out" 2>"$E2E_TMP/read$i.err" || rc=$?
  [[ $rc -eq 0 ]] || e2e_fail "vtap-sender --read $f exited $rc: $(tr '\n' ' ' <"$E2E_TMP/read$i.err")"
  e2e_counters_ok "$E2E_TMP/read$i.out"
  e2e_check_counters "$E2E_TMP/read$i.out" "$(capinfos -M -T -r -c "$f" | cut -f 2)"
done
e2e_wait_count 30 "$E2E_TMP/read.pcap" "$frames"
e2e_tcpdump_stop "$ul_pid" "$E2E_TMP/read.pcap"

"$PCAP_CMP" --udp-payload "$E2E_TMP/live.pcap" "$E2E_TMP/read.pcap" ||
  e2e_fail "live and replay mode sent different datagrams"
n=$(e2e_count "$E2E_TMP/read.pcap")
((n == frames)) || e2e_fail "$frames frames in the captures, $n datagrams"
e2e_log "ok: $frames frames of ${#files[@]} captures: the same $n datagrams (ports and payload) live and from --read"
