#!/bin/bash
# Start latency through the recorder daemon, as the detective meets it: 20
# times, `studioctl identify` (the PIN entry: the room is ready and its
# pipeline pre-rolled), 1 s later `studioctl start` (the Start key), then
# stop, on a studio made by `studioctl init` (test profile). For each, the
# time from the daemon's Start to the first segment file (its age header
# sealed) on disk, from the daemon's own log line, and from the session's
# custody log appearing (the session begun) to the first media bytes sealed
# on disk (the file growing past 4 KiB, seen by polling every 5 ms).
# Prints median and worst. Not a test: figures only.
#   usage: bench/daemon-start-latency.sh BUILD_DIR [STARTS]
set -euo pipefail

build=${1:?usage: daemon-start-latency.sh BUILD_DIR [STARTS]}
starts=${2:-20}
rec=$build/appliance/recorder/studio-recorder
ctl=$build/appliance/ctl/studioctl
[ -x "$rec" ] && [ -x "$ctl" ] || { echo "build studio-recorder and studioctl first" >&2; exit 1; }
if grep -q '^CMAKE_BUILD_TYPE:STRING=Sanitize' "$build/CMakeCache.txt" 2>/dev/null; then
  echo "warning: $build is a sanitizer build; figures will be meaningless" >&2
fi
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
echo 683921 >"$work/pin"
"$ctl" init --dir "$work/studio" --officer 40417 --pin-file "$work/pin" >"$work/init"
conf=$work/studio/studio.conf
"$rec" --config "$conf" 2>"$work/log" &
pid=$!
for _ in $(seq 100); do "$ctl" --config "$conf" status >/dev/null 2>&1 && break; sleep 0.1; done

for i in $(seq "$starts"); do
  before=$(ls "$work/studio/spool" | wc -l)
  # the media bytes: the newest segment file growing past its age header
  python3 - "$work/studio/spool" "$before" >>"$work/media" <<'PY' &
import os, sys, time
spool, before = sys.argv[1], int(sys.argv[2])
t0 = None
while True:
    names = sorted(n for n in os.listdir(spool) if not n.startswith("."))
    if len(names) > before:
        seg = os.path.join(spool, names[-1], "seg-000001.mkv.age")
        if t0 is None and os.path.exists(os.path.join(spool, names[-1], "custody.jsonl")):
            t0 = time.monotonic()  # the session began (its log exists): Start
        if t0 is not None and os.path.exists(seg) and os.path.getsize(seg) > 4096:
            print(f"{(time.monotonic() - t0) * 1000:.0f}")
            break
    time.sleep(0.005)
PY
  watcher=$!
  echo 683921 | "$ctl" --config "$conf" identify --officer 40417 >/dev/null
  sleep 1
  "$ctl" --config "$conf" start >/dev/null
  wait "$watcher"
  sleep 1
  "$ctl" --config "$conf" stop >/dev/null
done
kill -TERM "$pid"; wait "$pid" || true

python3 - "$work/log" "$work/media" <<'PY'
import re, statistics, sys
opened = [float(m) for m in re.findall(r"the first segment file (\d+) ms after Start", open(sys.argv[1]).read())]
media = [float(l) for l in open(sys.argv[2]) if l.strip()]
def show(what, xs):
    print(f"{what}: median {statistics.median(xs):.0f} ms, worst {max(xs):.0f} ms over {len(xs)} starts")
show("Start -> first segment file (age header) on disk", opened)
show("session folder -> first media bytes sealed on disk", media)
PY
