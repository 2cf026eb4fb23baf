#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A flood of idle HTTP connections must not harm capture. The collector
# runs with a small open-files limit (256, where the shipped unit has
# 65536: the same exhaustion, reached with fewer connections), and a client
# opens up to 400 connections to --http and holds them 8 s. Meanwhile the
# files rotate (SIGHUP: new files need descriptors) and captures arrive:
#  - every frame sent during the flood is written, with no write error;
#  - the log stays readable (under 200 lines: no message per accept());
#  - once the flood ends, /healthz answers 200 within 10 s.
set -euo pipefail
source "$(dirname "$0")/common.sh"
he_isolate "$@"
trap he_cleanup EXIT

he_init
e2e_need_pcaps

STORE=$E2E_TMP/store
NOFILE=256
CONNS=400
# At most 4 MB of log is kept (a collector that logs every failed
# accept() writes hundreds of MB in a few seconds).
# shellcheck disable=SC2016 # expanded by the inner bash
HE_WRAP=(bash -c 'ulimit -n "$0" && exec "$@" 2> >(exec stdbuf -o0 head -c 4000000 >&2)' "$NOFILE")
he_collector collector --pcap-dir "$STORE" --workers 2 --http "127.0.0.1:$HE_HTTP" --rotate-seconds 0
[[ $(awk '/^Max open files/ { print $4 }' "/proc/$COL_PID/limits") == "$NOFILE" ]] ||
  e2e_fail "the collector's open-files limit is not $NOFILE: $(grep 'Max open files' "/proc/$COL_PID/limits")"
he_send 100 "$PCAPS/app/dns.pcap"
he_wait_written "$HE_SENT"
written0=$(he_status .counters.written)

e2e_bg "$E2E_TMP/flood" he_py httpraw.py flood "$HE_HTTP" "$CONNS" 8
flood=$E2E_LAST_PID
e2e_wait 20 "the flood to open its connections" test -s "$E2E_TMP/flood.out"
he_log "flood: $(cat "$E2E_TMP/flood.out"); the collector has $(find "/proc/$COL_PID/fd" -mindepth 1 | wc -l) descriptors open"
# Rotate and capture while the connections are held.
kill -HUP "$COL_PID"
sent0=$HE_SENT
for i in 1 2 3; do
  he_send 100 "$PCAPS/app/ssh.pcap"
  sleep 0.3
done
sent=$((HE_SENT - sent0))
e2e_wait_exit "$flood" 30
he_log "flood over"

healthz_ok() {
  he_get "$HE_BASE/healthz" --max-time 3
  [[ $HE_CODE == 200 ]]
}
e2e_wait 10 "/healthz to answer 200 after the flood" healthz_ok
for ((i = 0; i < 50; i++)); do
  he_written_at_least $((written0 + sent)) && break
  sleep 0.2
done
written1=$(he_status .counters.written)
errors=$(he_status .counters.write_errors)
lines=$(wc -l <"$E2E_TMP/collector.err")
he_log "written $written0 -> $written1 ($sent frames sent during the flood), write errors $errors, $lines log lines"
((errors == 0)) || e2e_fail "$errors write errors during a flood of idle HTTP connections (capture lost frames): $(grep -m 2 'pcap store' "$E2E_TMP/collector.err" | tr '\n' ' ' || true) (log cut at 4 MB)"
((written1 >= written0 + sent)) || e2e_fail "only $((written1 - written0)) of the $sent frames sent during the flood were written"
((lines < 200)) || e2e_fail "the flood made the collector log $lines lines, e.g. $(sort "$E2E_TMP/collector.err" | uniq -c | sort -rn | head -n 1)"
he_collector_stop
he_log "ok: capture unharmed by $CONNS idle connections"
