#!/bin/bash
# studio-recorder against ffmpeg doing the same work, like for like. One raw
# input is generated once: SECONDS of 1280x720@30 I420 (moving SMPTE bars,
# videotestsrc pattern=smpte horizontal-speed=4) as a raw .yuv file, and a
# 48 kHz mono S16 WAV tone. Every run reads the same bytes from the page
# cache and writes Matroska with H.264 (x264, preset superfast, tune
# zerolatency, 4000 kbit/s with a 600 ms VBV buffer, keyframe every 60
# frames) and AAC 64 kbit/s, with the date/time and the room name burned in:
#   recorder    studio-recorder --once, temporary profile with sources
#               filesrc ! rawvideoparse and filesrc ! wavparse ! audioconvert
#               (it stops on EOS): our whole pipeline, clockoverlay
#               "Interview Studio %Y-%m-%d %H:%M:%S %Z" top left, shaded
#               (Sans 18), x264enc (CBR: bitrate with vbv-buf-capacity 600
#               ms), voaacenc, splitmuxsink + matroskamux streamable,
#               studiosealsink (age sealing, fdatasync every second);
#   ffmpeg-overlay  the like-for-like reference: ffmpeg -f rawvideo … -vf
#               drawtext (DejaVu Sans 48 px, the same text from localtime,
#               top left, half-transparent box, shadow) -c:v libx264 -preset
#               superfast -tune zerolatency -b:v 4000k -maxrate 4000k
#               -bufsize 2400k -g 60 -c:a aac -b:a 64k out.mkv (no sealing);
#   ffmpeg-zl   the same without drawtext (reference);
#   ffmpeg      -b:v 4000k -g 60 with x264's default tune, no overlay, no VBV
#               (the comparison this benchmark made before).
# The runs are interleaved (recorder, ffmpeg-overlay, ffmpeg-zl, ffmpeg, and
# again) REPEAT times because other jobs share the CPU; each variant's
# figure is its median. CPU = user+sys of the process (/usr/bin/time),
# divided by the media seconds (SECONDS) and by the frames it encoded
# (counted with ffprobe in what it wrote; the recorder's decrypted, all its
# segments). A ratio is printed only between runs that encoded the same
# number of frames: otherwise they did different work, and the script says
# so instead. Target: recorder / ffmpeg-overlay <= 1.0x, sealing included.
# Not a test: figures only.
#   usage: bench/recorder-vs-ffmpeg.sh BUILD_DIR [SECONDS [REPEAT]]
set -euo pipefail

build=${1:?usage: recorder-vs-ffmpeg.sh BUILD_DIR [SECONDS [REPEAT]]}
secs=${2:-20}
repeat=${3:-5}
recorder="$build/appliance/recorder/studio-recorder"
[ -x "$recorder" ] || { echo "no $recorder: build the studio-recorder target first" >&2; exit 1; }
command -v ffmpeg >/dev/null || { echo "ffmpeg is not installed" >&2; exit 1; }
font=$(fc-match 'DejaVu Sans' --format='%{file}' 2>/dev/null || true)
[ -f "$font" ] || { echo "no DejaVu Sans font for drawtext (fonts-dejavu-core)" >&2; exit 1; }
if grep -q '^CMAKE_BUILD_TYPE:STRING=Sanitize' "$build/CMakeCache.txt" 2>/dev/null; then
        echo "warning: $build is a sanitizer build; figures will be meaningless" >&2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
age-keygen -o "$work/key.txt" 2>/dev/null
recipient=$(age-keygen -y "$work/key.txt")
frames=$((secs * 30))
room="Interview Studio"

echo "recorder-vs-ffmpeg: ${secs} s of 1280x720@30 raw I420 (moving SMPTE bars) + 48 kHz mono tone, $repeat rounds"
gst-launch-1.0 -q videotestsrc pattern=smpte horizontal-speed=4 num-buffers=$frames \
        ! video/x-raw,format=I420,width=1280,height=720,framerate=30/1,pixel-aspect-ratio=1/1 \
        ! filesink location="$work/in.yuv"
gst-launch-1.0 -q audiotestsrc wave=sine freq=440 volume=0.1 samplesperbuffer=1600 num-buffers=$frames \
        ! audio/x-raw,format=S16LE,rate=48000,channels=1 ! wavenc ! filesink location="$work/in.wav"
cat "$work/in.yuv" "$work/in.wav" > /dev/null   # warm the page cache for every run

cat > "$work/bench.profile" <<PROFILE
[profile]
description=recorder-vs-ffmpeg benchmark: raw files instead of a camera
room=$room

[video]
source=filesrc location=$work/in.yuv ! rawvideoparse width=1280 height=720 format=i420 framerate=30/1
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

raw_in=(-f rawvideo -pix_fmt yuv420p -s 1280x720 -r 30 -i "$work/in.yuv" -i "$work/in.wav")
x264_zl=(-c:v libx264 -preset superfast -tune zerolatency -b:v 4000k -maxrate 4000k -bufsize 2400k -g 60)
aac=(-c:a aac -b:a 64k)
# drawtext's options are ':'-separated: the time format avoids ':' (%T)
overlay="drawtext=fontfile=$font:text='$room %{localtime\\:%Y-%m-%d %T %Z}':x=28:y=32"
overlay+=":fontsize=48:fontcolor=white:box=1:boxcolor=black@0.4:boxborderw=8:shadowcolor=black:shadowx=2:shadowy=2"

