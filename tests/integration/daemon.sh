#!/usr/bin/env bash
# The recorder daemon on the test profile, driven by studioctl from a
# studio that `studioctl init` made: start → mark with a note → break →
# resume → stop; the custody log shows every event, the session verifies
# INTACT, the state file never holds the officer number, and the fake LED
# folder shows the door light on exactly from Start to the end of Stop.
# Then wrong PINs, refusals, SIGTERM mid-session, and a second daemon.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon-lib.sh"

make_studio
check "init names its configuration" test -f "$CONF"

# Lights: a folder laid out like /sys/class/leds, named in [lights].
for led in door ready recording attention ack; do
  mkdir -p "$WORK/leds/studio:$led"
  echo 0 >"$WORK/leds/studio:$led/brightness"
  echo 1 >"$WORK/leds/studio:$led/max_brightness"
  echo "[none] timer" >"$WORK/leds/studio:$led/trigger"
done
python3 "$STUDIO_SOURCE_DIR/tests/integration/conf-set.py" "$CONF" lights leds_dir "$WORK/leds" \
  lights door studio:door lights ready studio:ready lights recording studio:recording \
  lights attention studio:attention lights ack studio:ack
door() { cat "$WORK/leds/studio:door/brightness"; }

# Watch the state file for the whole session: it must never hold the officer.
( while :; do cat "$STATE" 2>/dev/null || true; echo; sleep 0.05; done ) >"$WORK/state-samples" &
sampler=$!

start_daemon "$WORK/daemon.log"
check "the room is free" state_is free
check "the door light is off while free" test "$(door)" = 0
check "status --json prints the state document" \
  bash -c "'$CTL' --config '$CONF' status --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert set(d) >= {\"state\",\"since\",\"attention\",\"updated\"}, d'"

if echo 111111 | "$CTL" --config "$CONF" start --officer "$OFFICER" >"$WORK/wrong.out" 2>&1; then
  fail "a wrong PIN is refused"
else
  check "a wrong PIN is refused with the reason" grep -q "not accepted" "$WORK/wrong.out"
fi
check "after a wrong PIN the room is free again" state_is free
if echo 111111 | "$CTL" --config "$CONF" start --officer 99999 >"$WORK/unknown.out" 2>&1; then
  fail "an unknown officer number is refused"
else
  check "an unknown officer number gets the same answer as a wrong PIN" \
    diff <(sed 's/officer number [0-9]*//' "$WORK/wrong.out") <(sed 's/officer number [0-9]*//' "$WORK/unknown.out")
fi
GUARD=$WORK/studio/state/pin-guard
check "the refusals are kept in the state folder" grep -qx "refused 2" "$GUARD"
check "the guard's file holds the numbers tried, never the digits typed" \
  bash -c "grep -qx 'number 99999' '$GUARD' && ! grep -q 111111 '$GUARD'"
# A power cut at the keypad: the refusals are signed into the next session all the same.
kill -9 "$daemon_pid"
wait "$daemon_pid" 2>/dev/null || true
start_daemon "$WORK/daemon.log"
check "after a restart the room is free" state_is free

echo "$PIN" | "$CTL" --config "$CONF" start --officer "$OFFICER" >"$WORK/start.out" 2>&1 \
  || { fail "start"; cat "$WORK/start.out" >&2; }
