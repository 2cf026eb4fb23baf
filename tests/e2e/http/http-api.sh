#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# With traffic flowing through a running collector (captures of
# ../shared/pcaps/app replayed by vtap-sender in two VNIs, then a small
# capture replayed every 0.2 s):
#  - every JSON endpoint answers strict JSON with its documented members,
#    "limit" is honoured, bad parameters are a 400 with a JSON error;
#  - /metrics passes a strict check of the Prometheus text format
#    (promcheck.py, itself shown to refuse broken expositions first) and
#    agrees with /api/v1/status;
#  - /healthz (and the --probe listener's) turns 503 with a JSON reason when
#    draining (SIGUSR1, POST /api/v1/drain), when the pcap directory turns
#    read-only (a read-only bind mount over it) and when free space falls
#    under --min-free (a filler file on the store's tmpfs), and back to 200
#    each time the cause goes away;
#  - --probe serves /healthz alone: every other path is a 404 there.
set -euo pipefail
source "$(dirname "$0")/common.sh"
he_isolate "$@"
trap he_cleanup EXIT

he_init
e2e_need_pcaps
e2e_need fallocate mount umount df

STORE=$E2E_TMP/store
# A small disk of its own: free space is the test's to take away.
he_tmpfs "$STORE" 48m
MIN_FREE_MB=16
PROBE_BASE="http://127.0.0.1:$HE_PROBE"

# ---- the promcheck self-test: a checker that accepts anything proves nothing
promcheck_refuses() {
  local what=$1 text=$2
  if printf '%b' "$text" | he_py promcheck.py - >/dev/null 2>"$E2E_TMP/promcheck.err"; then
    e2e_fail "promcheck.py accepted an exposition with $what"
  fi
}
printf '# HELP a_total A.\n# TYPE a_total counter\na_total{x="1"} 3\n' | he_py promcheck.py - >/dev/null ||
  e2e_fail "promcheck.py refused a well-formed exposition"
promcheck_refuses "a sample before its TYPE" 'a_total 1\n# HELP a_total A.\n# TYPE a_total counter\n'
promcheck_refuses "no HELP" '# TYPE a_total counter\na_total 1\n'
promcheck_refuses "a duplicate series" '# HELP a_total A.\n# TYPE a_total counter\na_total{x="1"} 1\na_total{x="1"} 2\n'
promcheck_refuses "a split group" '# HELP a_total A.\n# TYPE a_total counter\na_total{x="1"} 1\n# HELP b B.\n# TYPE b gauge\nb 1\na_total{x="2"} 1\n'
promcheck_refuses "a bad label escape" '# HELP b B.\n# TYPE b gauge\nb{x="\\q"} 1\n'
promcheck_refuses "an unquoted label value" '# HELP b B.\n# TYPE b gauge\nb{x=1} 1\n'
promcheck_refuses "a bad metric name" '# HELP b B.\n# TYPE b gauge\n1b 1\n'
promcheck_refuses "a value that is not a number" '# HELP b B.\n# TYPE b gauge\nb one\n'
promcheck_refuses "a negative counter" '# HELP a_total A.\n# TYPE a_total counter\na_total -1\n'
promcheck_refuses "no final newline" '# HELP b B.\n# TYPE b gauge\nb 1'
promcheck_refuses "a repeated label" '# HELP b B.\n# TYPE b gauge\nb{x="1",x="2"} 1\n'

# ---- traffic
mapfile -t VNI100 < <(he_pcaps dns.pcap http.pcapng ssh.pcap smtp.pcap http_ipv6.pcap)
mapfile -t VNI200 < <(he_pcaps NTPv4.pcap syslog.pcap quic_q46.pcap pop3.pcap)
he_collector collector --pcap-dir "$STORE" --workers 2 --http "127.0.0.1:$HE_HTTP" \
  --probe "127.0.0.1:$HE_PROBE" --min-free "${MIN_FREE_MB}M" --rotate-seconds 0
