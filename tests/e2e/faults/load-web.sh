#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# wrk against vtap-collector's HTTP server (200 connections: 100 on the
# status page, 100 cycling through the API) while it captures a fixed
# rate: tcpreplay feeds the tapped NIC at LOAD_PPS frames/s (50,000), the
# sender mirrors it to the collector. Asserted:
#   - the web load costs no capture: the collector's dropped_total and
#     kernel_drops are 0, and it received and wrote exactly what the
#     sender sent (datagrams == written == sent);
#   - the server answered: both wrk runs made requests, none non-2xx;
#   - the load was real: the collector took at least half of LOAD_PPS
#     during the web load. On a busy machine the sender (a libpcap ring
#     on the same two CPUs as wrk) may not keep up with tcpreplay; its
#     ring drops are the sender's, reported, and do not fail the test.
# Reported: the API's p50/p99 latency and request rate, the page's, the
# rates fed to the NIC (by the sender's counters: captured + ring drops)
# and taken by the collector, and wrk's socket errors.
#
# LOAD_SECONDS (60, the issue's figure; LOAD_QUICK=1 makes it 10) and
# LOAD_PPS (50000) may be set from the environment.
set -euo pipefail
# shellcheck source=flib.sh
source "$(dirname "$0")/flib.sh"
trap ft_cleanup EXIT

ft_init
e2e_need tcpreplay wrk
SECS=${LOAD_SECONDS:-60}
[[ ${LOAD_QUICK:-0} != 1 ]] || SECS=10
PPS=${LOAD_PPS:-50000}
WEB_DIR=${VTAP_WEB:-$FT_DIR/../../../web}
[[ -f $WEB_DIR/index.html ]] || e2e_skip "no status page at $WEB_DIR"

ft_hosts
FT_NS=$COL
D=$E2E_TMP/pcap
T=$E2E_TMP/disk
# What the capture writes in SECS + 10 s, bounded by a tmpfs and retention.
ft_tmpfs "$T" 256M
mkdir "$D"
ft_mkflows "$E2E_TMP/traffic.pcap" --packets 5000 --flows 64 --size 100
loops=$(((SECS + 12) * PPS / 5000 + 1))

ft_collector c --listen 198.18.0.2:4789 --pcap-dir "$T" --web-dir "$WEB_DIR" \
  --min-free 0 --retain-bytes 128M --rotate-size 16M
e2e_sender sender "$TAP" --interface eth0 --destination 198.18.0.2 --vni 7
e2e_wait 10 "the sender to mirror" e2e_grep_q 'mirroring' "$E2E_TMP/sender.err"
ft_in "$COL" curl -sf --max-time 5 -o "$E2E_TMP/page.html" "http://$FT_HTTP/" ||
  e2e_fail "the collector does not serve its page"

e2e_bg "$E2E_TMP/tcpreplay" ip netns exec "$INJ" tcpreplay -q -i inj0 --pps "$PPS" \
  --pps-multi 50 --loop "$loops" "$E2E_TMP/traffic.pcap"
replay_pid=$E2E_LAST_PID
sleep 3
ft_wait_live 10 .counters.datagrams 1000

cat >"$E2E_TMP/api.lua" <<'EOF'
local paths = { "/api/v1/status", "/api/v1/timeseries?seconds=300",
  "/api/v1/protocols?limit=20", "/api/v1/flows?limit=20",
  "/api/v1/talkers?limit=20", "/api/v1/files", "/metrics", "/healthz" }
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
EOF
ft_log "web load: ${SECS} s, 100 connections on /, 100 on the API; capture at $PPS frames/s"
# fed: frames that reached the tapped NIC so far (the sender's counters).
fed() {
  local n
  # shellcheck disable=SC2034 # read by the eval below
  n=$(wc -l <"$E2E_TMP/sender.out")
  kill -USR1 "$SENDER_PID"
  e2e_wait 2 "the sender to answer SIGUSR1" eval "(( \$(wc -l <$E2E_TMP/sender.out) > n ))"
  tail -n 1 "$E2E_TMP/sender.out" | jq -r '.captured + .dropped.kernel'
}
f0=$(fed)
d0=$(ft_live .counters.datagrams)
t0=$(date +%s%N)
e2e_bg "$E2E_TMP/wrk-page" ip netns exec "$COL" wrk -t 1 -c 100 -d "${SECS}s" --timeout 5s --latency "http://$FT_HTTP/"
page_pid=$E2E_LAST_PID
e2e_bg "$E2E_TMP/wrk-api" ip netns exec "$COL" wrk -t 1 -c 100 -d "${SECS}s" --timeout 5s --latency \
  -s "$E2E_TMP/api.lua" "http://$FT_HTTP"
