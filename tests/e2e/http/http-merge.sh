#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Merged, filtered downloads (/api/v1/pcap) against the standard tools.
# Captures of ../shared/pcaps/app are replayed in two VNIs, in three
# batches a second apart (the first closed into files of its own by SIGHUP,
# the other two sharing files), by a collector with two workers. Then, for queries on the BPF filter,
# the time range (from/to) and the VNI, alone and together:
#  - the download equals, frame for frame and to the nanosecond, the
#    expected file made from the closed files with the standard tools:
#    `mergecap` in time order, `editcap -A/-B` for the time range, the
#    frames of that VNI's captures (pcaptool.py keep) for the VNI, then
#    `tcpdump -r merged -w out FILTER` (compared with tests/tools/pcap-cmp
#    and pcaptool.py same);
#  - /api/v1/pcap/estimate of the same query gives the download's packets
#    and bytes;
#  - a bad BPF expression is a 400 carrying libpcap's own message;
#  - with a --download-cap under the result, the answer is a 413 JSON error
#    before any byte of pcap (seen on the raw socket), never a cut file;
#    a query whose result fits is still served whole;
#  - the same from a --compress lz4 store (expected from `lz4 -dc` of its
#    .pcap.lz4 files).
set -euo pipefail
source "$(dirname "$0")/common.sh"
he_isolate "$@"
trap he_cleanup EXIT

he_init
e2e_need_pcaps
e2e_need_pcap_cmp
e2e_need mergecap editcap lz4

STORE=$E2E_TMP/store
SRC=$E2E_TMP/src
mkdir -p "$SRC"

# The captures of each batch and VNI; a VNI's frames are told apart by
# their bytes, so the two groups must share no frame.
B1_100=(dns.pcap http.pcapng)
B1_200=(NTPv4.pcap syslog.pcap)
B2_100=(ssh.pcap smtp.pcap)
B2_200=(pop3.pcap quic_q46.pcap)
B3_100=(http_ipv6.pcap imap.pcap dns_fragmented.pcap)
B3_200=(snmp.pcap stun.pcap ipsec_isakmp_esp.pcap bittorrent.pcap icmp-tunnel.pcap ipsec_isakmp_esp.pcap)
# classic pcap copies of a group's captures, for pcaptool.py
as_pcap() {
  local n
  for n in "$@"; do
    [[ -f $SRC/$n.pcap ]] || editcap -F pcap "$PCAPS/app/$n" "$SRC/$n.pcap" ||
      e2e_fail "editcap cannot convert $n"
    printf '%s\n' "$SRC/$n.pcap"
  done
}
mapfile -t SRC100 < <(as_pcap "${B1_100[@]}" "${B2_100[@]}" "${B3_100[@]}")
mapfile -t SRC200 < <(as_pcap "${B1_200[@]}" "${B2_200[@]}" "${B3_200[@]}")
he_py pcaptool.py disjoint "${SRC100[@]}" -- "${SRC200[@]}" ||
  e2e_fail "the captures chosen for VNI 100 and VNI 200 share frames: the VNI check needs other ones"

# next_second: sleep into the next whole second (at most ~1.1 s); print it.
next_second() {
  local now i
  now=$(date +%s)
  for ((i = 0; i < 40; i++)); do
    sleep 0.05
    (($(date +%s) > now)) && break
  done
  sleep 0.05
  date +%s
}

