#!/usr/bin/env bash
# A kill -9 of the daemon mid-session: the restart recovers the session
# before anything else, it verifies TRUNCATED with its intact prefix, and
# the room returns to free.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon-lib.sh"

make_studio
start_daemon "$WORK/daemon.log"
check "a session starts" start_session
sleep 5
kill -KILL "$daemon_pid"
wait "$daemon_pid" 2>/dev/null || true
SESSION=$(last_session)
check "the killed session has no manifest yet" test ! -e "$SESSION/manifest.json"

start_daemon "$WORK/daemon2.log"
check "the restart recovered the session" grep -q "recovery of the spool" "$WORK/daemon2.log"
check "the room is free after the restart" state_is free
check "the recovered session is closed" test -e "$SESSION/manifest.json.minisig"
set +e
"$VERIFY" --device-key "$WORK/studio/device.pub" "$SESSION" >"$WORK/verify.out" 2>&1
rc=$?
set -e
check "the recovered session verifies TRUNCATED (exit $rc)" test "$rc" -eq 2
check "with its intact prefix" grep -qi "intact" "$WORK/verify.out"

# The next session carries recovery's report in its signed log.
check "a new session starts after recovery" start_session
sleep 2
check "and stops" "$CTL" --config "$CONF" stop
NEXT=$(last_session)
check "the next session's log holds recovery's report" grep -q '"what":"spool-recovery"' "$NEXT/custody.jsonl"
"$VERIFY" --device-key "$WORK/studio/device.pub" "$NEXT" >"$WORK/verify2.out" 2>&1 || true
check "the next session verifies INTACT" grep -q "^INTACT" "$WORK/verify2.out"
kill -TERM "$daemon_pid"
wait "$daemon_pid" || fail "the daemon exits 0 on SIGTERM"
finish
