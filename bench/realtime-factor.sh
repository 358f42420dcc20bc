#!/bin/bash
# Media seconds per CPU second of the test profile, recorded live by
# studio-recorder (sealed, as in production) at 1280x720@30 and
# 1920x1080@30, ~20 s each. The profiles are temporary copies of
# pipelines/test.profile with only width and height changed. Also prints CPU
# cores used while live (CPU s / wall s). Target: 1080p30 live with x264
# superfast under half a core (0.5). Not a test: figures only.
#   usage: bench/realtime-factor.sh BUILD_DIR [SECONDS]
set -euo pipefail

build=${1:?usage: realtime-factor.sh BUILD_DIR [SECONDS]}
secs=${2:-20}
recorder="$build/appliance/recorder/studio-recorder"
profile="$(cd "$(dirname "$0")/.." && pwd)/pipelines/test.profile"
[ -x "$recorder" ] || { echo "no $recorder: build the studio-recorder target first" >&2; exit 1; }
[ -f "$profile" ] || { echo "no $profile" >&2; exit 1; }
if grep -q '^CMAKE_BUILD_TYPE:STRING=Sanitize' "$build/CMakeCache.txt" 2>/dev/null; then
        echo "warning: $build is a sanitizer build; figures will be meaningless" >&2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
age-keygen -o "$work/key.txt" 2>/dev/null
recipient=$(age-keygen -y "$work/key.txt")

echo "realtime-factor: pipelines/test.profile (live test pattern + tone, x264 superfast, sealed), ${secs} s each"
rows=""
for size in 1280x720 1920x1080; do
        w=${size%x*}; h=${size#*x}
        sed -e "s/^width=.*/width=$w/" -e "s/^height=.*/height=$h/" "$profile" > "$work/$size.profile"
        mkdir "$work/$size"
        echo "[$size] load average before run:$(uptime | sed 's/.*load average://')"
        /usr/bin/time -f '%U %S %e' -o "$work/$size.time" "$recorder" --once --profile "$work/$size.profile" \
                --duration "${secs}s" --recipient "$recipient" --out "$work/$size" > "$work/$size.log" 2>&1 || {
                echo "[$size] studio-recorder failed; log:" >&2; tail -20 "$work/$size.log" >&2; exit 1; }
        # Media actually recorded: decrypt every segment and count video frames
        # (streamable Matroska has no duration in its header). A live test
        # source that the machine cannot keep up with falls behind the wall
        # clock instead of dropping frames; --duration then waits for the
        # video, so media s is about the duration and wall s grows instead.
        nframes=0
        for f in "$work/$size"/*/seg-*.mkv.age; do
                age -d -i "$work/key.txt" "$f" > "$work/seg.mkv"
                n=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames \
                        -of csv=p=0 "$work/seg.mkv")
                nframes=$((nframes + n))
        done
        media=$(awk -v n="$nframes" 'BEGIN { printf "%.2f", n / 30 }')
        read -r u s wall < "$work/$size.time"
        rows+="$size@30|$u|$s|$wall|$media|$nframes"$'\n'
done
printf '%s' "$rows" | awk -F'|' -v secs="$secs" '
{ c = $2 + $3;
  if (NR == 1) printf "%-14s %7s %7s %7s %7s %7s %9s %10s\n", "size", "user s", "sys s", "CPU s", "wall s", "media s", "frames", "cores";
  printf "%-14s %7.2f %7.2f %7.2f %7.2f %7.2f %9d %10.2f\n", $1, $2, $3, c, $4, $5, $6, ($4 > 0 ? c / $4 : 0);
  printf "  %s: %.2f media seconds per CPU second = %.2f cores needed for real time; kept up with the live source: %.0f %% (media s / wall s)\n", $1, (c > 0 ? $5 / c : 0), ($5 > 0 ? c / $5 : 0), ($4 > 0 ? 100 * $5 / $4 : 0);
  if ($1 ~ /^1920x1080/) { used = ($4 > 0 ? c / $4 : 0); need = ($5 > 0 ? c / $5 : 0) } }
END { printf "1080p30 live: used %.2f cores while live, needs %.2f cores to keep up (target < 0.5)\n", used, need }'
echo "note: wall time includes start-up and the final EOS/seal; cores = CPU s / wall s of the whole run."
echo "      If wall s is well over ${secs} s the machine could not keep up (the live test source then falls"
echo "      behind instead of dropping frames, and --duration waits for the video): 'cores used' is then"
echo "      capped by the CPU the machine gave us, and 'cores needed' (CPU s / media s) is the figure to"
echo "      hold against the target."
echo "load average after runs:$(uptime | sed 's/.*load average://')"
