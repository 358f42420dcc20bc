#!/bin/bash
# Soak: one long recording on the test profile (default 30 min) through
# studio-recorder --once, signed. Prints frames dropped (decoded video
# frames against 30 fps over the signed media duration, and any
# behind-real-time fault), RSS growth after the first minute, and CPU per
# media second in the first and the last five minutes. Not a test: figures
# only (docs/benchmarks.md has the targets).
#   usage: bench/soak.sh BUILD_DIR [MINUTES]
set -euo pipefail

build=${1:?usage: soak.sh BUILD_DIR [MINUTES]}
minutes=${2:-30}
src=$(cd "$(dirname "$0")/.." && pwd)
rec=$build/appliance/recorder/studio-recorder
keys=$build/keys/studio-keys
[ -x "$rec" ] || { echo "no $rec: build first" >&2; exit 1; }
if grep -q '^CMAKE_BUILD_TYPE:STRING=Sanitize' "$build/CMakeCache.txt" 2>/dev/null; then
  echo "warning: $build is a sanitizer build; figures will be meaningless" >&2
fi
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
age-keygen -o "$work/vault.key" 2>/dev/null
"$keys" device-init --dir "$work/device" --device-id soak >/dev/null
tick=$(getconf CLK_TCK)

"$rec" --once --duration "${minutes}min" --out "$work/spool" --device-key "$work/device/device.key" \
  --recipient "$(age-keygen -y "$work/vault.key")" >"$work/out" 2>"$work/err" &
pid=$!
start=$(date +%s)
# elapsed-seconds rss-kib cpu-ticks, every 5 s
while kill -0 "$pid" 2>/dev/null; do
  if [ -r "/proc/$pid/stat" ]; then
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    cpu=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
    echo "$(( $(date +%s) - start )) $rss $cpu" >>"$work/samples"
  fi
  sleep 5
done
wait "$pid" || { echo "the recording failed:" >&2; cat "$work/err" >&2; exit 1; }
session=$(tail -n 1 "$work/out")

python3 - "$work/samples" "$tick" "$minutes" <<'PY'
import sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if len(l.split()) == 3]
tick, minutes = int(sys.argv[2]), int(sys.argv[3])
end = rows[-1][0]
def at(t):  # the sample nearest to t seconds
    return min(rows, key=lambda r: abs(r[0] - t))
first_min = at(60)
print(f"samples: {len(rows)} over {end} s")
print(f"RSS after 1 min: {first_min[1] / 1024:.1f} MiB, at the end: {rows[-1][1] / 1024:.1f} MiB, "
      f"growth {(rows[-1][1] - first_min[1]) / 1024:+.2f} MiB (target <= 2 MiB)")
window = min(300, end // 3)
a0, a1 = at(0), at(window)
b0, b1 = at(end - window), rows[-1]
fa = (a1[2] - a0[2]) / tick / max(1, a1[0] - a0[0])
fb = (b1[2] - b0[2]) / tick / max(1, b1[0] - b0[0])
print(f"CPU per media second, first {window} s: {fa:.3f} s, last {window} s: {fb:.3f} s, "
      f"change {100 * (fb - fa) / fa:+.1f} % (target: flat within 5 %)")
PY

total_frames=0
for f in "$session"/seg-*.mkv.age; do
  age -d -i "$work/vault.key" -o "$work/seg.mkv" "$f"
  n=$(python3 "$src/tests/integration/media.py" frames "$work/seg.mkv" | cut -d' ' -f1)
  total_frames=$((total_frames + n))
done
media_ns=$(python3 -c "import json,sys; m=json.load(open(sys.argv[1])); print(sum(s['duration_ns'] for s in m['segments']))" "$session/manifest.json")
expected=$(python3 -c "print(round($media_ns / 1e9 * 30))")
echo "segments: $(ls "$session"/seg-*.mkv.age | wc -l), media: $(python3 -c "print(f'{$media_ns / 1e9:.1f}')") s"
echo "video frames decoded: $total_frames of $expected at 30 fps: $((expected - total_frames)) dropped"
if grep -q '"what":"behind-real-time"' "$session/custody.jsonl"; then
  echo "the recorder signed a behind-real-time fault"
else
  echo "no behind-real-time fault was signed"
fi
