#!/bin/bash
# The health monitor's CPU cost: the same recording (default 60 s) through
# the daemon on the test profile, with [health] enabled=true and then
# enabled=false, in one run. Prints the recorder process's CPU seconds
# (utime + stime from /proc/PID/stat) over each recording, their ratio, and
# the difference as a share of one core. Not a test: figures only (target
# <= 1 % of one core; docs/benchmarks.md).
#   usage: bench/health-cost.sh BUILD_DIR [SECONDS]
set -euo pipefail

build=${1:?usage: health-cost.sh BUILD_DIR [SECONDS]}
secs=${2:-60}
src=$(cd "$(dirname "$0")/.." && pwd)
rec=$build/appliance/recorder/studio-recorder
ctl=$build/appliance/ctl/studioctl
[ -x "$rec" ] && [ -x "$ctl" ] || { echo "no $rec or $ctl: build first" >&2; exit 1; }
if grep -q '^CMAKE_BUILD_TYPE:STRING=Sanitize' "$build/CMakeCache.txt" 2>/dev/null; then
  echo "warning: $build is a sanitizer build; figures will be meaningless" >&2
fi
work=$(mktemp -d)
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
tick=$(getconf CLK_TCK)
echo 683921 >"$work/pin"
"$ctl" init --dir "$work/studio" --officer 40417 --pin-file "$work/pin" >"$work/init.out"
conf=$(sed -n 's/^config: //p' "$work/init.out")
cp "$conf" "$work/conf.orig"

cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
run() { # run true|false: prints CPU ticks over the recording
  cp "$work/conf.orig" "$conf"
  python3 "$src/tests/integration/conf-set.py" "$conf" health enabled "$1"
  "$rec" --config "$conf" 2>"$work/daemon-$1.log" &
  pid=$!
  for _ in $(seq 100); do "$ctl" --config "$conf" status >/dev/null 2>&1 && break; sleep 0.1; done
  "$ctl" --config "$conf" start --officer 40417 <"$work/pin" >/dev/null
  local c0 c1
  c0=$(cpu "$pid")
  sleep "$secs"
  c1=$(cpu "$pid")
  "$ctl" --config "$conf" stop >/dev/null
  kill -TERM "$pid"
  wait "$pid" || true
  pid=
  echo $((c1 - c0))
}
on=$(run true)
off=$(run false)
python3 - "$on" "$off" "$tick" "$secs" <<'PY'
import sys
on, off, tick, secs = (int(x) for x in sys.argv[1:])
on_s, off_s = on / tick, off / tick
print(f"recording {secs} s through the daemon, test profile (1280x720 30 fps, x264 superfast)")
print(f"  health enabled:  {on_s:.2f} CPU s ({100 * on_s / secs:.1f} % of one core)")
print(f"  health disabled: {off_s:.2f} CPU s ({100 * off_s / secs:.1f} % of one core)")
print(f"  ratio enabled/disabled: {on_s / off_s:.3f}")
print(f"  health monitor: {100 * (on_s - off_s) / secs:+.2f} % of one core (target <= 1 %)")
PY
