#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The tapped NIC is deleted and re-created under a running vtap-sender,
# and both daemons get SIGHUP:
#   1. direct mode: eth0 is deleted (with its veth peer) and re-created;
#      the sender stays up, logs the stop, counts interface_down, and once
#      eth0 is back mirrors again: probe frames sent into the new eth0
#      reach a kernel VXLAN sink, byte for byte;
#   2. daemon mode: the store is changed behind the sender's back (the
#      TAP's VNI 77 -> 78) and SIGHUP makes it re-read it: probes then
#      reach the VNI 78 sink and no longer the VNI 77 one; a store that no
#      longer parses is reported on SIGHUP and the old one kept (it still
#      mirrors to 78);
#   3. the collector: SIGHUP closes the open file of every worker that has
#      one (sealed, with its sidecar) and the next frames go to a new file;
#      twenty SIGHUPs in a row leave it running and healthy.
set -euo pipefail
# shellcheck source=flib.sh
source "$(dirname "$0")/flib.sh"
trap ft_cleanup EXIT

ft_init
e2e_need tcpdump tcpreplay capinfos
[[ -n ${VTAP_CLI:-} && -x $VTAP_CLI ]] || e2e_skip "VTAP_CLI is not set (run through meson test)"

ft_hosts
e2e_vxlan "$COL" vx42 42 198.18.0.2
e2e_vxlan "$COL" vx77 77 198.18.0.2
e2e_vxlan "$COL" vx78 78 198.18.0.2
for v in 42 77 78; do
  e2e_tcpdump "$COL" "vx$v" "$E2E_TMP/vx$v.pcap" -Q in --immediate-mode
  eval "sink${v}_pid=$E2E_LAST_PID"
done

# probes_arrive CAPFILE SECONDS: send probes into eth0 (from inj0) until
# one more than before shows up in CAPFILE, for at most SECONDS.
probes_arrive() {
  local cap=$1 end=$((SECONDS + $2)) n
  n=$(e2e_count "$cap" ether proto "$E2E_PROBE_TYPE")
  while ((SECONDS <= end)); do
    e2e_alive "$SENDER_PID" || e2e_fail "vtap-sender died: $(tail -n 3 "$E2E_TMP/$SENDER_NAME.err" | tr '\n' ' ')"
    ip netns exec "$INJ" tcpreplay -q -i inj0 "$E2E_PROBE" >/dev/null 2>&1 || true
    sleep 0.1
    (($(e2e_count "$cap" ether proto "$E2E_PROBE_TYPE") > n)) && return 0
  done
  return 1
}

# counters NAME: the sender's counters now (SIGUSR1, the line it prints).
counters() {
  local n
  n=$(wc -l <"$E2E_TMP/$1.out")
  kill -USR1 "$SENDER_PID"
  e2e_wait 2 "the sender to answer SIGUSR1" eval "(( \$(wc -l <$E2E_TMP/$1.out) > n ))"
  tail -n 1 "$E2E_TMP/$1.out"
}

# 1. Direct mode: eth0 deleted and re-created.
e2e_sender direct "$TAP" --interface eth0 --destination 198.18.0.2 --vni 42
e2e_wait_mirroring "$INJ" inj0 "$E2E_TMP/vx42.pcap"
ip -n "$TAP" link del eth0
e2e_wait 10 "the sender to see eth0 gone" e2e_grep_q 'eth0: capture stopped' "$E2E_TMP/direct.err"
sleep 2
e2e_alive "$SENDER_PID" || e2e_fail "the sender exited when eth0 was deleted: $(tail -n 3 "$E2E_TMP/direct.err" | tr '\n' ' ')"
down=$(counters direct | jq -r .interface_down)
((down >= 1)) || e2e_fail "eth0 is gone but interface_down is $down"
e2e_veth "$INJ" inj0 "$TAP" eth0 1500
ip -n "$INJ" addr add 198.18.1.2/24 dev inj0
ip -n "$TAP" addr add 198.18.1.1/24 dev eth0
t0=$SECONDS
e2e_wait 10 "the sender to resume on the new eth0" e2e_grep_q 'eth0: capture resumed' "$E2E_TMP/direct.err"
probes_arrive "$E2E_TMP/vx42.pcap" 10 || e2e_fail "no probe mirrored from the re-created eth0 within 10 s"
ft_log "eth0 deleted: the sender stayed up, interface_down=$down; re-created: mirroring again after $((SECONDS - t0)) s"
e2e_sender_stop direct
line=$(tail -n 1 "$E2E_TMP/direct.out")
jq -e '.interface_down >= 1 and .captured >= 2 and .sent == .captured
       and .dropped.send_error == 0' <<<"$line" >/dev/null ||
  e2e_fail "the sender's counters after the NIC came back: $line"
# Every probe mirrored, before and after, arrived intact.
e2e_filter "$E2E_TMP/vx42.pcap" "$E2E_TMP/probes42.pcap" ether proto "$E2E_PROBE_TYPE"
while read -r hex; do
  [[ $hex == "$(e2e_frames_hex "$E2E_PROBE")" ]] || e2e_fail "a mirrored probe differs from the one sent: $hex"
done < <(e2e_frames_hex "$E2E_TMP/probes42.pcap")