check "start returns once recording" state_is recording
check "the door light is on from Start" test "$(door)" = 1
SESSION=$(ls -d "$WORK/studio/spool"/*/ | head -n 1)
SESSION=${SESSION%/}
check "the first segment is open when start returns" test -e "$SESSION/seg-000001.mkv.age"
if start_session >"$WORK/again.out" 2>&1; then
  fail "start while recording is refused"
else
  pass "start while recording is refused ($(head -c 120 "$WORK/again.out"))"
fi
# After a session the room is free, or in attention when a fault of the
# session stands (a loaded machine falls behind real time): the answers name it.
ROOM='the room (is free|needs attention \(studioctl status says why\))'
ROOM_IS='the room is (free|attention)'
# refused CMD… : CMD fails with exit 1; its stderr in $WORK/refused.err
refused() {
  local rc=0
  "$CTL" --config "$CONF" "$@" >"$WORK/refused.out" 2>"$WORK/refused.err" || rc=$?
  [ "$rc" = 1 ] || { echo "'$*' exited $rc, wanted 1" >&2; return 1; }
}
said() { test "$(cat "$WORK/refused.err")" = "$1" || { echo "said: $(cat "$WORK/refused.err")" >&2; return 1; }; }
said_re() { grep -qxE "$1" "$WORK/refused.err" || { echo "said: $(cat "$WORK/refused.err")" >&2; return 1; }; }
check "resume when not on a break is refused (1)" refused resume
check "... in words: not on a break" said "studioctl: not on a break"
sleep 2
"$CTL" --config "$CONF" mark --note "the witness points at the second photo" >"$WORK/mark.out" \
  || fail "mark with a note"
check "mark answers where it is on the media timeline" grep -qxE 'mark at 0:00:0[0-9] media time' "$WORK/mark.out"
"$CTL" --config "$CONF" status >"$WORK/status-marks.out"
check "status lists the session's marks so far" test "$(sed -n 2p "$WORK/status-marks.out")" = \
  "marks so far: $(sed 's/mark at \(.*\) media time/\1/' "$WORK/mark.out")"
check "status says how much media the session holds so far" \
  grep -qxE 'recorded so far: 0:00:[0-9]{2} media time' "$WORK/status-marks.out"
check "status --json is still exactly the state document (no marks in it)" \
  bash -c "! '$CTL' --config '$CONF' status --json | grep -q marks"
# A NUL in a note (\u0000 over the socket) is refused, not cut short.
SOCK=$(sed -n 's/^socket *= *//p' "$CONF")
python3 - "$SOCK" >"$WORK/nul.out" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b'{"command":"mark","note":"shown\\u0000hidden"}\n')
print(s.recv(4096).decode())
PY
check "a note holding \\u0000 is refused, saying why" grep -q '"ok":false.*u0000' "$WORK/nul.out"
check "break" "$CTL" --config "$CONF" break
check "the room is on a break" state_is break
check "a second break is refused (1)" refused break
check "... in words: already on a break" said "studioctl: already on a break"
check "cancel does not stop a session (1)" refused cancel
check "... and says so" said "studioctl: a session is recording: cancel does not stop it (studioctl stop, or hold the Stop key)"
check "the door light stays on through a break" test "$(door)" = 1
sleep 1
check "resume" "$CTL" --config "$CONF" resume
sleep 2
"$CTL" --config "$CONF" stop >"$WORK/stop.out" || fail "stop returns once sealed"
check "stop answers with the length and the segments" \
  grep -qxE "stopped: 0:00:[0-9]{2} recorded in 1 segment, sealed; $ROOM" "$WORK/stop.out"
check "... never the session's id" bash -c "! grep -q '$(basename "$SESSION")' '$WORK/stop.out'"
check "the room is free after stop" state_is free
for cmd in mark break resume; do
  check "$cmd with no session is refused (1)" refused $cmd
  check "... in words: press Start first" said "studioctl: no session is recording: press Start first"
done
check "stop with no session is refused (1)" refused stop
check "... in words" said_re "studioctl: no session is recording: nothing to stop \($ROOM_IS\)"
check "cancel with nobody identified is refused (1)" refused cancel
check "... in words" said_re "studioctl: nothing to cancel: no officer is identified \($ROOM_IS\)"
"$CTL" --config "$CONF" recover >"$WORK/recover.out" 2>&1 || fail "recover with nothing to recover exits 0"
check "recover says there was nothing to recover" test "$(cat "$WORK/recover.out")" = "nothing to recover"
# A session a crash left open, put in the spool while the daemon runs:
# studioctl recover closes it on the daemon's worker (it hashes whole
# segments, never on the event loop) and prints the report line by line.
# It continues this device's chain (the state folder's head), as a real crash's would.
mkdir -p "$WORK/crashed"
crashed=$("$STUDIO_BUILD_DIR/tests/make-session" --spool "$WORK/crashed" --state "$WORK/studio/state" \
  --key "$WORK/studio/keys/device.key" --recipient "$(sed -n 's/^recipients=//p' "$CONF")" \
  --segments 2 --segment-bytes 100000 --crash --no-recover)
