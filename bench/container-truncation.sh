#!/bin/bash
# The measurement behind the container choice (DESIGN.md: "a container that
# still plays up to the last written data after a power cut"). One live
# test-profile pipeline (1280x720@30 moving bars with the clock overlay,
# x264 superfast zerolatency 4000 kbit/s, Opus 64 kbit/s) is teed into three
# plain files via filesink (no sealing): matroskamux streamable=true,
# mpegtsmux and mp4mux. It would record ~8 s; gst-launch-1.0 is killed with
# SIGKILL after ~5 s. Then ffprobe -count_frames counts the video frames each
# file still decodes. Expected: Matroska and MPEG-TS keep everything up to
# the cut, MP4 (moov written only at EOS) is unplayable. Figures only.
#   usage: bench/container-truncation.sh BUILD_DIR [KILL_AFTER_SECONDS]
set -euo pipefail

build=${1:?usage: container-truncation.sh BUILD_DIR [KILL_AFTER_SECONDS]}
kill_after=${2:-5}
: "$build"   # plain GStreamer elements only; the build is not needed

work=$(mktemp -d)
gst_pid=""
cleanup() { [ -n "$gst_pid" ] && kill -9 "$gst_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

echo "container-truncation: live 1280x720@30 test pipeline teed into 3 containers, kill -9 after ${kill_after} s"
echo "load average before run:$(uptime | sed 's/.*load average://')"
gst-launch-1.0 -q \
  videotestsrc is-live=true pattern=smpte horizontal-speed=4 num-buffers=240 \
  ! videoconvert ! videoscale ! videorate \
  ! video/x-raw,format=I420,width=1280,height=720,framerate=30/1,pixel-aspect-ratio=1/1 \
  ! clockoverlay text="Interview Studio" time-format="%Y-%m-%d %H:%M:%S %Z" halignment=left valignment=top \
      shaded-background=true font-desc="Sans 18" \
  ! videoconvert ! queue max-size-time=3000000000 max-size-buffers=0 max-size-bytes=0 \
  ! x264enc speed-preset=superfast tune=zerolatency bitrate=4000 key-int-max=30 ! tee name=v \
  audiotestsrc is-live=true wave=sine freq=440 volume=0.1 samplesperbuffer=1600 num-buffers=240 \
  ! audio/x-raw,rate=48000 ! audioconvert ! audioresample ! queue ! opusenc bitrate=64000 ! tee name=a \
  matroskamux name=mkv streamable=true ! filesink location="$work/out.mkv" \
  mpegtsmux name=ts ! filesink location="$work/out.ts" \
  mp4mux name=mp4 ! filesink location="$work/out.mp4" \
  v. ! queue ! h264parse ! mkv.  a. ! queue ! mkv. \
  v. ! queue ! h264parse ! ts.   a. ! queue ! ts. \
  v. ! queue ! h264parse ! mp4.  a. ! queue ! mp4. \
  > "$work/gst.log" 2>&1 &
gst_pid=$!
sleep "$kill_after"
if kill -0 "$gst_pid" 2>/dev/null; then
        kill -9 "$gst_pid"; wait "$gst_pid" 2>/dev/null || true
        echo "killed gst-launch-1.0 (pid $gst_pid) with SIGKILL after ${kill_after} s wall"
else
        echo "warning: gst-launch-1.0 ended before the kill; log:" >&2; cat "$work/gst.log" >&2
fi
gst_pid=""

printf "%-22s %10s %9s %8s %10s  %s\n" "container" "bytes" "plays" "frames" "seconds" "ffprobe says"
for f in out.mkv out.ts out.mp4; do
        case $f in
        out.mkv) label="Matroska (streamable)" ;;
        out.ts) label="MPEG-TS" ;;
        out.mp4) label="MP4" ;;
        esac
        bytes=$(stat -c %s "$work/$f" 2>/dev/null || echo 0)
        # (MPEG-TS lists the stream twice, under its program too: keep the first number)
        n=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames \
                -of csv=p=0 "$work/$f" 2> "$work/$f.err" | grep -m1 -x '[0-9][0-9]*' || true)
        if [ -n "$n" ] && [ "$n" -gt 0 ]; then
                printf "%-22s %10d %9s %8d %10.2f  %s\n" "$label" "$bytes" yes "$n" \
                        "$(awk -v n="$n" 'BEGIN { print n / 30 }')" "$(head -c 60 "$work/$f.err" | tr '\n' ' ')"
        else
                printf "%-22s %10d %9s %8s %10s  %s\n" "$label" "$bytes" NO - - \
                        "$(head -c 60 "$work/$f.err" | tr '\n' ' ')"
        fi
done
echo "note: seconds = decodable video frames / 30. The cut is ~${kill_after} s of wall time including"
echo "      pipeline start-up; filesink's user-space buffer (64 KiB) is lost with the process."
echo "load average after run:$(uptime | sed 's/.*load average://')"
