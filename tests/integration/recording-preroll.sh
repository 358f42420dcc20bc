#!/usr/bin/env bash
# Pre-roll (capture_pipeline_build without a session folder, then
# capture_pipeline_open): while pre-rolled nothing is written anywhere; once
# opened the recording starts on a keyframe at media time 0, video and audio
# together, each segment decrypts with stock age and plays on its own, and
# the segments form one timeline.
. "$(dirname "$0")/lib.sh"
make_vault
HELPER=$STUDIO_BUILD_DIR/tests/preroll-record
PROFILE=$STUDIO_SOURCE_DIR/pipelines/test.profile

ms() { python3 -c "import sys; print(int(sys.argv[1]) // 1000000)" "$1"; }
field() { sed -n "s/^$1: //p" "$2" | head -n 1; }
near() { # near VALUE TARGET TOLERANCE (seconds, floats)
  python3 -c "import sys; v,t,e=map(float,sys.argv[1:]); sys.exit(0 if abs(v-t)<=e else 1)" "$1" "$2" "$3"
}

mkdir "$WORK/session" "$WORK/cwd"
# 2 s pre-rolled, then 4 s recorded in 2 s segments
(cd "$WORK/cwd" && "$HELPER" "$PROFILE" "$VAULT_RECIPIENT" "$WORK/session" 2000 4000 2000) \
  >"$WORK/out.txt" 2>"$WORK/err.txt" || { cat "$WORK/out.txt" "$WORK/err.txt"; fail "helper failed"; }
cat "$WORK/out.txt"
out=$WORK/out.txt
check "open before PLAYING is refused with -EAGAIN" test "$(field open-before-playing "$out")" = -11
check "nothing was written while pre-rolled" test "$(field files-before-open "$out")" = 0
check "nothing was written in the working folder" test -z "$(ls -A "$WORK/cwd")"
check "no media time before open" test "$(field media-time-before-open "$out")" = none
check "open succeeds" test "$(field open "$out")" = 0
check "a second open is refused with -EALREADY" test "$(field open-again "$out")" = -114
check "media time starts near 0 at open" \
  test "$(ms "$(field media-time-after-open "$out")")" -lt 100
check "media time at stop is the 4 s recorded" near "$(ms "$(field media-time-at-stop "$out")")" 4000 150
check "the first segment opens at media time near 0" \
  test "$(ms "$(field fragment-opened "$out")")" -lt 100
check "end of stream came through" grep -qx eos "$out"
check "no segment was aborted" bash -c "! grep -q '^aborted' '$out'"

segments=("$WORK"/session/seg-*.mkv.age)
check "at least 2 segments (got ${#segments[@]})" test "${#segments[@]}" -ge 2
plain=()
for f in "${segments[@]}"; do
  p=$WORK/$(basename "${f%.age}")
  check "$(basename "$f") decrypts with stock age -d" age -d -i "$VAULT_KEY" -o "$p" "$f"
  first_key=$(ffprobe -v error -select_streams v:0 -show_entries packet=flags -of csv=p=0 "$p" | sed -n 1p)
  check "$(basename "$p") starts on a keyframe" test "${first_key:0:1}" = K
  plain+=("$p")
done
first=${plain[0]}
vstart=$(ffprobe -v error -select_streams v:0 -show_entries packet=pts_time -of csv=p=0 "$first" | sed -n 1p)
astart=$(ffprobe -v error -select_streams a:0 -show_entries packet=pts_time -of csv=p=0 "$first" | sed -n 1p)
check "the first segment's video starts near 0 (got $vstart s)" near "$vstart" 0 0.1
check "the first segment's audio starts near 0 (got $astart s)" near "$astart" 0 0.1
# the first audio packet follows the first key frame by the live source's
# first buffer and the encoder's frame: 40 to 55 ms measured here, more on a
# busy machine; 100 ms apart is still together (and each is near 0 above)
check "video and audio start together (within 100 ms)" near "$vstart" "$astart" 0.1
check "the first frame decodes as a key frame" test "$(ffprobe -v error -select_streams v:0 \
  -show_entries frame=key_frame -read_intervals '%+#1' -of csv=p=0 "$first" | sed -n 1p)" = 1
total=$(python3 "$STUDIO_SOURCE_DIR/tests/integration/media.py" continuity "${plain[@]}") \
  || fail "segment boundaries lose or duplicate media: $total"
check "decoded total $total s is within 0.5 s of the 4 s recorded" near "$total" 4 0.5

# The two-camera profile (compositor; test sources for the cameras, as in
# recording-2cam.sh) pre-rolls and opens the same way.
sed -e 's|^source=v4l2src device=/dev/video0|source=videotestsrc is-live=true pattern=smpte horizontal-speed=4|' \
    -e 's|^source2=v4l2src device=/dev/video2|source2=videotestsrc is-live=true pattern=ball|' \
    -e 's|^source=alsasrc device=default|source=audiotestsrc is-live=true|' \
    "$STUDIO_SOURCE_DIR/pipelines/usb-2cam.profile" >"$WORK/2cam.profile"
mkdir "$WORK/2cam"
"$HELPER" "$WORK/2cam.profile" "$VAULT_RECIPIENT" "$WORK/2cam" 1500 2500 >"$WORK/2cam.txt" 2>&1 \
  || { cat "$WORK/2cam.txt"; fail "two cameras: helper failed"; }
check "two cameras: nothing written while pre-rolled" test "$(field files-before-open "$WORK/2cam.txt")" = 0
check "two cameras: open succeeds" test "$(field open "$WORK/2cam.txt")" = 0
check "two cameras: stock age decrypts the segment" \
  age -d -i "$VAULT_KEY" -o "$WORK/2cam.mkv" "$WORK/2cam/seg-000001.mkv.age"
first_key=$(ffprobe -v error -select_streams v:0 -show_entries packet=flags -of csv=p=0 "$WORK/2cam.mkv" | sed -n 1p)
check "two cameras: the segment starts on a keyframe" test "${first_key:0:1}" = K
vstart=$(ffprobe -v error -select_streams v:0 -show_entries packet=pts_time -of csv=p=0 "$WORK/2cam.mkv" | sed -n 1p)
check "two cameras: video starts near 0 (got $vstart s)" near "$vstart" 0 0.1
finish
