#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The status page in a real browser (issue 5, point 5): a collector on
# loopback receives real captures from vtap-sender (replay mode), then
# tests/web/page-test.mjs drives Debian's headless Chromium through
# playwright-core against it: charts with live numbers, a pcap download,
# the filtered-download form, and a screenshot kept in $VTAP_ARTIFACTS.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
trap cleanup EXIT

e2e_need node npm
[[ -x /usr/bin/chromium ]] || e2e_skip "Debian's chromium is not installed (apt-get install chromium)"
e2e_need_pcaps
e2e_init

web_tests=$VTAP_SOURCE/tests/web
if [[ ! -d $web_tests/node_modules/playwright-core ]]; then
  # playwright-core from the npm registry; it downloads no browser
  (cd "$web_tests" && timeout 300 npm ci --no-audit --no-fund --loglevel=error) \
    || e2e_skip "npm ci in tests/web failed (no npm registry?)"
fi

port=$((20000 + $$ % 20000))
http=$((port + 1))
dir=$E2E_TMP/pcap
mkdir -p "$dir"
e2e_bg "$E2E_TMP/collector" "$VTAP_COLLECTOR" --listen "127.0.0.1:$port" --pcap-dir "$dir" \
  --http "127.0.0.1:$http" --web-dir "$VTAP_SOURCE/web" --workers 2 \
  --rotate-seconds 2
collector=$E2E_LAST_PID
for i in $(seq 1 50); do
  curl -sf "http://127.0.0.1:$http/healthz" >/dev/null && break
  sleep 0.1
done
curl -sf "http://127.0.0.1:$http/healthz" >/dev/null || e2e_fail "collector did not come up"

# traffic for a while so the rate chart has points: a few real captures, again and again
end=$((SECONDS + 8))
n=0
while ((SECONDS < end && n < 200)); do
  for f in http.pcapng dns.pcap 443-curl.pcap quic-29.pcap ssh.pcap; do
    "$VTAP_SENDER" --read "$PCAPS/app/$f" --destination 127.0.0.1 --port "$port" --vni 42 >/dev/null
  done
  n=$((n + 1))
  sleep 0.5
done
e2e_alive "$collector" || e2e_fail "collector died"

mkdir -p "$VTAP_ARTIFACTS"
VTAP_TIMEOUT_S=60 node "$web_tests/page-test.mjs" "http://127.0.0.1:$http/" "$VTAP_ARTIFACTS"
e2e_log "screenshot: $VTAP_ARTIFACTS/page.png"
