#!/usr/bin/env bash
# The health monitor on the test profile with altered sources, through the
# real daemon and studioctl: a dead microphone and a black camera are caught
# in the pre-flight (the room goes to attention, start says which); mid-session
# a dead microphone (at its default 5 s window), a quiet one (silent), a black
# and a frozen picture are each listed in the state file once they held for
# their window (never before: the signed entry says how long), signed into
# the custody log with their time, the room stays recording, and
# the session still verifies INTACT. Each reason is checked in the state
# file and on the status page (its JSON and its words). The clock's sync
# state comes from timesyncd's file: without it the room lists "clock not
# synchronised" and still records.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon-lib.sh"
source "$(dirname "$0")/health-lib.sh"

GOOD_V="videotestsrc is-live=true pattern=smpte horizontal-speed=4"
GOOD_A="audiotestsrc is-live=true wave=sine freq=440 volume=0.1"
DEAD_A="audiotestsrc is-live=true volume=0"
QUIET_A="audiotestsrc is-live=true wave=sine volume=0.0005"
BLACK_V="videotestsrc is-live=true pattern=black"
# pattern=smpte has a corner of snow that changes every frame (about 3 luma
# on average over the picture): a still picture of a real room is not
# frozen either. smpte75 is the bars alone.
STILL_V="videotestsrc is-live=true pattern=smpte75"

make_studio
start_status
cp "$CONF" "$WORK/conf.orig"
n=0
# run_with NAME VIDEO AUDIO [GROUP KEY VALUE …]: the daemon on that profile
run_with() {
  local name=$1 v=$2 a=$3
  shift 3
  [ -z "$daemon_pid" ] || stop_daemon
  cp "$WORK/conf.orig" "$CONF"
  python3 "$STUDIO_SOURCE_DIR/tests/integration/conf-set.py" "$CONF" recorder profile \
    "$(fault_profile "$name" "$v" "$a")" "$@"
  n=$((n + 1))
  start_daemon "$WORK/daemon-$n-$name.log"
}

# ---- the pre-flight ------------------------------------------------------
preflight_refuses() { # preflight_refuses NAME VIDEO AUDIO REASON
  run_with "$1" "$2" "$3"
  if start_session >"$WORK/pf-$1.out" 2>&1; then
    fail "pre-flight ($1): start is refused"
    return
  fi
  check "pre-flight ($1): start says \"$4\"" grep -q "$4" "$WORK/pf-$1.out"
  check "pre-flight ($1): the room is in attention" state_is attention
  check "pre-flight ($1): the state file lists \"$4\"" reason_listed "$4"
  check "pre-flight ($1): nothing was recorded" test -z "$(ls "$WORK/studio/spool")"
}
preflight_refuses dead "$GOOD_V" "$DEAD_A" "microphone dead"
preflight_refuses black "$BLACK_V" "$GOOD_A" "camera shows black"
preflight_refuses frozen "$STILL_V" "$GOOD_A" "camera picture frozen"

# a good room passes, and the last pre-flight's reason is gone with the new identification
run_with good "$GOOD_V" "$GOOD_A"
check "pre-flight (good): identify makes the room ready" \
  bash -c "echo '$PIN' | '$CTL' --config '$CONF' identify --officer '$OFFICER'"
check "pre-flight (good): ready" state_is ready
check "pre-flight (good): the frozen camera's reason is gone" bash -c "! grep -q frozen '$STATE'"

# ---- mid-session -----------------------------------------------------------
# midsession NAME VIDEO AUDIO REASON WINDOW-S [GROUP KEY VALUE …]
midsession() {
  local name=$1 v=$2 a=$3 reason=$4 window=$5
  shift 5
  run_with "$name" "$v" "$a" health preflight false "$@"
  if ! start_session >"$WORK/ms-$name.out" 2>&1; then
    fail "mid-session ($name): start"
    cat "$WORK/ms-$name.out" >&2
    return
  fi
  local t0=$SECONDS
  # a deadline for what never comes; when it came is the monitor's to say
  if wait_reason "$reason" $((window + 60)); then
    pass "mid-session ($name): \"$reason\" listed $((SECONDS - t0)) s after start (window ${window} s)"
  else
    fail "mid-session ($name): \"$reason\" is listed ($(cat "$STATE"))"
  fi
  check "mid-session ($name): the room is still recording" state_is recording
  sleep 1
  "$CTL" --config "$CONF" stop >/dev/null || fail "mid-session ($name): stop"
  local s
  s=$(last_session)
  check "mid-session ($name): a signed health-fault entry with its time says \"$reason\"" \
    custody_has "$s" health-fault "$reason"
  # raised only once the condition held for its window (the entry says how
  # long), however late a busy machine delivered the measurements
  check "mid-session ($name): raised after its window of ${window} s, not before" \
    fault_held "$s" "$reason" "$window"
  "$VERIFY" --device-key "$WORK/studio/device.pub" "$s" >"$WORK/verify-$name.out" 2>&1 || true
  check "mid-session ($name): the session verifies INTACT" grep -q "^INTACT" "$WORK/verify-$name.out"
  check "mid-session ($name): after the session the room needs attention" state_is attention
}
midsession dead "$GOOD_V" "$DEAD_A" "microphone dead" 5 # the default window
midsession silent "$GOOD_V" "$QUIET_A" "microphone silent" 3 health silent_after 3s
midsession black "$BLACK_V" "$GOOD_A" "camera shows black" 2 health black_after 2s
midsession frozen "$STILL_V" "$GOOD_A" "camera picture frozen" 2 health frozen_after 2s

# the quiet tone is not digital silence: the pre-flight lets it through
run_with quiet "$GOOD_V" "$QUIET_A"
check "pre-flight (quiet): a quiet microphone is not dead" \
  bash -c "echo '$PIN' | '$CTL' --config '$CONF' identify --officer '$OFFICER'"

# the clock: without timesyncd's mark the room says so, and still records
run_with clock "$GOOD_V" "$GOOD_A" health check_interval 1s
rm -f "$TIMESYNC"
check "clock: \"clock not synchronised\" is listed" wait_reason "clock not synchronised" 5
check "clock: a warning, not attention: the room is free" state_is free
check "clock: a session still starts" start_session
"$CTL" --config "$CONF" stop >/dev/null || fail "clock: stop"
touch "$TIMESYNC"
sleep 3
check "clock: synchronised again, the warning is gone" bash -c "! grep -q 'clock not synchronised' '$STATE'"
stop_daemon
for f in "$WORK"/daemon-*.log; do
  if grep -qE 'AddressSanitizer|runtime error' "$f"; then fail "no sanitizer report in $(basename "$f")"; fi
done
finish
