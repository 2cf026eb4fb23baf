#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The sender and collector images together: two VMs joined by a qemu
# socket network on 127.0.0.1 (10.77.0.0/24 inside, nothing on the host).
# cloud-init user data in the sender VM creates a tap with the vtap CLI
# (destination the collector, VNI 42) and a tap configuration on its eth1,
# then pings the collector with a marked payload. The pcap downloaded from
# the collector's HTTP server (a file the page lists, and the merged,
# filtered download) must hold those pings in both directions.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

img_init
img_images
img_accel
img_need openssl tcpdump

probe_port=$(img_port)
http_port=$(img_port)
link_port=$(img_port)
pw=image-test-$$
hash=$(openssl passwd -6 "$pw")
# "vtap image" as ping's payload pattern
mark=7674617020696d616765

cat > "$IMG_TMP/collector-user-data" <<EOF
#cloud-config
write_files:
  - path: /etc/vtap/collector.conf
    content: |
      listen = [::]:4789
      pcap-dir = /var/lib/vtap/pcap
      http = 0.0.0.0:8080
      probe = 0.0.0.0:8081
      auth-file = /etc/vtap/users
      allow = 10.77.0.0/24
      rotate-seconds = 10
      min-free = 256M
  - path: /etc/vtap/users
    owner: root:vtap
    permissions: '0640'
    content: |
      analyst:$hash:analyst
EOF
cat > "$IMG_TMP/collector-network" <<'EOF'
version: 2
ethernets:
  eth0:
    dhcp4: true
  eth1:
    addresses: [ 10.77.0.2/24 ]
EOF
cat > "$IMG_TMP/sender-user-data" <<EOF
#cloud-config
runcmd:
  - [ sh, -c, 'for i in \$(seq 300); do vtap tap list >/dev/null 2>&1 && exit 0; sleep 1; done; exit 1' ]
  - [ vtap, tap, create, --name, collector, --destination, 10.77.0.2, --vni, '42' ]
  - [ vtap, nic, vtap-config, create, --nic, eth1, --vnet-tap, collector, --name, mirror ]
  - [ sh, -c, 'vtap nic list --output table; echo "vtap-image-test: tap created"' ]
  - [ systemd-run, --unit=vtap-image-test-traffic, --, sh, -c, 'for i in \$(seq 1800); do ping -q -c 1 -W 1 -p $mark 10.77.0.2; sleep 1; done' ]
EOF
cat > "$IMG_TMP/sender-network" <<'EOF'
version: 2
ethernets:
  eth0:
    dhcp4: true
  eth1:
    addresses: [ 10.77.0.1/24 ]
EOF
img_seed collector "$IMG_TMP/collector-user-data" "$IMG_TMP/collector-network"
img_seed sender "$IMG_TMP/sender-user-data" "$IMG_TMP/sender-network"

mapfile -t cnic < <(img_nic_user mgmt 52:54:00:12:00:02 "$probe_port:8081" "$http_port:8080")
img_boot collector "$IMG_OUT/vtap-collector.qcow2" "${cnic[@]}" \
  -netdev "socket,id=link,listen=127.0.0.1:$link_port" \
  -device "virtio-net-pci,netdev=link,mac=52:54:00:77:00:02,romfile="
t0=$IMG_BOOT_T0
for ((i = 0; i < 50; i++)); do
  ss -Hltn "sport = :$link_port" | grep -q . && break
  sleep 0.1
done
mapfile -t snic < <(img_nic_user mgmt 52:54:00:12:00:01)
img_boot sender "$IMG_OUT/vtap-sender.qcow2" "${snic[@]}" \
  -netdev "socket,id=link,connect=127.0.0.1:$link_port" \
  -device "virtio-net-pci,netdev=link,mac=52:54:00:77:00:01,romfile="

img_wait_http "http://127.0.0.1:$probe_port/healthz" 200 90
IMG_BOOT_T0=$t0
img_log "collector: healthz 200 after $(img_elapsed) s"

end=$(($(date +%s) + 180 * IMG_FACTOR))
until img_serial_has sender 'vtap-image-test: tap created'; do
  img_alive || img_fail "a VM stopped"
  [ "$(date +%s)" -lt "$end" ] || img_fail "the sender VM did not create its tap in time"
  sleep 2
done
img_log "sender: tap and tap configuration created with vtap after $(img_elapsed) s"

# pcap_has_pings FILE: does FILE hold the marked pings, both directions?
pcap_has_pings() {
  tcpdump -nn -r "$1" > "$1.txt" 2>/dev/null &&
    grep -q '10.77.0.1 > 10.77.0.2: ICMP echo request' "$1.txt" &&
    grep -q '10.77.0.2 > 10.77.0.1: ICMP echo reply' "$1.txt" &&
    grep -aq 'vtap image' "$1"
}

# Files close every 10 s: download each closed file the page lists until
# one holds the pings (the first may hold only what came before them).
base="http://127.0.0.1:$http_port"
auth=(-u "analyst:$pw")
end=$(($(date +%s) + 120 * IMG_FACTOR))
found=""
declare -A seen=()
while [ -z "$found" ]; do
  curl -sf -m 10 "${auth[@]}" "$base/api/v1/files" -o "$IMG_TMP/files.json" || true
  for name in $(python3 - "$IMG_TMP/files.json" <<'PY' 2>/dev/null || true
import json, sys
for f in json.load(open(sys.argv[1]))["files"]:
    if not f["open"] and f["packets"] > 0 and f["name"].endswith(".pcap"):
        print(f["name"])
PY
  ); do
    [ -z "${seen[$name]:-}" ] || continue
    seen[$name]=1
    curl -sf -m 30 "${auth[@]}" "$base/files/$name" -o "$IMG_TMP/file.pcap" ||
      img_fail "GET /files/$name failed"
    if pcap_has_pings "$IMG_TMP/file.pcap"; then
      found=$name
      break
    fi
  done
  [ -n "$found" ] && break
  img_alive || img_fail "a VM stopped"
  [ "$(date +%s)" -lt "$end" ] ||
    img_fail "no closed pcap file with the pings among ${#seen[@]} files: $(head -c 400 "$IMG_TMP/files.json" 2>/dev/null)"
  sleep 3
done
img_log "collector: /files/$found holds the mirrored pings, after $(img_elapsed) s"

# The merged download, filtered by VNI and BPF, holds them too, and only them.
curl -sf -m 60 "${auth[@]}" "$base/api/v1/pcap?vni=42&filter=icmp" -o "$IMG_TMP/merged.pcap" ||
  img_fail "GET /api/v1/pcap?vni=42&filter=icmp failed"
pcap_has_pings "$IMG_TMP/merged.pcap" ||
  img_fail "the merged download lacks the pings: $(head -5 "$IMG_TMP/merged.pcap.txt" 2>/dev/null)"
n=$(grep -c 'ICMP echo' "$IMG_TMP/merged.pcap.txt")
other=$(grep -vc 'ICMP echo' "$IMG_TMP/merged.pcap.txt" || true)
[ "$other" -eq 0 ] || img_fail "the icmp-filtered download holds $other other packets"
curl -sf -m 10 "${auth[@]}" "$base/api/v1/status" | grep -q '10.77.0.1' ||
  img_fail "the collector's status does not list the sender 10.77.0.1"
img_log "pcaps downloaded from the collector hold the mirrored pings ($n ICMP echo packets in the merged download, both directions, payload intact)"
echo "PASS: $IMG_NAME"
