# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the vtap CLI's end-to-end tests, on top of ../lib.sh: a
# daemon-mode sender with its store, socket and roles file in the test's
# temporary directory, the CLI run as root or as another user, the store's
# checksum, and the check that a refusal is one line, the right exit
# status and leaves the store byte-identical.
#
# Environment (set by tests/e2e/cli/meson.build): VTAP_SENDER, VTAP_CLI.

# shellcheck source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

STORE=""   # the sender's --state
SOCK=""    # its --socket
ROLES=""   # its --roles
VTAP=""    # a copy of the CLI any user may run
CLI_OUT="" # stdout of the last vt/vt_as/cli_refused
CLI_ERR="" # its stderr
CLI_RC=0   # its exit status
INJ=""     # namespaces made by cli_hosts: the peer,
TAP=""     # the tapped host (where the sender runs)
COL=""     # and the collector

# cli_init: e2e_init, then the paths above. The directory is opened to
# every user (the socket and the CLI copy are used by unprivileged users).
cli_init() {
  e2e_init
  [[ -n ${VTAP_CLI:-} ]] || e2e_skip "VTAP_CLI is not set (run through meson test)"
  [[ -x $VTAP_CLI ]] || e2e_fail "VTAP_CLI=$VTAP_CLI is not an executable"
  e2e_need jq sha256sum setpriv
  chmod 0755 "$E2E_TMP"
  mkdir -m 0755 "$E2E_TMP/bin"
  install -m 0755 "$VTAP_CLI" "$E2E_TMP/bin/vtap"
  VTAP=$E2E_TMP/bin/vtap
  STORE=$E2E_TMP/state/store.json
  SOCK=$E2E_TMP/run/sender.sock
  ROLES=$E2E_TMP/roles.json
}

# cli_sender NAME NS [ARGS...]: start the daemon in NS and wait until its
# socket answers.
cli_sender() {
  local name=$1 ns=$2
  shift 2
  e2e_sender "$name" "$ns" --state "$STORE" --socket "$SOCK" --roles "$ROLES" "$@"
  e2e_wait 15 "the control socket $SOCK" cli_answers
}

cli_answers() {
  e2e_alive "$SENDER_PID" ||
    e2e_fail "vtap-sender exited at start: $(tr '\n' ' ' <"$E2E_TMP/$SENDER_NAME.err")"
  [[ -S $SOCK ]] && "$VTAP" --socket "$SOCK" tap list >/dev/null 2>&1
}

# cli_sender_stop NAME: SIGTERM the daemon; it must exit 0 and have
# printed one JSON object per line on stdout (one per mirror, maybe none).
cli_sender_stop() {
  e2e_stop "$SENDER_PID" TERM 10
  [[ $E2E_RC -eq 0 ]] || e2e_fail "vtap-sender exited $E2E_RC on SIGTERM; stderr: $(tr '\n' ' ' <"$E2E_TMP/$1.err")"
  if [[ -s $E2E_TMP/$1.out ]]; then
    jq -e -s 'all(type == "object")' "$E2E_TMP/$1.out" >/dev/null ||
      e2e_fail "the sender's stdout is not JSON lines: $(head -c 300 "$E2E_TMP/$1.out")"
  fi
}

# vt ARGS...: run the CLI as root; CLI_OUT, CLI_ERR, CLI_RC.
vt() {
  vt_as root "$@"
}

# vt_as USER ARGS...: run the CLI as USER (with only that user's groups).
vt_as() {
  local user=$1
  shift
  CLI_RC=0
  if [[ $user == root ]]; then
    "$VTAP" --socket "$SOCK" "$@" >"$E2E_TMP/cli.out" 2>"$E2E_TMP/cli.err" </dev/null || CLI_RC=$?
  else
    setpriv --reuid="$user" --regid="$(id -gn "$user")" --init-groups -- \
      "$VTAP" --socket "$SOCK" "$@" >"$E2E_TMP/cli.out" 2>"$E2E_TMP/cli.err" </dev/null || CLI_RC=$?
  fi
  CLI_OUT=$(cat "$E2E_TMP/cli.out")
  CLI_ERR=$(cat "$E2E_TMP/cli.err")
}

