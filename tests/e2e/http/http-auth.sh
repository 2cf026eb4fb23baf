#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Who may do what over HTTP, and where the collector listens:
#  - with --auth-file (SHA-512 crypt hashes made by `openssl passwd -6`):
#    no, wrong or malformed credentials are a 401 with WWW-Authenticate;
#    a viewer reads the page, the API and /metrics but is refused (403)
#    downloads and drain; an analyst downloads (the file equals the disk's)
#    but may not drain; an admin drains and undrains; /healthz needs no
#    credentials; and the server listens on the address it was given;
#  - without --auth-file, an --http address beyond loopback (a veth
#    interface's, 0.0.0.0, [::]) is moved to loopback and the log says so,
#    unless --insecure-no-auth;
#  - with --tls-cert/--tls-key (a self-signed certificate made by
#    `openssl req -x509`) the API and downloads work over HTTPS with
#    `curl -k` and with the certificate as CA, plain HTTP is not answered
#    there, and the --probe listener stays plain HTTP;
#  - a key that does not match the certificate, or a bad users file, stop
#    the collector at start with a message.
set -euo pipefail
source "$(dirname "$0")/common.sh"
he_isolate "$@"
trap he_cleanup EXIT

he_init
e2e_need_pcaps
e2e_need openssl cmp

ADDR=198.18.0.1          # not loopback: one end of a veth pair's
ip link add h0 type veth peer name h1 || e2e_skip "cannot create a veth pair"
ip addr add "$ADDR/24" dev h0
ip link set h1 up
ip link set h0 up

STORE=$E2E_TMP/store
USERS=$E2E_TMP/users
{
  echo "# name:hash:role"
  echo "view:$(openssl passwd -6 viewpw):viewer"
  echo "ana:$(openssl passwd -6 anapw):analyst"
  echo "adm:$(openssl passwd -6 'adm pw:with colon'):admin"
} >"$USERS"
VIEW=(-u view:viewpw)
ANA=(-u ana:anapw)
ADM=(-u 'adm:adm pw:with colon')

# ---- --auth-file, on a non-loopback address
he_collector auth --pcap-dir "$STORE" --workers 2 --http "$ADDR:$HE_HTTP" --probe "127.0.0.1:$HE_PROBE" \
  --auth-file "$USERS" --rotate-seconds 0
! e2e_grep_q 'instead of' "$E2E_TMP/auth.err" || e2e_fail "with --auth-file the address was still moved: $(cat "$E2E_TMP/auth.err")"
grep -qF "HTTP on $ADDR:$HE_HTTP" "$E2E_TMP/auth.err" || e2e_fail "the log does not say HTTP on $ADDR:$HE_HTTP"
HE_BASE=http://$ADDR:$HE_HTTP
HE_CURL_OPTS=("${ADM[@]}")
# shellcheck disable=SC2046
he_send 100 $(he_pcaps dns.pcap http.pcapng ssh.pcap smtp.pcap)
he_wait_written "$HE_SENT"
he_seal "$STORE"
HE_CURL_OPTS=()
NAME=$(he_store_files "$STORE" | head -n 1)

he_expect 200 "$HE_BASE/healthz"
he_expect 200 "http://127.0.0.1:$HE_PROBE/healthz"

# unauthorised WHAT CURL-ARGS... URL: a 401 asking for Basic credentials.
unauthorised() {
  local what=$1
  shift
  he_get "${@: -1}" "${@:1:$#-1}"
  [[ $HE_CODE == 401 ]] || e2e_fail "$what: expected 401, got $HE_CODE ($(he_said))"
  [[ $(he_header WWW-Authenticate) == 'Basic realm="vtap"'* ]] ||
    e2e_fail "$what: WWW-Authenticate '$(he_header WWW-Authenticate)'"
  he_json_error "$what"
}
for path in / /metrics /api/v1/status /api/v1/files /api/v1/flows "/files/$NAME" /api/v1/pcap /api/v1/pcap/estimate; do
  unauthorised "GET $path without credentials" "$HE_BASE$path"
done
unauthorised "POST /api/v1/drain without credentials" -X POST "$HE_BASE/api/v1/drain"
unauthorised "a wrong password" -u view:wrong "$HE_BASE/api/v1/status"
unauthorised "an unknown user" -u nobody:viewpw "$HE_BASE/api/v1/status"
unauthorised "an empty password" -u view: "$HE_BASE/api/v1/status"
unauthorised "the hash as the password" -u "view:$(sed -n 's/^view:\(.*\):viewer$/\1/p' "$USERS")" "$HE_BASE/api/v1/status"
for h in 'Basic' 'Basic ' 'Basic !!!!' "Basic $(printf 'view' | base64)" "Basic $(printf 'view:viewpw' | base64)x" \
  "Bearer $(printf 'view:viewpw' | base64)" "basic$(printf 'view:viewpw' | base64)" "Digest username=\"view\""; do
  unauthorised "Authorization: $h" -H "Authorization: $h" "$HE_BASE/api/v1/status"
