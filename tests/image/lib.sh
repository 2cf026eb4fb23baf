# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the VM image tests (tests/image/*.sh): opt-in and skip rules,
# the images (built once by deploy/image/build), whether KVM can run them,
# cloud-init seed disks, qemu VMs that are stopped on exit, and bounded
# waits. Every VM uses user-mode networking restricted to its forwarded
# ports on 127.0.0.1 (restrict=on: the guest reaches neither the host nor
# the outside), and VMs talk to each other only over a qemu socket network
# on 127.0.0.1; the host's own network is never touched.
#
# Environment (set by tests/image/meson.build):
#   VTAP_SOURCE             the source tree
#   VTAP_IMAGE_DEFAULT_DIR  BUILD/image
# And for people:
#   VTAP_IMAGE_DIR=DIR     build and boot the images in DIR instead
#   VTAP_IMAGE_TESTS=1     run the suite (building the images if needed)
#                          even without a KVM that can boot them; =0 skips
#                          it; unset, it runs where KVM looks usable or the
#                          images have been built already
#   VTAP_IMAGE_ACCEL=tcg   run the VMs without KVM (slow: every deadline
#                          is multiplied by VTAP_IMAGE_TCG_FACTOR, 10)
#   IMG_KEEP=1             keep the temporary directory (serial logs)

IMG_NAME=$(basename "$0" .sh)
trap 'exit 130' INT
trap 'exit 143' TERM
IMG_TMP=""
IMG_PIDS=()
IMG_ACCEL=""
IMG_FACTOR=1
IMG_OUT="${VTAP_IMAGE_DIR:-${VTAP_IMAGE_DEFAULT_DIR:-}}"
IMG_SRC="${VTAP_SOURCE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
IMG_OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
IMG_OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd

img_log() {
  printf '%s: %s\n' "$IMG_NAME" "$*"
}

img_skip() {
  printf 'SKIP: %s: %s\n' "$IMG_NAME" "$*"
  exit 77
}

