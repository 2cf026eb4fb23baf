#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# /files/NAME downloads of closed store files, after captures of
# ../shared/pcaps/app were replayed into the collector:
#  - GET of every closed file equals the file on disk (cmp), with
#    Content-Length, Content-Type, Content-Disposition and Accept-Ranges;
#  - a Range (start-end, start-, -suffix, one byte, an end past the file,
#    across the 256 KiB streaming chunks) answers 206 with the right
#    Content-Range, Content-Length and exactly those bytes;
#  - HEAD gives the same headers and no body (seen on the raw socket);
#  - with --compress lz4, NAME.pcap.lz4 downloads as the plain pcap, equal
#    to `lz4 -dc` of the file (a Range is not applied to it: 200, whole),
#    and ?raw=1 gives the compressed bytes themselves (ranges too).
set -euo pipefail
source "$(dirname "$0")/common.sh"
he_isolate "$@"
trap he_cleanup EXIT

he_init
e2e_need_pcaps
e2e_need lz4 cmp

# Big captures first, so that one worker's file spans several 256 KiB chunks.
mapfile -t TRAFFIC < <(he_pcaps ipsec_isakmp_esp.pcap bittorrent.pcap icmp-tunnel.pcap \
  ip_fragmented_garbage.pcap 443-curl.pcap http_ipv6.pcap ssh.pcap dns.pcap http.pcapng smtp.pcap)

# bytes FILE FIRST LAST: bytes FIRST..LAST (inclusive) of FILE.
bytes() {
  tail -c +$(($2 + 1)) "$1" | head -c $(($3 - $2 + 1))
}

# check_range URL FILE SIZE RANGE FIRST LAST: a 206 with bytes FIRST..LAST.
check_range() {
  local url=$1 file=$2 size=$3 range=$4 first=$5 last=$6
  he_expect 206 "$url" -H "Range: $range"
  [[ $(he_header Content-Range) == "bytes $first-$last/$size" ]] ||
    e2e_fail "Range: $range of $(basename "$file"): Content-Range '$(he_header Content-Range)', expected 'bytes $first-$last/$size'"
  [[ $(he_header Content-Length) == $((last - first + 1)) ]] ||
    e2e_fail "Range: $range of $(basename "$file"): Content-Length '$(he_header Content-Length)', expected $((last - first + 1))"
  cmp -s "$HE_BODY" <(bytes "$file" "$first" "$last") ||
    e2e_fail "Range: $range of $(basename "$file"): the body ($(stat -c %s "$HE_BODY") bytes) is not bytes $first-$last of the file"
}