done
he_log "401 with WWW-Authenticate without, with wrong and with malformed credentials"

# forbidden WHAT CURL-ARGS... URL: a 403 JSON error.
forbidden() {
  local what=$1
  shift
  he_get "${@: -1}" "${@:1:$#-1}"
  [[ $HE_CODE == 403 ]] || e2e_fail "$what: expected 403, got $HE_CODE ($(he_said))"
  he_json_error "$what"
}
for path in /metrics /api/v1/status /api/v1/timeseries /api/v1/protocols /api/v1/flows /api/v1/talkers /api/v1/files; do
  he_expect 200 "$HE_BASE$path" "${VIEW[@]}"
done
forbidden "a viewer's download" "${VIEW[@]}" "$HE_BASE/files/$NAME"
he_json "the viewer's 403" '.error | test("view") and test("viewer") and test("analyst")'
forbidden "a viewer's merged download" "${VIEW[@]}" "$HE_BASE/api/v1/pcap"
forbidden "a viewer's estimate" "${VIEW[@]}" "$HE_BASE/api/v1/pcap/estimate"
forbidden "a viewer's drain" "${VIEW[@]}" -X POST "$HE_BASE/api/v1/drain"
he_json "the viewer's 403 to drain" '.error | test("admin")'
he_expect 200 "$HE_BASE/healthz"

he_expect 200 "$HE_BASE/files/$NAME" "${ANA[@]}"
cmp -s "$HE_BODY" "$STORE/$NAME" || e2e_fail "the analyst's download of $NAME differs from the file"
he_expect 206 "$HE_BASE/files/$NAME" "${ANA[@]}" -H 'Range: bytes=0-23'
cmp -s "$HE_BODY" <(head -c 24 "$STORE/$NAME") || e2e_fail "the analyst's ranged download differs from the file"
he_expect 200 "$HE_BASE/api/v1/pcap?filter=tcp" "${ANA[@]}"
[[ $(capinfos -M -r -c -T "$HE_BODY" | cut -f 2) -gt 0 ]] || e2e_fail "the analyst's merged download has no packets"
he_expect 200 "$HE_BASE/api/v1/pcap/estimate" "${ANA[@]}"
forbidden "an analyst's drain" "${ANA[@]}" -X POST "$HE_BASE/api/v1/drain"
forbidden "an analyst's undrain" "${ANA[@]}" -X POST "$HE_BASE/api/v1/undrain"
he_expect 200 "$HE_BASE/healthz"

he_expect 200 "$HE_BASE/api/v1/drain" "${ADM[@]}" -X POST
he_json "the admin's drain" '.draining == true'
he_expect 503 "$HE_BASE/healthz"
he_json "/healthz while draining" '.ok == false and .reason == "draining"'
he_expect 503 "http://127.0.0.1:$HE_PROBE/healthz"
he_expect 200 "$HE_BASE/api/v1/undrain" "${ADM[@]}" -X POST
he_expect 200 "$HE_BASE/healthz"
he_expect 200 "$HE_BASE/files/$NAME" "${ADM[@]}"
cmp -s "$HE_BODY" "$STORE/$NAME" || e2e_fail "the admin's download of $NAME differs from the file"
he_collector_stop
he_log "roles: viewer reads, analyst also downloads, admin also drains; 403 otherwise"

# ---- without --auth-file: loopback only, unless --insecure-no-auth
# moved LISTEN LOOPBACK-BASE: --http LISTEN is served at LOOPBACK-BASE only.
moved() {
  he_collector "moved-$2" --pcap-dir "$STORE" --workers 1 --http "$1" --rotate-seconds 0
  grep -qF -- "no --auth-file: serving HTTP on $2 instead of $1" "$E2E_TMP/moved-$2.err" ||
    e2e_fail "--http $1 without --auth-file: the log does not say it moved to $2: $(cat "$E2E_TMP/moved-$2.err")"
  he_expect 200 "http://$2/api/v1/status"
  he_get "http://$ADDR:$HE_HTTP/api/v1/status"
  [[ $HE_CODE == 000 ]] || e2e_fail "--http $1 without --auth-file: $ADDR:$HE_HTTP answers $HE_CODE"
  he_collector_stop
}
moved "$ADDR:$HE_HTTP" "127.0.0.1:$HE_HTTP"
moved "0.0.0.0:$HE_HTTP" "127.0.0.1:$HE_HTTP"
if ip -6 addr show dev lo 2>/dev/null | grep -q '::1/128'; then
  moved "[::]:$HE_HTTP" "[::1]:$HE_HTTP"
else
  he_log "no IPv6 on loopback here: [::] not tried"
