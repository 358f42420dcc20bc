# Helpers for the health monitor's tests (sourced after daemon-lib.sh).

# fault_profile NAME VIDEO-SOURCE AUDIO-SOURCE: the test profile with its
# sources replaced, in $WORK/profiles/NAME.profile (printed).
fault_profile() {
  mkdir -p "$WORK/profiles"
  sed -e "s|^source=videotestsrc.*|source=$2|" -e "s|^source=audiotestsrc.*|source=$3|" \
    "$STUDIO_SOURCE_DIR/pipelines/test.profile" >"$WORK/profiles/$1.profile"
  echo "$WORK/profiles/$1.profile"
}

# start_status: the room-status daemon on $CONF (as shelter staff see the
# room); sets STATUS_URL. reason_listed checks its page and JSON from then on.
STATUS_URL=
status_pid=
trap 'kill -9 $daemon_pid $sampler $status_pid 2>/dev/null || true; rm -rf "$WORK"' EXIT
start_status() {
  STATUS_URL=http://127.0.0.1:$(sed -n 's/^port=//p' "$CONF" | head -n 1)
  "$STUDIO_BUILD_DIR/appliance/status/studio-status" --config "$CONF" 2>>"$WORK/status.log" &
  status_pid=$!
  for _ in $(seq 100); do curl -fs "$STATUS_URL/status.json" >/dev/null && return 0; sleep 0.1; done
  echo "studio-status did not answer; its log:" >&2
  cat "$WORK/status.log" >&2
  return 1
}

# reason_listed REASON: the room's published attention list holds REASON,
# and (with start_status) the status page's JSON and its page say it too.
reason_listed() {
  python3 - "$STATE" "$1" <<'PY' || return 1
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if sys.argv[2] in (d.get("attention") or []) else 1)
PY
  [ -n "$STATUS_URL" ] || return 0
  curl -fs "$STATUS_URL/status.json" | python3 -c '
import json, sys
sys.exit(0 if sys.argv[1] in (json.load(sys.stdin).get("attention") or []) else 1)' "$1" || return 1
  curl -fs "$STATUS_URL/" | grep -F "$1" >/dev/null # reads it all: no SIGPIPE under pipefail
}

# wait_until SECONDS COMMAND…: polls until COMMAND succeeds; a deadline for
# what never comes (generous: a busy machine is slow), not a measurement.
wait_until() {
  local end=$((SECONDS + $1))
  shift
  until "$@"; do
    [ "$SECONDS" -lt "$end" ] || return 1
    sleep 0.2
  done
}

# wait_reason REASON SECONDS: polls the state file until REASON is listed.
wait_reason() {
  for _ in $(seq $(($2 * 10))); do
    reason_listed "$1" && return 0
    sleep 0.1
  done
  return 1
}

# custody_has SESSION WHAT WORDS: a signed entry what=WHAT whose detail has WORDS, with a time.
custody_has() {
  python3 - "$1/custody.jsonl" "$2" "$3" <<'PY'
import json, sys
path, what, words = sys.argv[1:]
for line in open(path):
    e = json.loads(line)
    if e.get("what") == what and words in json.dumps(e) and e.get("sig") and (e.get("time") or e.get("utc")):
        sys.exit(0)
sys.exit(1)
PY
}

# fault_held SESSION REASON WINDOW-S: the first signed health-fault entry for
# REASON says the condition had held for at least its window ("… since
# 10:32:05 (5.2 s)"): WINDOW-S, or 3 s for no measurement at all (a busy
# machine can starve the pipeline; that fault shares the reason).
fault_held() {
  python3 - "$1/custody.jsonl" "$2" "$3" <<'PY'
import json, re, sys
path, reason, window = sys.argv[1], sys.argv[2], float(sys.argv[3])
for line in open(path):
    e = json.loads(line)
    d = e.get("detail") or ""
    if e.get("what") == "health-fault" and d.startswith(reason + ":"):
        m = re.search(r"\(([0-9.]+) s\)$", d)
        need = 3.0 if "no audio level" in d or "no pictures from camera" in d else window
        print(d)
        sys.exit(0 if m and float(m.group(1)) >= need else 1)
sys.exit(1)
PY
}

stop_daemon() {
  kill -TERM "$daemon_pid" 2>/dev/null || true
  wait "$daemon_pid" 2>/dev/null || true
  daemon_pid=
}