api_pid=$E2E_LAST_PID
e2e_wait_exit "$page_pid" $((SECS + 30))
[[ $E2E_RC -eq 0 ]] || e2e_fail "wrk on the page exited $E2E_RC: $(cat "$E2E_TMP/wrk-page.err")"
e2e_wait_exit "$api_pid" 30
[[ $E2E_RC -eq 0 ]] || e2e_fail "wrk on the API exited $E2E_RC: $(cat "$E2E_TMP/wrk-api.err")"
d1=$(ft_live .counters.datagrams)
t1=$(date +%s%N)
f1=$(fed)
ft_collector_alive c
rate=$(((d1 - d0) * 1000000000 / (t1 - t0)))
fed_rate=$(((f1 - f0) * 1000000000 / (t1 - t0)))

e2e_stop "$replay_pid" INT 10
sleep 1
e2e_sender_stop sender
ft_collector_stop c

# The web load cost no capture.
j=$E2E_TMP/c.json
s=$E2E_TMP/sender.out
sent=$(e2e_counter "$s" .sent)
ft_log "sender: $(tail -n 1 "$s" | jq -c '{captured, sent, dropped}')"
ft_log "collector: $(jq -c '{datagrams, written, dropped_total, kernel_drops, write_errors}' "$j")"
ce=$(jq -r '[.dropped_total, .kernel_drops, .write_errors] | map(tostring) | join(" ")' "$j")
[[ $ce == "0 0 0" ]] || e2e_fail "the collector dropped under web load (dropped_total kernel_drops write_errors: $ce)"
[[ $(jq -r .datagrams "$j") == "$sent" && $(jq -r .written "$j") == "$sent" ]] ||
  e2e_fail "the sender sent $sent; the collector received $(jq -r .datagrams "$j") and wrote $(jq -r .written "$j")"

# wrk_field FILE: requests, req/s, p50, p99, non-2xx, socket errors.
wrk_report() {
  local f=$1
  awk '
    /requests in/ { req = $1 }
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = $2 }
    /^ +99%/ { p99 = $2 }
    /Non-2xx/ { bad = $NF }
    /Socket errors/ { sub(/^ *Socket errors: */, ""); err = $0 }
    END { printf "%s %s %s %s %s %s\n", req + 0, rps, p50, p99, bad + 0, (err == "" ? "none" : err) }
  ' "$f"
}
for w in page api; do
  read -r req rps p50 p99 bad err < <(wrk_report "$E2E_TMP/wrk-$w.out")
  ft_log "wrk $w: $req requests ($rps/s), latency p50 $p50, p99 $p99, non-2xx $bad, socket errors: $err"
  ((req > 0)) || e2e_fail "wrk on the $w made no request: $(cat "$E2E_TMP/wrk-$w.out")"
  ((bad == 0)) || e2e_fail "$bad non-2xx answers on the $w"
done
ft_log "during the web load: $fed_rate frames/s reached the tapped NIC (asked $PPS), the collector took $rate datagrams/s"
((rate * 2 >= PPS)) ||
  e2e_fail "the collector took only $rate frames/s during the web load, under half of $PPS: the machine cannot feed it (try LOAD_PPS)"
ft_log "PASS"
