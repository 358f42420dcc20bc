#!/usr/bin/env bash
# The suite on a busy machine (a benchmark, not part of ./run test): with a
# CPU hog beside it (one `yes > /dev/null` per core, started here and killed
# on any exit), runs the `integration` and `browser` labels once each, then
# the tests that failed under load before (recording-camera-loss,
# health-faults) with `ctest --repeat until-fail:3`. Prints each step's
# passed, failed and skipped counts and its time; exits non-zero on any
# failure. docs/benchmarks.md "The suite under load" has the figures.
#   usage: bench/suite-under-load.sh [BUILD_DIR]   (default: build-test,
#          as ./run test leaves it; extra ctest arguments in CTEST_ARGS)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$src/build-test}" && pwd)
[ -f "$build/CTestTestfile.cmake" ] || { echo "no ctest tree in $build: run ./run test --no-gcc -N first" >&2; exit 1; }
log=$build/suite-under-load
mkdir -p "$log"

hogs=()
stop_hogs() {
  for p in "${hogs[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${hogs[@]}"; do wait "$p" 2>/dev/null || true; done
  hogs=()
}
trap stop_hogs EXIT
trap 'exit 143' TERM INT HUP
cores=$(nproc)
for _ in $(seq "$cores"); do
  yes >/dev/null &
  hogs+=($!)
done
echo "suite-under-load: ${#hogs[@]} CPU hogs (yes > /dev/null, one per core) beside the tests in $build"

total_failed=0
summary=()
step() { # step NAME CTEST-ARGS…: one ctest run, its counts
  local name=$1 t0=$SECONDS rc=0 out passed failed skipped all
  shift
  out=$log/$name.log
  echo "suite-under-load: $name: ctest $*"
  (cd "$build" && ctest --output-on-failure "$@" ${CTEST_ARGS:-}) >"$out" 2>&1 || rc=$?
  all=$(sed -n 's/.*tests passed, \([0-9]*\) tests\{0,1\} failed out of \([0-9]*\).*/\2/p' "$out" | tail -n1)
  failed=$(sed -n 's/.*tests passed, \([0-9]*\) tests\{0,1\} failed out of \([0-9]*\).*/\1/p' "$out" | tail -n1)
  skipped=$(grep -c '(Skipped)$' "$out" || true)
  all=${all:-0} failed=${failed:-0}
  passed=$((all - failed - skipped))
  if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi # ctest itself failed
  total_failed=$((total_failed + failed))
  summary+=("$(printf '%-28s %4d tests: %4d passed, %3d failed, %3d skipped, %5d s' \
    "$name" "$all" "$passed" "$failed" "$skipped" $((SECONDS - t0)))")
  echo "suite-under-load: ${summary[-1]}"
  if [ "$failed" -gt 0 ]; then
    grep -E '^\s*[0-9]+ - .*\((Failed|Timeout|SEGFAULT|Child aborted|Exception)\)' "$out" || true
    echo "suite-under-load: the whole log is $out"
  fi
}

step integration -L integration --timeout 900
step browser -L browser --timeout 900
step repeat-until-fail-3 -R '^(recording-camera-loss|health-faults)$' --repeat until-fail:3 --timeout 900
stop_hogs

echo "suite-under-load: load average at the end: $(cut -d' ' -f1-3 /proc/loadavg), $cores cores"
printf '%s\n' "${summary[@]}"
if [ "$total_failed" -gt 0 ]; then
  echo "suite-under-load: $total_failed failed under load"
  exit 1
fi
echo "suite-under-load: no failure under load"
