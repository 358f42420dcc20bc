#!/usr/bin/env bash
# studio-uploader's idle status object on the studio's dir: vault. While no
# session records, every status_interval it files
# heartbeats/<device id>/<UTC time>-status.json with the device id, the last
# session (id, when it ended, when the vault confirmed it), the backlog, the
# free recording hours from the room state and its version; none while a
# session records; a device id that cannot name a vault folder (a path, too
# long, empty) sends nothing and says why.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon-lib.sh"
UPLOADER=$STUDIO_BUILD_DIR/appliance/uploader/studio-uploader
SET="python3 $STUDIO_SOURCE_DIR/tests/integration/conf-set.py"

make_studio
VAULT=$(sed -n 's/^vault *= *dir://p' "$CONF")
DEVICE=$(cat "$WORK/studio/keys/device.id")
BACKLOG=$WORK/backlog.json
$SET "$CONF" recorder segment_time 2s recorder checkpoint_interval 500ms uploader backlog_file "$BACKLOG" \
  uploader local_retention 0 \
  uploader status_interval 10s uploader heartbeat_interval 1h
wait_for() { local n=$(($1 * 10)); shift; for _ in $(seq "$n"); do "$@" && return 0; sleep 0.1; done; return 1; }
statuses() { ls "$VAULT/heartbeats/$DEVICE"/*-status.json 2>/dev/null; }
count() { statuses | wc -l; }
newest() { statuses | tail -n 1; }
more_than() { test "$(count)" -gt "$1"; }
get() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval('d'+sys.argv[2]))" "$@"; }

"$UPLOADER" --config "$CONF" 2>"$WORK/uploader.log" & uploader=$!
trap 'kill -9 $daemon_pid $uploader 2>/dev/null || true; rm -rf "$WORK"' EXIT
check "an idle uploader files a status object under the device id" wait_for 30 more_than 0
F=$(newest); [ -n "$F" ] || { cat "$WORK/uploader.log" >&2; }
check "... named <UTC time>-status.json" bash -c "basename '$F' | grep -qE '^[0-9]{8}T[0-9]{6}Z-status\.json$'"
check "... kind status" test "$(get "$F" "['kind']")" = status
check "... the device id" test "$(get "$F" "['device_id']")" = "$DEVICE"
check "... no last session yet (null)" test "$(get "$F" "['last_session']")" = None
check "... the backlog (nothing pending)" test "$(get "$F" "['backlog']['sessions']")" = 0
check "... the uploader version" test -n "$(get "$F" "['uploader_version']")"
check "... hours_left null without a room state file" test "$(get "$F" "['hours_left']")" = None
check "... a time in the form of the backlog's" bash -c "test \"\$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[\"time\"])' '$F' | grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$')\" = 1"

start_daemon "$WORK/daemon.log"
start_session >/dev/null
S=$(last_session)
ID=$(basename "$S")
sleep 5
# read while they are there: the uploader wipes the session soon after it closes
START=$(head -n 1 "$S/custody.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["utc"][:19] + "Z")')
"$CTL" --config "$CONF" stop >/dev/null
check "the session closes" wait_for 30 bash -c "stat -c %Y '$S/manifest.json' >'$WORK/ended' 2>/dev/null"
END=$(date -u -d "@$(cat "$WORK/ended")" +%Y-%m-%dT%H:%M:%SZ)
# Allow the second the session folder appeared in and the one its manifest
# was written in: the times have one-second resolution.
during=$(for f in $(statuses); do t=$(get "$f" "['time']"); if [[ "$t" > "$START" && "$t" < "$END" ]]; then echo "$f"; fi; done | wc -l)
check "no status object while the session recorded ($START to $END: $during)" test "$during" = 0
check "the local copy is wiped after the upload" wait_for 120 test ! -e "$S"
before=$(count)
check "status objects resume once idle" wait_for 30 more_than "$before"
F=$(newest); [ -n "$F" ] || { cat "$WORK/uploader.log" >&2; }
check "... naming the last session" test "$(get "$F" "['last_session']['id']")" = "$ID"
check "... with when the vault confirmed it" \
  bash -c "python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[\"last_session\"][\"confirmed\"])' '$F' | grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$'"
check "... and ended null once the local copy is gone" test "$(get "$F" "['last_session']['ended']")" = None
check "... the backlog empty, with a last transfer" \
  test "$(get "$F" "['backlog']['sessions']")/$(get "$F" "['backlog']['last_transfer']")" != "0/None"
check "... and the free hours the room state gives" \
  test "$(get "$F" "['hours_left']")" = "$(get "$STATE" "['hours_left']")"
check "... which are known while the recorder runs" test "$(get "$F" "['hours_left']")" != None

# Device ids that cannot name a vault folder: nothing is filed, the log says why.
# (the other malformed ids are unit-tested: test-uploader)
printf '../escape\n' >"$WORK/studio/keys/device.id"
n=$(find "$VAULT" -name '*-status.json' | wc -l)
check "a device id that is a path: the log says why" \
  wait_for 30 grep -q "no status object: the device id in .* cannot name a vault folder" "$WORK/uploader.log"
check "... and no status object is filed" test "$(find "$VAULT" -name '*-status.json' | wc -l)" = "$n"
check "nothing was filed outside heartbeats/" test ! -e "$VAULT/escape"
kill -TERM "$uploader"; wait "$uploader" || true; uploader=
finish
