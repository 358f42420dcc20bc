#!/usr/bin/env bash
# docs/status-page.md works as written: its sh blocks run as the guide
# prints them, against the real studio-status serving a state file of the
# test's own, with the placeholders filled from this table:
#   http://192.168.1.20:8080        -> the daemon's address (127.0.0.1, a free port)
#   /run/studio-recorder/state.json -> the test's state file
# The output must be what the guide says it is.
. "$(dirname "$0")/lib.sh"
STATUS=$STUDIO_BUILD_DIR/appliance/status/studio-status
TOOL=$STUDIO_SOURCE_DIR/tests/integration/http-tool.py
for t in curl python3 stat; do
  command -v $t >/dev/null || { echo "SKIP: $t is not installed"; exit 77; }
done
pid=
trap 'kill -9 $pid 2>/dev/null || true; rm -rf "$WORK"' EXIT
STATE=$WORK/state.json
PORT=$(python3 "$TOOL" port)
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
printf '{"state":"free","since":"%s","attention":[],"hours_left":41.5,"updated":"%s"}\n' "$now" "$now" >"$STATE"
chmod 644 "$STATE"
printf '[status]\nlisten = 127.0.0.1\nport = %s\nallow = 127.0.0.1\nstate_file = %s\nbacklog_file = %s\nstate_owner = %s\n' \
  "$PORT" "$STATE" "$WORK/backlog.json" "$(id -un)" >"$WORK/studio.conf"
"$STATUS" --config "$WORK/studio.conf" 2>"$WORK/status.log" &
pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/status.json" && break; sleep 0.1; done

python3 "$STUDIO_SOURCE_DIR/tests/integration/docs-blocks.py" "$STUDIO_SOURCE_DIR/docs/status-page.md" \
  --fill "http://192.168.1.20:8080=http://127.0.0.1:$PORT" \
  --fill "/run/studio-recorder/state.json=$STATE" >"$WORK/guide.sh" 2>"$WORK/skipped"
cat "$WORK/skipped"
check "the guide has its commands in sh blocks" test "$(grep -c . "$WORK/guide.sh")" -ge 5
check "the test lists the block it skipped" grep -q "skipped: status-page.md block .*systemd" "$WORK/skipped"
if (cd "$WORK" && bash -euo pipefail "$WORK/guide.sh" >"$WORK/guide.out" 2>&1); then
  pass "every command of the guide runs as printed"
else
  fail "the guide's commands fail: $(tail -n 5 "$WORK/guide.out")"
fi
cat "$WORK/guide.out"
check "curl printed the JSON the guide describes" grep -q '^{"state":"free","since":"' "$WORK/guide.out"
check "the headline is <h1>Free</h1>, as the guide says" grep -qx '<h1>Free</h1>' "$WORK/guide.out"
check "the rebinding request is refused with 421" grep -qx '421' "$WORK/guide.out"
check "stat printed the state file's owner and mode" grep -qx "$(id -un) 644" "$WORK/guide.out"
finish
