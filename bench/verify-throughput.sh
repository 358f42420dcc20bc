#!/usr/bin/env bash
# studio-verify throughput against `openssl dgst -sha256` over the same
# files. Usage: bench/verify-throughput.sh BUILD_DIR [SIZE_MIB]
# BUILD_DIR must be a non-sanitizer build (RelWithDebInfo or Release) with
# make-session and studio-verify built. Prints figures, and fails loudly
# when studio-verify does not say INTACT (a benchmark of a failing check
# measures nothing) or the ratio misses the target (set BENCH_NO_TARGET=1
# to only report it).
set -euo pipefail
B=${1:?usage: verify-throughput.sh BUILD_DIR [SIZE_MIB]}
MIB=${2:-2048}
V=$B/appliance/verify/studio-verify
MS=$B/tests/make-session
for t in "$V" "$MS"; do [ -x "$t" ] || { echo "missing $t: build make-session and studio-verify in $B" >&2; exit 1; }; done
command -v age-keygen >/dev/null && command -v openssl >/dev/null || { echo "needs age-keygen and openssl" >&2; exit 1; }

W=$(mktemp -d "${TMPDIR:-/var/tmp}/bench-verify.XXXXXX")
trap 'rm -rf "$W"' EXIT
cd "$W"
age-keygen -o vault.key 2>/dev/null
R=$(age-keygen -y vault.key)
"$MS" --gen-key dev.key dev.pub
SEGS=8
echo "making a ${MIB} MiB session ($SEGS segments) …"
S=$("$MS" --spool spool --state state --key dev.key --recipient "$R" --segments $SEGS \
      --segment-bytes $((MIB * 1024 * 1024 / SEGS)) --checkpoint-every 64)
bytes=$(du -cb "$S"/* | tail -1 | cut -f1)

run() { # wall seconds, best of two warm runs; fails when the command fails
  local best=""
  for _ in 1 2; do
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null || { echo "FAIL: $* exited $?" >&2; exit 1; }
    t1=$(date +%s.%N)
    local wall; wall=$(echo "$t1 - $t0" | bc -l)
    if [ -z "$best" ] || [ "$(echo "$wall < $best" | bc -l)" = 1 ]; then best=$wall; fi
  done
  echo "$best"
}
cpu() { # user+sys seconds of one run
  /usr/bin/env time -f "%U %S" "$@" 2>&1 >/dev/null | tail -1 | awk '{print $1+$2}'
}
cat "$S"/* >/dev/null   # warm the page cache for both
first=$("$V" --device-key dev.pub "$S" | head -n 1) || true
case "$first" in
  INTACT:*) ;;
  *) echo "FAIL: studio-verify does not say INTACT on the bench session: $first" >&2; exit 1 ;;
esac
tv=$(run "$V" --device-key dev.pub "$S")
to=$(run openssl dgst -sha256 "$S"/*)
cv=$(cpu "$V" --device-key dev.pub "$S")
co=$(cpu openssl dgst -sha256 "$S"/*)
mbs() { echo "scale=1; $bytes / 1048576 / $1" | bc -l; }
printf 'session        %d bytes in %d files\n' "$bytes" "$(ls "$S" | wc -l)"
printf 'studio-verify  wall %6.2f s  cpu %6s s  %8s MiB/s\n' "$tv" "${cv:-?}" "$(mbs "$tv")"
printf 'openssl dgst   wall %6.2f s  cpu %6s s  %8s MiB/s\n' "$to" "${co:-?}" "$(mbs "$to")"
ratio=$(echo "$to / $tv" | bc -l)
printf 'ratio (studio-verify throughput / openssl): %.2f  (target >= 0.90)\n' "$ratio"
if [ "$(echo "$ratio < 0.90" | bc -l)" = 1 ] && [ -z "${BENCH_NO_TARGET:-}" ]; then
  echo "FAIL: studio-verify is below 0.90x openssl dgst -sha256" >&2
  exit 1
fi
