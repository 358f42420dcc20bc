# Helpers for the health monitor's tests (sourced after daemon-lib.sh).

# fault_profile NAME VIDEO-SOURCE AUDIO-SOURCE: the test profile with its
# sources replaced, in $WORK/profiles/NAME.profile (printed).
fault_profile() {
  mkdir -p "$WORK/profiles"
  sed -e "s|^source=videotestsrc.*|source=$2|" -e "s|^source=audiotestsrc.*|source=$3|" \
    "$STUDIO_SOURCE_DIR/pipelines/test.profile" >"$WORK/profiles/$1.profile"
  echo "$WORK/profiles/$1.profile"
}

# reason_listed REASON: the room's published attention list holds REASON.
# (The status page's check is added beside this one.)
reason_listed() {
  python3 - "$STATE" "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if sys.argv[2] in (d.get("attention") or []) else 1)
PY
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

stop_daemon() {
  kill -TERM "$daemon_pid" 2>/dev/null || true
  wait "$daemon_pid" 2>/dev/null || true
  daemon_pid=
}
