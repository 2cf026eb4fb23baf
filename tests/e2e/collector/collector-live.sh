#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Live: frames VXLAN-encapsulated (a) by a Linux kernel VXLAN device and
# (b) by vtap-sender mirroring a NIC reach vtap-collector in its own
# namespace; after SIGTERM (which closes its files) the frames in its
# pcaps equal the frames sent, byte for byte, none missing, none extra.
#
#   kv:  vx0 (kernel VXLAN, VNI 42, remote 198.18.1.2, MTU 9000)
#        ul0 198.18.1.1 ==(veth, MTU 1500)== col: ul1 198.18.1.2
#   inj: inj0 ==(veth, MTU 9000)== tap: eth0 (no IP, mirrored, VNI 43)
#                                   tap: ul0 198.18.2.1 ==(veth, MTU 1500)==
#                                   col: ul2 198.18.2.2
#   col: vtap-collector --listen 0.0.0.0:4789 --workers 2
#
# The frames are the Ethernet captures of ../shared/pcaps/app (those that
# fit a 9000-byte link), replayed with tcpreplay into vx0 for (a) and into
# inj0 for (b). Over the 1500-byte underlays every frame over ~1450 bytes
# arrives as outer IP fragments, which the collector's kernel reassembles.
# Each phase has its own collector run and store. The workers' files are
# merged by their kernel receive timestamps; if two workers' frames
# interleave differently from the order sent, that alone is accepted
# (and said). The collector's counters must show no drop of any kind.
set -euo pipefail
source "$(dirname "$0")/clib.sh"
trap ce_cleanup EXIT

ce_init
e2e_need_pcaps
e2e_need_pcap_cmp
e2e_need tcpdump tcpreplay mergecap capinfos

MTU=9000
PPS=${E2E_PPS:-2000}

e2e_ns COL col
e2e_ns KV kv
e2e_ns INJ inj
e2e_ns TAP tap
e2e_veth "$KV" ul0 "$COL" ul1 1500
e2e_veth "$TAP" ul0 "$COL" ul2 1500
e2e_veth "$INJ" inj0 "$TAP" eth0 "$MTU"
ip -n "$KV" addr add 198.18.1.1/24 dev ul0
ip -n "$COL" addr add 198.18.1.2/24 dev ul1
ip -n "$TAP" addr add 198.18.2.1/24 dev ul0
ip -n "$COL" addr add 198.18.2.2/24 dev ul2
ip -n "$TAP" link set eth0 arp off
# No learning, no ARP: vx0 sends what it is given and nothing of its own.
ip -n "$KV" link add vx0 type vxlan id 42 remote 198.18.1.2 local 198.18.1.1 dstport 4789 \
  nolearning || e2e_skip "cannot create a kernel VXLAN device"
ip -n "$KV" link set vx0 mtu "$MTU" arp off up

# The frames: Ethernet captures, each cut to what a 9000-byte link takes.
unsendable="less 13 or greater $((MTU + 19)) or (greater $((MTU + 15)) and not vlan)"
files=()
for f in "$PCAPS"/app/*; do
  [[ -f $f ]] || continue
  link=$(capinfos -T -r -E "$f" 2>/dev/null | cut -f 2)
  if [[ $link != ether ]]; then
    e2e_log "skipping $(basename "$f"): link type '$link' is not Ethernet"
    continue
  fi
  if (($(e2e_count "$f" "$unsendable") > 0)); then
    e2e_filter "$f" "$E2E_TMP/$(basename "$f").sendable" "not ($unsendable)"
    f=$E2E_TMP/$(basename "$f").sendable
  fi
  files+=("$f")
done
((${#files[@]} > 0)) || e2e_skip "no Ethernet capture in $PCAPS/app"
mergecap -a -F pcap -w "$E2E_TMP/expected.pcap" "${files[@]}"
read -r _ frames bytes < <(capinfos -M -T -r -c -d "$E2E_TMP/expected.pcap")
e2e_log "sending $frames frames ($bytes bytes) of ${#files[@]} captures in each phase, at $PPS frames/s"

# replay NS IFACE: every file into IFACE, failing on any frame not sent.
replay() {
  local f out failed
  for f in "${files[@]}"; do
    out=$(ip netns exec "$1" timeout 120 tcpreplay -i "$2" --pps "$PPS" "$f" 2>&1) ||
      e2e_fail "tcpreplay $(basename "$f") into $2 failed: $(tail -n 3 <<<"$out" | tr '\n' ' ')"
    failed=$(awk '/Failed packets:/ { print $3 }' <<<"$out")
    [[ ${failed:-0} -eq 0 ]] ||
      e2e_fail "tcpreplay could not send $failed frame(s) of $(basename "$f") into $2"
  done
}

# check_phase NAME VNI SENDER FRAMES: counters of the run NAME (in all,
# for its VNI and for its sender address), then its frames (probe frames
# removed) against expected.pcap.
check_phase() {
  local name=$1 vni=$2 from=$3 n=$4 store=$E2E_TMP/$1.store files
  ce_expect_json "$E2E_TMP/$name.json" ".datagrams=$n" ".frames=$n" ".written=$n" \
    .write_errors=0 .dropped_total=0 .kernel_drops=0 .not_vxlan=0 \
    "[.vnis[] | select(.name == \"$vni\") | .written] | add=$n" \
    "[.senders[] | select(.name == \"$from\") | .datagrams] | add=$n" \
    "[.senders[] | select(.name == \"$from\") | .written] | add=$n"
  files=$(ce_check_store "$store")
  ce_merge "$store" "$E2E_TMP/$name.all.pcap"
  e2e_filter "$E2E_TMP/$name.all.pcap" "$E2E_TMP/$name.pcap" not ether proto "$E2E_PROBE_TYPE"
  ce_same_frames "$E2E_TMP/expected.pcap" "$E2E_TMP/$name.pcap" "$name"
  e2e_log "ok: $name: $frames frames stored byte for byte in $files file(s) of $(ls "$store"/vtap-*.pcap | sed 's/.*\(vtap-w[0-9]*\)-.*/\1/' | sort -u | wc -l) worker(s)"
}

