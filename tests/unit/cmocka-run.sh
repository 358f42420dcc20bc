#!/usr/bin/env bash
# Runs one cmocka executable for ctest (studio_unit_test). cmocka counts a
# case that called skip() as not failed, so its exit status alone would
# report the run as a pass: a run with a skipped case and no failure exits
# 77 instead (ctest's SKIP_RETURN_CODE), naming the cases that were skipped.
# A failure stays a failure.
set -uo pipefail
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$@" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
[ "$rc" -eq 0 ] || exit "$rc"
if grep -q '^\[  SKIPPED \] [A-Za-z_]' "$out"; then
  echo "SKIP: $(basename "$1"): $(sed -n 's/^\[  SKIPPED \] \([A-Za-z_][A-Za-z0-9_]*\)$/\1/p' "$out" | sort -u | paste -sd ' ') did not run here (see above why)"
  exit 77
fi