he_send 100 "${VNI100[@]}"
he_send 200 "${VNI200[@]}"
he_wait_written "$HE_SENT"
# Close the first files, so the files and estimate APIs have closed ones.
he_seal "$STORE"
# From now on a small capture arrives every 0.2 s (for 10 minutes at most).
# shellcheck disable=SC2016 # expanded by the inner bash
e2e_bg "$E2E_TMP/traffic" bash -c 'for ((i = 0; i < 3000 && SECONDS < 600; i++)); do
    "$0" --read "$1" --destination 127.0.0.1 --port "$2" --vni 300 >/dev/null || exit 1
    sleep 0.2
  done' "$VTAP_SENDER" "$PCAPS/app/dns.pcap" "$HE_UDP"
TRAFFIC_PID=$E2E_LAST_PID
he_wait_written $((HE_SENT + 10))

# ---- the JSON API
export STORE
he_expect 200 "$HE_BASE/api/v1/status"
[[ $(he_header Content-Type) == application/json* ]] || e2e_fail "/api/v1/status: Content-Type '$(he_header Content-Type)'"
# shellcheck disable=SC2016 # $ENV is jq's
he_json /api/v1/status '
  (.version | type == "string" and length > 0) and (.uptime_s | type == "number" and . >= 0) and
  .health.ok == true and .health.reason == "" and .draining == false and .workers == 2 and
  (.counters | ([.datagrams, .datagram_bytes, .frames, .frame_bytes, .written, .written_bytes, .write_errors,
       .flows_active, .flows_created, .kernel_drops, .dropped_total] | all(type == "number")) and
     (.dropped | type == "object" and length > 0 and all(.[]; type == "number"))) and
  (.senders | type == "array" and length == 1 and (.[0] | .name == "127.0.0.1" and
     ([.datagrams, .bytes, .written] | all(type == "number")) and (.dropped | type == "object"))) and
  (.vnis | type == "array" and ([.[].name] | contains(["100", "200", "300"])) and
     all(.[]; ([.datagrams, .bytes, .written] | all(type == "number")) and (.dropped | type == "object"))) and
  (.disk | .dir == $ENV.STORE and
     ([.total_bytes, .free_bytes, .pcap_bytes, .files, .oldest_ns, .newest_ns, .horizon_s] | all(type == "number")) and
     .files > 0 and .pcap_bytes > 0 and .total_bytes >= .free_bytes)'
