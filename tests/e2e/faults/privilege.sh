#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Least privilege of both daemons:
#   1. vtap-collector --user nobody: started as root, it opens its sockets
#      and directory, then every thread runs as uid/gid 65534 (real,
#      effective, saved, file system), with no supplementary group but
#      nogroup and no capability (permitted, effective, inheritable,
#      ambient all 0); it still receives, writes pcaps (owned by nobody,
#      sealed with their sidecars on SIGHUP) and serves HTTP (/healthz
#      200, the API counts what was sent);
#   2. vtap-sender in daemon mode as the systemd unit runs it: user nobody,
#      no new privileges, CAP_NET_RAW as its only capability (bounding set
#      included), a state and a socket directory of its own. Driven by the
#      vtap CLI as root, it mirrors eth0: probe frames reach a kernel
#      VXLAN sink byte for byte. /proc shows uid 65534 and CapEff 0x2000;
#   3. systemd-analyze security --offline=yes rates both units under
#      deploy/systemd at an exposure of 2.0 or less.
set -euo pipefail
# shellcheck source=flib.sh
source "$(dirname "$0")/flib.sh"
trap ft_cleanup EXIT

ft_init
e2e_need setpriv tcpdump tcpreplay capinfos
[[ -n ${VTAP_CLI:-} && -x $VTAP_CLI ]] || e2e_skip "VTAP_CLI is not set (run through meson test)"
id nobody >/dev/null 2>&1 || e2e_skip "no user nobody"
[[ $(id -u nobody) == 65534 ]] || e2e_skip "nobody is not uid 65534 here"
NOGROUP=$(getent group 65534 | cut -d: -f1)
[[ -n $NOGROUP ]] || e2e_skip "no group 65534"
chmod 0755 "$E2E_TMP"

# status_is PID FIELD VALUE: the line "FIELD:<tab>VALUE" (whitespace
# squeezed) of every thread's /proc status.
status_is() {
  local pid=$1 field=$2 expect=$3 t have
  for t in /proc/"$pid"/task/*; do
    have=$(awk -v f="$field:" '$1 == f { $1 = ""; sub(/^ /, ""); print }' "$t/status")
    [[ $have == "$expect" ]] ||
      e2e_fail "pid $pid thread ${t##*/}: $field is '$have', want '$expect'"
  done
}

# 1. The collector drops root.
e2e_ns FT_NS pc
D=$E2E_TMP/pcap
mkdir "$D"
chown nobody:"$NOGROUP" "$D"
ft_collector c --listen 127.0.0.1:4789 --pcap-dir "$D" --workers 2 --min-free 0 --user nobody
pid=$COLLECTOR_PID
threads=$(ls /proc/"$pid"/task | wc -l)
status_is "$pid" Uid "65534 65534 65534 65534"
status_is "$pid" Gid "65534 65534 65534 65534"
for g in $(awk '$1 == "Groups:" { $1 = ""; print }' /proc/"$pid"/status); do
  [[ $g == 65534 ]] || e2e_fail "the collector is still in group $g"
done
for c in CapInh CapPrm CapEff CapAmb; do
  status_is "$pid" "$c" 0000000000000000
done
ft_log "collector --user nobody: $threads threads, each uid/gid 65534, no capability; $(awk '$1 == "CapBnd:" || $1 == "NoNewPrivs:" { printf "%s %s ", $1, $2 }' /proc/"$pid"/status)"
ft_mkflows "$E2E_TMP/steady.pcap" --packets 2000 --flows 64 --size 200
ip netns exec "$FT_NS" "$VTAP_SENDER" --read "$E2E_TMP/steady.pcap" --destination 127.0.0.1 >"$E2E_TMP/replay.json" ||
  e2e_fail "vtap-sender --read failed"
ft_wait_live 10 .counters.written 2000
ft_wait_health 5 200 '^$'
kill -HUP "$pid"
e2e_wait 10 "SIGHUP to close the files" eval "! compgen -G '$D/*.part' >/dev/null && compgen -G '$D/vtap-*.idx.json' >/dev/null"
stored=$(cd "$D" && capinfos -M -T -r -c vtap-*.pcap | awk '{ n += $2 } END { print n }')
((stored == 2000)) || e2e_fail "the unprivileged collector stored $stored of 2000 frames"
others=$(find "$D" -mindepth 1 ! -user nobody -printf '%f ')
[[ -z $others ]] || e2e_fail "files in $D not owned by nobody: $others"
ft_collector_stop c
ft_log "it received, wrote and sealed all 2000 frames ($(ls "$D" | wc -l) files, all owned by nobody) and answered /healthz 200"

