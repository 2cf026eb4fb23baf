#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The seed's workflow, as a script against vtap-sender in daemon mode in a
# namespace: tap create -> show -> nic vtap-config create -> show ->
# traffic mirrored (byte for byte into a kernel VXLAN sink, within a second
# of the create) -> tap update re-targets live mirroring to another VNI
# without a restart -> vtap-config delete -> traffic stops within a second
# -> tap list -> tap delete. Topology: lib-cli.sh's cli_hosts.
set -euo pipefail
source "$(dirname "$0")/lib-cli.sh"
trap cleanup EXIT

cli_init
e2e_need_pcap_cmp
e2e_need tcpdump tcpreplay ping timeout

cli_hosts
e2e_tcpdump "$COL" vx77 "$E2E_TMP/vx77.pcap" -Q in --immediate-mode
vx77_pid=$E2E_LAST_PID
e2e_tcpdump "$COL" vx78 "$E2E_TMP/vx78.pcap" -Q in --immediate-mode
vx78_pid=$E2E_LAST_PID
cli_sender sender "$TAP"
sender_pid=$SENDER_PID

# jq_ok FILTER: the last command's output satisfies FILTER.
jq_ok() {
  jq -e "$1" <<<"$CLI_OUT" >/dev/null || e2e_fail "output fails '$1': $CLI_OUT"
}

# 1. tap create
vt_ok -- tap create --name myTap --destination 198.18.0.2 --port 4789 --vni 77
jq_ok '.id == "/taps/myTap" and .name == "myTap" and .destinationPort == 4789
       and .vni == 77 and .provisioningState == "Succeeded"
       and .destinationNetworkInterfaceIPConfiguration.privateIPAddress == "198.18.0.2"
       and .networkInterfaceTapConfigurations == [] and (.resourceGuid | length) == 36
       and (has("properties") | not)'

# 2. tap show
vt_ok -- tap show -n myTap --query id --output tsv
[[ $CLI_OUT == /taps/myTap ]] || e2e_fail "tap show --query id -o tsv printed '$CLI_OUT'"
vt_ok -- tap show -n myTap
jq_ok '.destination == "198.18.0.2" and .type == "vtap/virtualNetworkTaps"'
if cli_probes_arrive "$E2E_TMP/vx77.pcap" 1; then
  e2e_fail "frames were mirrored before any tap configuration existed"
fi

# 3. nic vtap-config create: mirroring starts within one second
vt_ok -- nic vtap-config create --nic-name eth0 --name myTapConfig --vnet-tap myTap
t0=$(date +%s%N)
jq_ok '.id == "/nics/eth0/tapConfigurations/myTapConfig"
       and .virtualNetworkTap.id == "/taps/myTap" and .provisioningState == "Succeeded"'
cli_probes_arrive "$E2E_TMP/vx77.pcap" 1 ||
  e2e_fail "no frame mirrored within 1 s of 'vtap nic vtap-config create'"
e2e_log "mirroring started $((($(date +%s%N) - t0) / 1000000)) ms after the create returned"

# 4. show the configuration, the TAP's back-reference and the NIC
vt_ok -- nic vtap-config show --nic eth0 -n myTapConfig --query virtualNetworkTap.id -o tsv
[[ $CLI_OUT == /taps/myTap ]] || e2e_fail "vtap-config show printed '$CLI_OUT'"
vt_ok -- tap show -n myTap --query 'networkInterfaceTapConfigurations[].id' -o tsv
[[ $CLI_OUT == /nics/eth0/tapConfigurations/myTapConfig ]] ||
  e2e_fail "the TAP does not list its configuration: '$CLI_OUT'"
vt_ok -- nic vtap-config list --nic eth0 --query '[].name' -o tsv
[[ $CLI_OUT == myTapConfig ]] || e2e_fail "vtap-config list printed '$CLI_OUT'"
vt_ok -- nic list
jq_ok '.[] | select(.name == "eth0") | .tapConfigurations[0].name == "myTapConfig"'
vt_ok -- nic list -o table
e2e_log "nic list -o table:"$'\n'"$CLI_OUT"

