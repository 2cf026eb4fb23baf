#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile requests to a collector with traffic flowing through it:
#  - path traversal (../, percent-encoded, double-encoded, absolute, NUL,
#    backslashes, absolute-form targets) and names in the pcap directory
#    that are not closed store files (a text file, a symlink and a
#    directory with store-file names, a sidecar, a flow log, the open
#    .part file) are all a 404 or 400, and nothing outside the directory
#    is ever served;
#  - malformed or unsatisfiable Range headers are a 416 with
#    "Content-Range: bytes */SIZE" (several ranges: 200, the whole file);
#  - headers over 8 KiB, request lines over 8 KiB and bodies over 4 KiB are
#    refused (a big body never drains);
#  - slow clients (two downloads read one byte a second, one request whose
#    headers come one byte a second, for ~10 s) do not stop capture: the
#    written counter keeps growing, /healthz keeps answering (median under
#    a second) and another download is served whole meanwhile.
# After each group the collector must still answer /healthz with 200.
set -euo pipefail
source "$(dirname "$0")/common.sh"
he_isolate "$@"
trap he_cleanup EXIT

he_init
e2e_need_pcaps
e2e_need cmp

STORE=$E2E_TMP/store
mapfile -t HEAVY < <(he_pcaps ipsec_isakmp_esp.pcap bittorrent.pcap icmp-tunnel.pcap ip_fragmented_garbage.pcap)
he_collector collector --pcap-dir "$STORE" --workers 2 --http "127.0.0.1:$HE_HTTP" --rotate-seconds 0
for i in 1 2 3; do
  he_send 100 "${HEAVY[@]}"