# run NAME ROUND CMD...: appends "user sys wall" to $work/NAME.times
run() {
        local name=$1 round=$2; shift 2
        /usr/bin/time -f '%U %S %e' -o "$work/t" "$@" > "$work/$name.log" 2>&1 || {
                echo "[$name] failed; log:" >&2; tail -20 "$work/$name.log" >&2; exit 1; }
        cat "$work/t" >> "$work/$name.times"
        printf '  round %d %-15s CPU %5.2f s  (load%s)\n' "$round" "$name" \
                "$(awk '{print $1 + $2}' "$work/t")" "$(uptime | sed 's/.*load average://')"
}

for round in $(seq 1 "$repeat"); do
        rm -rf "$work/spool"; mkdir "$work/spool"
        # --duration is wall-clock and only a safety net: the file sources end in EOS.
        run recorder "$round" "$recorder" --once --profile "$work/bench.profile" --duration $((secs * 10))s \
                --recipient "$recipient" --out "$work/spool"
        run ffmpeg-overlay "$round" ffmpeg -nostdin -y "${raw_in[@]}" -vf "$overlay" "${x264_zl[@]}" "${aac[@]}" \
                "$work/ffmpeg-overlay.mkv"
        run ffmpeg-zl "$round" ffmpeg -nostdin -y "${raw_in[@]}" "${x264_zl[@]}" "${aac[@]}" "$work/ffmpeg-zl.mkv"
        run ffmpeg "$round" ffmpeg -nostdin -y "${raw_in[@]}" -c:v libx264 -preset superfast -b:v 4000k -g 60 \
                "${aac[@]}" "$work/ffmpeg.mkv"
done

# What each produced: decrypt ours (the benchmark holds the vault key).
vframes() { ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$1"; }
n=0 rec_frames=0 rec_bytes=0
for f in "$work"/spool/*/seg-*.mkv.age; do
        n=$((n + 1)); age -d -i "$work/key.txt" "$f" > "$work/recorder-$n.mkv"
        rec_frames=$((rec_frames + $(vframes "$work/recorder-$n.mkv")))
        rec_bytes=$((rec_bytes + $(stat -c %s "$work/recorder-$n.mkv")))
done
[ "$n" -eq 1 ] || echo "note: the recorder wrote $n segments; frames and size below are all of them" >&2
rows=""
for name in recorder ffmpeg-overlay ffmpeg-zl ffmpeg; do
        case $name in
        recorder) out=""; label="studio-recorder (sealed)" ;;
        ffmpeg-overlay) out="$work/ffmpeg-overlay.mkv"; label="ffmpeg zl + drawtext" ;;
        ffmpeg-zl) out="$work/ffmpeg-zl.mkv"; label="ffmpeg zl, no overlay" ;;
        ffmpeg) out="$work/ffmpeg.mkv"; label="ffmpeg default tune" ;;
        esac
        med=$(awk '{ u[NR] = $1; s[NR] = $2; c[NR] = $1 + $2; w[NR] = $3 }
                function median(a, n,   i, j, t) {
                        for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
                        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
                END { mc = median(c, NR); printf "%.2f|%.2f|%.2f|%.2f", median(u, NR), median(s, NR), mc, median(w, NR) }' \
                "$work/$name.times")
        if [ "$name" = recorder ]; then
                rows+="$label|$med|$rec_frames|$rec_bytes"$'\n'
        else
                rows+="$label|$med|$(vframes "$out")|$(stat -c %s "$out")"$'\n'
        fi
done
printf '%s' "$rows" | awk -F'|' -v secs="$secs" -v n="$repeat" -v input="$frames" '
{ l[NR] = $1; u[NR] = $2; s[NR] = $3; c[NR] = $4; w[NR] = $5; f[NR] = $6; b[NR] = $7 }
function ratio(k, what, extra) {
        if (f[1] != f[k] || f[1] == 0)
                printf "no CPU ratio studio-recorder / %s: it encoded %d frames and studio-recorder %d (of %d in the input): different work\n", what, f[k], f[1], input;
        else
                printf "CPU ratio studio-recorder / %s: %.2fx%s\n", what, (c[k] > 0 ? c[1] / c[k] : 0), extra;
}
END {
        printf "medians of %d rounds, %d input frames:\n", n, input;
        printf "%-26s %7s %7s %7s %9s %9s %7s %7s %9s\n", "encoder", "user s", "sys s", "CPU s", "CPU/media", "ms/frame", "wall s", "frames", "kbit/s";
        for (i = 1; i <= NR; i++)
                printf "%-26s %7.2f %7.2f %7.2f %9.3f %9.2f %7.2f %7d %9.0f\n", l[i], u[i], s[i], c[i], c[i] / secs, (f[i] > 0 ? c[i] * 1000 / f[i] : 0), w[i], f[i], b[i] * 8 / secs / 1000;
        ratio(2, "ffmpeg zl + drawtext (like for like)", " (target <= 1.0x, sealing included)");
        ratio(3, "ffmpeg zl, no overlay", "");
        ratio(4, "ffmpeg default tune, no overlay", "");
}'
echo "load average after runs:$(uptime | sed 's/.*load average://')"
