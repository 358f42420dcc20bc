#!/usr/bin/env bash
# studio-uploader as a daemon on the studio's dir: vault, with the periodic
# scan set to an hour so that only inotify can wake it: a sealed segment
# reaches the vault while the session records, the rest after Stop, the
# local copy is wiped once everything is confirmed (local_retention 0), the
# backlog says so, heartbeats carry the latest checkpoint while it
# records, and SIGTERM ends it with status 0.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon-lib.sh"
UPLOADER=$STUDIO_BUILD_DIR/appliance/uploader/studio-uploader
SET="python3 $STUDIO_SOURCE_DIR/tests/integration/conf-set.py"

make_studio
VAULT=$(sed -n 's/^vault *= *dir://p' "$CONF")
BACKLOG=$WORK/backlog.json
$SET "$CONF" recorder segment_time 2s recorder checkpoint_interval 500ms uploader backlog_file "$BACKLOG" \
  uploader local_retention 0 uploader scan_interval 1h uploader heartbeat_interval 10s
backlog() { python3 -c "import json,sys; d=json.load(open('$BACKLOG')); print(d['$1'])"; }
# wait_for SECONDS COMMAND…: a bound on a wait, not a speed assertion
wait_for() { local n=$(($1 * 10)); shift; for _ in $(seq "$n"); do "$@" && return 0; sleep 0.1; done; return 1; }

"$UPLOADER" --config "$CONF" 2>"$WORK/uploader.log" & uploader=$!
trap 'kill -9 $daemon_pid $uploader 2>/dev/null || true; rm -rf "$WORK"' EXIT
start_daemon "$WORK/daemon.log"
start_session >/dev/null
S=$(last_session)
ID=$(basename "$S")
check "a sealed segment reaches the vault while the session records" \
  wait_for 60 test -f "$VAULT/$ID/seg-000001.mkv.age"
check "the session is still recording then" state_is recording
check "nothing of the closing files went yet" test ! -e "$VAULT/$ID/manifest.json"
heartbeat() { ls "$VAULT"/heartbeats/*/*-heartbeat.json 2>/dev/null | head -n 1; }
has_heartbeat() { test -n "$(heartbeat)"; }
check "a heartbeat reaches the vault while the session records" wait_for 60 has_heartbeat
HB=$(heartbeat)
check "the heartbeat is filed under the device id" \
  test "$(basename "$(dirname "$HB")")" = "$(head -n 1 "$S/custody.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["device_id"])')"
check "it carries the session's latest checkpoint line, verbatim (still signed)" \
  grep -qxF "$(python3 -c 'import sys; t=open(sys.argv[1]).read(); print(t[t.index("\"checkpoint\":")+13:-2])' "$HB")" "$S/custody.jsonl"
check "the heartbeat names the session" grep -q "\"session\":\"$ID\"" "$HB"
"$CTL" --config "$CONF" stop >/dev/null
check "the local copy is wiped once the vault has all of it" wait_for 120 test ! -e "$S"
check "the vault copy verifies INTACT" \
  bash -c "'$VERIFY' --device-key '$WORK/studio/device.pub' '$VAULT/$ID' | grep -q '^INTACT'"
check "the receipts went to the vault" cmp -s "$WORK/studio/spool/receipts/$ID.jsonl" "$VAULT/receipts/$ID.jsonl"
check "the backlog is empty" wait_for 30 test "$(backlog sessions)" = 0
check "the backlog has a last transfer" test "$(backlog last_transfer)" != None
kill -TERM "$uploader"
check "SIGTERM ends it" wait_for 30 bash -c "! kill -0 $uploader 2>/dev/null"
wait "$uploader"; rc=$?
check "with status 0" test "$rc" = 0
# A device not provisioned yet has no vault: the daemon says so and waits
# (no exit, so no restart loop under systemd); --once still fails.
grep -v '^vault *=' "$CONF" >"$WORK/novault.conf"
"$UPLOADER" --config "$WORK/novault.conf" 2>"$WORK/novault.log" & nv=$!
check "without a vault the daemon says it waits for provisioning" \
  wait_for 30 grep -q "no vault is configured.*not provisioned yet.*waiting" "$WORK/novault.log"
sleep 1
check "... and keeps running" kill -0 "$nv"
kill "$nv"; rc=0; wait "$nv" || rc=$?
check "SIGTERM ends the waiting daemon with status 0 (got $rc)" test "$rc" = 0
rc=0; "$UPLOADER" --config "$WORK/novault.conf" --once 2>"$WORK/novault-once.log" || rc=$?
check "--once without a vault fails (status $rc)" test "$rc" = 1
check "... naming the setting" grep -q "no vault is configured: set \[uploader\] vault" "$WORK/novault-once.log"

finish
