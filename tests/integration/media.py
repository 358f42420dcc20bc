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
"""
import json
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


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "frames":
        frames(sys.argv[2])
        return 0
    if len(sys.argv) >= 3 and sys.argv[1] == "continuity":
        return continuity(sys.argv[2:])
    if len(sys.argv) == 3 and sys.argv[1] == "span":
        print("%.3f" % video_span(sys.argv[2]))
        return 0
    if len(sys.argv) >= 4 and sys.argv[1] == "manifest-durations":
        return manifest_durations(sys.argv[2], sys.argv[3:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
