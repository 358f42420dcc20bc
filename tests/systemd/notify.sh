#!/usr/bin/env bash
# The three daemons speak systemd's Type=notify protocol for real: each is
# started on a datagram socket this test owns (notify-run.py, as systemd
# does: NOTIFY_SOCKET and WATCHDOG_USEC), and must send READY=1 only once it
# serves (the recorder's control socket answers, the status page answers,
# the uploader's backlog is published), then WATCHDOG=1 again and again from
# its main loop, STATUS= lines, and STOPPING=1 on SIGTERM, exiting 0.
# Started without NOTIFY_SOCKET, a daemon works as before.
source "$STUDIO_SOURCE_DIR/tests/integration/lib.sh"
source "$STUDIO_SOURCE_DIR/tests/integration/daemon-lib.sh"
STATUS_BIN=$STUDIO_BUILD_DIR/appliance/status/studio-status
UPLOADER=$STUDIO_BUILD_DIR/appliance/uploader/studio-uploader
RUN="python3 $STUDIO_SOURCE_DIR/tests/systemd/notify-run.py --watchdog-usec 1000000 --pings 4"
SET="python3 $STUDIO_SOURCE_DIR/tests/integration/conf-set.py"

make_studio
BACKLOG=$WORK/studio/run/backlog.json
PORT=$(python3 "$STUDIO_SOURCE_DIR/tests/integration/http-tool.py" port)
$SET "$CONF" status port "$PORT"
notified() { grep -qxF "notify: $1" "$WORK/$2.out"; }

# --- the recorder: ready once recovery is done and studioctl is answered
if $RUN --ready-check "'$CTL' --config '$CONF' status >/dev/null" -- "$RECORDER" --config "$CONF" \
  >"$WORK/recorder.out" 2>"$WORK/recorder.log"; then
  pass "recorder: READY=1 once studioctl is answered, 4 watchdog pings, STOPPING=1 and exit 0 on SIGTERM"
else
  fail "recorder: the notify protocol"; cat "$WORK/recorder.out" "$WORK/recorder.log" >&2
fi
check "recorder: STATUS= says it recovers the spool first" notified "STATUS=recovering the spool" recorder
check "recorder: STATUS= names the room state when ready" notified "STATUS=room free" recorder
check "recorder: STOPPING=1 comes with a STATUS= line" \
  grep -q '^notify: STATUS=shutting down' "$WORK/recorder.out"

# --- the status page: ready once it answers HTTP
if $RUN --ready-check "curl -sf -o /dev/null http://127.0.0.1:$PORT/status.json" -- "$STATUS_BIN" --config "$CONF" \
  >"$WORK/status.out" 2>"$WORK/status.log"; then
  pass "status: READY=1 once it answers HTTP, 4 watchdog pings, STOPPING=1 and exit 0 on SIGTERM"
else
  fail "status: the notify protocol"; cat "$WORK/status.out" "$WORK/status.log" >&2
fi
check "status: STATUS= says it serves" notified "STATUS=serving the room status" status

# --- the uploader: ready once its first backlog is published
rm -f "$BACKLOG"
if $RUN --ready-check "test -s '$BACKLOG'" -- "$UPLOADER" --config "$CONF" \
  >"$WORK/uploader.out" 2>"$WORK/uploader.log"; then
  pass "uploader: READY=1 once the backlog is published, 4 watchdog pings, STOPPING=1 and exit 0 on SIGTERM"
else
  fail "uploader: the notify protocol"; cat "$WORK/uploader.out" "$WORK/uploader.log" >&2
fi
check "uploader: STATUS= says so" notified "STATUS=backlog published; watching the spool" uploader

# --- WATCHDOG_PID naming another process: no watchdog pings (sd_watchdog_enabled)
if python3 "$STUDIO_SOURCE_DIR/tests/systemd/notify-run.py" --watchdog-usec 200000 --pings 1 --env WATCHDOG_PID=1 \
  -- "$STATUS_BIN" --config "$CONF" >"$WORK/pid.out" 2>"$WORK/pid.log"; then
  fail "a watchdog meant for another process (WATCHDOG_PID) is not answered"
else
  check "a watchdog meant for another process (WATCHDOG_PID) is not answered, READY=1 still is" \
    bash -c "grep -qxF 'notify: READY=1' '$WORK/pid.out' && ! grep -q WATCHDOG '$WORK/pid.out'"
fi

# --- without NOTIFY_SOCKET (by hand, or the other tests): as before
env -u NOTIFY_SOCKET WATCHDOG_USEC=1000000 "$STATUS_BIN" --config "$CONF" 2>"$WORK/plain.log" &
plain=$!
wait_for() { local n=$(($1 * 10)); shift; for _ in $(seq "$n"); do "$@" && return 0; sleep 0.1; done; return 1; }
check "without NOTIFY_SOCKET the status page serves" wait_for 30 curl -sf -o /dev/null "http://127.0.0.1:$PORT/status.json"
kill -TERM "$plain"
rc=0; wait "$plain" || rc=$?
check "and exits 0 on SIGTERM" test "$rc" = 0
finish