# 2. Daemon mode: SIGHUP re-reads the store.
STORE=$E2E_TMP/state/store.json
SOCK=$E2E_TMP/run/sender.sock
vt() {
  "$VTAP_CLI" --socket "$SOCK" "$@" >"$E2E_TMP/cli.out" 2>"$E2E_TMP/cli.err" </dev/null ||
    e2e_fail "vtap $* failed: $(cat "$E2E_TMP/cli.err")"
}
e2e_sender daemon "$TAP" --state "$STORE" --socket "$SOCK" --roles "$E2E_TMP/roles.json"
e2e_wait 15 "the control socket" eval "[[ -S $SOCK ]] && $VTAP_CLI --socket $SOCK tap list >/dev/null 2>&1"
vt tap create -n t1 --destination 198.18.0.2 --vni 77
vt nic vtap-config create --nic eth0 -n c1 --vnet-tap t1
probes_arrive "$E2E_TMP/vx77.pcap" 10 || e2e_fail "the daemon did not mirror eth0 to VNI 77"
jq '.taps[0].properties.vni = 78' "$STORE" >"$STORE.new" && mv "$STORE.new" "$STORE"
kill -HUP "$SENDER_PID"
probes_arrive "$E2E_TMP/vx78.pcap" 10 || e2e_fail "after SIGHUP the daemon does not mirror to VNI 78: $(tail -n 3 "$E2E_TMP/daemon.err" | tr '\n' ' ')"
n77=$(e2e_count "$E2E_TMP/vx77.pcap")
probes_arrive "$E2E_TMP/vx78.pcap" 5 || e2e_fail "the daemon stopped mirroring to VNI 78"
sleep 0.5
(($(e2e_count "$E2E_TMP/vx77.pcap") == n77)) || e2e_fail "after SIGHUP, frames still reach VNI 77"
cp "$STORE" "$E2E_TMP/store.good"
printf '{"version": 1, "taps": [' >"$STORE"
kill -HUP "$SENDER_PID"
e2e_wait 5 "the daemon to report the broken store" \
  e2e_grep_q "reload: keeping the store in memory: $STORE: line 1" "$E2E_TMP/daemon.err"
probes_arrive "$E2E_TMP/vx78.pcap" 5 || e2e_fail "with a broken store on SIGHUP the daemon stopped mirroring"
ft_log "daemon SIGHUP: re-read the store (VNI 77 -> 78); a broken store: '$(grep 'keeping the store' "$E2E_TMP/daemon.err" | cut -c 1-60)...', the old one kept"
[[ $(cat "$STORE") == '{"version": 1, "taps": [' ]] || e2e_fail "the daemon overwrote the broken store"
cp "$E2E_TMP/store.good" "$STORE"
e2e_stop "$SENDER_PID" TERM 10
((E2E_RC == 0)) || e2e_fail "the daemon exited $E2E_RC on SIGTERM"
for v in 42 77 78; do
  eval "e2e_tcpdump_stop \$sink${v}_pid $E2E_TMP/vx$v.pcap"
done

# 3. The collector: SIGHUP rotates. It runs in its own namespace (the VXLAN
# sinks hold port 4789 in COL) and is fed by replay over loopback.
e2e_ns FT_NS c2
D=$E2E_TMP/pcap
mkdir "$D"
ft_mkflows "$E2E_TMP/steady.pcap" --packets 2000 --flows 64 --size 200
ft_collector c --listen 127.0.0.1:4789 --pcap-dir "$D" --workers 2 --min-free 0
# replay FILE: send FILE to the collector and wait until it wrote it all.
replay() {
  local w
  w=$(ft_live .counters.written)
  ip netns exec "$FT_NS" "$VTAP_SENDER" --read "$1" --destination 127.0.0.1 >/dev/null 2>&1 ||
    e2e_fail "vtap-sender --read $1 failed"
  ft_wait_live 10 .counters.written $((w + $(capinfos -M -T -r -c "$1" | cut -f 2)))
}
replay "$E2E_TMP/steady.pcap"
sleep 1.5 # a flush: both workers' files have records on disk
mapfile -t open1 < <(cd "$D" && ls -- *.pcap.part)
((${#open1[@]} == 2)) || e2e_fail "want one open file per worker before SIGHUP, found: ${open1[*]}"
kill -HUP "$COLLECTOR_PID"
e2e_wait 5 "SIGHUP to close ${open1[*]}" \
  eval "[[ -e $D/${open1[0]%.part} && -e $D/${open1[1]%.part} && -s $D/${open1[0]%.pcap.part}.idx.json && -s $D/${open1[1]%.pcap.part}.idx.json ]]"
replay "$E2E_TMP/steady.pcap"
mapfile -t open2 < <(cd "$D" && ls -- *.pcap.part)
((${#open2[@]} >= 1)) || e2e_fail "no new file after SIGHUP"
for f in "${open2[@]}"; do
  [[ $f != "${open1[0]}" && $f != "${open1[1]}" ]] || e2e_fail "SIGHUP did not start a new file: $f"
done
for _ in $(seq 20); do
  kill -HUP "$COLLECTOR_PID"
  sleep 0.05
done
replay "$E2E_TMP/steady.pcap"
ft_collector_alive c
ft_wait_health 5 200 '^$'
ft_collector_stop c
stored=$(cd "$D" && capinfos -M -T -r -c vtap-*.pcap | awk '{ n += $2 } END { print n }')
((stored == 6000)) || e2e_fail "the closed files hold $stored frames; 6000 were sent"
[[ $(grep -c 'SIGHUP: rotating files' "$E2E_TMP/c.err") == 21 ]] ||
  e2e_fail "the collector logged $(grep -c 'SIGHUP: rotating files' "$E2E_TMP/c.err") rotations for 21 SIGHUPs"
ft_log "collector SIGHUP: ${open1[*]} closed and indexed, new files started; 20 more SIGHUPs: alive, healthy, all 6000 frames stored in $(find "$D" -name 'vtap-*.pcap' | wc -l) files"
ft_log "PASS"
