#!/bin/bash
# Start latency of the capture pipeline (bench/start-latency.c): 20
# pre-rolled starts on the test profile (capture_pipeline_open on a
# pipeline that has run for 1 s), then 5 cold starts (build + PLAYING, as
# --once does), each timed to seg-000001.mkv.age being created and to its
# first 64 KiB STREAM chunk being sealed on disk. Not a test: figures only.
#   usage: bench/start-latency.sh BUILD_DIR [STARTS]
set -euo pipefail

build=${1:?usage: start-latency.sh BUILD_DIR [STARTS]}
starts=${2:-20}
bin="$build/bench/start-latency"
[ -x "$bin" ] || { echo "no $bin: build the start-latency target first" >&2; exit 1; }
if grep -q '^CMAKE_BUILD_TYPE:STRING=Sanitize' "$build/CMakeCache.txt" 2>/dev/null; then
        echo "warning: $build is a sanitizer build; figures will be meaningless" >&2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
age-keygen -o "$work/key.txt" 2>/dev/null
echo "load average before:$(uptime | sed 's/.*load average://')"
TMPDIR=$work "$bin" "$(dirname "$0")/../pipelines/test.profile" "$(age-keygen -y "$work/key.txt")" "$starts" 1000 5
echo "load average after:$(uptime | sed 's/.*load average://')"
