# Shared helpers for the integration test scripts (sourced, not run).
# ctest sets STUDIO_BUILD_DIR, STUDIO_SOURCE_DIR and STUDIO_SHARED_DIR.
set -euo pipefail

: "${STUDIO_BUILD_DIR:?run through ctest (./run test)}"
RECORDER=$STUDIO_BUILD_DIR/appliance/recorder/studio-recorder
EXPORT=$STUDIO_BUILD_DIR/appliance/export/studio-export
VERIFY=$STUDIO_BUILD_DIR/appliance/verify/studio-verify
KEYS=$STUDIO_BUILD_DIR/keys/studio-keys

WORK=$(mktemp -d /tmp/studio-test.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

failures=0
passes=0
skipped=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "ok: $*"; passes=$((passes + 1)); }
check() { # check DESCRIPTION COMMAND…
  local what=$1; shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}
# skip_part REASON: a part of the test that cannot run on this machine. It
# is said, and the test ends as skipped (exit 77, ctest's SKIP_RETURN_CODE),
# never as a pass; a failure elsewhere still fails it. CI runs as root,
# where every part runs.
skip_part() { echo "SKIP: $*"; skipped=$((skipped + 1)); }
# judge_against_clock LOG DESCRIPTION COMMAND…: a check that compares the
# recording with the clock (its length, its segment or frame count). When
# the recorder itself reported in LOG that it "falls behind real time" (a
# machine too busy to give it the CPU to record as fast as the clock runs;
# its signed checkpoints hold less media than time passed), such a check
# cannot be judged: it is skipped with the recorder's figures, never passed.
# Checks of the media against what the device signed run regardless.
judge_against_clock() {
  local log=$1 what=$2 behind
  shift 2
  behind=$(grep -o '[0-9.]* s of media recorded in [0-9.]* s: the pipeline is falling behind real time' \
    "$log" | head -n 1 | sed 's/: the pipeline.*//' || true)
  if [ -n "$behind" ]; then
    skip_part "$what: the recorder fell behind real time on this busy machine ($behind)"
  else
    check "$what" "$@"
  fi
}
# machine_has_spare_cpu: the 1-minute load average is at most the cores.
machine_has_spare_cpu() {
  python3 -c 'import os, sys; sys.exit(0 if os.getloadavg()[0] <= os.cpu_count() else 1)'
}
finish() { # the script's last command: its status is the test's
  local parts=""
  [ "$skipped" -eq 0 ] || parts=", $skipped part(s) skipped"
  echo "$passes passed, $failures failed$parts"
  [ "$failures" -eq 0 ] || return 1
  [ "$skipped" -eq 0 ] || return 77
}

# A fresh vault identity; sets VAULT_KEY and VAULT_RECIPIENT.
make_vault() {
  VAULT_KEY=$WORK/vault.key
  age-keygen -o "$VAULT_KEY" 2>/dev/null
  VAULT_RECIPIENT=$(age-keygen -y "$VAULT_KEY")
}

# Decoded video frames and audio duration of a media file, by decoding it
# (container durations are stale for cut files): prints "VIDEO_FRAMES AUDIO_SECONDS".
decoded_frames() {
  python3 "$STUDIO_SOURCE_DIR/tests/integration/media.py" frames "$1"
}
