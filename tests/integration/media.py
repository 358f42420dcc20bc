#!/usr/bin/env python3
"""Media facts for the tests, by decoding with ffprobe (never trusting the
container's stated duration, which is stale for cut and split files).

  media.py frames FILE          -> "VIDEO_FRAMES AUDIO_SECONDS"
  media.py continuity FILE…     -> checks the files, in order, form one
                                   timeline: no gap, no overlap, no duplicate
                                   at the boundaries; prints the total seconds
  media.py manifest-durations MANIFEST FILE…
                                -> checks each segment's duration_ns in the
                                   manifest against the span of the video's
                                   timestamps in the same plaintext file
                                   (within two frames; a machine too busy for
                                   every picture drops some, not the timeline)
  media.py span FILE            -> the seconds the video's timestamps span
  media.py tones FILE HZ…       -> a line per audio track, in order:
                                   "TITLE LANGUAGE SECONDS DB…", the power of
                                   each tone HZ in the track (Goertzel over
                                   the decoded samples) in dB relative to the
                                   strongest of them, and the track's peak
                                   sample
  media.py tones-after T FILE HZ… -> the same for what follows T seconds
"""
import json
import math
import struct
import subprocess
import sys


def packets(path, stream):
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", stream, "-show_entries",
         "packet=pts_time,duration_time", "-of", "csv=p=0", path],
        check=True, capture_output=True, text=True).stdout
    result = []
    for line in out.splitlines():
        parts = line.strip().strip(",").split(",")
        if not parts or parts[0] in ("", "N/A"):
            continue
        pts = float(parts[0])
        dur = float(parts[1]) if len(parts) > 1 and parts[1] not in ("", "N/A") else None
        result.append((pts, dur))
    return sorted(result)


def decoded_video_frames(path):
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
         "stream=nb_read_frames", "-of", "csv=p=0", path],
        check=True, capture_output=True, text=True).stdout.strip().strip(",")
    return int(out) if out.isdigit() else 0


def audio_seconds(path):
    pk = packets(path, "a:0")
    return sum(d or 0.02 for _, d in pk)


def frames(path):
    print(decoded_video_frames(path), "%.3f" % audio_seconds(path))


def continuity(paths, fps=30.0):
    frame = 1.0 / fps
    prev_end = None
    total_frames = 0
    ok = True
    for path in paths:
        pk = packets(path, "v:0")
        if not pk:
            print("%s: no video packets" % path)
            return 1
        pts = [p for p, _ in pk]
        if len(set(round(p, 4) for p in pts)) != len(pts):
            print("%s: duplicate video timestamps" % path)
            ok = False
        first, last = pts[0], pts[-1]
        if prev_end is not None:
            gap = first - prev_end
            if abs(gap - frame) > frame / 2:
                print("%s: starts %.3f s after the previous segment's last frame (expected %.3f)"
                      % (path, gap, frame))
                ok = False
        prev_end = last
        total_frames += len(pts)
    print("%.3f" % (total_frames / fps))
    return 0 if ok else 1


def video_span(path, fps=30.0):
    pts = [p for p, _ in packets(path, "v:0")]
    return (pts[-1] - pts[0] + 1.0 / fps) if pts else 0.0


def manifest_durations(manifest, paths, fps=30.0):
    segments = json.load(open(manifest))["segments"]
    if len(segments) != len(paths):
        print("the manifest lists %d segments, %d files given" % (len(segments), len(paths)))
        return 1
    ok = True
    for seg, path in zip(segments, paths):
        decoded = video_span(path, fps)
        stated = seg["duration_ns"] / 1e9
        if abs(stated - decoded) > 2.0 / fps:
            print("%s: manifest says %.3f s, the file decodes to %.3f s" % (seg["name"], stated, decoded))
            ok = False
    return 0 if ok else 1


def audio_streams(path):
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "a", "-show_entries", "stream=index:stream_tags",
         "-of", "json", path], check=True, capture_output=True, text=True).stdout
    streams = []
    for st in json.loads(out).get("streams", []):
        tags = {k.lower(): v for k, v in st.get("tags", {}).items()}
        streams.append((tags.get("title", "-"), tags.get("language", "und")))
    return streams


def decoded_samples(path, n, rate=16000, after=0.0):
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", "%.3f" % after, "-i", path, "-map", "0:a:%d" % n, "-ac", "1",
         "-ar", str(rate), "-f", "f32le", "-"], check=True, capture_output=True).stdout
    return struct.unpack("<%df" % (len(raw) // 4), raw), rate


def goertzel_power(samples, rate, hz):
    w = 2.0 * math.pi * hz / rate
    coeff = 2.0 * math.cos(w)
    s1 = s2 = 0.0
    for x in samples:
        s1, s2 = x + coeff * s1 - s2, s1
    return s1 * s1 + s2 * s2 - coeff * s1 * s2


def tones(path, freqs, after=0.0):
    for n, (title, language) in enumerate(audio_streams(path)):
        samples, rate = decoded_samples(path, n, after=after)
        powers = [goertzel_power(samples, rate, f) for f in freqs]
        top = max(powers) or 1e-30
        dbs = ["%.1f" % (10 * math.log10(max(p, 1e-30) / top)) for p in powers]
        peak = max((abs(x) for x in samples), default=0.0)
        print(title, language, "%.3f" % (len(samples) / rate), *dbs, "peak=%.4f" % peak)
    return 0


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "frames":
        frames(sys.argv[2])
        return 0
    if len(sys.argv) >= 3 and sys.argv[1] == "continuity":
        return continuity(sys.argv[2:])
    if len(sys.argv) == 3 and sys.argv[1] == "span":
        print("%.3f" % video_span(sys.argv[2]))
        return 0
    if len(sys.argv) >= 4 and sys.argv[1] == "tones":
        return tones(sys.argv[2], [float(f) for f in sys.argv[3:]])
    if len(sys.argv) >= 5 and sys.argv[1] == "tones-after":
        return tones(sys.argv[3], [float(f) for f in sys.argv[4:]], after=float(sys.argv[2]))
    if len(sys.argv) >= 4 and sys.argv[1] == "manifest-durations":
        return manifest_durations(sys.argv[2], sys.argv[3:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
