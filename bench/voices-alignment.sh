#!/bin/bash
# Sample alignment between tracks from one multichannel source over ten
# minutes of media: a four-channel source (three tones on channels 1 to 3,
# one pipeline clock) split into three tracks; the phase of each track's
# tone is measured over the first and the last second of media, and its
# change, in samples at 48 kHz, is the track's drift against the others.
# Target: zero samples of drift (one clock). Not a test: figures only.
#   usage: bench/voices-alignment.sh BUILD_DIR [SECONDS]
set -euo pipefail

build=${1:?usage: voices-alignment.sh BUILD_DIR [SECONDS]}
secs=${2:-600}
recorder="$build/appliance/recorder/studio-recorder"
media="$(cd "$(dirname "$0")/.." && pwd)/tests/integration/media.py"
[ -x "$recorder" ] || { echo "no $recorder: build the studio-recorder target first" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
age-keygen -o "$work/key.txt" 2>/dev/null
recipient=$(age-keygen -y "$work/key.txt")
tone() { echo "audiotestsrc is-live=true wave=sine freq=$1 volume=0.1 ! mic."; }
cat > "$work/four.profile" <<PROFILE
[video]
source=videotestsrc is-live=true
width=640
height=360
bitrate=800
keyframe-interval=1
[audio]
source=interleave name=mic $(tone 500) $(tone 1000) $(tone 2000) $(tone 3000)
channels=4
[audio.track.1]
role=interviewee
channel=1
[audio.track.2]
role=interviewer
channel=2
[audio.track.3]
role=interpreter
channel=3
PROFILE
echo "voices-alignment: ${secs} s of media from one four-channel source, three tracks (500, 1000, 2000 Hz)"
session=$("$recorder" --once --profile "$work/four.profile" --duration "${secs}s" --recipient "$recipient" \
        --out "$work/spool" 2>"$work/log" | tail -n 1)
list=()
for f in "$session"/seg-*.mkv.age; do
        age -d -i "$work/key.txt" -o "$work/$(basename "${f%.age}")" "$f"
        list+=("file '$work/$(basename "${f%.age}")'")
done
printf '%s\n' "${list[@]}" > "$work/list"
# the segments joined without re-encoding: one timeline
ffmpeg -v error -f concat -safe 0 -i "$work/list" -map 0 -c copy "$work/all.mkv"
python3 - "$work/all.mkv" <<'PY'
import math, struct, subprocess, sys
path, rate = sys.argv[1], 48000
freqs = [500.0, 1000.0, 2000.0]
def phase(track, start):
    raw = subprocess.run(["ffmpeg", "-v", "error", "-ss", "%.3f" % start, "-t", "1", "-i", path, "-map",
                          "0:a:%d" % track, "-ac", "1", "-ar", str(rate), "-f", "f32le", "-"],
                         check=True, capture_output=True).stdout
    x = struct.unpack("<%df" % (len(raw) // 4), raw)
    f = freqs[track]
    re = sum(v * math.cos(2 * math.pi * f * i / rate) for i, v in enumerate(x))
    im = sum(-v * math.sin(2 * math.pi * f * i / rate) for i, v in enumerate(x))
    return math.atan2(im, re)
dur = float(subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path],
                           check=True, capture_output=True, text=True).stdout.strip() or 0)
first, last = 1.0, max(2.0, dur - 2.0)
drifts = []
for t, f in enumerate(freqs):
    # each tone against its own phase: a track that gains or loses samples shifts it
    d = phase(t, last) - phase(t, first) - 2 * math.pi * f * (last - first)
    d = (d + math.pi) % (2 * math.pi) - math.pi
    drifts.append(d / (2 * math.pi * f) * rate)
print("media %.1f s; drift of each track over %.1f s, in samples at 48 kHz: %s" %
      (dur, last - first, ", ".join("%.2f" % d for d in drifts)))
print("largest difference between tracks: %.2f samples (target 0)" % (max(drifts) - min(drifts)))
PY