# 2. The sender as the unit runs it: nobody with CAP_NET_RAW only.
ft_hosts
e2e_vxlan "$COL" vx77 77 198.18.0.2
e2e_tcpdump "$COL" vx77 "$E2E_TMP/vx77.pcap" -Q in --immediate-mode
sink_pid=$E2E_LAST_PID
install -d -o nobody -g "$NOGROUP" -m 0750 "$E2E_TMP/state"
install -d -o nobody -g "$NOGROUP" -m 0755 "$E2E_TMP/run"
SOCK=$E2E_TMP/run/sender.sock
ft_bg "$E2E_TMP/daemon" "$TAP" setpriv --reuid=nobody --regid="$NOGROUP" --clear-groups \
  --no-new-privs --bounding-set=-all,+net_raw --inh-caps=-all,+net_raw --ambient-caps=+net_raw -- \
  "$VTAP_SENDER" --state "$E2E_TMP/state/store.json" --socket "$SOCK" --roles "$E2E_TMP/roles.json"
SENDER_PID=$E2E_LAST_PID SENDER_NAME=daemon
e2e_wait 15 "the control socket" eval "[[ -S $SOCK ]] && $VTAP_CLI --socket $SOCK tap list >/dev/null 2>&1"
pid=$SENDER_PID
[[ $(readlink /proc/"$pid"/exe) == "$(readlink -f "$VTAP_SENDER")" ]] ||
  e2e_fail "pid $pid is $(readlink /proc/"$pid"/exe), not vtap-sender"
status_is "$pid" Uid "65534 65534 65534 65534"
status_is "$pid" Gid "65534 65534 65534 65534"
status_is "$pid" CapEff 0000000000002000
status_is "$pid" CapPrm 0000000000002000
status_is "$pid" CapBnd 0000000000002000
status_is "$pid" NoNewPrivs 1
"$VTAP_CLI" --socket "$SOCK" tap create -n t1 --destination 198.18.0.2 --vni 77 >/dev/null ||
  e2e_fail "vtap tap create refused by the unprivileged daemon"
"$VTAP_CLI" --socket "$SOCK" nic vtap-config create --nic eth0 -n c1 --vnet-tap t1 >/dev/null ||
  e2e_fail "vtap nic vtap-config create refused by the unprivileged daemon"
e2e_wait_mirroring "$INJ" inj0 "$E2E_TMP/vx77.pcap"
[[ $(stat -c %U "$E2E_TMP/state/store.json") == nobody ]] || e2e_fail "the store is not the daemon's own"
e2e_stop "$pid" TERM 10
((E2E_RC == 0)) || e2e_fail "the unprivileged daemon exited $E2E_RC: $(tail -n 3 "$E2E_TMP/daemon.err" | tr '\n' ' ')"
e2e_tcpdump_stop "$sink_pid" "$E2E_TMP/vx77.pcap"
e2e_filter "$E2E_TMP/vx77.pcap" "$E2E_TMP/probes.pcap" ether proto "$E2E_PROBE_TYPE"
n=0
while read -r hex; do
  [[ $hex == "$(e2e_frames_hex "$E2E_PROBE")" ]] || e2e_fail "a mirrored probe differs from the one sent: $hex"
  n=$((n + 1))
done < <(e2e_frames_hex "$E2E_TMP/probes.pcap")
((n > 0)) || e2e_fail "no probe reached the sink"
ft_log "sender daemon as nobody with CAP_NET_RAW only (CapEff/CapPrm/CapBnd 0x2000, NoNewPrivs): mirrored eth0, $n probe(s) arrived intact"

# 3. The units' exposure.
UNITS=${VTAP_UNITS:-$FT_DIR/../../../deploy/systemd}
if command -v systemd-analyze >/dev/null 2>&1; then
  for u in vtap-collector vtap-sender; do
    [[ -f $UNITS/$u.service ]] || e2e_fail "no unit $UNITS/$u.service"
    systemd-analyze security --offline=yes "$UNITS/$u.service" >"$E2E_TMP/$u.security" 2>&1 ||
      e2e_fail "systemd-analyze security $u.service failed: $(tail -n 3 "$E2E_TMP/$u.security")"
    level=$(sed -n "s/.*Overall exposure level for $u.service: \([0-9.]*\).*/\1/p" "$E2E_TMP/$u.security")
    [[ $level =~ ^[0-9]+\.[0-9]+$ ]] || e2e_fail "no exposure level for $u.service: $(tail -n 2 "$E2E_TMP/$u.security")"
    awk -v l="$level" 'BEGIN { exit !(l <= 2.0) }' || e2e_fail "$u.service: exposure $level > 2.0"
    ft_log "$u.service: exposure $level (systemd-analyze security --offline=yes)"
  done
else
  ft_log "systemd-analyze not found: the units' exposure was not checked"
fi
ft_log "PASS"
