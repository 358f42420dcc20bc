#!/bin/bash
# CPU of a three-track session against a one-track session of the same
# profile: pipelines/test-3voices.profile, and a copy of it that keeps only
# [audio.track.1]. Interleaved runs (one, three, one, three, …) of
# studio-recorder --once, sealed as in production, so a machine that gets
# busier affects both alike. Prints each run's CPU s (user + sys) per media
# second and the difference in % of one core. Target: at most +3 % of one
# core. Not a test: figures only.
#   usage: bench/voices-cpu.sh BUILD_DIR [SECONDS] [PAIRS]
set -euo pipefail

build=${1:?usage: voices-cpu.sh BUILD_DIR [SECONDS] [PAIRS]}
secs=${2:-30}
pairs=${3:-5}
recorder="$build/appliance/recorder/studio-recorder"
profile="$(cd "$(dirname "$0")/.." && pwd)/pipelines/test-3voices.profile"
[ -x "$recorder" ] || { echo "no $recorder: build the studio-recorder target first" >&2; exit 1; }
if grep -q '^CMAKE_BUILD_TYPE:STRING=Sanitize' "$build/CMakeCache.txt" 2>/dev/null; then
        echo "warning: $build is a sanitizer build; figures will be meaningless" >&2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
age-keygen -o "$work/key.txt" 2>/dev/null
recipient=$(age-keygen -y "$work/key.txt")
cp "$profile" "$work/three.profile"
# the same profile with its first track only
awk '/^\[audio.track.2\]/ { skip = 1 } /^\[container\]/ { skip = 0 } !skip' "$profile" > "$work/one.profile"

run() { # run NAME: prints CPU seconds per media second
        local name=$1
        rm -rf "$work/spool"
        /usr/bin/time -f '%U %S' -o "$work/time" "$recorder" --once --profile "$work/$name.profile" \
                --duration "${secs}s" --recipient "$recipient" --out "$work/spool" > /dev/null 2>&1
        read -r u s < "$work/time"
        awk -v u="$u" -v s="$s" -v m="$secs" 'BEGIN { printf "%.4f\n", (u + s) / m }'
}

echo "voices-cpu: test-3voices (three Opus tracks, each through its stand-in mixer) against its first track alone, ${secs} s each, ${pairs} pairs"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
ones=() threes=()
for i in $(seq "$pairs"); do
        one=$(run one); three=$(run three)
        ones+=("$one"); threes+=("$three")
        echo "pair $i: one track $one cores, three tracks $three cores"
done
printf '%s\n' "${ones[@]}" | sort -n > "$work/ones"
printf '%s\n' "${threes[@]}" | sort -n > "$work/threes"
median() { awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }' "$1"; }
m1=$(median "$work/ones"); m3=$(median "$work/threes")
awk -v a="$m1" -v b="$m3" 'BEGIN { printf "median: one track %.3f cores, three tracks %.3f cores: +%.1f %% of one core (target <= +3 %%)\n", a, b, 100 * (b - a) }'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
