#!/bin/bash
# studio-status under 10,000 malformed or slow requests (http-garbage.py:
# random bytes, bad request lines, NULs, huge lines, invalid methods and
# versions, bodies, header floods, slowloris, abrupt closes), to
# 127.0.0.1 only, bounded in count and time. Afterwards it still answers
# /status.json correctly, and its RSS grew by at most 4 MiB (the sanitizer
# build; the Release figure is in docs/benchmarks.md).
source "$STUDIO_SOURCE_DIR/tests/integration/lib.sh"
STATUS=$STUDIO_BUILD_DIR/appliance/status/studio-status
TOOL=$STUDIO_SOURCE_DIR/tests/integration/http-tool.py
GARBAGE=$STUDIO_SOURCE_DIR/tests/integration/http-garbage.py
GROWTH_MAX_KB=4096

pid= writer=
trap 'kill -9 $pid $writer 2>/dev/null || true; rm -rf "$WORK"' EXIT
STATE=$WORK/state.json
PORT=$(python3 "$TOOL" port)
URL=http://127.0.0.1:$PORT
printf '[status]\nlisten = 127.0.0.1\nport = %s\nstate_file = %s\nbacklog_file = %s\nstate_owner = %s\n' \
  "$PORT" "$STATE" "$WORK/backlog.json" "$(id -un)" >"$WORK/studio.conf"
write_state() {
  local t; t=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  printf '{"state":"recording","since":"2026-12-01T10:32:00Z","attention":["microphone silent"],"hours_left":7,"updated":"%s"}\n' \
    "$t" >"$STATE.tmp" && mv "$STATE.tmp" "$STATE"
}
write_state
# Like the recorder: the state file is rewritten every 2 s (for at most 5 min).
(for _ in $(seq 150); do write_state; sleep 2; done) &
writer=$!

# A small ASan quarantine, so that RSS measures the daemon, not the sanitizer.
ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=1" "$STATUS" --config "$WORK/studio.conf" 2>"$WORK/status.log" &
pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "$URL/status.json" && break; sleep 0.1; done
for _ in $(seq 300); do curl -s -o /dev/null "$URL/status.json" "$URL/"; done # warm up
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$pid/status"; }
before=$(rss)

check "10,000 garbage requests sent within the bound" python3 "$GARBAGE" "$PORT" 10000 240
check "the daemon is still running" kill -0 "$pid"
check "and answers /status.json correctly" bash -c "curl -s --max-time 5 $URL/status.json | python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if d[\"state\"] == \"recording\" and d[\"attention\"] == [\"microphone silent\"] and d[\"hours_left\"] == 7 else 1)'"
check "and the page" bash -c "curl -s --max-time 5 $URL/ | grep -q 'In session — do not enter'"
after=$(rss)
echo "RSS before ${before} kB, after ${after} kB, growth $((after - before)) kB (bound ${GROWTH_MAX_KB} kB)"
check "RSS grew by at most ${GROWTH_MAX_KB} kB" test $((after - before)) -le "$GROWTH_MAX_KB"
check "the garbage did not flood the log" test "$(wc -l <"$WORK/status.log")" -lt 50
kill -TERM "$pid"
rc=timeout
for _ in $(seq 50); do
  if ! kill -0 "$pid" 2>/dev/null; then wait "$pid" && rc=0 || rc=$?; break; fi
  sleep 0.1
done
pid=
check "SIGTERM afterwards: exit 0" test "$rc" = 0
finish
