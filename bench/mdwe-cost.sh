#!/bin/bash
# MemoryDenyWriteExecute= for the recorder, measured: the same recording
# (default 30 s, test profile, through the daemon) three ways in one run:
#   default      as it runs without the setting;
#   mdwe         under the kernel's PR_SET_MDWE (PR_MDWE_REFUSE_EXEC_GAIN),
#                the kernel-native form of systemd's MemoryDenyWriteExecute
#                (no writable-executable mapping, no mprotect that adds
#                execute), inherited by the daemon through exec;
#   orc-backup   ORC_CODE=backup: ORC's C fallback, what GStreamer's ORC
#                would cost if it could not generate code at all.
# For each: the recorder's CPU seconds (utime + stime), whether the session
# verifies INTACT, and what ORC said (ORC_DEBUG=2). Not a test: figures
# for docs/systemd.md. Needs Linux >= 6.3 for PR_SET_MDWE.
#   usage: bench/mdwe-cost.sh BUILD_DIR [SECONDS]
set -euo pipefail

build=${1:?usage: mdwe-cost.sh BUILD_DIR [SECONDS]}
secs=${2:-30}
src=$(cd "$(dirname "$0")/.." && pwd)
rec=$build/appliance/recorder/studio-recorder
ctl=$build/appliance/ctl/studioctl
verify=$build/appliance/verify/studio-verify
[ -x "$rec" ] && [ -x "$ctl" ] && [ -x "$verify" ] || { echo "no $rec, $ctl or $verify: build first" >&2; exit 1; }
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
python3 "$src/tests/integration/conf-set.py" "$conf" health timesync_file /dev/null

# python3 -c "$MDWE" CMD…: execs CMD (the same process) under
# PR_SET_MDWE(PR_MDWE_REFUSE_EXEC_GAIN); refuses to run without it
MDWE='
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
PR_SET_MDWE, PR_GET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN = 65, 66, 1
if libc.prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0 or libc.prctl(PR_GET_MDWE, 0, 0, 0, 0) != 1:
    sys.exit("mdwe: PR_SET_MDWE failed: %s (Linux >= 6.3 needed)" % os.strerror(ctypes.get_errno()))
os.execv(sys.argv[1], sys.argv[1:])
'
# the rule holds: a writable-executable mapping is refused under it
if python3 -c "$MDWE" "$(command -v python3)" -c 'import mmap; mmap.mmap(-1, 4096, prot=7)' 2>/dev/null; then
  echo "PR_SET_MDWE did not refuse a writable-executable mapping: no measurement" >&2
  exit 1
fi
echo "PR_SET_MDWE refuses a writable-executable mapping here (checked)"
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
run() { # run NAME [ENV=VALUE…] [mdwe]: prints "CPU_TICKS VERDICT"
  local name=$1 wrap=
  shift
  local envs=()
  for a in "$@"; do if [ "$a" = mdwe ]; then wrap=mdwe; else envs+=("$a"); fi; done
  if [ -n "$wrap" ]; then
    env ORC_DEBUG=2 "${envs[@]}" python3 -c "$MDWE" "$rec" --config "$conf" 2>"$work/$name.log" &
  else
    env ORC_DEBUG=2 "${envs[@]}" "$rec" --config "$conf" 2>"$work/$name.log" &
  fi
  pid=$! # env and python exec: this is the recorder itself
  for _ in $(seq 100); do "$ctl" --config "$conf" status >/dev/null 2>&1 && break; sleep 0.1; done
  "$ctl" --config "$conf" start --officer 40417 <"$work/pin" >/dev/null
  local c0 c1 s v
  c0=$(cpu "$pid")
  sleep "$secs"
  c1=$(cpu "$pid")
  "$ctl" --config "$conf" stop >/dev/null
  kill -TERM "$pid"
  wait "$pid" || true
  pid=
  s=$(ls -d "$work/studio/spool"/*/ | grep -v '/receipts/$' | tail -n 1)
  v=$("$verify" --device-key "$work/studio/device.pub" "$s" | head -n 1 | cut -d' ' -f1 | tr -d :)
  echo "$((c1 - c0)) $v"
}
default=$(run default)
mdwe_r=$(run mdwe mdwe)
backup=$(run orc-backup ORC_CODE=backup)
for n in default mdwe orc-backup; do
  echo "ORC messages ($n): $(grep -ci 'orc' "$work/$n.log" || true) lines" \
    "$(grep -i -m 2 'orc' "$work/$n.log" | tr '\n' ' ' | cut -c1-200)"
done
python3 - "$tick" "$secs" "$default" "$mdwe_r" "$backup" <<'PY'
import sys
tick, secs = int(sys.argv[1]), int(sys.argv[2])
rows = [("default", sys.argv[3]), ("MDWE (kernel)", sys.argv[4]), ("ORC_CODE=backup", sys.argv[5])]
print(f"recording {secs} s through the daemon, test profile")
base = int(rows[0][1].split()[0]) / tick
for name, r in rows:
    t, verdict = r.split()
    s = int(t) / tick
    print(f"  {name:16s} {s:6.2f} CPU s ({100 * s / secs:5.1f} % of one core, x{s / base:.3f})  session {verdict}")
PY