he_collector collector --pcap-dir "$STORE" --workers 2 --http "127.0.0.1:$HE_HTTP" --rotate-seconds 0
# shellcheck disable=SC2046 # names without spaces
he_send 100 $(he_pcaps "${B1_100[@]}")
# shellcheck disable=SC2046
he_send 200 $(he_pcaps "${B1_200[@]}")
he_wait_written "$HE_SENT"
he_seal "$STORE"
T2=$(next_second)
# shellcheck disable=SC2046
he_send 100 $(he_pcaps "${B2_100[@]}")
# shellcheck disable=SC2046
he_send 200 $(he_pcaps "${B2_200[@]}")
he_wait_written "$HE_SENT"
# No SIGHUP here: batches 2 and 3 share files, so the time range must cut
# inside a file, while batch 1's files are wholly before it.
T3=$(next_second)
# shellcheck disable=SC2046
he_send 100 $(he_pcaps "${B3_100[@]}")
# shellcheck disable=SC2046
he_send 200 $(he_pcaps "${B3_200[@]}")
he_wait_written "$HE_SENT"
he_seal "$STORE"
mapfile -t FILES < <(he_store_files "$STORE")
he_log "$HE_SENT frames in ${#FILES[@]} closed files; batches 2 and 3 start at $T2 and $T3"
((${#FILES[@]} >= 4)) || e2e_fail "expected files of two workers over two closings, found: ${FILES[*]}"

# Everything, merged in time order by the standard tool. Files are given in
# name order (worker 0's first), the order the collector breaks ties in.
ALL=$E2E_TMP/all.pcap
mergecap -F nsecpcap -w "$ALL" "${FILES[@]/#/$STORE/}" || e2e_fail "mergecap failed"
n=$(he_py pcaptool.py header "$ALL" | cut -d ' ' -f 5)
((n == HE_SENT)) || e2e_fail "the closed files hold $n frames, $HE_SENT were sent"

# Queries are written key=value;key=value (BPF has '&' but no ';').
# expected QUERY OUT: what the tools make of ALL for a query.
expected() {
  local q=$1 out=$2 from="" to="" vni="" filter="" kv cur=$E2E_TMP/exp.cur next=$E2E_TMP/exp.next
  local -a parts
  IFS=';' read -r -a parts <<<"$q"
  for kv in "${parts[@]}"; do
    case $kv in
    from=*) from=${kv#from=} ;;
    to=*) to=${kv#to=} ;;
    vni=*) vni=${kv#vni=} ;;
    filter=*) filter=${kv#filter=} ;;
    esac
  done
  cp "$ALL" "$cur"
  if [[ -n $from || -n $to ]]; then
    # to is inclusive of its whole second; editcap -B is exclusive
    editcap -F nsecpcap ${from:+-A "$from"} ${to:+-B "$((to + 1))"} "$cur" "$next" || e2e_fail "editcap failed for '$q'"
    mv "$next" "$cur"
  fi
  case $vni in
  "") ;;
  100) he_py pcaptool.py keep "$cur" "$next" "${SRC100[@]}" || e2e_fail "pcaptool.py keep failed" ;;
  200) he_py pcaptool.py keep "$cur" "$next" "${SRC200[@]}" || e2e_fail "pcaptool.py keep failed" ;;
  *) e2e_fail "no expected frames for vni=$vni" ;;
  esac
  [[ -z $vni ]] || mv "$next" "$cur"
  if [[ -n $filter ]]; then
    tcpdump -Z root --time-stamp-precision=nano -r "$cur" -w "$next" "$filter" 2>/dev/null ||
      e2e_fail "tcpdump refused the filter '$filter'"
    mv "$next" "$cur"
  fi
  mv "$cur" "$out"
}

# curl_query URL QUERY: he_get with each key=value of QUERY URL-encoded.
curl_query() {
  local url=$1 q=$2 kv
  local -a args=(-G) parts
  IFS=';' read -r -a parts <<<"$q"
  for kv in "${parts[@]}"; do
    args+=(--data-urlencode "$kv")
  done
  he_get "$url" "${args[@]}"
}

