#!/bin/bash
# studio-status under load (docs/benchmarks.md): requests per second on
# /status.json from bench/http-load (keep-alive, loopback), the daemon's
# RSS (VmRSS), and its RSS growth after the 10,000 garbage requests of
# tests/integration/http-garbage.py. Prints figures; asserts no timings.
# Targets: >= 5,000 requests/s, <= 8 MiB RSS, growth <= 1 MiB.
# Usage: bench/status-load.sh BUILD_DIR (a Release build).
set -euo pipefail
BUILD=${1:?usage: status-load.sh BUILD_DIR}
SRC=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/status-load.XXXXXX)
pid= writer=
trap 'kill -9 $pid $writer 2>/dev/null || true; rm -rf "$WORK"' EXIT
PORT=$(python3 "$SRC/tests/integration/http-tool.py" port)
STATE=$WORK/state.json
printf '[status]\nlisten = 127.0.0.1\nport = %s\nstate_file = %s\nbacklog_file = %s\nstate_owner = %s\n' \
  "$PORT" "$STATE" "$WORK/backlog.json" "$(id -un)" >"$WORK/studio.conf"
write_state() {
  printf '{"state":"recording","since":"2026-12-01T10:32:00Z","attention":[],"hours_left":41.5,"updated":"%s"}\n' \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$STATE.tmp" && mv "$STATE.tmp" "$STATE"
}
write_state
(for _ in $(seq 300); do write_state; sleep 2; done) &
writer=$!
"$BUILD/appliance/status/studio-status" --config "$WORK/studio.conf" 2>"$WORK/log" &
pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/status.json" && break; sleep 0.1; done
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$pid/status"; }
echo "RSS at start: $(rss) kB"
for c in 1 4 8; do
  echo "status.json, $c keep-alive connection(s): $("$BUILD/bench/http-load" "$PORT" "$c" 100000)"
done
echo "page (/), 4 connections: $("$BUILD/bench/http-load" "$PORT" 4 50000 /)"
before=$(rss)
echo "RSS after load: $before kB"
python3 "$SRC/tests/integration/http-garbage.py" "$PORT" 10000 240
after=$(rss)
echo "RSS after 10,000 garbage requests: $after kB (growth $((after - before)) kB)"
echo "status.json after the garbage: $("$BUILD/bench/http-load" "$PORT" 4 20000)"
echo "RSS at the end: $(rss) kB"