# head_no_body PATH: HEAD on the raw socket: its headers, and no body byte.
head_no_body() {
  local out
  out=$(he_py httpraw.py request "$HE_HTTP" "HEAD $1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
  jq -e '.status == 200 and .body_len == 0 and .closed' <<<"$out" >/dev/null ||
    e2e_fail "HEAD $1: expected 200, no body, closed; got $out"
  printf '%s\n' "$out"
}

# ---- plain files
PLAIN=$E2E_TMP/plain
he_collector plain --pcap-dir "$PLAIN" --workers 2 --http "127.0.0.1:$HE_HTTP" --rotate-seconds 0
# Twice: however the flows fall on the two workers, one file gets big.
he_send 100 "${TRAFFIC[@]}"
he_send 100 "${TRAFFIC[@]}"
he_wait_written "$HE_SENT"
he_seal "$PLAIN"
mapfile -t FILES < <(he_store_files "$PLAIN")
((${#FILES[@]} >= 2)) || e2e_fail "expected a file per worker, found: ${FILES[*]}"
big="" big_size=0
for name in "${FILES[@]}"; do
  f=$PLAIN/$name
  size=$(stat -c %s "$f")
  he_expect 200 "$HE_BASE/files/$name"
  cmp "$HE_BODY" "$f" >/dev/null || e2e_fail "GET /files/$name differs from the file ($(stat -c %s "$HE_BODY") bytes downloaded, $size on disk)"
  [[ $(he_header Content-Length) == "$size" ]] || e2e_fail "GET /files/$name: Content-Length '$(he_header Content-Length)', file size $size"
  [[ $(he_header Content-Type) == application/vnd.tcpdump.pcap ]] || e2e_fail "GET /files/$name: Content-Type '$(he_header Content-Type)'"
  [[ $(he_header Content-Disposition) == "attachment; filename=\"$name\"" ]] ||
    e2e_fail "GET /files/$name: Content-Disposition '$(he_header Content-Disposition)'"
  [[ $(he_header Accept-Ranges) == bytes ]] || e2e_fail "GET /files/$name: Accept-Ranges '$(he_header Accept-Ranges)'"
  if ((size > big_size)); then
    big=$name big_size=$size
  fi
done
((big_size > 3 * 262144)) || e2e_fail "the biggest file, $big, has only $big_size bytes: the captures should make it span several chunks"
he_log "GET: ${#FILES[@]} files equal their disk copies (the biggest $big_size bytes)"

f=$PLAIN/$big
url=$HE_BASE/files/$big
check_range "$url" "$f" "$big_size" "bytes=0-99" 0 99
check_range "$url" "$f" "$big_size" "bytes=0-0" 0 0
check_range "$url" "$f" "$big_size" "bytes=24-24" 24 24
check_range "$url" "$f" "$big_size" "bytes=1000-" 1000 $((big_size - 1))
check_range "$url" "$f" "$big_size" "bytes=-100" $((big_size - 100)) $((big_size - 1))
check_range "$url" "$f" "$big_size" "bytes=-1" $((big_size - 1)) $((big_size - 1))
check_range "$url" "$f" "$big_size" "bytes=-$((big_size + 5000))" 0 $((big_size - 1))
check_range "$url" "$f" "$big_size" "bytes=100-$((big_size + 5000))" 100 $((big_size - 1))
check_range "$url" "$f" "$big_size" "bytes=$((big_size - 1))-" $((big_size - 1)) $((big_size - 1))
check_range "$url" "$f" "$big_size" "bytes=262000-$((262144 * 2 + 100))" 262000 $((262144 * 2 + 100))
check_range "$url" "$f" "$big_size" "bytes=$((big_size / 2))-$((big_size / 2 + 300000))" $((big_size / 2)) $((big_size / 2 + 300000))
he_log "Range: start-end, start-, -suffix, single bytes, past the end and across chunks: 206 and the exact bytes"

out=$(head_no_body "/files/$big")
jq -e --arg s "$big_size" --arg n "$big" '.headers["content-length"] == $s and .headers["accept-ranges"] == "bytes" and
  .headers["content-disposition"] == ("attachment; filename=\"" + $n + "\"") and
  .headers["content-type"] == "application/vnd.tcpdump.pcap"' <<<"$out" >/dev/null ||
  e2e_fail "HEAD /files/$big: headers $out"
out=$(he_py httpraw.py request "$HE_HTTP" "HEAD /files/$big HTTP/1.1\r\nHost: x\r\nRange: bytes=10-19\r\nConnection: close\r\n\r\n")
jq -e --arg cr "bytes 10-19/$big_size" '.status == 206 and .body_len == 0 and .headers["content-length"] == "10" and
  .headers["content-range"] == $cr' <<<"$out" >/dev/null || e2e_fail "HEAD /files/$big with a Range: $out"
he_get "$url" -I
[[ $HE_CODE == 200 && $(he_header Content-Length) == "$big_size" ]] ||
  e2e_fail "curl -I $url: $HE_CODE, Content-Length '$(he_header Content-Length)'"
he_log "HEAD: the headers (Content-Length $big_size), no body"
he_collector_stop

# ---- lz4
LZ=$E2E_TMP/lz4
he_collector lz4 --pcap-dir "$LZ" --workers 2 --http "127.0.0.1:$HE_HTTP" --rotate-seconds 0 --compress lz4
HE_SENT=0
he_send 200 "${TRAFFIC[@]}"
he_wait_written "$HE_SENT"
he_seal "$LZ"
mapfile -t FILES < <(he_store_files "$LZ")
((${#FILES[@]} >= 2)) || e2e_fail "expected a file per worker, found: ${FILES[*]}"
for name in "${FILES[@]}"; do
  [[ $name == *.pcap.lz4 ]] || e2e_fail "--compress lz4 left $name uncompressed"
  f=$LZ/$name
  size=$(stat -c %s "$f")
  lz4 -dc "$f" >"$E2E_TMP/plain.pcap" 2>/dev/null || e2e_fail "lz4 -dc cannot read $name"
  plain_size=$(stat -c %s "$E2E_TMP/plain.pcap")
  ((plain_size > size)) || e2e_fail "$name: $size bytes compressed, $plain_size plain"
  he_expect 200 "$HE_BASE/files/$name"
  cmp "$HE_BODY" "$E2E_TMP/plain.pcap" >/dev/null ||
    e2e_fail "GET /files/$name ($(stat -c %s "$HE_BODY") bytes) is not lz4 -dc of the file ($plain_size bytes)"
  [[ $(he_header Content-Type) == application/vnd.tcpdump.pcap ]] || e2e_fail "GET /files/$name: Content-Type '$(he_header Content-Type)'"
  [[ $(he_header Content-Disposition) == "attachment; filename=\"${name%.lz4}\"" ]] ||
    e2e_fail "GET /files/$name: Content-Disposition '$(he_header Content-Disposition)', expected the .pcap name"
  cl=$(he_header Content-Length)
  [[ -z $cl || $cl == "$plain_size" ]] || e2e_fail "GET /files/$name: Content-Length $cl for $plain_size bytes"
  # The decompressed stream cannot seek: a Range is not applied (whole, 200).
  he_expect 200 "$HE_BASE/files/$name" -H "Range: bytes=0-99"
  cmp "$HE_BODY" "$E2E_TMP/plain.pcap" >/dev/null || e2e_fail "GET /files/$name with a Range: not the whole plain pcap"
  [[ -z $(he_header Content-Range) ]] || e2e_fail "GET /files/$name with a Range: Content-Range '$(he_header Content-Range)' on a 200"

  he_expect 200 "$HE_BASE/files/$name?raw=1"
  cmp "$HE_BODY" "$f" >/dev/null || e2e_fail "GET /files/$name?raw=1 differs from the compressed file"
  [[ $(he_header Content-Type) == application/x-lz4 ]] || e2e_fail "GET /files/$name?raw=1: Content-Type '$(he_header Content-Type)'"
  [[ $(he_header Content-Length) == "$size" ]] || e2e_fail "GET /files/$name?raw=1: Content-Length '$(he_header Content-Length)', size $size"
  [[ $(he_header Content-Disposition) == "attachment; filename=\"$name\"" ]] ||
    e2e_fail "GET /files/$name?raw=1: Content-Disposition '$(he_header Content-Disposition)'"
  check_range "$HE_BASE/files/$name?raw=1" "$f" "$size" "bytes=4-$((size / 2))" 4 $((size / 2))
  check_range "$HE_BASE/files/$name?raw=1" "$f" "$size" "bytes=-10" $((size - 10)) $((size - 1))
  out=$(head_no_body "/files/$name")
  jq -e '.headers["content-type"] == "application/vnd.tcpdump.pcap"' <<<"$out" >/dev/null ||
    e2e_fail "HEAD /files/$name: $out"
  out=$(head_no_body "/files/$name?raw=1")
  jq -e --arg s "$size" '.headers["content-length"] == $s and .headers["content-type"] == "application/x-lz4"' <<<"$out" >/dev/null ||
    e2e_fail "HEAD /files/$name?raw=1: $out"
  # The plain name of a compressed file is not a store file.
  he_expect 404 "$HE_BASE/files/${name%.lz4}"
  he_json_error "GET /files/${name%.lz4}"
done
he_log "lz4: ${#FILES[@]} .pcap.lz4 files download as lz4 -dc of themselves; ?raw=1 (and its ranges) as the file"
he_collector_stop
he_log "ok: downloads equal the files, ranges the byte ranges, HEAD has no body, lz4 decompressed or raw"