# check_query QUERY: download, expected, estimate agree; the download's
# frame count in QN.
check_query() {
  local q=$1 exp=$E2E_TMP/expected.pcap got=$E2E_TMP/got.pcap hdr packets size
  expected "$q" "$exp"
  curl_query "$HE_BASE/api/v1/pcap" "$q"
  [[ $HE_CODE == 200 ]] || e2e_fail "GET /api/v1/pcap?$q: HTTP $HE_CODE ($(he_said))"
  cp "$HE_BODY" "$got"
  [[ $(he_header Content-Type) == application/vnd.tcpdump.pcap ]] ||
    e2e_fail "GET /api/v1/pcap?$q: Content-Type '$(he_header Content-Type)'"
  [[ $(he_header Content-Disposition) =~ ^attachment\;\ filename=\"vtap-[0-9]+-[0-9]+\.pcap\"$ ]] ||
    e2e_fail "GET /api/v1/pcap?$q: Content-Disposition '$(he_header Content-Disposition)'"
  hdr=$(he_py pcaptool.py header "$got") || e2e_fail "GET /api/v1/pcap?$q: not a pcap: $(head -c 100 "$got" | od -c | head -n 2)"
  read -r magic version snap link packets <<<"$hdr"
  [[ $magic == 0xa1b23c4d && $version == 2.4 && $snap == 262144 && $link == 1 ]] ||
    e2e_fail "GET /api/v1/pcap?$q: header $hdr, expected a nanosecond pcap 2.4, snaplen 262144, Ethernet"
  "$PCAP_CMP" "$exp" "$got" >"$E2E_TMP/cmp.out" 2>&1 ||
    e2e_fail "GET /api/v1/pcap?$q differs from the tools' result: $(head -n 5 "$E2E_TMP/cmp.out" | tr '\n' ' ')"
  he_py pcaptool.py same "$exp" "$got" 2>"$E2E_TMP/same.err" ||
    e2e_fail "GET /api/v1/pcap?$q: $(cat "$E2E_TMP/same.err")"
  size=$(stat -c %s "$got")
  curl_query "$HE_BASE/api/v1/pcap/estimate" "$q"
  [[ $HE_CODE == 200 ]] || e2e_fail "GET /api/v1/pcap/estimate?$q: HTTP $HE_CODE ($(he_said))"
  he_json "/api/v1/pcap/estimate?$q" ".packets == $packets and .bytes == $size and .capped == false and
    (.files | type == \"number\" and (if $packets > 0 then . >= 1 else true end))"
  QN=$packets
}

declare -A QUERIES=(
  [everything]=""
  [tcp]="filter=tcp"
  [dns]="filter=udp port 53"
  [ipv6]="filter=ip6"
  [fragments]="filter=ip[6:2] & 0x3fff != 0"
  [nothing]="filter=vlan 4000"
  [vni100]="vni=100"
  [vni200-tcp]="vni=200;filter=tcp"
  [second2]="from=$T2;to=$T2"
  [from3]="from=$T3"
  [to2]="to=$T2"
  [from2-vni100-tcp]="from=$T2;vni=100;filter=tcp or udp"
  [range-dns]="from=$((T2 - 100));to=$((T3 + 100));filter=udp port 53"
)
for name in $(printf '%s\n' "${!QUERIES[@]}" | sort); do
  q=${QUERIES[$name]}
  check_query "$q"
  n=$QN
  he_log "$name ($q): $n frames, equal to the tools' result; the estimate agrees"
  case $name in
  nothing) ((n == 0)) || e2e_fail "'vlan 4000' matched $n frames" ;;
  everything) ((n == HE_SENT)) || e2e_fail "everything is $n frames, not $HE_SENT" ;;
  *) ((n > 0)) || e2e_fail "query $name ($q) matched nothing: a weak check" ;;
  esac
done

