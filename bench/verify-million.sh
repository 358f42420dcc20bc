#!/usr/bin/env bash
# studio-verify on a custody log of (about) a million signed entries,
# against the floor: the same Ed25519 signatures checked alone on one core
# (bench-sigs-only). Usage: bench/verify-million.sh BUILD_DIR [ENTRIES]
# BUILD_DIR must be a non-sanitizer build with make-session, studio-verify
# and bench-sigs-only built. Prints figures, and fails loudly when
# studio-verify does not say INTACT, or misses the targets (wall time
# <= 1.2x the signatures alone, peak RSS < 256 MiB); set BENCH_NO_TARGET=1
# to only report them.
#
# A million entries do not fit: CUSTODY_LOG_MAX is 256 MiB and the
# shortest entry, a mark, is ~285 bytes (~940,000 fit), and marks are
# copied into the manifest's events, which the closer caps at
# CUSTODY_EVENTS_MAX (100,000). So
# the bulk entries are checkpoints (~425 bytes, not in the manifest):
# make-session writes as many as fit, ~630,000, and says how many.
set -euo pipefail
B=${1:?usage: verify-million.sh BUILD_DIR [ENTRIES]}
ENTRIES=${2:-1000000}
V=$B/appliance/verify/studio-verify
MS=$B/tests/make-session
SO=$B/bench/bench-sigs-only
for t in "$V" "$MS" "$SO"; do
  [ -x "$t" ] || { echo "missing $t: cmake --build $B --target make-session studio-verify bench-sigs-only" >&2; exit 1; }
done
for t in age-keygen /usr/bin/time bc; do
  command -v "$t" >/dev/null || { echo "needs $t" >&2; exit 1; }
done

W=$(mktemp -d "${TMPDIR:-/var/tmp}/bench-million.XXXXXX")
trap 'rm -rf "$W"' EXIT
cd "$W"
age-keygen -o vault.key 2>/dev/null
R=$(age-keygen -y vault.key)
"$MS" --gen-key dev.key dev.pub
echo "making a session with up to $ENTRIES bulk checkpoint entries …"
t0=$(date +%s.%N)
S=$("$MS" --spool spool --state state --key dev.key --recipient "$R" --segments 3 \
      --bulk-checkpoints "$ENTRIES" 2>make.err) || { cat make.err >&2; exit 1; }
t1=$(date +%s.%N)
cat make.err
entries=$(wc -l <"$S/custody.jsonl")
log_bytes=$(stat -c %s "$S/custody.jsonl")
printf 'made in %.1f s: %d entries, %d bytes (%.0f bytes each)\n' "$(echo "$t1 - $t0" | bc -l)" \
  "$entries" "$log_bytes" "$(echo "$log_bytes / $entries" | bc -l)"

cat "$S"/* >/dev/null   # warm the page cache for both
first=$("$V" --device-key dev.pub "$S" | head -n 1) || true
case "$first" in
  INTACT:*) ;;
  *) echo "FAIL: studio-verify does not say INTACT on the bench session: $first" >&2; exit 1 ;;
esac

uptime
# (a) the signatures alone, best of two
sa_wall="" sa_cpu=""
for _ in 1 2; do
  line=$("$SO" dev.pub "$S/custody.jsonl")
  echo "  sigs-only: $line"
  w=$(echo "$line" | awk '{print $4}') c=$(echo "$line" | awk '{print $7}')
  if [ -z "$sa_wall" ] || [ "$(echo "$w < $sa_wall" | bc -l)" = 1 ]; then sa_wall=$w sa_cpu=$c; fi
done
uptime
# (b) studio-verify, best of two by wall time
sv_wall="" sv_cpu="" sv_rss=""
for _ in 1 2; do
  /usr/bin/time -f '%e %U %S %M' -o time.out "$V" --device-key dev.pub "$S" >/dev/null || true
  read -r w u s m <time.out
  echo "  studio-verify: wall $w s, user $u s, sys $s s, peak RSS $((m / 1024)) MiB"
  if [ -z "$sv_wall" ] || [ "$(echo "$w < $sv_wall" | bc -l)" = 1 ]; then
    sv_wall=$w sv_cpu=$(echo "$u + $s" | bc -l) sv_rss=$m
  fi
done

ratio=$(echo "$sv_wall / $sa_wall" | bc -l)
cpu_ratio=$(echo "$sv_cpu / $sa_cpu" | bc -l)
printf '\nentries              %d (%d bytes)\n' "$entries" "$log_bytes"
printf '(a) signatures alone wall %7.2f s  cpu %7.2f s  (%.2f us/entry)\n' "$sa_wall" "$sa_cpu" \
  "$(echo "$sa_cpu * 1000000 / $entries" | bc -l)"
printf '(b) studio-verify    wall %7.2f s  cpu %7.2f s  peak RSS %d MiB\n' "$sv_wall" "$sv_cpu" $((sv_rss / 1024))
printf 'ratio (b)/(a): wall %.2f, cpu %.2f  (target <= 1.20); RSS target < 256 MiB\n' "$ratio" "$cpu_ratio"
missed=""
[ "$(echo "$ratio > 1.2" | bc -l)" = 1 ] && missed+=" the ratio is $(printf '%.2f' "$ratio") (> 1.2);"
[ "$sv_rss" -ge $((256 * 1024)) ] && missed+=" peak RSS is $((sv_rss / 1024)) MiB (>= 256 MiB);"
if [ -n "$missed" ] && [ -z "${BENCH_NO_TARGET:-}" ]; then
  echo "FAIL:$missed" >&2
  exit 1
fi
