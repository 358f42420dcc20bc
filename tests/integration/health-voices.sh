#!/usr/bin/env bash
# Every track checked on its own, through the real daemon, studioctl and
# the status page, on the test-3voices profile: a dead interpreter
# microphone does not refuse the room (the interpreter's track is not
# required) but a dead interviewee microphone does, in its own words; an
# interpreter microphone that stops mid-session (its source ends) is listed
# as "interpreter microphone dead" and signed into the custody log while
# the room goes on recording, the session verifies INTACT, and the other
# tracks keep their tones to the end.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon-lib.sh"
source "$(dirname "$0")/health-lib.sh"
MEDIA=$STUDIO_SOURCE_DIR/tests/integration/media.py

make_studio
start_status
cp "$CONF" "$WORK/conf.orig"
n=0
# run_voices NAME SED-EXPRESSION [GROUP KEY VALUE …]: the daemon on
# test-3voices altered by SED-EXPRESSION
run_voices() {
  local name=$1 expr=$2
  shift 2
  [ -z "$daemon_pid" ] || stop_daemon
  mkdir -p "$WORK/profiles"
  sed -e "$expr" "$STUDIO_SOURCE_DIR/pipelines/test-3voices.profile" >"$WORK/profiles/$name.profile"
  cp "$WORK/conf.orig" "$CONF"
  python3 "$STUDIO_SOURCE_DIR/tests/integration/conf-set.py" "$CONF" recorder profile \
    "$WORK/profiles/$name.profile" "$@"
  n=$((n + 1))
  start_daemon "$WORK/daemon-$n-$name.log"
}
identify() { echo "$PIN" | "$CTL" --config "$CONF" identify --officer "$OFFICER"; }

# ---- the pre-flight: only a required track refuses --------------------------
run_voices interpreter-dead 's/freq=1500 volume=0.1/freq=1500 volume=0/'
check "pre-flight: a dead interpreter microphone does not refuse the room" identify
check "pre-flight: the room is ready" state_is ready
run_voices interviewee-dead 's/freq=300 volume=0.1/freq=300 volume=0/'
if identify >"$WORK/pf.out" 2>&1; then
  fail "pre-flight: a dead interviewee microphone refuses the room"
else
  check "pre-flight: studioctl says \"interviewee microphone dead\"" grep -q "interviewee microphone dead" "$WORK/pf.out"
  check "pre-flight: the room lists it, on the status page too" reason_listed "interviewee microphone dead"
fi

# ---- mid-session: the interpreter's source ends after 10 s ---------------------
run_voices interpreter-stops 's/freq=1500 volume=0.1/freq=1500 volume=0.1 num-buffers=430/' health preflight false
if ! start_session >"$WORK/start.out" 2>&1; then
  fail "mid-session: start"
  cat "$WORK/start.out" >&2
else
  t0=$SECONDS
  if wait_reason "interpreter microphone dead" 60; then
    pass "mid-session: \"interpreter microphone dead\" listed $((SECONDS - t0)) s after start"
  else
    fail "mid-session: \"interpreter microphone dead\" is listed ($(cat "$STATE"))"
  fi
  check "mid-session: the room is still recording" state_is recording
  check "mid-session: no other microphone is listed" \
    bash -c "! grep -qE '\"(interviewee|interviewer) microphone|\"microphone dead' '$STATE'"
  sleep 2
  "$CTL" --config "$CONF" stop >/dev/null || fail "mid-session: stop"
  s=$(last_session)
  check "mid-session: a signed health-fault entry says \"interpreter microphone dead\"" \
    custody_has "$s" health-fault "interpreter microphone dead"
  "$VERIFY" --device-key "$WORK/studio/device.pub" "$s" >"$WORK/verify.out" 2>&1 || true
  check "mid-session: the session verifies INTACT" grep -q "^INTACT" "$WORK/verify.out"
  last=$(ls "$s"/seg-*.mkv.age | tail -n 1)
  age -d -i "$WORK/studio/vault.key" -o "$WORK/last.mkv" "$last"
  span=$(python3 "$MEDIA" span "$WORK/last.mkv")
  python3 "$MEDIA" tones-after "$(python3 -c "print(max(0.0, $span - 1.5))")" "$WORK/last.mkv" 300 700 1500 \
    >"$WORK/tones"
  cat "$WORK/tones"
  check "mid-session: the interviewee's and interviewer's tones go on to the end" python3 - "$WORK/tones" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])]
one, two = [float(d) for d in rows[0][3:6]], [float(d) for d in rows[1][3:6]]
sys.exit(0 if one[0] == 0.0 and two[1] == 0.0 and max(one[1:]) < -40 and max(two[0], two[2]) < -40 else 1)
PY
  check "mid-session: the interpreter's track is silence at the end" \
    bash -c "sed -n 3p '$WORK/tones' | grep -q ' peak=0.0000$'"
fi
stop_daemon
for f in "$WORK"/daemon-*.log; do
  if grep -qE 'AddressSanitizer|runtime error' "$f"; then fail "no sanitizer report in $(basename "$f")"; fi
done
finish