# HEAD of a merged download: headers only.
out=$(he_py httpraw.py request "$HE_HTTP" "HEAD /api/v1/pcap?filter=tcp HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
jq -e '.status == 200 and .body_len == 0 and .headers["content-type"] == "application/vnd.tcpdump.pcap"' <<<"$out" >/dev/null ||
  e2e_fail "HEAD /api/v1/pcap?filter=tcp: $out"

# Bad BPF: a 400 with libpcap's message (tcpdump prints the same one).
for bad in 'tcp port' 'host 1.2.3.300' 'ether proto nosuchproto' 'udp and (' 'ip6 and ip[0] = 1 and portrange 5-'; do
  msg=$(tcpdump -d "$bad" 2>&1 >/dev/null | grep '^tcpdump: ' | sed 's/^tcpdump: //') || true
  [[ -n $msg ]] || e2e_fail "tcpdump accepts '$bad': pick a filter it refuses"
  for ep in pcap pcap/estimate; do
    curl_query "$HE_BASE/api/v1/$ep" "filter=$bad"
    [[ $HE_CODE == 400 ]] || e2e_fail "GET /api/v1/$ep?filter=$bad: expected 400, got $HE_CODE ($(he_said))"
    he_json_error "GET /api/v1/$ep?filter=$bad"
    jq -e --arg m "$msg" '.error | contains($m)' "$HE_BODY" >/dev/null ||
      e2e_fail "GET /api/v1/$ep?filter=$bad: error '$(jq -r .error "$HE_BODY")' does not carry libpcap's '$msg'"
  done
done
he_log "bad BPF expressions: 400 with libpcap's message"
he_collector_stop

# cap_checks DIR: DIR's closed files (merged in ALL) served under a 1 MiB
# --download-cap: over it a 413 before any byte, under it the whole result.
cap_checks() {
  local dir=$1 q all_size exp_size out n
  all_size=$(stat -c %s "$ALL")
  ((all_size > (1 << 20) + 65536)) || e2e_fail "the store holds only $all_size bytes: the cap test needs more than 1 MiB"
  he_collector capped --pcap-dir "$dir" --workers 2 --http "127.0.0.1:$HE_HTTP" --rotate-seconds 0 --download-cap 1M
  for q in "" "vni=200" "filter=ip or ip6"; do
    expected "$q" "$E2E_TMP/expected.pcap"
    exp_size=$(stat -c %s "$E2E_TMP/expected.pcap")
    ((exp_size > (1 << 20))) || e2e_fail "query '$q' makes $exp_size bytes: not over the cap"
    curl_query "$HE_BASE/api/v1/pcap" "$q"
    [[ $HE_CODE == 413 ]] || e2e_fail "GET /api/v1/pcap?$q over the cap: expected 413, got $HE_CODE with $(stat -c %s "$HE_BODY") bytes"
    he_json_error "GET /api/v1/pcap?$q over the cap"
    jq -e --arg b "$exp_size" '.error | contains($b) and contains("1048576")' "$HE_BODY" >/dev/null ||
      e2e_fail "GET /api/v1/pcap?$q: the 413 does not say the size ($exp_size) and the cap: $(he_said)"
    curl_query "$HE_BASE/api/v1/pcap/estimate" "$q"
    he_json "estimate?$q under the cap" ".capped == true and .cap_bytes == 1048576 and .bytes == $exp_size"
  done
  # On the wire: the status line comes first, then the JSON error, no pcap.
  out=$(he_py httpraw.py request "$HE_HTTP" "GET /api/v1/pcap HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" "$E2E_TMP/raw413")
  jq -e '.status == 413 and (.headers["content-type"] | startswith("application/json"))' <<<"$out" >/dev/null ||
    e2e_fail "raw GET /api/v1/pcap over the cap: $out"
  [[ $(head -c 4 "$E2E_TMP/raw413" | od -An -tx1 | tr -d ' ') != 4d3cb2a1 ]] || e2e_fail "the 413 body starts with a pcap header"
  out=$(he_py httpraw.py request "$HE_HTTP" "HEAD /api/v1/pcap HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
  jq -e '.status == 413' <<<"$out" >/dev/null || e2e_fail "HEAD /api/v1/pcap over the cap: $out"
  # Under the cap (counted first, since the files add up to more): served whole.
  for q in "filter=udp port 53" "vni=100"; do
    check_query "$q"
    n=$QN
    he_log "under the cap: $q: $n frames, equal to the tools' result"
  done
  he_collector_stop
}
cap_checks "$STORE"
he_log "plain store under --download-cap 1M: 413 before any byte over it, whole results under it"

# ---- a compressed store (--compress lz4): merged from the .pcap.lz4 files
LZ=$E2E_TMP/lz4
HE_SENT=0
he_collector lz4 --pcap-dir "$LZ" --workers 2 --http "127.0.0.1:$HE_HTTP" --rotate-seconds 0 --compress lz4
# shellcheck disable=SC2046
he_send 100 $(he_pcaps "${B1_100[@]}")
# shellcheck disable=SC2046
he_send 200 $(he_pcaps "${B1_200[@]}")
he_wait_written "$HE_SENT"
he_seal "$LZ"
# shellcheck disable=SC2046
he_send 100 $(he_pcaps "${B3_100[@]}")
# shellcheck disable=SC2046
he_send 200 $(he_pcaps "${B3_200[@]}")
he_wait_written "$HE_SENT"
he_seal "$LZ"
mapfile -t FILES < <(he_store_files "$LZ")
mkdir -p "$E2E_TMP/unlz4"
plain=()
for f in "${FILES[@]}"; do
  [[ $f == *.pcap.lz4 ]] || e2e_fail "--compress lz4 left $f uncompressed"
  lz4 -dc "$LZ/$f" >"$E2E_TMP/unlz4/${f%.lz4}" 2>/dev/null || e2e_fail "lz4 -dc cannot read $f"
  plain+=("$E2E_TMP/unlz4/${f%.lz4}")
done
ALL=$E2E_TMP/all-lz4.pcap
mergecap -F nsecpcap -w "$ALL" "${plain[@]}" || e2e_fail "mergecap failed"
for q in "" "filter=tcp" "vni=100" "vni=200;filter=udp"; do
  check_query "$q"
  he_log "lz4 store: ${q:-everything}: $QN frames, equal to the tools' result; the estimate agrees"
done
he_collector_stop
cap_checks "$LZ"
he_log "lz4 store under --download-cap 1M: 413 before any byte over it, whole results under it"
he_log "ok: merged downloads equal mergecap+editcap+tcpdump frame for frame; estimates agree; bad BPF 400; over the cap 413 before any byte"