# vt_ok [USER] -- ARGS...: the command must succeed (as root, or USER).
vt_ok() {
  local user=root
  if [[ $1 != -- ]]; then
    user=$1
    shift
  fi
  shift
  vt_as "$user" "$@"
  [[ $CLI_RC -eq 0 ]] || e2e_fail "vtap $* (as $user) exited $CLI_RC: $CLI_ERR"
}

# store_sum: the store's checksum ("none" when there is no file yet).
store_sum() {
  if [[ -e $STORE ]]; then
    sha256sum <"$STORE" | awk '{ print $1 }'
  else
    echo none
  fi
}

# cli_refused USER RC PATTERN ARGS...: `vtap ARGS` run as USER must exit RC
# with exactly one line on stderr matching the extended regex PATTERN,
# nothing on stdout, and the store unchanged byte for byte.
cli_refused() {
  local user=$1 rc=$2 pattern=$3 before after lines
  shift 3
  before=$(store_sum)
  vt_as "$user" "$@"
  after=$(store_sum)
  lines=$(printf '%s' "$CLI_ERR" | awk 'END { print NR }')
  [[ $CLI_RC -eq $rc ]] || e2e_fail "vtap $* (as $user): exit $CLI_RC, want $rc; stderr: $CLI_ERR"
  [[ $lines -eq 1 ]] || e2e_fail "vtap $* (as $user): $lines lines on stderr, want 1: $CLI_ERR"
  [[ $CLI_ERR =~ $pattern ]] || e2e_fail "vtap $* (as $user): stderr '$CLI_ERR' does not match /$pattern/"
  [[ -z $CLI_OUT ]] || e2e_fail "vtap $* (as $user): printed '$CLI_OUT' on stdout while refusing"
  [[ $before == "$after" ]] || e2e_fail "vtap $* (as $user): the store changed ($before -> $after)"
  e2e_log "refused as expected (exit $rc): vtap $* -> $CLI_ERR"
}

# cli_hosts: the tapped host, a peer and a collector, as in the seed:
#
#   INJ: inj0 198.18.1.2 ==(veth)== TAP: eth0 198.18.1.1 (mirrored)
#                                   TAP: ul0 198.18.0.1 ==(veth)==
#                                   COL: ul0 198.18.0.2, vx77 (VXLAN VNI 77)
#                                                        vx78 (VXLAN VNI 78)
cli_hosts() {
  e2e_ns INJ inj
  e2e_ns TAP tap
  e2e_ns COL col
  e2e_veth "$INJ" inj0 "$TAP" eth0 1500
  e2e_veth "$TAP" ul0 "$COL" ul0 1500
  ip -n "$INJ" addr add 198.18.1.2/24 dev inj0
  ip -n "$TAP" addr add 198.18.1.1/24 dev eth0
  ip -n "$TAP" addr add 198.18.0.1/24 dev ul0
  ip -n "$COL" addr add 198.18.0.2/24 dev ul0
  e2e_vxlan "$COL" vx77 77 198.18.0.2
  e2e_vxlan "$COL" vx78 78 198.18.0.2
}

# cli_ping N PATTERN: N echo requests from INJ to the tapped NIC, payload
# PATTERN (hex), 0.1 s apart; they must be answered.
cli_ping() {
  ip netns exec "$INJ" timeout 20 ping -n -q -c "$1" -i 0.1 -p "$2" 198.18.1.1 >/dev/null ||
    e2e_fail "ping from the peer to the tapped NIC failed"
}

# cli_probes_arrive CAPFILE SECONDS: send probe frames into the tapped NIC
# for at most SECONDS; succeed as soon as one shows up in CAPFILE.
cli_probes_arrive() {
  local cap=$1 end i
  end=$(($(date +%s%N) + $2 * 1000000000))
  for ((i = 0; i < 1000; i++)); do
    ip netns exec "$INJ" tcpreplay -q -i inj0 "$E2E_PROBE" >/dev/null 2>&1 || true
    sleep 0.05
    (($(e2e_count "$cap" ether proto "$E2E_PROBE_TYPE") > 0)) && return 0
    (($(date +%s%N) < end)) || return 1
  done
  return 1
}
