#!/usr/bin/env bash
# A camera lost mid-session: the test profile's camera fails after 120
# pictures (~4 s; identity error-after stands in for an unplugged USB
# camera, which cannot exist here). The daemon records ~12 s: the state
# stays recording while the room's attention lists "camera disconnected",
# the custody log has the signed camera-lost fault, the session verifies
# INTACT, and the decrypted media has sound for the whole duration and
# pictures throughout (black after the loss).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon-lib.sh"

FPS=30
make_studio
sed 's/^source=videotestsrc.*/source=videotestsrc is-live=true pattern=smpte horizontal-speed=4 ! identity error-after=120/' \
  "$STUDIO_SOURCE_DIR/pipelines/test.profile" >"$WORK/failing.profile"
check "the profile's camera fails" grep -q "error-after=120" "$WORK/failing.profile"
python3 "$STUDIO_SOURCE_DIR/tests/integration/conf-set.py" "$CONF" recorder profile "$WORK/failing.profile"

( while :; do cat "$STATE" 2>/dev/null || true; echo; sleep 0.1; done ) >"$WORK/state-samples" &
sampler=$!
start_daemon "$WORK/daemon.log"
start_session >"$WORK/start.out" 2>&1 || { fail "start"; cat "$WORK/start.out" >&2; }
sleep 12
check "the room is still recording after the camera is lost" state_is recording
check "stop returns once sealed" "$CTL" --config "$CONF" stop
kill "$sampler"; wait "$sampler" 2>/dev/null || true
grep -v "^$" "$WORK/daemon.log" | tail -n 15 >&2
kill -TERM "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true

check "the state file listed the camera disconnected while recording" \
  grep -q '"state":"recording".*"camera disconnected"\|"camera disconnected".*"state":"recording"' "$WORK/state-samples"
check "the state never left recording for attention during the session" \
  bash -c "! grep -q '\"state\":\"attention\"' '$WORK/state-samples'"
SESSION=$(last_session)
check "the custody log has the camera fault" grep -q '"camera-lost"' "$SESSION/custody.jsonl"
"$VERIFY" --device-key "$WORK/studio/device.pub" "$SESSION" >"$WORK/verify.out" 2>&1 || true
check "the session verifies INTACT" grep -q "^INTACT" "$WORK/verify.out"

video=0 audio=0
for seg in "$SESSION"/seg-*.mkv.age; do
  age -d -i "$WORK/studio/vault.key" -o "$WORK/plain.mkv" "$seg"
  read -r v a < <(decoded_frames "$WORK/plain.mkv")
  video=$((video + v)); audio=$(python3 -c "print($audio + $a)")
  last=$WORK/plain.mkv
done
expected=$(python3 -c "print(round($audio * $FPS))")
echo "$video frames, $audio s of audio ($expected frames expected)"
check "sound for the whole session ($audio s)" python3 -c "assert $audio >= 11"
check "pictures throughout ($video vs $expected)" python3 -c "assert abs($video - $expected) <= $FPS"
# the last pictures, away from the overlay: black (Y 16, 0 in full-range
# grey); a streamable Matroska file cannot be seeked from its end, so decode
ffmpeg -v error -i "$last" -vf "fps=2,crop=200:200:500:400,format=gray" -f rawvideo "$WORK/tail.gray"
check "the picture after the loss is black" python3 -c "
d = open('$WORK/tail.gray', 'rb').read()[-200 * 200:]
assert len(d) == 200 * 200 and sum(d) / len(d) < 24, sum(d) / max(len(d), 1)"
finish