mv "$crashed" "$WORK/studio/spool/"
crashed=$WORK/studio/spool/$(basename "$crashed")
"$CTL" --config "$CONF" recover >"$WORK/recover.out" 2>&1 || fail "recover of a crashed session exits 0"
check "recover closes the crashed session, saying so on a line of its own" \
  grep -qx "$(basename "$crashed"): recovered and closed" "$WORK/recover.out"
check "... its report is lines, not one escaped line" bash -c "! grep -qF '\\u000a' '$WORK/recover.out'"
check "... the closed session has its signed manifest" test -f "$crashed/manifest.json.minisig"
check "... the daemon logged that recovery ran on its worker" grep -q "recovery of the spool done: 1 session" "$WORK/daemon.log"
check "the room is free again after recovery" state_is free
rm -rf "$crashed"
# The uploader's receipts of a session the vault already holds (its local
# copy wiped): listed as transferred; receipts/ itself is never a session.
mkdir -p "$WORK/studio/spool/receipts"
printf '{"key":"20261130T080000Z-0000beef/manifest.json","size":1,"sha256":"%064d","time":"2026-11-30T09:00:00Z"}\n' 0 \
  >"$WORK/studio/spool/receipts/20261130T080000Z-0000beef.jsonl"
"$CTL" --config "$CONF" sessions >"$WORK/sessions.out" || fail "sessions"
"$CTL" --config "$CONF" sessions --verbose >"$WORK/sessions-v.out" || fail "sessions --verbose"
check "sessions: the transferred session first, then the one on the device" test "$(wc -l <"$WORK/sessions.out")" = 2
check "... transferred, with the time of its last receipt" \
  grep -qx '2026-11-30 08:00 UTC         -  transferred to the vault (last receipt 2026-11-30T09:00:00Z)' "$WORK/sessions.out"
check "... the recorded session: date, its length from the manifest, sealed, 1 segment" \
  grep -qE "^20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC   0:00:[0-9]{2}  sealed, on the device \(1 segment, [0-9]+ bytes\)$" "$WORK/sessions.out"
check "... no receipts folder listed, no ids without --verbose" bash -c "! grep -q -e receipts -e '$(basename "$SESSION")' '$WORK/sessions.out'"
check "sessions --verbose ends each line with the id" grep -q " $(basename "$SESSION")\$" "$WORK/sessions-v.out"
rm -r "$WORK/studio/spool/receipts"
check "the door light is off after stop" test "$(door)" = 0
kill "$sampler"; wait "$sampler" 2>/dev/null || true

LOG=$SESSION/custody.jsonl
for ev in session-start pin-refused mark break resume segment-sealed stop; do
  check "the custody log has $ev" grep -q "\"event\":\"$ev\"\|\"what\":\"$ev\"" "$LOG"
done
check "the start entry takes the clock's state from timesyncd's flag file" \
  grep -q '"event":"session-start".*"clock_sync":"synchronized"' "$LOG"
check "the mark's note is sealed, not plain" grep -q '"note_age":"-----BEGIN AGE ENCRYPTED FILE-----' "$LOG"
check "the note's words are nowhere in the spool" bash -c "! grep -rq 'second photo' '$WORK/studio/spool'"
check "the wrong PIN's digits are nowhere in the log" bash -c "! grep -q 111111 '$LOG'"
check "the refusals from before the restart are one pin-refused entry with their count and numbers" \
  bash -c "grep '\"what\":\"pin-refused\"' '$LOG' | grep -q '2 PIN refusal(s) between .* for officer number(s) $OFFICER, 99999'"