done
he_wait_written "$HE_SENT"
he_seal "$STORE"
mapfile -t FILES < <(he_store_files "$STORE")
((${#FILES[@]} >= 1)) || e2e_fail "no closed file"
NAME=${FILES[0]}
SIZE=$(stat -c %s "$STORE/$NAME")
for f in "${FILES[@]}"; do
  s=$(stat -c %s "$STORE/$f")
  if ((s > SIZE)); then NAME=$f SIZE=$s; fi
done
STEM=${NAME%.pcap}
# Traffic from now on (a small capture every 0.2 s, for 10 minutes at most), so
# an open .part file exists and capture can be watched.
# shellcheck disable=SC2016 # expanded by the inner bash
e2e_bg "$E2E_TMP/traffic" bash -c 'for ((i = 0; i < 3000 && SECONDS < 600; i++)); do
    "$0" --read "$1" --destination 127.0.0.1 --port "$2" --vni 200 >/dev/null || exit 1
    sleep 0.2
  done' "$VTAP_SENDER" "$PCAPS/app/dns.pcap" "$HE_UDP"
TRAFFIC_PID=$E2E_LAST_PID
he_wait_written $((HE_SENT + 5))
has_part() { compgen -G "$STORE/*.pcap.part" >/dev/null; }
e2e_wait 10 "an open .part file in the store" has_part
PART=$(basename "$(compgen -G "$STORE/*.pcap.part" | head -n 1)")

# Things in the pcap directory that are not closed store files.
printf 'not a capture\n' >"$STORE/notes.txt"
ln -s /etc/passwd "$STORE/vtap-w7-20200101T000000.000000000Z.pcap"
ln -s /etc/passwd "$STORE/vtap-w7-20200101T000001.000000000Z.pcap.lz4"
mkdir "$STORE/vtap-w6-20200101T000000.000000000Z.pcap"
cp "$STORE/$NAME" "$STORE/.hidden.pcap"
cp "$STORE/$NAME" "$STORE/copy of capture.pcap"
SIDECAR=$STEM.idx.json
[[ -f $STORE/$SIDECAR ]] || e2e_fail "no sidecar $SIDECAR beside $NAME"
# a flow log's name (the collector writes them there when flows close)
FLOWLOG=flows-w0-20200101T000000Z.jsonl
printf '{"src":"192.0.2.1"}\n' >"$STORE/$FLOWLOG"
SECRET=$(head -n 1 /etc/passwd)

healthy() {
  he_expect 200 "$HE_BASE/healthz"
  he_json "/healthz after $1" '.ok == true'
}

# refused PATH: a curl request for PATH exactly as written (no dot-segment
# removal) is a 404 or 400 and serves nothing of the file system.
refused() {
  he_get "$HE_BASE$1" --path-as-is
  [[ $HE_CODE == 404 || $HE_CODE == 400 ]] || e2e_fail "GET $1: expected 404 or 400, got $HE_CODE ($(he_said))"
  ! grep -qF -- "$SECRET" "$HE_BODY" || e2e_fail "GET $1 served /etc/passwd"
  ! grep -qF -- "not a capture" "$HE_BODY" || e2e_fail "GET $1 served notes.txt"
  [[ $(stat -c %s "$HE_BODY") -lt 1000 ]] || e2e_fail "GET $1: a $(stat -c %s "$HE_BODY")-byte body with HTTP $HE_CODE"
}
# refused_raw TARGET: the same on the raw socket, for targets curl would
# rewrite or refuse to send.
refused_raw() {
  local out
  out=$(he_py httpraw.py request "$HE_HTTP" "GET $1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" "$E2E_TMP/raw.body")
  jq -e '.status == 404 or .status == 400' <<<"$out" >/dev/null || e2e_fail "raw GET $1: expected 404 or 400: $out"
  ! grep -qF -- "$SECRET" "$E2E_TMP/raw.body" || e2e_fail "raw GET $1 served /etc/passwd"
}

he_expect 200 "$HE_BASE/files/$NAME"
cmp -s "$HE_BODY" "$STORE/$NAME" || e2e_fail "GET /files/$NAME differs from the file"
for p in \
  /files/../../etc/passwd /files/../../../../../../etc/passwd /files/..%2f..%2fetc%2fpasswd \
  /files/%2e%2e/%2e%2e/etc/passwd /files/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd /files/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd \
  /files/%252e%252e%252f%252e%252e%252fetc%252fpasswd /files/%25252e%25252e%25252fetc%25252fpasswd \
  /files//etc/passwd /files/%2fetc%2fpasswd /files/%2Fetc%2Fpasswd /files///etc/passwd \
  '/files/..%5c..%5cetc%5cpasswd' '/files/..\..\etc\passwd' /files/%c0%ae%c0%ae%c0%afetc%c0%afpasswd \
  /files/%00 /files/x%00.pcap "/files/$NAME%00" "/files/$NAME%00.txt" "/files/%00$NAME" \
  "/files/../store/$NAME/../../../etc/passwd" "/files/./$NAME" "/files/$NAME/" "/files/$NAME/." \
  "/files/$NAME/.." /files/ /files/. /files/.. /files /files%2f..%2f..%2fetc%2fpasswd \
  /static/../../etc/passwd /static/..%2f..%2f..%2fetc%2fpasswd /static/%2e%2e%2f%2e%2e%2fetc%2fpasswd \
  /%2e%2e/%2e%2e/etc/passwd /../../etc/passwd /etc/passwd \
  /files/notes.txt "/files/$SIDECAR" "/files/$FLOWLOG" "/files/$PART" "/files/${PART%.part}" \
  /files/vtap-w7-20200101T000000.000000000Z.pcap /files/vtap-w7-20200101T000001.000000000Z.pcap.lz4 \
  /files/vtap-w6-20200101T000000.000000000Z.pcap /files/.hidden.pcap '/files/copy%20of%20capture.pcap' \
  "/files/$STEM.PCAP" "/files/${NAME^^}" "/files/$NAME.lz4" "/files/$STEM" "/files/$STEM.pcap.part"; do
  refused "$p"
done
for t in /files/../../etc/passwd "/files/$NAME\x00" '/files/\x00' "http://127.0.0.1:$HE_HTTP/files/../../etc/passwd" \
  "http://127.0.0.1:$HE_HTTP/files/%2e%2e%2f%2e%2e%2fetc%2fpasswd" '/files/..\\..\\etc\\passwd' \
  '/files/%2e%2e%2f%2e%2e%2fetc%2fpasswd%00.pcap' \
  "/files/$NAME\r\nX-Injected: 1" ../../etc/passwd '*'; do
  refused_raw "$t"
done
healthy "the traversal attempts"
he_log "traversal: every attempt a 404 or 400, nothing served from outside the store"

# ---- Range
url=$HE_BASE/files/$NAME
for r in "bytes=abc" "bytes=5-2" "bytes=999999999-" "bytes=$SIZE-" "bytes=$SIZE-$((SIZE + 10))" "items=0-1" \
  "bytes=" "bytes=-" "bytes=-0" "bytes=1-2-3" "bytes=0x10-20" "bytes=-abc" "bytes=18446744073709551616-" \
  "bytes=99999999999999999999999999-1" "bytes=1--2" "bytes=+1-2" "bytes=--1" "Bytes=0-1" "bytes 0-1" "bytes=0-1;" "0-1"; do
  he_expect 416 "$url" -H "Range: $r"
  he_json_error "Range: $r"
  [[ $(he_header Content-Range) == "bytes */$SIZE" ]] ||
    e2e_fail "Range: $r: Content-Range '$(he_header Content-Range)', expected 'bytes */$SIZE'"
done
he_expect 200 "$url" -H "Range: bytes=0-1,5-6"
cmp -s "$HE_BODY" "$STORE/$NAME" || e2e_fail "Range: bytes=0-1,5-6: the 200 is not the whole file"
[[ -z $(he_header Content-Range) ]] || e2e_fail "Range: bytes=0-1,5-6: Content-Range on a 200"
healthy "the Range headers"
he_log "Range: malformed and unsatisfiable ones 416 with bytes */$SIZE; several ranges 200 whole"

# ---- sizes
pad() { head -c "$1" /dev/zero | tr '\0' a; }
# answered_not_ok WHAT: refused, by a 4xx or by closing the connection
answered_not_ok() {
  [[ $HE_CODE == 000 || $HE_CODE == 4[0-9][0-9] ]] || e2e_fail "$1: expected a refusal, got HTTP $HE_CODE"
}
he_get "$HE_BASE/healthz" -H "X-Pad: $(pad 9000)"
answered_not_ok "a 9000-byte header"
he_get "$HE_BASE/healthz" -H "X-Pad: $(pad 100000)"
answered_not_ok "a 100000-byte header"
hdrs=()
for ((i = 0; i < 100; i++)); do hdrs+=(-H "X-Pad-$i: $(pad 100)"); done
he_get "$HE_BASE/healthz" "${hdrs[@]}"
answered_not_ok "100 headers of 100 bytes"
he_get "$HE_BASE/healthz?x=$(pad 9000)"
answered_not_ok "a 9000-byte request line"
he_get "$HE_BASE/files/$(pad 9000).pcap"
answered_not_ok "a 9000-byte file name"
out=$(he_py httpraw.py request "$HE_HTTP" "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: $(pad 9000)\r\n\r\n")
jq -e '.status != 200' <<<"$out" >/dev/null || e2e_fail "raw request with a 9000-byte header: $out"
# Just under the limit is fine.
he_expect 200 "$HE_BASE/healthz" -H "X-Pad: $(pad 7000)"
he_get "$HE_BASE/api/v1/drain" -X POST --data-binary "$(pad 10000)" -H 'Content-Type: text/plain'
answered_not_ok "a 10000-byte body"
healthy "an oversized body on POST /api/v1/drain (which must not drain)"
he_log "sizes: headers, request lines and bodies over the limits refused"

# ---- slow clients
written0=$(he_status .counters.written)
e2e_bg "$E2E_TMP/slow1" he_py httpraw.py slowread "$HE_HTTP" "/files/$NAME" 10
slow1=$E2E_LAST_PID
e2e_bg "$E2E_TMP/slow2" he_py httpraw.py slowread "$HE_HTTP" /api/v1/pcap 10
slow2=$E2E_LAST_PID
e2e_bg "$E2E_TMP/slow3" he_py httpraw.py slowheaders "$HE_HTTP" 10
slow3=$E2E_LAST_PID
sleep 1
# Each /healthz within 3 s, half of them within 1 s (a loaded machine may
# delay one; a blocked event loop would delay all).
worst=0
times=()
for ((i = 0; i < 8; i++)); do
  t=$(curl -sS --max-time 5 -o "$E2E_TMP/hz" -w '%{http_code} %{time_total}' "$HE_BASE/healthz" 2>&1) ||
    e2e_fail "/healthz did not answer while slow clients were connected: $t"
  read -r code secs <<<"$t"
  [[ $code == 200 ]] || e2e_fail "/healthz answered $code while slow clients were connected: $(cat "$E2E_TMP/hz")"
  awk -v s="$secs" 'BEGIN { exit !(s < 3.0) }' || e2e_fail "/healthz took $secs s while slow clients were connected"
  worst=$(awk -v a="$worst" -v b="$secs" 'BEGIN { print (b > a ? b : a) }')
  times+=("$secs")
  if ((i == 3)); then
    he_expect 200 "$HE_BASE/files/$NAME"
    cmp -s "$HE_BODY" "$STORE/$NAME" || e2e_fail "a download during the slow clients differs from the file"
  fi
  sleep 1
done
median=$(printf '%s\n' "${times[@]}" | sort -g | sed -n 4p)
awk -v s="$median" 'BEGIN { exit !(s < 1.0) }' || e2e_fail "/healthz took a median $median s while slow clients were connected (${times[*]})"
written1=$(he_status .counters.written)
e2e_wait_exit "$slow1" 20
e2e_wait_exit "$slow2" 20
e2e_wait_exit "$slow3" 20
for s in slow1 slow2; do
  jq -e '.status_line | startswith("HTTP/1.1 200")' "$E2E_TMP/$s.out" >/dev/null ||
    e2e_fail "$s: the slow download did not start with a 200: $(cat "$E2E_TMP/$s.out" "$E2E_TMP/$s.err")"
done
((written1 > written0 + 20)) ||
  e2e_fail "capture stalled while slow clients were connected: written $written0, then $written1"
he_log "slow clients: $(jq -c . "$E2E_TMP/slow1.out"), $(jq -c . "$E2E_TMP/slow2.out"), $(jq -c . "$E2E_TMP/slow3.out"); written $written0 -> $written1; /healthz at worst $worst s, median $median s"
healthy "the slow clients"

e2e_stop "$TRAFFIC_PID"
[[ $(he_status .counters.write_errors) == 0 ]] || e2e_fail "write errors: $(he_status .counters.write_errors)"
he_collector_stop
he_log "ok: traversal, Range, size limits and slow clients refused or contained; capture went on"
