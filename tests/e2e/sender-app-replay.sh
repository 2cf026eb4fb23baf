#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every Ethernet capture of ../shared/pcaps/app, replayed into a tapped NIC,
# reaches a kernel VXLAN device byte for byte, in order, none missing, none
# extra; and the sender's counters agree.
#
#   inj: inj0 ==(veth, MTU 9000)== tap: eth0 (no IP, mirrored)
#                                   tap: ul0 198.18.0.1 ==(veth, MTU 1500)==
#                                   col: ul0 198.18.0.2, vx0 (VXLAN, VNI 4242)
#
# The 1500-byte underlay makes every frame over 1464 bytes travel as outer
# IP fragments. tcpdump on vx0 sees what the collector decapsulated.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
trap cleanup EXIT

e2e_init
e2e_need_pcaps
e2e_need_pcap_cmp
e2e_need tcpdump tcpreplay mergecap capinfos jq

VNI=4242
INJ_MTU=9000
PPS=${E2E_PPS:-2000}

e2e_ns INJ inj
e2e_ns TAP tap
e2e_ns COL col
e2e_veth "$INJ" inj0 "$TAP" eth0 "$INJ_MTU"
e2e_veth "$TAP" ul0 "$COL" ul0 1500
# The tapped NIC has no address and answers no ARP: it only ever receives.
ip -n "$TAP" link set eth0 arp off
ip -n "$TAP" addr add 198.18.0.1/24 dev ul0
ip -n "$COL" addr add 198.18.0.2/24 dev ul0
e2e_vxlan "$COL" vx0 "$VNI" 198.18.0.2

