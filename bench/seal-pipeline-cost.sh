#!/bin/bash
# CPU cost of sealing in a real pipeline: the same live test-profile
# recording (the pipeline appliance/capture/pipeline.c builds for
# pipelines/test.profile, written out for gst-launch-1.0) once with
# splitmuxsink sink-factory=filesink and once with sink-factory=studiosealsink.
# Prints user+sys CPU seconds of each gst-launch-1.0 process and the extra
# CPU of sealing in % (target: <= 2 % extra). Then, much less noisy, the same
# recorded bytes re-fed into each sink alone. Not a test: figures only.
#   usage: bench/seal-pipeline-cost.sh BUILD_DIR [SECONDS]
set -euo pipefail

build=${1:?usage: seal-pipeline-cost.sh BUILD_DIR [SECONDS]}
secs=${2:-60}
plugin="$build/appliance/seal/libgststudioseal.so"
[ -f "$plugin" ] || { echo "no $plugin: build the gststudioseal target first" >&2; exit 1; }
if grep -q '^CMAKE_BUILD_TYPE:STRING=Sanitize' "$build/CMakeCache.txt" 2>/dev/null; then
        echo "warning: $build is a sanitizer build; figures will be meaningless" >&2
fi
export GST_PLUGIN_PATH="$build/appliance/seal${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
age-keygen -o "$work/key.txt" 2>/dev/null
recipient=$(age-keygen -y "$work/key.txt")

frames=$((secs * 30))
# Live sources, stopped by num-buffers (video 30 fps; audio 1600 samples at
# 48 kHz = 1/30 s per buffer), so both runs carry exactly the same media.
# Everything up to splitmuxsink is the test profile's pipeline.
sources="videotestsrc is-live=true pattern=smpte horizontal-speed=4 num-buffers=$frames
 ! videoconvert ! videoscale ! videorate
 ! video/x-raw,format=I420,width=1280,height=720,framerate=30/1,pixel-aspect-ratio=1/1
 ! clockoverlay text=\"Interview Studio\" time-format=\"%Y-%m-%d %H:%M:%S %Z\" halignment=left valignment=top shaded-background=true font-desc=\"Sans 18\"
 ! videoconvert ! x264enc speed-preset=superfast tune=zerolatency bitrate=4000 key-int-max=30 ! h264parse
 ! queue max-size-time=3000000000 max-size-buffers=0 max-size-bytes=0 ! mux.video
 audiotestsrc is-live=true wave=sine freq=440 volume=0.1 samplesperbuffer=1600 num-buffers=$frames
 ! audio/x-raw,rate=48000 ! audioconvert ! audioresample ! queue ! opusenc bitrate=64000 ! mux.audio_%u"
mux="splitmuxsink name=mux async-finalize=true muxer-factory=matroskamux
 muxer-properties=\"properties,streamable=true\" start-index=1 max-size-time=300000000000"

# run NAME SINK-ARGS: records into $work/NAME/, leaves "user sys wall" in $work/NAME.time
run() {
        local name=$1 sinkargs=$2
        mkdir "$work/$name"
        echo "[$name] load average before run:$(uptime | sed 's/.*load average://')"
        # timeout: a hung EOS must not hang the benchmark (the run is then void).
        eval /usr/bin/time -f "'%U %S %e'" -o "$work/$name.time" \
                timeout -k 10 $((secs + 60)) gst-launch-1.0 -e $sources $mux $sinkargs \
                > "$work/$name.log" 2>&1 || {
                echo "[$name] gst-launch-1.0 failed; log:" >&2; tail -20 "$work/$name.log" >&2; exit 1; }
}

echo "seal-pipeline-cost: ${secs} s of live 1280x720@30 test pattern + tone, x264 superfast 4000 kbit/s, Opus 64 kbit/s, Matroska"
run plain "sink-factory=filesink location=$work/plain/seg-%06d.mkv"
run sealed "sink-factory=studiosealsink \"sink-properties=\\\"properties,recipients=$recipient\\\"\" location=$work/sealed/seg-%06d.mkv.age"