fi
he_collector insecure --pcap-dir "$STORE" --workers 1 --http "$ADDR:$HE_HTTP" --insecure-no-auth --rotate-seconds 0
! e2e_grep_q 'instead of' "$E2E_TMP/insecure.err" || e2e_fail "--insecure-no-auth: the address was still moved"
he_expect 200 "http://$ADDR:$HE_HTTP/api/v1/status"
he_expect 200 "http://$ADDR:$HE_HTTP/files/$NAME"
cmp -s "$HE_BODY" "$STORE/$NAME" || e2e_fail "--insecure-no-auth: the download differs from the file"
he_collector_stop
he_log "no --auth-file: moved to loopback with a warning; --insecure-no-auth serves where told"

# ---- TLS
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=vtap-e2e \
  -addext "subjectAltName=IP:$ADDR,IP:127.0.0.1" -keyout "$E2E_TMP/key.pem" -out "$E2E_TMP/cert.pem" 2>/dev/null ||
  e2e_fail "openssl cannot make a self-signed certificate"
he_collector tls --pcap-dir "$STORE" --workers 2 --http "$ADDR:8443" --probe "127.0.0.1:$HE_PROBE" \
  --auth-file "$USERS" --tls-cert "$E2E_TMP/cert.pem" --tls-key "$E2E_TMP/key.pem" --rotate-seconds 0
grep -qF "HTTP on $ADDR:8443 (TLS)" "$E2E_TMP/tls.err" || e2e_fail "the log does not say HTTP on $ADDR:8443 (TLS)"
TLS=https://$ADDR:8443
he_expect 200 "$TLS/api/v1/status" -k "${ANA[@]}"
he_json "GET /api/v1/status over TLS" '.health.ok == true'
he_expect 200 "$TLS/api/v1/status" --cacert "$E2E_TMP/cert.pem" "${VIEW[@]}"
he_expect 200 "$TLS/files/$NAME" -k "${ANA[@]}"
cmp -s "$HE_BODY" "$STORE/$NAME" || e2e_fail "the download over TLS differs from the file"
he_expect 206 "$TLS/files/$NAME" -k "${ANA[@]}" -H 'Range: bytes=100-'
cmp -s "$HE_BODY" <(tail -c +101 "$STORE/$NAME") || e2e_fail "the ranged download over TLS differs from the file"
he_expect 200 "$TLS/api/v1/pcap" -k "${ANA[@]}"
[[ $(capinfos -M -r -c -T "$HE_BODY" | cut -f 2) -eq $HE_SENT ]] || e2e_fail "the merged download over TLS does not hold the $HE_SENT frames"
unauthorised "GET /api/v1/status over TLS without credentials" -k "$TLS/api/v1/status"
forbidden "a viewer's download over TLS" -k "${VIEW[@]}" "$TLS/files/$NAME"
he_expect 200 "$TLS/healthz" -k
he_get "$TLS/healthz"
[[ $HE_CODE == 000 ]] || e2e_fail "an unverified self-signed certificate was accepted by curl without -k ($HE_CODE)"
he_get "http://$ADDR:8443/healthz"
[[ $HE_CODE != 200 ]] || e2e_fail "plain HTTP is answered on the TLS port"
he_expect 200 "http://127.0.0.1:$HE_PROBE/healthz"
he_expect 200 "$TLS/healthz" -k
he_collector_stop
he_log "TLS: API, downloads and ranges over HTTPS (curl -k and --cacert); no plain HTTP there; the probe stays plain"

# ---- refused configurations
# refused_start WHAT PATTERN ARGS...: the collector exits 1 at start, saying PATTERN.
refused_start() {
  local rc=0
  timeout 20 "$VTAP_COLLECTOR" --listen "127.0.0.1:$HE_UDP" --pcap-dir "$STORE" --workers 1 "${@:3}" \
    >"$E2E_TMP/refused.out" 2>"$E2E_TMP/refused.err" || rc=$?
  [[ $rc == 1 ]] || e2e_fail "$1: the collector exited $rc (expected 1): $(tr '\n' ' ' <"$E2E_TMP/refused.err")"
  grep -qE -- "$2" "$E2E_TMP/refused.err" || e2e_fail "$1: the message does not match '$2': $(tr '\n' ' ' <"$E2E_TMP/refused.err")"
}
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$E2E_TMP/other.pem" 2>/dev/null
refused_start "a key of another certificate" 'TLS: ' --http "127.0.0.1:$HE_HTTP" --auth-file "$USERS" \
  --tls-cert "$E2E_TMP/cert.pem" --tls-key "$E2E_TMP/other.pem"
printf 'eve:%s:superuser\n' "$(openssl passwd -6 x)" >"$E2E_TMP/bad-users"
refused_start "a users file with an unknown role" "bad-users:1: " --http "127.0.0.1:$HE_HTTP" --auth-file "$E2E_TMP/bad-users"
refused_start "a missing users file" "no-such-file" --http "127.0.0.1:$HE_HTTP" --auth-file "$E2E_TMP/no-such-file"
he_log "ok: roles, 401/403, loopback-only without an auth file, TLS, and bad TLS or users files refused at start"
