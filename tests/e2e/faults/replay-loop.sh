#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# replay-loop.sh PAUSE SENDER ARGS...: run "SENDER ARGS" (vtap-sender
# --read ...) again and again, PAUSE seconds apart, until SIGTERM or
# SIGINT; the run in progress is stopped with it, so nothing outlives the
# loop. Used by flib.sh's ft_replay_loop to keep traffic flowing.
pause=$1
shift
child=""
stop() {
  [[ -z $child ]] || kill -TERM "$child" 2>/dev/null
  [[ -z $child ]] || wait "$child" 2>/dev/null
  exit 0
}
trap stop TERM INT
while :; do
  "$@" &
  child=$!
  wait "$child"
  child=""
  sleep "$pause" &
  wait $!
done
