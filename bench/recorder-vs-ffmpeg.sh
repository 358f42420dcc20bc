#!/bin/bash
# studio-recorder against plain ffmpeg on the same raw input: a 1280x720@30
# .y4m of moving SMPTE bars (videotestsrc pattern=smpte horizontal-speed=4)
# and a 48 kHz mono WAV tone, generated once. Both encode H.264 with x264
# preset superfast at 4000 kbit/s (keyframe every 60 frames) and AAC at
# 64 kbit/s into Matroska:
#   (a) studio-recorder --once with a temporary profile whose sources are
#       filesrc ! y4mdec and filesrc ! wavparse (it stops on EOS), so it runs
#       our whole pipeline: clock/room overlay, x264enc tune=zerolatency,
#       splitmuxsink + matroskamux streamable, studiosealsink (age sealing);
#   (b) ffmpeg -c:v libx264 -preset superfast -b:v 4000k -g 60 -c:a aac
#       -b:a 64k out.mkv (plain, no overlay, no sealing);
#   (c) the same ffmpeg with -tune zerolatency, for reference.
# Prints user+sys CPU seconds and the ratio (a)/(b) (target <= 1.05x,
# sealing included). Not a test: figures only.
#   usage: bench/recorder-vs-ffmpeg.sh BUILD_DIR [SECONDS]
set -euo pipefail

build=${1:?usage: recorder-vs-ffmpeg.sh BUILD_DIR [SECONDS]}
secs=${2:-20}
recorder="$build/appliance/recorder/studio-recorder"
[ -x "$recorder" ] || { echo "no $recorder: build the studio-recorder target first" >&2; exit 1; }
command -v ffmpeg >/dev/null || { echo "ffmpeg is not installed" >&2; exit 1; }
if grep -q '^CMAKE_BUILD_TYPE:STRING=Sanitize' "$build/CMakeCache.txt" 2>/dev/null; then
        echo "warning: $build is a sanitizer build; figures will be meaningless" >&2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
age-keygen -o "$work/key.txt" 2>/dev/null
recipient=$(age-keygen -y "$work/key.txt")
frames=$((secs * 30))

echo "recorder-vs-ffmpeg: ${secs} s of 1280x720@30 raw video (moving SMPTE bars) + 48 kHz mono tone"
gst-launch-1.0 -q videotestsrc pattern=smpte horizontal-speed=4 num-buffers=$frames \
        ! video/x-raw,format=I420,width=1280,height=720,framerate=30/1,pixel-aspect-ratio=1/1 \
        ! y4menc ! filesink location="$work/in.y4m"
gst-launch-1.0 -q audiotestsrc wave=sine freq=440 volume=0.1 samplesperbuffer=1600 num-buffers=$frames \
        ! audio/x-raw,format=S16LE,rate=48000,channels=1 ! wavenc ! filesink location="$work/in.wav"
cat "$work/in.y4m" "$work/in.wav" > /dev/null   # warm the page cache for every run

cat > "$work/bench.profile" <<PROFILE
[profile]
description=recorder-vs-ffmpeg benchmark: raw files instead of a camera
room=Interview Studio

[video]
source=filesrc location=$work/in.y4m ! y4mdec
width=1280
height=720
framerate=30
bitrate=4000
encoder=x264enc
preset=superfast
keyframe-interval=2

[audio]
source=filesrc location=$work/in.wav ! wavparse ! audioconvert
codec=aac
bitrate=64

[container]
format=matroska
PROFILE

# run NAME CMD...: leaves "user sys wall" in $work/NAME.time
run() {
        local name=$1; shift
        echo "[$name] load average before run:$(uptime | sed 's/.*load average://')"
        /usr/bin/time -f '%U %S %e' -o "$work/$name.time" "$@" > "$work/$name.log" 2>&1 || {
                echo "[$name] failed; log:" >&2; tail -20 "$work/$name.log" >&2; exit 1; }
}

mkdir "$work/spool"
# --duration is wall-clock and only a safety net: the file sources end in EOS.
run recorder "$recorder" --once --profile "$work/bench.profile" --duration $((secs * 10))s \
        --recipient "$recipient" --out "$work/spool"
run ffmpeg ffmpeg -nostdin -y -i "$work/in.y4m" -i "$work/in.wav" -c:v libx264 -preset superfast \
        -b:v 4000k -g 60 -c:a aac -b:a 64k "$work/ffmpeg.mkv"
run ffmpeg-zl ffmpeg -nostdin -y -i "$work/in.y4m" -i "$work/in.wav" -c:v libx264 -preset superfast \
        -tune zerolatency -b:v 4000k -g 60 -c:a aac -b:a 64k "$work/ffmpeg-zl.mkv"

# What each produced: decrypt ours (the benchmark holds the vault key).
n=0
for f in "$work"/spool/*/seg-*.mkv.age; do
        n=$((n + 1)); age -d -i "$work/key.txt" "$f" > "$work/recorder-$n.mkv"
done
[ "$n" -eq 1 ] || echo "note: the recorder wrote $n segments; figures below are for the first" >&2
vframes() { ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$1"; }
rows=""
for name in recorder ffmpeg ffmpeg-zl; do
        case $name in
        recorder) out="$work/recorder-1.mkv"; label="studio-recorder (sealed)" ;;
        ffmpeg) out="$work/ffmpeg.mkv"; label="ffmpeg (plain)" ;;
        ffmpeg-zl) out="$work/ffmpeg-zl.mkv"; label="ffmpeg -tune zerolatency" ;;
        esac
        read -r u s w < "$work/$name.time"
        rows+="$label|$u|$s|$w|$(vframes "$out")|$(stat -c %s "$out")"$'\n'
done
printf '%s' "$rows" | awk -F'|' -v secs="$secs" '
{ l[NR] = $1; c[NR] = $2 + $3; u[NR] = $2; s[NR] = $3; w[NR] = $4; f[NR] = $5; b[NR] = $6 }
END {
        printf "%-26s %7s %7s %7s %7s %7s %9s\n", "encoder", "user s", "sys s", "CPU s", "wall s", "frames", "kbit/s";
        for (i = 1; i <= NR; i++)
                printf "%-26s %7.2f %7.2f %7.2f %7.2f %7d %9.0f\n", l[i], u[i], s[i], c[i], w[i], f[i], b[i] * 8 / secs / 1000;
        printf "CPU ratio studio-recorder / ffmpeg (plain): %.2fx (target <= 1.05x, sealing included)\n", (c[2] > 0 ? c[1] / c[2] : 0);
        printf "CPU ratio studio-recorder / ffmpeg -tune zerolatency: %.2fx\n", (c[3] > 0 ? c[1] / c[3] : 0);
}'
echo "note: studio-recorder also burns the date/time and room name into every frame (clockoverlay),"
echo "      uses x264 tune=zerolatency, and its CPU includes process start-up and sealing; ffmpeg does none of these"
echo "load average after runs:$(uptime | sed 's/.*load average://')"
