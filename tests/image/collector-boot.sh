#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The collector image boots under qemu (UEFI, systemd-boot) and answers
# /healthz 200 on its probe port (8081), forwarded to 127.0.0.1, within
# 60 s of qemu's start; with cloud-init user data (an auth file, the page on
# every address) its status page, Chart.js and API load on port 8080; the
# pcap directory is its own file system, grown to the end of a disk that is
# larger than the image. Prints the boot time.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

img_init
img_images
img_accel
img_need openssl

probe_port=$(img_port)
http_port=$(img_port)
pw=image-test-$$
hash=$(openssl passwd -6 "$pw")
cat > "$IMG_TMP/user-data" <<EOF
#cloud-config
write_files:
  - path: /etc/vtap/collector.conf
    content: |
      listen = [::]:4789
      pcap-dir = /var/lib/vtap/pcap
      http = 0.0.0.0:8080
      probe = 0.0.0.0:8081
      auth-file = /etc/vtap/users
      min-free = 256M
  - path: /etc/vtap/users
    owner: root:vtap
    permissions: '0640'
    content: |
      analyst:$hash:analyst
EOF
img_seed collector "$IMG_TMP/user-data" ""

# A disk 2 GiB larger than the image: the pcap file system must grow.
mapfile -t nic < <(img_nic_user mgmt 52:54:00:12:00:01 "$probe_port:8081" "$http_port:8080")
IMG_DISK_SIZE=6G img_boot collector "$IMG_OUT/vtap-collector.qcow2" "${nic[@]}"

img_wait_http "http://127.0.0.1:$probe_port/healthz" 200 60
boot=$(img_elapsed)
img_log "healthz 200 after $boot s (accelerator $IMG_ACCEL)"
body=$(curl -s -m 5 "http://127.0.0.1:$probe_port/healthz")
[[ $body == *'"ok":true'* ]] || img_fail "healthz body: $body"

base="http://127.0.0.1:$http_port"
img_wait_http "$base/healthz" 200 30
code=$(curl -s -o /dev/null -w '%{http_code}' -m 5 "$base/")
[ "$code" = 401 ] || img_fail "the page without credentials answered $code, not 401"
auth=(-u "analyst:$pw")
curl -sf -m 10 "${auth[@]}" "$base/" -o "$IMG_TMP/index.html" || img_fail "GET / failed"
grep -qi '<html' "$IMG_TMP/index.html" || img_fail "GET / is not the status page"
for f in $(grep -o 'static/[A-Za-z0-9._-]*' "$IMG_TMP/index.html" | sort -u); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -m 10 "${auth[@]}" "$base/$f")
  [ "$code" = 200 ] || img_fail "GET /$f (from the page) answered $code"
done
code=$(curl -s -o "$IMG_TMP/chart.js" -w '%{http_code}' -m 10 "${auth[@]}" "$base/static/chart.js")
[ "$code" = 200 ] && [ "$(stat -c %s "$IMG_TMP/chart.js")" -gt 10000 ] ||
  img_fail "GET /static/chart.js (Debian's libjs-chart.js) answered $code"
curl -sf -m 10 "${auth[@]}" "$base/api/v1/status" -o "$IMG_TMP/status.json" || img_fail "GET /api/v1/status failed"
python3 - "$IMG_TMP/status.json" <<'PY' || img_fail "status: $(head -c 400 "$IMG_TMP/status.json")"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["health"]["ok"] is True, s["health"]
total = s["disk"]["total_bytes"]
# The pcap file system is its own (not the 2 GiB root) and has grown with
# the disk: the image's 1.9 GiB partition plus the 2 GiB added.
assert total > 3 * 1024**3, f"pcap file system is {total} bytes: not grown"
print(f"pcap file system: {total / 1024**3:.2f} GiB, free {s['disk']['free_bytes'] / 1024**3:.2f} GiB")
PY
img_log "status page, Chart.js and API load; the pcap file system grew with the disk"
printf 'boot-to-healthz %s s (%s)\n' "$boot" "$IMG_ACCEL" > "$IMG_OUT/boot-time-collector.txt"
echo "PASS: $IMG_NAME"
