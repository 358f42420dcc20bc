#!/usr/bin/env bash
# Bad input to the daemon: each malformed configuration key gives its file
# and line; an unknown panel device, an unreadable device key and a second
# daemon on the same socket each get a clear error.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon-lib.sh"

make_studio
cp "$CONF" "$WORK/good.conf"

expect_refusal() { # expect_refusal WHAT PATTERN GROUP KEY VALUE
  local what=$1 pattern=$2
  cp "$WORK/good.conf" "$CONF"
  python3 "$STUDIO_SOURCE_DIR/tests/integration/conf-set.py" "$CONF" "$3" "$4" "$5"
  set +e
  timeout 20 "$RECORDER" --config "$CONF" >"$WORK/out" 2>"$WORK/err"
  local rc=$?
  set -e
  if [ "$rc" -eq 1 ] && grep -q -- "$pattern" "$WORK/err"; then
    pass "$what: exit 1, $(head -c 160 "$WORK/err" | tr '\n' ' ')"
  else
    fail "$what: exit $rc, expected 1 and /$pattern/; stderr:"
    cat "$WORK/err" >&2
  fi
}

line_of() { grep -n "^$2=" "$1" | cut -d: -f1; }
expect_refusal "a bad duration names file and line" "$CONF line [0-9]*:.*checkpoint_interval" \
  recorder checkpoint_interval "2 fortnights"
expect_refusal "an unknown key is refused" "unknown key.*chekpoint_interval" \
  recorder chekpoint_interval 2s
expect_refusal "a bad port" "port" status port 99999
expect_refusal "a bad recipient names file and line" "$CONF line [0-9]*: \[recorder\] recipients" recorder recipients "age1notarecipient"
expect_refusal "an unknown profile names file and line" "$CONF line [0-9]*: \[recorder\] profile" recorder profile no-such-profile
# No setting lets plaintext out: a device string naming a file, a dumping
# sink, a sound server on another host; the daemon names the key.
expect_refusal "an observation sink writing a file is refused" \
  "$CONF line [0-9]*: \[observation\] audio_sink = .*device=file" \
  observation audio_sink "alsasink device=file:$WORK/leak.pcm,raw"
expect_refusal "a dumping observation sink is refused" "$CONF line [0-9]*: \[observation\] video_sink = .*dump" \
  observation video_sink "fakesink dump=true"
expect_refusal "an observation sound server is refused" "$CONF line [0-9]*: \[observation\] audio_sink = .*server" \
  observation audio_sink "pulsesink server=tcp:10.0.0.1:4713"
check "no plaintext reached the file" test ! -e "$WORK/leak.pcm"
printf 'not a device\n' >"$WORK/not-a-device"
expect_refusal "a panel device that is not an input device" "not-a-device" \
  panel device "$WORK/not-a-device"

# An absent panel is not fatal: the room shows attention until it appears.
cp "$WORK/good.conf" "$CONF"
python3 "$STUDIO_SOURCE_DIR/tests/integration/conf-set.py" "$CONF" panel device \
  /dev/input/by-id/usb-No_Such_Keypad-event-kbd
start_daemon "$WORK/absent.log"
check "an absent panel puts the room in attention" state_is attention
check "and says so" bash -c "'$CTL' --config '$CONF' status --json | grep -q 'panel disconnected'"
check "the log names the device" grep -q "No_Such_Keypad" "$WORK/absent.log"

# Wrong PINs through studioctl: three are free, the fourth makes the next
# try wait, and studioctl unlock clears it. Nothing of them reaches the
# state file.
for i in 1 2 3 4; do
  echo 99999$i | "$CTL" --config "$CONF" start --officer "$OFFICER" >"$WORK/wrong$i.out" 2>&1 || true
done
check "four wrong PINs are each refused" grep -q "not accepted" "$WORK/wrong4.out"
if start_session >"$WORK/wait.out" 2>&1; then
  fail "after four wrong PINs the next try waits"
else
  check "after four wrong PINs the next try must wait" grep -q "wait" "$WORK/wait.out"
fi
check "studioctl unlock clears it" "$CTL" --config "$CONF" unlock
check "the wrong PINs never reached the state file" bash -c "! grep -q 99999 '$STATE'"
check "the log names the refusals without digits" bash -c "grep -q 'PIN was refused for officer number $OFFICER' '$WORK/absent.log' && ! grep -q 99999 '$WORK/absent.log'"