he_json "/api/v1/status counters" ".counters.written >= $HE_SENT and .counters.write_errors == 0 and
  ([.vnis[] | select(.name == \"100\" or .name == \"200\") | .written] | add) == $HE_SENT"

# One point a second: wait for a few with traffic in them.
ts_has_traffic() {
  he_get "$HE_BASE/api/v1/timeseries"
  [[ $HE_CODE == 200 ]] && jq -e '([.points[]?.packets] | add // 0) > 0 and (.points | length) >= 2' "$HE_BODY" >/dev/null 2>&1
}
e2e_wait 10 "/api/v1/timeseries to show traffic" ts_has_traffic
he_json /api/v1/timeseries '.interval_s == 1 and (.points | type == "array" and length >= 1 and length <= 300 and
  all(.[]; ([.t, .packets, .bytes, .dropped] | all(type == "number")))) and
  ([.points[].packets] | add) > 0 and ([.points[].t] | . == sort)'
he_expect 200 "$HE_BASE/api/v1/timeseries?seconds=2"
he_json "/api/v1/timeseries?seconds=2" '.points | length >= 1 and length <= 2'

he_expect 200 "$HE_BASE/api/v1/protocols"
he_json /api/v1/protocols '(.protocols | type == "array" and length >= 3 and
  all(.[]; (.name | type == "string" and length > 0) and ([.flows, .packets, .bytes] | all(type == "number"))) and
  ([.[].bytes] | . == (sort | reverse)) and any(.[]; .name | test("DNS"))) and
  (.total | ([.flows, .packets, .bytes] | all(type == "number"))) and
  .total.bytes >= ([.protocols[].bytes] | add) and .total.flows >= ([.protocols[].flows] | add)'
he_expect 200 "$HE_BASE/api/v1/flows"
he_json /api/v1/flows '.flows | type == "array" and length >= 1 and
  all(.[]; ([.src, .dst, .proto, .app, .src_country, .dst_country] | all(type == "string")) and
    ([.sport, .dport, .vni, .packets, .bytes, .first_ns, .last_ns] | all(type == "number")) and
    ([.vni] | inside([100, 200, 300])) and .first_ns <= .last_ns) and
  ([.[].bytes] | . == (sort | reverse))'
he_expect 200 "$HE_BASE/api/v1/talkers"
he_json /api/v1/talkers '.talkers | type == "array" and length >= 2 and
  all(.[]; (.addr | type == "string" and length > 0) and (.country | type == "string") and
    ([.packets, .bytes, .flows] | all(type == "number"))) and
  ([.[].bytes] | . == (sort | reverse)) and ([.[].addr] | length == (unique | length))'
for ep in protocols flows talkers; do
  he_expect 200 "$HE_BASE/api/v1/$ep?limit=1"
  he_json "/api/v1/$ep?limit=1" ".$ep | type == \"array\" and length == 1"
  he_expect 200 "$HE_BASE/api/v1/$ep?limit=2"
  he_json "/api/v1/$ep?limit=2" ".$ep | type == \"array\" and length <= 2"
  he_expect 200 "$HE_BASE/api/v1/$ep?limit=1000"
  for bad in 0 -1 1001 abc 1x 99999999999999999999999 ''\''1'; do
    he_expect 400 "$HE_BASE/api/v1/$ep" -G --data-urlencode "limit=$bad"
    he_json_error "/api/v1/$ep?limit=$bad"
  done
done
for bad in 0 901 x; do
  he_expect 400 "$HE_BASE/api/v1/timeseries?seconds=$bad"
  he_json_error "/api/v1/timeseries?seconds=$bad"
done

he_expect 200 "$HE_BASE/api/v1/files"
he_json /api/v1/files '.files | type == "array" and length >= 2 and
  all(.[]; (.name | test("^vtap-w[0-9]+-[0-9]{8}T[0-9]{6}\\.[0-9]{9}Z\\.pcap(\\.part)?$")) and
    ([.size, .first_ns, .last_ns, .packets] | all(type == "number")) and
    (.open | type == "boolean") and .compressed == false and .first_ns <= .last_ns) and
  any(.[]; .open == false)'
cp "$HE_BODY" "$E2E_TMP/files.json"
# Each closed file as the store has it: size and packets.
while IFS=$'\t' read -r name size packets; do
  [[ -f $STORE/$name ]] || e2e_fail "/api/v1/files lists $name, which is not in $STORE"
  [[ $(stat -c %s "$STORE/$name") -eq $size ]] ||
    e2e_fail "/api/v1/files: $name has $size bytes, the disk says $(stat -c %s "$STORE/$name")"
  n=$(capinfos -M -r -c -T "$STORE/$name" | cut -f 2)
  [[ $n -eq $packets ]] || e2e_fail "/api/v1/files: $name has $packets packets, capinfos says $n"
done < <(jq -r '.files[] | select(.open == false) | [.name, .size, .packets] | @tsv' "$E2E_TMP/files.json")

# The estimate of everything: the closed files' records plus one header.
# Nothing closes or removes files now (--rotate-seconds 0, files far under
# --rotate-size, free space over --min-free), so the closed ones stay put.
he_expect 200 "$HE_BASE/api/v1/pcap/estimate"
he_json /api/v1/pcap/estimate '([.files, .packets, .bytes, .cap_bytes] | all(type == "number")) and
  .cap_bytes == 4294967296 and .capped == false'
want_packets=$(jq '[.files[] | select(.open == false) | .packets] | add' "$E2E_TMP/files.json")
want_bytes=$(jq '[.files[] | select(.open == false) | .size - 24] | add + 24' "$E2E_TMP/files.json")
want_files=$(jq '[.files[] | select(.open == false)] | length' "$E2E_TMP/files.json")
he_json "/api/v1/pcap/estimate totals" ".packets == $want_packets and .bytes == $want_bytes and .files == $want_files"
for q in 'filter=tcp port' 'filter=host 1.2.3.300' 'from=abc' 'to=-1' 'from=20&to=10' 'vni=16777216' 'vni=x'; do
  he_expect 400 "$HE_BASE/api/v1/pcap/estimate" -G --data-urlencode "$q"
  he_json_error "/api/v1/pcap/estimate?$q"
done

# Unknown paths and wrong methods are JSON errors too.
he_expect 404 "$HE_BASE/api/v1/nothing"
he_json_error /api/v1/nothing
he_expect 405 "$HE_BASE/api/v1/status" -X POST
he_json_error "POST /api/v1/status"
he_expect 405 "$HE_BASE/api/v1/drain"
he_json_error "GET /api/v1/drain"
he_log "JSON API: every endpoint, limits and bad parameters as documented"

# ---- /metrics
metrics_ok() {
  he_expect 200 "$HE_BASE/metrics"
  [[ $(he_header Content-Type) == "text/plain; version=0.0.4"* ]] ||
    e2e_fail "/metrics: Content-Type '$(he_header Content-Type)', not text/plain; version=0.0.4"
  he_py promcheck.py --dump "$E2E_TMP/metrics.json" "$HE_BODY" >"$E2E_TMP/promcheck.out" 2>"$E2E_TMP/promcheck.err" ||
    e2e_fail "/metrics is not valid Prometheus text: $(head -n 5 "$E2E_TMP/promcheck.err" | tr '\n' ' ')"
}
# metric NAME [LABEL VALUE]: one sample's value from the last check.
metric() {
  jq -r --arg n "$1" --arg l "${2:-}" --arg v "${3:-}" \
    '[.[] | select(.name == $n and ($l == "" or .labels[$l] == $v)) | .value] |
     if length == 1 then .[0] | floor else "missing" end' "$E2E_TMP/metrics.json"
}
written_before=$(he_status .counters.written)
metrics_ok
for fam in vtap_datagrams_total vtap_written_frames_total vtap_written_bytes_total vtap_write_errors_total \
  vtap_kernel_drops_total vtap_flows_active vtap_disk_files vtap_disk_pcap_bytes vtap_disk_free_bytes \
  vtap_retention_horizon_seconds vtap_healthy vtap_draining; do
  [[ $(metric "$fam") != missing ]] || e2e_fail "/metrics has no single sample of $fam"
done
for r in short no_i_flag sender_denied vni_denied oversize; do
  [[ $(metric vtap_dropped_total reason "$r") != missing ]] || e2e_fail "/metrics: no vtap_dropped_total{reason=\"$r\"}"
done
for v in 100 200 300; do
  [[ $(metric vtap_vni_written_total vni "$v") -gt 0 ]] || e2e_fail "/metrics: vtap_vni_written_total{vni=\"$v\"} is $(metric vtap_vni_written_total vni "$v")"
done
[[ $(metric vtap_sender_datagrams_total sender 127.0.0.1) -gt 0 ]] || e2e_fail "/metrics: no datagrams from sender 127.0.0.1"
w=$(metric vtap_written_frames_total)
[[ $w -ge $written_before ]] || e2e_fail "/metrics says $w frames written, /api/v1/status said $written_before before"
[[ $(metric vtap_healthy) == 1 && $(metric vtap_draining) == 0 ]] ||
  e2e_fail "/metrics: vtap_healthy $(metric vtap_healthy), vtap_draining $(metric vtap_draining); expected 1 and 0"
he_log "/metrics: $(cat "$E2E_TMP/promcheck.out")"

# ---- /healthz and the probe listener
# health_is CODE [REASON-REGEX]: /healthz answers CODE (on both listeners)
# with {"ok": CODE == 200, "reason": ...} matching REASON-REGEX.
health_is() {
  local code=$1 re=${2:-^$} base
  for base in "$HE_BASE" "$PROBE_BASE"; do
    he_get "$base/healthz"
    [[ $HE_CODE == "$code" ]] || return 1
    jq -e --argjson ok "$([[ $code == 200 ]] && echo true || echo false)" --arg re "$re" \
      '.ok == $ok and (.reason | type == "string" and test($re))' "$HE_BODY" >/dev/null 2>&1 || return 1
    python3 -m json.tool "$HE_BODY" >/dev/null 2>&1 || return 1
  done
}
# health_turns CODE REASON-REGEX WHAT [SECONDS]
health_turns() {
  e2e_wait "${4:-10}" "/healthz to answer $1 ($3); it answers $HE_CODE: $(head -c 200 "$HE_BODY")" health_is "$1" "$2"
}
health_turns 200 '^$' "at start"
he_get "$PROBE_BASE/healthz" -I
[[ $HE_CODE == 200 ]] || e2e_fail "HEAD /healthz on the probe listener: $HE_CODE"

kill -USR1 "$COL_PID"
health_turns 503 '^draining$' "after SIGUSR1"
metrics_ok
[[ $(metric vtap_healthy) == 0 && $(metric vtap_draining) == 1 ]] ||
  e2e_fail "/metrics while draining: vtap_healthy $(metric vtap_healthy), vtap_draining $(metric vtap_draining)"
[[ $(he_status .draining) == true ]] || e2e_fail "/api/v1/status does not say draining after SIGUSR1"
kill -USR2 "$COL_PID"
health_turns 200 '^$' "after SIGUSR2"
e2e_grep_q 'SIGUSR1: draining' "$E2E_TMP/collector.err" || e2e_fail "the collector did not log the drain"

he_expect 200 "$HE_BASE/api/v1/drain" -X POST
he_json "POST /api/v1/drain" '. == {"draining": true}'
health_turns 503 '^draining$' "after POST /api/v1/drain"
he_expect 200 "$HE_BASE/api/v1/undrain" -X POST
he_json "POST /api/v1/undrain" '. == {"draining": false}'
health_turns 200 '^$' "after POST /api/v1/undrain"
he_log "/healthz: 503 \"draining\" on SIGUSR1 and POST /api/v1/drain, 200 again after SIGUSR2 and POST /api/v1/undrain"

# The probe listener serves /healthz and nothing else (and cannot drain).
for path in / /metrics /api/v1/status /api/v1/files /api/v1/pcap /files/x.pcap /static/app.js /healthz/ /healthzz; do
  he_expect 404 "$PROBE_BASE$path"
done
he_expect 404 "$PROBE_BASE/api/v1/drain" -X POST
health_turns 200 '^$' "after POST /api/v1/drain on the probe listener (which must not drain)"
he_log "--probe: /healthz only; every other path is a 404 there"

# The pcap directory turns read-only: a read-only bind mount over it (root
# ignores permission bits, and the open .part files would keep a plain
# read-only remount of the tmpfs busy).
mount --bind "$STORE" "$STORE"
mount -o remount,bind,ro "$STORE" || e2e_skip "cannot remount a bind mount read-only here"
touch "$STORE/probe-write" 2>/dev/null && e2e_fail "the read-only bind mount is writable"
health_turns 503 'not writable' "with a read-only pcap directory"
umount "$STORE" || umount -l "$STORE"
health_turns 200 '^$' "once the pcap directory is writable again" 30
he_log "/healthz: 503 while the pcap directory is read-only, 200 again after"

# Free space under --min-free: fill the tmpfs up to 4 MiB from full.
avail=$(df -B1 --output=avail "$STORE" | tail -n 1 | tr -d ' ')
fill=$((avail - (4 << 20)))
((fill > 0)) || e2e_fail "only $avail bytes free on the store's tmpfs"
fallocate -l "$fill" "$STORE/filler" 2>/dev/null ||
  head -c "$fill" /dev/zero >"$STORE/filler" || e2e_fail "cannot fill the store's tmpfs"
health_turns 503 "^free space [0-9]+ MiB is below the floor of $MIN_FREE_MB MiB$" "with free space under --min-free"
metrics_ok
[[ $(metric vtap_healthy) == 0 ]] || e2e_fail "/metrics: vtap_healthy is $(metric vtap_healthy) with free space under the floor"
rm -f "$STORE/filler"
health_turns 200 '^$' "once free space is back over --min-free" 20
he_log "/healthz: 503 with free space under --min-free, 200 again after"

# Capture went on throughout.
w=$(he_status .counters.written)
e2e_stop "$TRAFFIC_PID"
((w > written_before)) || e2e_fail "written did not grow while the tests ran ($written_before, then $w)"
he_collector_stop
he_log "ok: JSON API, /metrics, /healthz (drain by signal and API, read-only directory, free space) and --probe"