# 5. traffic is mirrored, byte for byte
e2e_tcpdump "$TAP" eth0 "$E2E_TMP/eth0.pcap" --immediate-mode icmp
eth0_pid=$E2E_LAST_PID
cli_ping 5 c0ffee01
sleep 0.5
e2e_tcpdump_stop "$eth0_pid" "$E2E_TMP/eth0.pcap"
frames=$(e2e_count "$E2E_TMP/eth0.pcap")
((frames == 10)) || e2e_fail "expected 5 echo requests and 5 replies on eth0, saw $frames frames"
e2e_wait_count 10 "$E2E_TMP/vx77.pcap" "$frames" icmp
e2e_filter "$E2E_TMP/vx77.pcap" "$E2E_TMP/mirrored.pcap" icmp
e2e_same_frames "$E2E_TMP/eth0.pcap" "$E2E_TMP/mirrored.pcap" ||
  e2e_fail "the collector's frames are not eth0's"
vt_ok -- status
jq_ok 'length == 1 and .[0].nic == "eth0" and .[0].tap == "myTap"
       and .[0].state == "mirroring" and .[0].destination == "198.18.0.2:4789"
       and .[0].captured >= 10 and .[0].sent >= 10 and .[0].dropped.kernel == 0'
vt_ok -- status -o table
e2e_log "status -o table:"$'\n'"$CLI_OUT"

# 6. tap update re-targets the running mirror (VNI 77 -> 78), no restart
vt_ok -- tap update -n myTap --vni 78
jq_ok '.vni == 78'
cli_probes_arrive "$E2E_TMP/vx78.pcap" 1 ||
  e2e_fail "no frame reached VNI 78 within 1 s of 'vtap tap update --vni 78'"
e2e_alive "$sender_pid" || e2e_fail "the sender did not survive the update"
grep -q "eth0: re-targeted to 198.18.0.2:4789, VNI 78" "$E2E_TMP/sender.err" ||
  e2e_fail "the sender did not re-target its mirror: $(tail -n 3 "$E2E_TMP/sender.err")"
(($(grep -c "eth0: mirroring to" "$E2E_TMP/sender.err") == 1)) ||
  e2e_fail "the mirror was restarted instead of re-targeted"

# 7. vtap-config delete: mirroring stops within one second
vt_ok -- nic vtap-config delete --nic-name eth0 -n myTapConfig --yes
[[ -z $CLI_OUT ]] || e2e_fail "delete printed '$CLI_OUT'"
sleep 1
n77=$(e2e_count "$E2E_TMP/vx77.pcap")
n78=$(e2e_count "$E2E_TMP/vx78.pcap")
cli_ping 5 c0ffee02
for _ in 1 2 3 4 5; do
  ip netns exec "$INJ" tcpreplay -q -i inj0 "$E2E_PROBE" >/dev/null 2>&1
done
sleep 1
(($(e2e_count "$E2E_TMP/vx77.pcap") == n77 && $(e2e_count "$E2E_TMP/vx78.pcap") == n78)) ||
  e2e_fail "frames were still mirrored more than a second after the delete"
vt_ok -- status
jq_ok 'length == 0'

# 8. tap list
vt_ok -- tap list --query '[].name' -o tsv
[[ $CLI_OUT == myTap ]] || e2e_fail "tap list printed '$CLI_OUT'"
vt_ok -- tap list -o table
e2e_log "tap list -o table:"$'\n'"$CLI_OUT"
vt_ok -- tap show -n myTap --query networkInterfaceTapConfigurations
jq_ok '. == []'

# 9. tap delete
vt_ok -- tap delete -n myTap -y
vt_ok -- tap list
jq_ok '. == []'

cli_sender_stop sender
e2e_tcpdump_stop "$vx77_pid" "$E2E_TMP/vx77.pcap"
e2e_tcpdump_stop "$vx78_pid" "$E2E_TMP/vx78.pcap"
e2e_log "PASS"
