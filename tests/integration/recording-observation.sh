#!/usr/bin/env bash
# The observation output never holds the recording back: a studio whose
# [observation] video and audio sinks stop consuming (fakesink sync=true
# ts-offset of an hour: each waits an hour for its first buffer) records
# ~10 s through the daemon; the decrypted segments hold every picture of
# the media's duration (within one keyframe interval) and the session
# verifies. Then sinks that consume (fakesink) record as well.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon-lib.sh"

FPS=30 # pipelines/test.profile
record() { # record LABEL: ~10 s through the daemon, stopped with studioctl
  start_daemon "$WORK/daemon-$1.log"
  start_session >"$WORK/start-$1.out" 2>&1 || { fail "$1: start"; cat "$WORK/start-$1.out" >&2; }
  check "$1: the room is recording" state_is recording
  sleep 10
  check "$1: stop returns once sealed" "$CTL" --config "$CONF" stop
  check "$1: the room is free after stop" state_is free
  kill -TERM "$daemon_pid"
  wait "$daemon_pid" 2>/dev/null || true
}

frames_ok() { # frames_ok LABEL SESSION: every picture of the media's duration is there
  local session=$2 video=0 audio=0 v a
  for seg in "$session"/seg-*.mkv.age; do
    age -d -i "$WORK/studio/vault.key" -o "$WORK/plain.mkv" "$seg"
    read -r v a < <(decoded_frames "$WORK/plain.mkv")
    video=$((video + v))
    audio=$(python3 -c "print($audio + $a)")
  done
  expected=$(python3 -c "print(round($audio * $FPS))")
  echo "$1: $video frames decoded, $audio s of audio ($expected frames expected)"
  check "$1: the recording is about 10 s long ($audio s of audio)" \
    python3 -c "assert 8 <= $audio <= 14"
  # one keyframe interval (1 s) either way: where the first and last cut fall
  check "$1: the frame count is the framerate x the duration ($video vs $expected)" \
    python3 -c "assert abs($video - $expected) <= $FPS"
  "$VERIFY" --device-key "$WORK/studio/device.pub" "$session" >"$WORK/verify-$1.out" 2>&1 || true
  check "$1: the session verifies INTACT" grep -q "^INTACT" "$WORK/verify-$1.out"
}

make_studio
python3 "$STUDIO_SOURCE_DIR/tests/integration/conf-set.py" "$CONF" \
  observation video_sink "fakesink sync=true ts-offset=3600000000000" \
  observation audio_sink "fakesink sync=true ts-offset=3600000000000"
record stalled
frames_ok stalled "$(last_session)"
check "stalled: the observation output is never an attention reason" \
  bash -c "! grep -q '\"attention\":\[\"' '$STATE'"

python3 "$STUDIO_SOURCE_DIR/tests/integration/conf-set.py" "$CONF" \
  observation video_sink "fakesink" observation audio_sink "fakesink"
record consuming
frames_ok consuming "$(last_session)"

finish
