#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vtap-sender refuses bad arguments with one line on stderr: exit 2 for a
# usage error, 1 for a runtime one (unknown interface, unresolvable name,
# unreadable or non-Ethernet capture); --help prints usage on stdout, exit 0.
# Runs in an empty namespace, so no interface or name server is reachable.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
trap cleanup EXIT

e2e_init
e2e_ns NS solo

failures=0
checks=0

# expect CODE NEEDLE ARGS...: run the sender in NS; the exit status
# must be CODE and stderr exactly one line (containing NEEDLE, if not empty).
expect() {
  local code=$1 needle=$2 rc=0 lines
  shift 2
  checks=$((checks + 1))
  timeout 20 ip netns exec "$NS" "$VTAP_SENDER" "$@" \
    >"$E2E_TMP/out" 2>"$E2E_TMP/err" </dev/null || rc=$?
  lines=$(wc -l <"$E2E_TMP/err")
  # A last line without its newline still counts as a line.
  [[ -z $(tail -c 1 "$E2E_TMP/err") ]] || lines=$((lines + 1))
  if [[ $rc -ne $code || $lines -ne 1 ]] || { [[ -n $needle ]] && ! grep -qF -- "$needle" "$E2E_TMP/err"; }; then
    failures=$((failures + 1))
    printf 'not ok: vtap-sender %s\n  want exit %s and one stderr line%s\n  got exit %s and %s stderr lines:\n' \
      "$*" "$code" "${needle:+ naming '$needle'}" "$rc" "$lines"
    sed 's/^/    | /' "$E2E_TMP/err"
  else
    printf 'ok: vtap-sender %s -> exit %s: %s\n' "$*" "$rc" "$(head -n 1 "$E2E_TMP/err")"
  fi
}

# A one-frame capture with the BSD loopback link type (DLT_NULL).
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x00\x00\x00\x00' >"$E2E_TMP/null.pcap"
printf '\x00\x00\x00\x00\x00\x00\x00\x00\x18\x00\x00\x00\x18\x00\x00\x00' >>"$E2E_TMP/null.pcap"
printf '\x02\x00\x00\x00\x45\x00\x00\x14\x00\x00\x00\x00\x40\xff\x00\x00\x7f\x00\x00\x01\x7f\x00\x00\x01' >>"$E2E_TMP/null.pcap"

# Runtime errors: exit 1.
expect 1 vtnope0 --interface vtnope0 --destination 127.0.0.1
expect 1 vtap-e2e.invalid --interface lo --destination vtap-e2e.invalid
expect 1 "$E2E_TMP/missing.pcap" --read "$E2E_TMP/missing.pcap" --destination 127.0.0.1
expect 1 "" --read "$E2E_TMP/null.pcap" --destination 127.0.0.1

# Usage errors: exit 2.
expect 2 "" --interface lo --destination 127.0.0.1 --port 0
expect 2 "" --interface lo --destination 127.0.0.1 --port 65536
expect 2 "" --interface lo --destination 127.0.0.1 --port 47x
expect 2 "" --interface lo --destination 127.0.0.1 --vni 16777216
expect 2 "" --interface lo --destination 127.0.0.1 --vni -1
expect 2 "" --interface lo
expect 2 "" --read "$E2E_TMP/null.pcap"
expect 2 "" --interface lo --destination 127.0.0.1 --no-such-option

# --help: usage on stdout, nothing on stderr, exit 0.
checks=$((checks + 1))
rc=0
timeout 20 "$VTAP_SENDER" --help >"$E2E_TMP/out" 2>"$E2E_TMP/err" </dev/null || rc=$?
if [[ $rc -ne 0 || -s $E2E_TMP/err ]] || ! grep -q -- '--destination' "$E2E_TMP/out"; then
  failures=$((failures + 1))
  printf 'not ok: vtap-sender --help: exit %s, stderr %s bytes, stdout:\n' "$rc" "$(wc -c <"$E2E_TMP/err")"
  head -n 5 "$E2E_TMP/out" | sed 's/^/    | /'
else
  printf 'ok: vtap-sender --help -> exit 0, %s lines of usage on stdout\n' "$(wc -l <"$E2E_TMP/out")"
fi

e2e_log "$((checks - failures)) of $checks argument checks ok"
((failures == 0)) || e2e_fail "$failures of $checks argument checks failed"