# (a) the kernel's VXLAN device
ce_collector kernel "$COL" --listen 0.0.0.0:4789 --pcap-dir "$E2E_TMP/kernel.store" \
  --workers 2 --min-free 0
e2e_tcpdump "$KV" vx0 "$E2E_TMP/vx0.pcap" -Q out
vx_pid=$E2E_LAST_PID
replay "$KV" vx0
ce_wait_live 60 "$COL" .counters.frames "$frames"
sleep 1
e2e_tcpdump_stop "$vx_pid" "$E2E_TMP/vx0.pcap"
"$PCAP_CMP" "$E2E_TMP/expected.pcap" "$E2E_TMP/vx0.pcap" >"$E2E_TMP/vx0.cmp" || {
  cat "$E2E_TMP/vx0.cmp"
  e2e_fail "what tcpreplay sent into vx0 differs from the captures (not the collector's doing)"
}
ce_collector_stop kernel
check_phase kernel 42 198.18.1.1 "$frames"

# (b) vtap-sender mirroring eth0 of the tap namespace
ce_collector sender "$COL" --listen 0.0.0.0:4789 --pcap-dir "$E2E_TMP/sender.store" \
  --workers 2 --min-free 0
e2e_sender vtap "$TAP" --interface eth0 --destination 198.18.2.2 --vni 43
probes=0
for ((i = 0; i < 100; i++)); do
  e2e_alive "$SENDER_PID" || e2e_fail "vtap-sender died at start: $(tr '\n' ' ' <"$E2E_TMP/vtap.err")"
  ip netns exec "$INJ" tcpreplay -q -i inj0 "$E2E_PROBE" >/dev/null 2>&1 || true
  probes=$((probes + 1))
  sleep 0.2
  v=$(ce_live "$COL" .counters.written)
  [[ $v =~ ^[0-9]+$ ]] && ((v > 0)) && break
done
((i < 100)) || e2e_fail "the collector received none of $probes probe frames from the sender"
sleep 0.5
base=$(ce_live "$COL" .counters.frames) # the probes that were mirrored
e2e_tcpdump "$INJ" inj0 "$E2E_TMP/inj0.pcap" -Q out not ether proto "$E2E_PROBE_TYPE"
inj_pid=$E2E_LAST_PID
replay "$INJ" inj0
# On a shortfall, the sender's counters say on which side it happened.
ce_wait_live 30 "$COL" .counters.frames "$((frames + base))" --soft || {
  e2e_sender_stop vtap
  e2e_fail "the collector did not receive all $frames frames and $base probes; vtap-sender's counters: $(tail -n 1 "$E2E_TMP/vtap.out"); the collector's: $(ce_live "$COL" '.counters | {datagrams, frames, kernel_drops, dropped_total}' | tr -d '\n ')"
}
sleep 1
e2e_tcpdump_stop "$inj_pid" "$E2E_TMP/inj0.pcap"
"$PCAP_CMP" "$E2E_TMP/expected.pcap" "$E2E_TMP/inj0.pcap" >"$E2E_TMP/inj0.cmp" || {
  cat "$E2E_TMP/inj0.cmp"
  e2e_fail "what tcpreplay put on inj0 differs from the captures (not the collector's doing)"
}
e2e_sender_stop vtap
sent=$(e2e_counter "$E2E_TMP/vtap.out" .sent)
ce_collector_stop sender
((sent == frames + base)) ||
  e2e_fail "vtap-sender sent $sent datagrams for $frames frames and $base mirrored probes: $(tail -n 1 "$E2E_TMP/vtap.out")"
check_phase sender 43 198.18.2.1 "$sent"
e2e_log "ok: frames from the kernel's VXLAN device and from vtap-sender stored byte for byte, none missing"