# The sealed recording must really be a sealed recording of the same length.
sealed_file=$(ls "$work"/sealed/seg-*.mkv.age | head -1)
age -d -i "$work/key.txt" "$sealed_file" > "$work/sealed.mkv"
plain_file=$(ls "$work"/plain/seg-*.mkv | head -1)
vframes() { ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$1"; }
pf=$(vframes "$plain_file"); sf=$(vframes "$work/sealed.mkv")
pb=$(stat -c %s "$plain_file"); sb=$(stat -c %s "$sealed_file")

read -r pu ps pw < "$work/plain.time"
read -r su ss sw < "$work/sealed.time"
awk -v pu="$pu" -v ps="$ps" -v pw="$pw" -v su="$su" -v ss="$ss" -v sw="$sw" \
    -v pf="$pf" -v sf="$sf" -v pb="$pb" -v sb="$sb" 'BEGIN {
        p = pu + ps; s = su + ss;
        printf "%-26s %8s %8s %8s %8s %7s %11s\n", "sink", "user s", "sys s", "CPU s", "wall s", "frames", "bytes";
        printf "%-26s %8.2f %8.2f %8.2f %8.2f %7d %11d\n", "filesink (plain .mkv)", pu, ps, p, pw, pf, pb;
        printf "%-26s %8.2f %8.2f %8.2f %8.2f %7d %11d\n", "studiosealsink (.mkv.age)", su, ss, s, sw, sf, sb;
        printf "sealing costs %+.2f s CPU = %+.1f %% extra CPU time (target <= 2 %%)\n", s - p, (p > 0 ? 100 * (s - p) / p : 0);
}'

# The same comparison with everything but the sink taken out, which is far
# less noisy than the difference of two whole-pipeline runs: the plain
# recording re-fed in 16 KiB buffers (about the size of a muxed frame at
# 4 Mbit/s) into filesink and into studiosealsink, best of 3 each.
sink_only() { # NAME SINK-DESCRIPTION -> best "user+sys" of 3
        local best="" t
        for _ in 1 2 3; do
                rm -f "$work/sinkonly.out"
                eval /usr/bin/time -f "'%U %S'" -o "$work/sinkonly.time" gst-launch-1.0 -q filesrc \
                        location="$plain_file" blocksize=16384 ! $2 > /dev/null 2>&1
                t=$(awk '{ printf "%.3f", $1 + $2 }' "$work/sinkonly.time")
                if [ -z "$best" ] || awk -v t="$t" -v b="$best" 'BEGIN { exit !(t < b) }'; then best=$t; fi
        done
        echo "$best"
}
cat "$plain_file" > /dev/null
so_plain=$(sink_only filesink "filesink location=$work/sinkonly.out")
so_sealed=$(sink_only sealed "studiosealsink location=$work/sinkonly.out recipients=$recipient")
so_bytes=$(stat -c %s "$work/sinkonly.out")
awk -v a="$so_plain" -v b="$so_sealed" -v pu="$pu" -v ps="$ps" -v pb="$pb" -v sb="$so_bytes" 'BEGIN {
        p = pu + ps;
        printf "sink only (filesrc ! sink, %.1f MB, best of 3): filesink %.3f s CPU, studiosealsink %.3f s CPU\n", pb / 1e6, a, b;
        printf "  => sealing adds %.3f s CPU = %.2f %% of the plain pipeline'"'"'s CPU (target <= 2 %%)\n", b - a, (p > 0 ? 100 * (b - a) / p : 0);
        printf "  sealed size overhead on the same bytes: %+d bytes (%+.3f %%)\n", sb - pb, (pb > 0 ? 100 * (sb - pb) / pb : 0);
}'
echo "load average after runs:$(uptime | sed 's/.*load average://')"
echo "note: one whole-pipeline run each on a shared machine: differences of a few % there are run-to-run"
echo "      noise; the sink-only figure isolates what sealing itself costs"