# The guard's state lives in the state folder and is read at start: a lock
# (as the tenth wrong PIN leaves it) holds across a power cut until
# studioctl unlock, and a file that cannot be parsed locks, never unlocks.
GUARD=$WORK/studio/state/pin-guard
check "the wrong PINs are kept in the state folder (unlock cleared the count, not them)" bash -c "grep -qx 'failures 0' '$GUARD' && grep -qx 'refused 4' '$GUARD'"
restart_with_guard() { # restart_with_guard TEXT LOG
  kill -9 "$daemon_pid"
  wait "$daemon_pid" 2>/dev/null || true
  printf '%b' "$1" >"$GUARD"
  start_daemon "$2"
}
expect_locked() { # expect_locked WHAT
  if start_session >"$WORK/locked.out" 2>&1; then
    fail "$1: start was accepted"
  else
    check "$1" grep -q "locked" "$WORK/locked.out"
  fi
}
restart_with_guard 'version 1\nfailures 10\nlocked 1\nrefused 10\nfirst 1796000000000000\nlast 1796000060000000\nnumber 40417\nmore 0\n' "$WORK/relock.log"
expect_locked "a lock holds across a restart"
check "studioctl unlock clears the lock" "$CTL" --config "$CONF" unlock
check "and the file says so, keeping the refusals for the next session" \
  bash -c "grep -qx 'locked 0' '$GUARD' && grep -qx 'refused 10' '$GUARD'"
for bad in 'garbage' 'version 1\nfailures 0\nlocked 0\n' 'version 1\nfailures 10\nlocked 0\nrefused 0\nfirst 0\nlast 0\nmore 0\n'; do
  restart_with_guard "$bad" "$WORK/corrupt.log"
  expect_locked "a malformed guard file locks the panel ($(printf '%b' "$bad" | head -c 30 | tr '\n' ' '))"
done
check "the log names the file and the way out" grep -q "pin-guard cannot be read (malformed).*studioctl unlock" "$WORK/corrupt.log"
check "studioctl unlock clears a lock a corrupt file left" "$CTL" --config "$CONF" unlock
check "and rewrites the file" grep -qx "locked 0" "$GUARD"

# A second daemon on the same socket (another state folder) is refused.
cp "$CONF" "$WORK/second.conf"
python3 "$STUDIO_SOURCE_DIR/tests/integration/conf-set.py" "$WORK/second.conf" recorder state_dir "$WORK/state2"
set +e
timeout 20 "$RECORDER" --config "$WORK/second.conf" 2>"$WORK/second.err"
rc=$?
set -e
check "a second daemon on the same socket exits 1 (exit $rc)" test "$rc" -eq 1
check "and says another recorder answers" grep -q "another studio-recorder answers" "$WORK/second.err"
kill -TERM "$daemon_pid"
wait "$daemon_pid" || fail "the daemon exits 0 on SIGTERM"

# An unreadable device key: the daemon runs unprovisioned and says which.
cp "$WORK/good.conf" "$CONF"
python3 "$STUDIO_SOURCE_DIR/tests/integration/conf-set.py" "$CONF" recorder device_key "$WORK/no-such.key"
start_daemon "$WORK/unprov.log"
check "a missing device key leaves the room unprovisioned" state_is unprovisioned
check "the log names the key file and the fix" grep -q "no-such.key.*studio-keys device-init" "$WORK/unprov.log"
if start_session >"$WORK/start.out" 2>&1; then
  fail "an unprovisioned room refuses start"
else
  check "an unprovisioned room refuses start, saying why" grep -q "not provisioned" "$WORK/start.out"
fi
kill -TERM "$daemon_pid"
wait "$daemon_pid" || true

# A device key file that is not a key: unprovisioned, with the reason.
printf 'untrusted comment: not a key\ngarbage\n' >"$WORK/garbage.key"
python3 "$STUDIO_SOURCE_DIR/tests/integration/conf-set.py" "$CONF" recorder device_key "$WORK/garbage.key"
start_daemon "$WORK/garbage.log"
check "an unreadable device key leaves the room unprovisioned" state_is unprovisioned
check "the log names the key file" grep -q "cannot load the device key $WORK/garbage.key" "$WORK/garbage.log"
kill -TERM "$daemon_pid"
wait "$daemon_pid" || true
finish