img_fail() {
  printf 'FAIL: %s: %s\n' "$IMG_NAME" "$*"
  local f
  for f in "$IMG_TMP"/*.serial; do
    [ -f "$f" ] || continue
    printf -- '--- last lines of %s\n' "$(basename "$f")"
    sed 's/\x1b\[[0-9;]*[A-Za-z]//g' "$f" | tr -d '\r' | tail -40
  done
  exit 1
}

img_cleanup() {
  local p
  for p in "${IMG_PIDS[@]}"; do
    kill "$p" 2>/dev/null || true
  done
  for p in "${IMG_PIDS[@]}"; do
    wait "$p" 2>/dev/null || true
  done
  if [ -n "$IMG_TMP" ] && [ -d "$IMG_TMP" ]; then
    if [ "${IMG_KEEP:-0}" = 1 ]; then
      img_log "kept $IMG_TMP"
    else
      rm -rf "$IMG_TMP"
    fi
  fi
}
trap img_cleanup EXIT

# img_need TOOL...: skip unless every tool is on PATH.
img_need() {
  local t
  for t in "$@"; do
    command -v "$t" >/dev/null 2>&1 ||
      img_skip "$t not found (Debian packages: qemu-system-x86 qemu-utils ovmf debootstrap dosfstools mtools curl tcpdump)"
  done
}

# img_kvm_likely: is /dev/kvm a hardware KVM that runs any x86 guest? (The
# real test is img_accel's; this one is free and needs no image.)
img_kvm_likely() {
  [ -w /dev/kvm ] && [ ! -d /sys/module/kvm_pvm ] &&
    { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }
}

# img_init: the rules that decide whether this suite runs at all:
# VTAP_IMAGE_TESTS=1 runs it, =0 skips it; unset, it runs where KVM can
# boot the images or where they have been built already.
img_init() {
  [ -n "$IMG_OUT" ] || IMG_OUT="$IMG_SRC/build/image"
  case ${VTAP_IMAGE_TESTS:-auto} in
    1) ;;
    0) img_skip "VTAP_IMAGE_TESTS=0" ;;
    *)
      if ! img_kvm_likely && [ "${VTAP_IMAGE_ACCEL:-}" != tcg ] &&
        { [ ! -f "$IMG_OUT/vtap-collector.qcow2" ] || [ ! -f "$IMG_OUT/vtap-sender.qcow2" ]; }; then
        local why="/dev/kvm is missing or not writable"
        [ -d /sys/module/kvm_pvm ] && why="this host's KVM is PVM (kvm_pvm), which runs only guest kernels built for it"
        img_skip "no KVM to boot the images ($why): VTAP_IMAGE_TESTS=1 builds them anyway (3-4 min), VTAP_IMAGE_ACCEL=tcg also boots them under emulation (about 7 min)"
      fi ;;
  esac
  [ "$(id -u)" -eq 0 ] || img_skip "needs root (debootstrap, chroot)"
  img_need qemu-system-x86_64 qemu-img mkfs.vfat mcopy curl python3
  [ -r "$IMG_OVMF_CODE" ] || img_skip "$IMG_OVMF_CODE missing (Debian package ovmf)"
  IMG_TMP=$(mktemp -d /tmp/vtap-image-test.XXXXXX)
}

# img_images: make sure both images exist (build them when they do not).
img_images() {
  if [ ! -f "$IMG_OUT/vtap-collector.qcow2" ] || [ ! -f "$IMG_OUT/vtap-sender.qcow2" ]; then
    img_log "building the images in $IMG_OUT"
    "$IMG_SRC/deploy/image/build" --out "$IMG_OUT" > "$IMG_TMP/build.log" 2>&1 || {
      tail -30 "$IMG_TMP/build.log"
      img_fail "deploy/image/build failed"
    }
  fi
}

# img_accel: choose KVM when it can run a Debian kernel, else skip (or use
# TCG when VTAP_IMAGE_ACCEL=tcg). /dev/kvm being there is not enough: some
# hosts offer a KVM (e.g. PVM, for nested sandboxes) that runs only
# kernels built for it, so the probe boots the image's own kernel and
# waits for its first line on the serial console.
img_accel() {
  local want=${VTAP_IMAGE_ACCEL:-kvm} pid i
  case $want in
    tcg)
      IMG_ACCEL=tcg
      IMG_FACTOR=${VTAP_IMAGE_TCG_FACTOR:-10}
      img_log "accelerator: tcg (emulation), deadlines x$IMG_FACTOR"
      return 0 ;;
    kvm) ;;
    *) img_fail "VTAP_IMAGE_ACCEL must be kvm or tcg, not '$want'" ;;
  esac
  [ -w /dev/kvm ] || img_skip "/dev/kvm is not usable (set VTAP_IMAGE_ACCEL=tcg to run under emulation, slowly)"
  [ ! -d /sys/module/kvm_pvm ] ||
    img_skip "this host's KVM is PVM (kvm_pvm), which runs only guest kernels built for it, not Debian's; set VTAP_IMAGE_ACCEL=tcg to run under emulation, slowly"
  [ -f "$IMG_OUT/vmlinuz" ] || img_fail "$IMG_OUT/vmlinuz missing: rebuild the images"
  qemu-system-x86_64 -machine q35,accel=kvm -cpu host -m 256 -smp 1 -nodefaults \
    -display none -no-reboot -serial "file:$IMG_TMP/kvm-probe.log" \
    -kernel "$IMG_OUT/vmlinuz" -append "console=ttyS0 panic=-1" \
    > "$IMG_TMP/kvm-probe.err" 2>&1 &
  pid=$!
  for ((i = 0; i < 40; i++)); do
    grep -aq 'Linux version' "$IMG_TMP/kvm-probe.log" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if ! grep -aq 'Linux version' "$IMG_TMP/kvm-probe.log" 2>/dev/null; then
    local why="no console output within 20 s"
    [ -d /sys/module/kvm_pvm ] &&
      why="this host's KVM is PVM (kvm_pvm), which runs only guest kernels built for PVM"
    img_skip "/dev/kvm cannot run the image's Debian kernel ($why); set VTAP_IMAGE_ACCEL=tcg to run under emulation, slowly"
  fi
  IMG_ACCEL=kvm
  img_log "accelerator: kvm"
}

# img_port: a free TCP port on 127.0.0.1.
img_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# img_seed NAME USER_DATA NETWORK_CONFIG: a NoCloud seed disk (vfat, label
# CIDATA) at $IMG_TMP/NAME-seed.img; NETWORK_CONFIG may be "".
img_seed() {
  local name=$1 ud=$2 nc=$3
  local d="$IMG_TMP/$name-seed"
  mkdir -p "$d"
  cp "$ud" "$d/user-data"
  printf 'instance-id: %s-%s\nlocal-hostname: vtap-%s\n' "$name" "$$" "$name" > "$d/meta-data"
  [ -z "$nc" ] || cp "$nc" "$d/network-config"
  rm -f "$IMG_TMP/$name-seed.img"
  mkfs.vfat -C -n CIDATA "$IMG_TMP/$name-seed.img" 2048 >/dev/null
  mcopy -i "$IMG_TMP/$name-seed.img" "$d"/* ::/
}

# img_boot NAME IMAGE [qemu arguments...]: boot a copy-on-write overlay of
# IMAGE (the built image stays untouched) with UEFI, NAME's seed disk if
# img_seed made one, and the given extra arguments (NICs). Serial console
# in $IMG_TMP/NAME.serial; sets IMG_BOOT_T0 (start, epoch seconds).
# IMG_DISK_SIZE=SIZE gives the VM a disk larger than the image.
img_boot() {
  local name=$1 image=$2
  shift 2
  local cpu=host
  [ "$IMG_ACCEL" = kvm ] || cpu=max
  qemu-img create -q -f qcow2 -b "$image" -F qcow2 "$IMG_TMP/$name.qcow2" ${IMG_DISK_SIZE:-}
  cp "$IMG_OVMF_VARS" "$IMG_TMP/$name-vars.fd"
  local seed=()
  [ -f "$IMG_TMP/$name-seed.img" ] &&
    seed=(-drive "file=$IMG_TMP/$name-seed.img,if=virtio,format=raw,readonly=on")
  IMG_BOOT_T0=$(date +%s.%N)
  qemu-system-x86_64 -name "vtap-$name" -machine "q35,accel=$IMG_ACCEL" -cpu "$cpu" \
    -smp 2 -m 1024 -nodefaults -display none -no-user-config \
    -drive "if=pflash,format=raw,unit=0,readonly=on,file=$IMG_OVMF_CODE" \
    -drive "if=pflash,format=raw,unit=1,file=$IMG_TMP/$name-vars.fd" \
    -drive "file=$IMG_TMP/$name.qcow2,if=virtio,format=qcow2" \
    "${seed[@]}" \
    -serial "file:$IMG_TMP/$name.serial" \
    "$@" > "$IMG_TMP/$name.qemu.log" 2>&1 &
  IMG_PIDS+=($!)
}

# img_nic_user ID MAC FWD...: a virtio NIC on restricted user-mode
# networking; each FWD is HOSTPORT:GUESTPORT, forwarded from 127.0.0.1.
img_nic_user() {
  local id=$1 mac=$2 fwd="" f
  shift 2
  for f in "$@"; do
    fwd+=",hostfwd=tcp:127.0.0.1:${f%%:*}-:${f##*:}"
  done
  printf '%s\n' -netdev "user,id=$id,restrict=on$fwd" \
    -device "virtio-net-pci,netdev=$id,mac=$mac,romfile="
}

# img_elapsed: seconds since the last img_boot, one decimal.
img_elapsed() {
  python3 -c "import sys,time; print(f'{time.time() - float(sys.argv[1]):.1f}')" "$IMG_BOOT_T0"
}

# img_wait_http URL CODE SECONDS [curl options...]: wait until URL answers
# CODE; fails with the last answer after SECONDS (times the TCG factor).
img_wait_http() {
  local url=$1 want=$2 secs=$(($3 * IMG_FACTOR)) code="" end
  shift 3
  end=$(($(date +%s) + secs))
  while [ "$(date +%s)" -lt "$end" ]; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -m 3 "$@" "$url" 2>/dev/null) || true
    [ "$code" = "$want" ] && return 0
    img_alive || img_fail "a VM stopped (qemu: $(cat "$IMG_TMP"/*.qemu.log 2>/dev/null | head -c 300))"
    sleep 1
  done
  img_fail "$url did not answer $want within $secs s (last: ${code:-none})"
}

# img_alive: are all VMs still running?
img_alive() {
  local p
  for p in "${IMG_PIDS[@]}"; do
    kill -0 "$p" 2>/dev/null || return 1
  done
}

# img_serial_has NAME REGEX: does NAME's serial console show REGEX?
img_serial_has() {
  sed 's/\x1b\[[0-9;]*[A-Za-z]//g' "$IMG_TMP/$1.serial" 2>/dev/null | tr -d '\r' | grep -aEq "$2"
}
