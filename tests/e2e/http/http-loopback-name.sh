#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Without --auth-file the collector serves HTTP on loopback only, whatever
# the --http address is called: a host name that looks like a loopback
# address ("127.example.test") but resolves elsewhere (here through this
# test's own /etc/hosts, bind-mounted in its mount namespace, to a veth
# interface's 198.18.0.1) must not be served there unauthenticated.
set -euo pipefail
source "$(dirname "$0")/common.sh"
he_isolate "$@"
trap he_cleanup EXIT

he_init
e2e_need getent

ADDR=198.18.0.1
ip link add h0 type veth peer name h1 || e2e_skip "cannot create a veth pair"
ip addr add "$ADDR/24" dev h0
ip link set h1 up
ip link set h0 up
cp /etc/hosts "$E2E_TMP/hosts"
printf '%s 127.example.test\n' "$ADDR" >>"$E2E_TMP/hosts"
mount --bind "$E2E_TMP/hosts" /etc/hosts || e2e_skip "cannot bind-mount a hosts file"
[[ $(getent hosts 127.example.test | awk '{ print $1 }') == "$ADDR" ]] ||
  e2e_skip "127.example.test does not resolve through /etc/hosts here"

he_collector collector --pcap-dir "$E2E_TMP/store" --workers 1 --http "127.example.test:$HE_HTTP" --rotate-seconds 0
he_get "http://$ADDR:$HE_HTTP/api/v1/status"
[[ $HE_CODE == 000 ]] ||
  e2e_fail "--http 127.example.test:$HE_HTTP (which is $ADDR) without --auth-file: $ADDR:$HE_HTTP answers HTTP $HE_CODE unauthenticated; the log: $(tr '\n' ' ' <"$E2E_TMP/collector.err")"
he_collector_stop
he_log "ok: a name that resolves beyond loopback is not served there without --auth-file"