check "and that entry is the only one" test "$(grep -c '"what":"pin-refused"' "$LOG")" = 1
check "the note with a NUL made no mark (one mark in the log)" test "$(grep -c '"event":"mark"' "$LOG")" = 1
check "the guard's file no longer holds refusals once they are signed" grep -qx "refused 0" "$GUARD"
"$VERIFY" --device-key "$WORK/studio/device.pub" "$SESSION" >"$WORK/verify.out" 2>&1 || true
check "the session verifies INTACT" grep -q "^INTACT" "$WORK/verify.out"
"$VERIFY" --device-key "$WORK/studio/device.pub" --identity "$WORK/studio/vault.key" "$SESSION" \
  >"$WORK/verify-notes.out" 2>&1 || true
check "the verifier shows the note with the vault identity" grep -q "second photo" "$WORK/verify-notes.out"
check "the state file was sampled during the session" grep -q '"state":"recording"' "$WORK/state-samples"
check "the state file never held the officer number" bash -c "! grep -q '$OFFICER' '$WORK/state-samples'"
check "the state file never held the session id" \
  bash -c "! grep -q '$(basename "$SESSION")' '$WORK/state-samples'"
check "the daemon's log says old → new" grep -q "room: ready → recording" "$WORK/daemon.log"
check "the daemon's log records the mark" grep -q "mark from the studioctl (with a sealed note)" "$WORK/daemon.log"
check "... never the note's words" bash -c "! grep -q 'second photo' '$WORK/daemon.log'"

# A second daemon on the same configuration is refused.
if "$RECORDER" --config "$CONF" 2>"$WORK/second.log"; then
  fail "a second daemon is refused"
else
  check "a second daemon is refused with the reason" grep -q "already running" "$WORK/second.log"
fi

# Identify first (the panel's PIN entry): the room is ready, pre-rolled,
# and the door light still off; Start then records.
echo "$PIN" | "$CTL" --config "$CONF" identify --officer "$OFFICER" >/dev/null 2>&1 || fail "identify"
check "identify leaves the room ready" state_is ready
check "cancel takes a ready room back" bash -c "'$CTL' --config '$CONF' cancel | grep -qxE 'cancelled: $ROOM'"
check "... to free (or attention while a reason stands)" bash -c "'$CTL' --config '$CONF' status --json | grep -qE '\"state\":\"(free|attention)\"'"
check "the ready light is off after cancel" test "$(cat "$WORK/leds/studio:ready/brightness")" = 0
check "Start after cancel is refused (1)" refused start
check "... in words" said_re "studioctl: no officer is identified: type the officer number and PIN first \($ROOM_IS\)"
echo "$PIN" | "$CTL" --config "$CONF" identify --officer "$OFFICER" >/dev/null 2>&1 || fail "identify"
check "identify leaves the room ready" state_is ready
check "the door light is off while ready" test "$(door)" = 0
check "the ready light is on while ready" test "$(cat "$WORK/leds/studio:ready/brightness")" = 1
check "Start records for the identified officer" "$CTL" --config "$CONF" start
check "the room is recording" state_is recording
# SIGTERM mid-session stops as Stop does, then exits 0.
sleep 2
kill -TERM "$daemon_pid"
set +e
wait "$daemon_pid"
rc=$?
set -e
check "SIGTERM mid-session exits 0 (exit $rc)" test "$rc" -eq 0
LAST=$(ls -d "$WORK/studio/spool"/*/ | tail -n 1)
"$VERIFY" --device-key "$WORK/studio/device.pub" "${LAST%/}" >"$WORK/verify2.out" 2>&1 || true
check "a session stopped by SIGTERM verifies INTACT" grep -q "^INTACT" "$WORK/verify2.out"
check "the door light is off after shutdown" test "$(door)" = 0

finish
