#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Both VM images build with one command from a clean checkout: the files
# git tracks (and new ones it does not ignore) are copied to an empty
# directory, and deploy/image/build runs there. Then each image is checked:
# a valid qcow2 whose GPT has the ESP, the root and (collector) the pcap
# partition, the runtime packages installed, and its size is reported.
# The base root file system cache in VTAP_IMAGE_DIR/cache is reused, so
# this takes about 8 minutes the first time and under a minute after.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

img_init
img_need git sfdisk

checkout="$IMG_TMP/src"
mkdir -p "$checkout"
if git -C "$IMG_SRC" rev-parse --git-dir >/dev/null 2>&1; then
  git -C "$IMG_SRC" ls-files -z --cached --others --exclude-standard |
    (cd "$IMG_SRC" && xargs -0 cp --parents -t "$checkout" 2>/dev/null || true)
else
  tar -C "$IMG_SRC" --exclude='./build*' -cf - . | tar -C "$checkout" -xf -
fi
[ -x "$checkout/deploy/image/build" ] || img_fail "the copied checkout has no deploy/image/build"

start=$(date +%s)
"$checkout/deploy/image/build" --out "$IMG_OUT" > "$IMG_TMP/build.log" 2>&1 || {
  tail -40 "$IMG_TMP/build.log"
  img_fail "deploy/image/build failed"
}
took=$(($(date +%s) - start))
img_log "both images built in $took s:"
sed 's/^/  /' "$IMG_OUT/build-times.txt"

for role in collector sender; do
  img="$IMG_OUT/vtap-$role.qcow2"
  [ -f "$img" ] || img_fail "$img missing"
  qemu-img check -q "$img" || img_fail "$img: qemu-img check failed"
  qemu-img convert -f qcow2 -O raw "$img" "$IMG_TMP/$role.raw"
  sfdisk -d "$IMG_TMP/$role.raw" > "$IMG_TMP/$role.gpt" || img_fail "$role: no partition table"
  grep -qi 'type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B' "$IMG_TMP/$role.gpt" || img_fail "$role: no ESP"
  grep -qi 'type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709' "$IMG_TMP/$role.gpt" || img_fail "$role: no root partition"
  if [ "$role" = collector ]; then
    grep -q 'name="vtap-pcap"' "$IMG_TMP/$role.gpt" || img_fail "collector: no pcap partition"
  fi
  # systemd-boot as the removable-media loader, and a boot entry.
  mdir -b -/ -i "$IMG_TMP/$role.raw@@1M" ::/ > "$IMG_TMP/$role.esp" 2>/dev/null ||
    img_fail "$role: the ESP is not a FAT file system"
  grep -qi 'EFI/BOOT/BOOTX64.EFI' "$IMG_TMP/$role.esp" || img_fail "$role: no EFI/BOOT/BOOTX64.EFI"
  grep -qi 'loader/entries/vtap-.*\.conf' "$IMG_TMP/$role.esp" || img_fail "$role: no boot entry"
  rm -f "$IMG_TMP/$role.raw"
  for p in libpcap0.8 libndpi4.2 libevent-2.1-7 liblz4-1 libmaxminddb0 libinih1 libjansson4 \
    libjs-chart.js libssl3 cloud-init systemd-boot linux-image-cloud-amd64; do
    grep -q "^$p " "$IMG_OUT/vtap-$role.packages" || img_fail "$role: package $p not installed"
  done
  size=$(du -m "$img" | cut -f1)
  virt=$(qemu-img info --output=json "$img" | python3 -c 'import json,sys; print(json.load(sys.stdin)["virtual-size"] >> 20)')
  img_log "vtap-$role.qcow2: $size MiB (virtual disk $virt MiB)"
done
echo "PASS: $IMG_NAME"
