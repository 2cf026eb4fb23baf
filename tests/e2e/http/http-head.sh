#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# HEAD answers carry no body (RFC 9110 9.3.2), on every route that takes
# HEAD: the same status as GET, headers only. On a kept-alive connection a
# body after HEAD's headers would be read as the next answer. Checked one
# request per connection on the raw socket, then as HEAD, HEAD, GET on one
# connection, which must give exactly three answers, the last with the
# /healthz JSON as its body.
set -euo pipefail
source "$(dirname "$0")/common.sh"
he_isolate "$@"
trap he_cleanup EXIT

he_init
e2e_need_pcaps

STORE=$E2E_TMP/store
he_collector collector --pcap-dir "$STORE" --workers 1 --http "127.0.0.1:$HE_HTTP" \
  --probe "127.0.0.1:$HE_PROBE" --rotate-seconds 0 --web-dir "$HE_DIR/../../../web"
he_send 100 "$PCAPS/app/dns.pcap"
he_wait_written "$HE_SENT"
he_seal "$STORE"
NAME=$(he_store_files "$STORE" | head -n 1)

bad=()
for port_path in "$HE_HTTP /healthz" "$HE_PROBE /healthz" "$HE_HTTP /metrics" "$HE_HTTP /api/v1/status" \
  "$HE_HTTP /api/v1/timeseries" "$HE_HTTP /api/v1/protocols" "$HE_HTTP /api/v1/flows" "$HE_HTTP /api/v1/talkers" \
  "$HE_HTTP /api/v1/files" "$HE_HTTP /api/v1/pcap/estimate" "$HE_HTTP /api/v1/pcap" "$HE_HTTP /files/$NAME" \
  "$HE_HTTP /" "$HE_HTTP /static/app.js" "$HE_HTTP /nothing" "$HE_HTTP /api/v1/flows?limit=0"; do
  read -r port path <<<"$port_path"
  get=$(he_py httpraw.py request "$port" "GET $path HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
  head=$(he_py httpraw.py request "$port" "HEAD $path HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
  gs=$(jq .status <<<"$get")
  hs=$(jq .status <<<"$head")
  hb=$(jq .body_len <<<"$head")
  if [[ $gs != "$hs" || $hb != 0 ]]; then
    bad+=("HEAD $path on :$port: status $hs (GET: $gs), $hb body bytes")
  fi
done
((${#bad[@]} == 0)) || e2e_fail "HEAD answers with a body or another status: $(printf '%s; ' "${bad[@]}")"

he_py httpraw.py request "$HE_HTTP" "HEAD /api/v1/status HTTP/1.1\r\nHost: x\r\n\r\nHEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" "$E2E_TMP/ka.body" >/dev/null
n=$(grep -c '^HTTP/1.1 ' "$E2E_TMP/ka.body" || true)
if ((n != 2)) || ! tail -n 1 "$E2E_TMP/ka.body" | jq -e '.ok == true' >/dev/null 2>&1; then
  e2e_fail "HEAD, HEAD, GET /healthz on one connection: not three answers ending in the health JSON: $(head -c 300 "$E2E_TMP/ka.body" | tr '\n' ' ')"
fi
he_collector_stop
he_log "ok: HEAD answers have no body"
