# Helpers for the recorder daemon's tests (sourced after lib.sh): a studio
# made by `studioctl init` in $WORK/studio, and the daemon started on it.
CTL=$STUDIO_BUILD_DIR/appliance/ctl/studioctl
OFFICER=40417
PIN=683921

make_studio() { # sets CONF and STATE
  printf '%s\n' "$PIN" >"$WORK/pin"
  "$CTL" init --dir "$WORK/studio" --officer "$OFFICER" --pin-file "$WORK/pin" >"$WORK/init.out"
  CONF=$(sed -n 's/^config: //p' "$WORK/init.out")
  STATE=$WORK/studio/run/state.json
  # The host's clock is not under test: a synchronised clock as timesyncd
  # marks it (tests of the clock warning remove this file).
  TIMESYNC=$WORK/timesync-synchronized
  touch "$TIMESYNC"
  python3 "$STUDIO_SOURCE_DIR/tests/integration/conf-set.py" "$CONF" health timesync_file "$TIMESYNC"
}

daemon_pid=
sampler=
# Nothing outlives the test: a daemon left running would hold ctest's pipe.
trap 'kill -9 $daemon_pid $sampler 2>/dev/null || true; rm -rf "$WORK"' EXIT
start_daemon() { # start_daemon LOG: returns once the daemon answers
  "$RECORDER" --config "$CONF" 2>>"$1" &
  daemon_pid=$!
  for _ in $(seq 150); do
    "$CTL" --config "$CONF" status >/dev/null 2>&1 && return 0
    kill -0 "$daemon_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "the daemon did not answer; its log:" >&2
  cat "$1" >&2
  return 1
}

state_is() { "$CTL" --config "$CONF" status --json | grep -q "\"state\":\"$1\""; }

start_session() {
  echo "$PIN" | "$CTL" --config "$CONF" start --officer "$OFFICER"
}

last_session() {
  local s
  # spool/receipts/ is the uploader's, never a session
  s=$(ls -d "$WORK/studio/spool"/*/ | grep -v '/receipts/$' | tail -n 1)
  echo "${s%/}"
}