# Choose the captures: Ethernet only, and within each only the frames that
# fit the injector link (14 bytes of header up to MTU + 18 with one tag).
unsendable="less 13 or greater $((INJ_MTU + 19)) or (greater $((INJ_MTU + 15)) and not vlan)"
files=()
excluded=0
for f in "$PCAPS"/app/*; do
  [[ -f $f ]] || continue
  link=$(capinfos -T -r -E "$f" 2>/dev/null | cut -f 2)
  if [[ $link != ether ]]; then
    e2e_log "skipping $(basename "$f"): link type '$link' is not Ethernet"
    continue
  fi
  n_bad=$(e2e_count "$f" "$unsendable")
  if ((n_bad > 0)); then
    e2e_log "excluding $n_bad frame(s) of $(basename "$f") that tcpreplay cannot send on an MTU $INJ_MTU link"
    excluded=$((excluded + n_bad))
    e2e_filter "$f" "$E2E_TMP/$(basename "$f").sendable" "not ($unsendable)"
    f=$E2E_TMP/$(basename "$f").sendable
  fi
  files+=("$f")
done
((${#files[@]} > 0)) || e2e_skip "no Ethernet capture in $PCAPS/app"
mergecap -a -F pcap -w "$E2E_TMP/expected.pcap" "${files[@]}"
read -r _ frames bytes < <(capinfos -M -T -r -c -d "$E2E_TMP/expected.pcap")
(($(e2e_count "$E2E_TMP/expected.pcap" ether proto "$E2E_PROBE_TYPE") == 0)) ||
  e2e_fail "a capture uses the probe's ethertype $E2E_PROBE_TYPE"
e2e_log "replaying $frames frames ($bytes bytes) from ${#files[@]} files at $PPS packets/s"

e2e_tcpdump "$COL" vx0 "$E2E_TMP/vx0.pcap" -Q in
vx_pid=$E2E_LAST_PID
# Non-first outer fragments on the underlay: proof the fragmented path ran.
e2e_tcpdump "$COL" ul0 "$E2E_TMP/ul0-frags.pcap" -Q in 'ip[6:2] & 0x1fff != 0'
ul_pid=$E2E_LAST_PID
e2e_sender sender "$TAP" --interface eth0 --destination 198.18.0.2 --vni "$VNI"
e2e_wait_mirroring "$INJ" inj0 "$E2E_TMP/vx0.pcap"
# What actually left the injector: proves the expected file is what was sent.
e2e_tcpdump "$INJ" inj0 "$E2E_TMP/inj0.pcap" -Q out not ether proto "$E2E_PROBE_TYPE"
inj_pid=$E2E_LAST_PID

start=$SECONDS
unsent=0
for f in "${files[@]}"; do
  rc=0
  out=$(ip netns exec "$INJ" timeout 120 tcpreplay -i inj0 --pps "$PPS" "$f" 2>&1) || rc=$?
  grep -q 'Successful packets:' <<<"$out" ||
    e2e_fail "tcpreplay $(basename "$f") failed (exit $rc): $(tail -n 3 <<<"$out" | tr '\n' ' ')"
  failed=$(awk '/Failed packets:/ { print $3 }' <<<"$out")
  if ((${failed:-0} > 0)); then
    e2e_log "tcpreplay could not send $failed frame(s) of $(basename "$f") ($(grep -m 1 -i 'error\|unable' <<<"$out" || true)): excluded"
    unsent=$((unsent + failed))
  fi
done
e2e_log "replayed in $((SECONDS - start)) s"

e2e_wait_count 60 "$E2E_TMP/vx0.pcap" $((frames - unsent)) not ether proto "$E2E_PROBE_TYPE"
e2e_sender_stop sender
sleep 0.5
e2e_tcpdump_stop "$vx_pid" "$E2E_TMP/vx0.pcap"
e2e_tcpdump_stop "$inj_pid" "$E2E_TMP/inj0.pcap"
e2e_tcpdump_stop "$ul_pid" "$E2E_TMP/ul0-frags.pcap"

if ((unsent == 0)); then
  "$PCAP_CMP" "$E2E_TMP/expected.pcap" "$E2E_TMP/inj0.pcap" >"$E2E_TMP/inj0.cmp" || {
    cat "$E2E_TMP/inj0.cmp"
    e2e_fail "what tcpreplay put on the wire differs from the captures (a tcpreplay problem, not the sender's)"
  }
else
  # Some frames were refused: expect what did leave the injector instead.
  cp "$E2E_TMP/inj0.pcap" "$E2E_TMP/expected.pcap"
  read -r _ sent_frames bytes < <(capinfos -M -T -r -c -d "$E2E_TMP/expected.pcap")
  ((sent_frames == frames - unsent)) ||
    e2e_fail "tcpreplay reported $unsent of $frames frames unsent, but $sent_frames left the injector"
  e2e_log "expecting the $sent_frames frames that left the injector ($unsent excluded)"
  frames=$sent_frames
  excluded=$((excluded + unsent))
fi

probes=$(e2e_count "$E2E_TMP/vx0.pcap" ether proto "$E2E_PROBE_TYPE")
e2e_filter "$E2E_TMP/vx0.pcap" "$E2E_TMP/mirrored.pcap" not ether proto "$E2E_PROBE_TYPE"
if ! "$PCAP_CMP" "$E2E_TMP/expected.pcap" "$E2E_TMP/mirrored.pcap"; then
  e2e_fail "the frames decapsulated at the collector are not the replayed frames (sender stderr: $(tail -n 3 "$E2E_TMP/sender.err" | tr '\n' ' '))"
fi
e2e_check_counters "$E2E_TMP/sender.out" $((frames + probes)) $((bytes + probes * 60))
big=$(e2e_count "$E2E_TMP/expected.pcap" greater 1465)
frags=$(e2e_count "$E2E_TMP/ul0-frags.pcap")
((big == 0 || frags >= big)) ||
  e2e_fail "$big frames need outer fragmentation on the 1500-byte underlay, but only $frags non-first fragments were seen"
e2e_log "ok: $frames frames from ${#files[@]} files arrived byte for byte and in order ($excluded excluded; $big of them in $((big + frags)) outer fragments; $probes probe frames); counters: $(tail -n 1 "$E2E_TMP/sender.out")"
