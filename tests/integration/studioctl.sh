#!/bin/bash
# studioctl: init end to end (files, modes, the two lines, keys that stock
# age and minisign accept), its refusals, the "no recorder" message, and
# every subcommand's request, output and exit code against ctl-test-server.
source "$STUDIO_SOURCE_DIR/tests/integration/lib.sh"
C=$STUDIO_BUILD_DIR/appliance/ctl/studioctl
SERVER=$STUDIO_BUILD_DIR/tests/ctl-test-server
cd "$WORK"
mode() { stat -c %a "$1"; }
# run CODE CMD…: runs CMD (stdin from $STDIN, default /dev/null), out.txt and
# err.txt hold its output; true when it exits with CODE.
run() {
  local want=$1 rc=0; shift
  "$@" >out.txt 2>err.txt <"${STDIN:-/dev/null}" || rc=$?
  if [ "$rc" != "$want" ]; then echo "'$*' exited $rc, wanted $want" >&2; cat out.txt err.txt >&2; return 1; fi
}
has() { grep -qF -- "$1" "$2" || { echo "no '$1' in $2:" >&2; cat "$2" >&2; return 1; }; }
ESC=$(printf '\033')

# --- usage -----------------------------------------------------------------
check "--help names every subcommand" bash -c "$C --help | grep -q 'init --dir' && for s in status sessions start cancel mark break resume stop recover unlock; do $C --help | grep -q \"^  \$s\" || exit 1; done"
check "an unknown subcommand is a usage error (2)" run 2 "$C" frobnicate
check "an unknown option is a usage error (2)" run 2 "$C" --frob status
check "no subcommand is a usage error (2)" run 2 "$C"
check "break takes no arguments (2)" run 2 "$C" break now

# --- init ------------------------------------------------------------------
D=$WORK/studio
echo 48213 >pin
check "init succeeds" run 0 "$C" init --dir "$D" --officer 1234 --pin-file pin
check "init prints exactly two lines" test "$(wc -l <out.txt)" = 2
check "first line: status URL without a trailing slash" grep -qxE 'status: http://127\.0\.0\.1:[0-9]+' <(sed -n 1p out.txt)
check "second line: config path" test "$(sed -n 2p out.txt)" = "config: $D/studio.conf"
PORT=$(sed -n 1p out.txt | sed 's/.*://')
CONF=$D/studio.conf
check "folder mode 0750" test "$(mode "$D")" = 750
check "studio.conf mode 0640" test "$(mode "$CONF")" = 640
check "vault.key mode 0600" test "$(mode "$D/vault.key")" = 600
check "keys/ mode 0700" test "$(mode "$D/keys")" = 700
check "device.key mode 0600" test "$(mode "$D/keys/device.key")" = 600
check "device.pub mode 0644" test "$(mode "$D/device.pub")" = 644
check "officers mode 0640" test "$(mode "$D/officers")" = 640
for sub in spool state run vault; do check "$sub/ made" test -d "$D/$sub"; done
check "device.id beside the key and beside device.pub" cmp -s "$D/keys/device.id" "$D/device.id"
check "device.id is one id line" grep -qxE 'studio-[a-z0-9-]+-[0-9a-f]{8}' "$D/device.id"
check "the officer is in the officers file with an Argon2id hash" grep -qE '^1234:\$argon2id\$' "$D/officers"
check "a comment line at the top says what wrote it" grep -q '^# Written by studioctl init' <(head -1 "$CONF")

# Only the keys of appliance/contract/studio-conf.h, each with what init chose.
cat >conf-check.py <<'PY'
import configparser, sys
conf, d, port = sys.argv[1], sys.argv[2], sys.argv[3]
c = configparser.ConfigParser(interpolation=None)
c.read(conf)
allowed = {
    "recorder": "profile room spool state_dir state_file socket device_key officers recipients recipients_file admin_group checkpoint_interval segment_time segment_size ready_timeout eos_timeout log_level",
    "panel": "device key_start key_mark key_break key_stop key_enter key_clear stop_hold entry_timeout",
    "lights": "leds_dir door ready recording attention ack gpio_chip gpio_door gpio_ready gpio_recording gpio_attention gpio_ack",
    "health": "enabled preflight preflight_time dead_below dead_after silent_below silent_after black_below black_after frozen_after start_min_left low_left disk_reserve check_interval timesync_file",
    "status": "listen port allow language state_file backlog_file contact_phone room_label hostnames state_owner",
    "uploader": "vault backlog_file",
}
want = {
    ("recorder", "profile"): "test", ("recorder", "spool"): d + "/spool", ("recorder", "state_dir"): d + "/state",
    ("recorder", "state_file"): d + "/run/state.json", ("recorder", "socket"): d + "/run/recorder.sock",
    ("recorder", "device_key"): d + "/keys/device.key", ("recorder", "officers"): d + "/officers",
    ("status", "listen"): "127.0.0.1", ("status", "port"): port, ("uploader", "vault"): "dir:" + d + "/vault",
    ("health", "start_min_left"): "5min", ("health", "disk_reserve"): "64MiB",
    ("status", "state_owner"): __import__("pwd").getpwuid(__import__("os").getuid()).pw_name,
}
bad = []
if set(c.sections()) != set(allowed):
    bad.append("sections %s" % c.sections())
for s in c.sections():
    for k in c[s]:
        if k not in allowed.get(s, "").split():
            bad.append("unknown key [%s] %s" % (s, k))
for (s, k), v in want.items():
    if c.get(s, k, fallback=None) != v:
        bad.append("[%s] %s = %r, wanted %r" % (s, k, c.get(s, k, fallback=None), v))
if c.has_option("panel", "device"): bad.append("[panel] device is set")
if c.has_option("lights", "leds_dir"): bad.append("[lights] leds_dir is set")
print(c.get("recorder", "recipients", fallback=""))
if bad:
    print("\n".join(bad), file=sys.stderr); sys.exit(1)
PY
check "studio.conf has only studio-conf.h keys, set as init chose" bash -c "python3 conf-check.py \"$CONF\" \"$D\" \"$PORT\" >/dev/null"
RECIPIENT=$(python3 conf-check.py "$CONF" "$D" "$PORT" 2>/dev/null || true)
check "[recorder] recipients is the vault key's recipient" test "$RECIPIENT" = "$(age-keygen -y "$D/vault.key")"
check "the port is free to bind" python3 -c "import socket,sys; s=socket.socket(); s.bind(('127.0.0.1',int(sys.argv[1])))" "$PORT"
echo "evidence $RANDOM" >plain.txt
check "stock age: encrypt to the recipient, decrypt with vault.key" \
  bash -c "age -e -r '$RECIPIENT' plain.txt | age -d -i '$D/vault.key' | cmp -s - plain.txt"
check "stock minisign signs with device.key" bash -c "minisign -S -s '$D/keys/device.key' -m plain.txt </dev/null >/dev/null"
check "stock minisign verifies with device.pub" bash -c "minisign -V -p '$D/device.pub' -m plain.txt >/dev/null"
echo "changed" >>plain.txt
check "and refuses a changed file" bash -c "! minisign -V -p '$D/device.pub' -m plain.txt >/dev/null 2>&1"

# --- init refusals -----------------------------------------------------------
FORMAT="The PIN file holds the officer's PIN on one line: 5 to 64 digits, not all one digit and not a straight run such as 12345 (write it with: echo PIN > FILE; chmod 600 FILE)"
check "init refuses an existing studio.conf (1)" run 1 "$C" init --dir "$D" --officer 1234 --pin-file pin
check "... and says --force" has "already exists: refusing to overwrite a studio (give --force" err.txt
OLDKEY=$(cat "$D/vault.key")
check "init --force replaces it" run 0 "$C" init --dir "$D" --officer 1234 --pin-file pin --force
check "... with a new vault key" test "$OLDKEY" != "$(cat "$D/vault.key")"
for weak in 12345 54321 77777 1234 12a45 ""; do
  printf '%s\n' "$weak" >weak
  check "init refuses the weak PIN '$weak' (1)" run 1 "$C" init --dir "$WORK/weakstudio" --officer 1 --pin-file weak
  check "... and explains it" has "is refused: " err.txt
  check "... with the file's format" has "$FORMAT" err.txt
done
check "... and writes nothing" test ! -e "$WORK/weakstudio"
check "init refuses a missing PIN file (1)" run 1 "$C" init --dir "$WORK/nopin" --officer 1 --pin-file "$WORK/missing"
check "... naming it" has "cannot read the PIN file $WORK/missing: No such file or directory" err.txt
check "... and explaining the file's format" has "$FORMAT" err.txt
printf '48213\n48213\n' >twopins
check "init refuses a PIN file with two lines (1)" run 1 "$C" init --dir "$WORK/two" --officer 1 --pin-file twopins
check "... saying so and explaining the format" has "holds more than one line. $FORMAT" err.txt
printf 'PIN: 48213\n' >wordpin
check "init refuses a PIN file with words in it (1)" run 1 "$C" init --dir "$WORK/word" --officer 1 --pin-file wordpin
check "... explaining the format" has "$FORMAT" err.txt
check "init refuses a bad officer number (2)" run 2 "$C" init --dir "$WORK/bad" --officer 12x --pin-file pin
check "init needs --pin-file (2)" run 2 "$C" init --dir "$WORK/bad" --officer 1
check "init refuses --config (2)" run 2 "$C" --config "$CONF" init --dir "$WORK/bad" --officer 1 --pin-file pin
LONG=$WORK/$(printf 'x%.0s' $(seq 90))
check "init refuses a folder too long for a socket path (1)" run 1 "$C" init --dir "$LONG" --officer 1 --pin-file pin
check "... saying so" has "choose a shorter --dir" err.txt

# --- no recorder -------------------------------------------------------------
NOREC="studioctl: no recorder answers on $D/run/recorder.sock: is studio-recorder running? (systemctl status studio-recorder)"
for sub in status "status --json" stop sessions; do
  # shellcheck disable=SC2086
  check "$sub without a recorder exits 1" run 1 "$C" --config "$CONF" $sub
  check "... with the clear message" test "$(cat err.txt)" = "$NOREC"
  check "... and prints nothing on stdout" test ! -s out.txt
done
python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])" "$D/run/recorder.sock"
check "a stale socket: no recorder (1)" run 1 "$C" --config "$CONF" status
check "... the same message" test "$(cat err.txt)" = "$NOREC"
rm -f "$D/run/recorder.sock"
check "a missing configuration (1)" run 1 "$C" --config "$WORK/none.conf" status
check "... says to run init" has "give --config FILE, or write a configuration with studioctl init --dir DIR" err.txt

# --- every subcommand against the test server ---------------------------------
LOG=$WORK/requests.log
"$SERVER" "$D/run/recorder.sock" "$LOG" &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do [ -S "$D/run/recorder.sock" ] && break; sleep 0.05; done
check "socket mode 0660" test "$(mode "$D/run/recorder.sock")" = 660

check "status (0)" run 0 "$C" --config "$CONF" status
check "status: a human line, outside text escaped, then the marks so far" test "$(cat out.txt)" = 'recording since 2026-12-01T10:32:00Z; attention: camera disconnected, evil \u001b[2J
marks so far: 0:00:08, 1:02:05'
check "status: no raw escape character" bash -c "! grep -q '$ESC' out.txt"
check "status --json (0)" run 0 "$C" --config "$CONF" status --json
check "status --json: one line" test "$(wc -l <out.txt)" = 1
check "status --json: exactly the state document" python3 -c '
import json,sys
d = json.load(open("out.txt"))
assert d == {"state":"recording","since":"2026-12-01T10:32:00Z","attention":["camera disconnected","evil \u001b[2J"],"updated":"2026-12-01T10:40:05Z"}, d'
check "status --json: no raw escape character" bash -c "! grep -q '$ESC' out.txt"
check "status --frob is a usage error (2)" run 2 "$C" --config "$CONF" status --frob
check "sessions (0)" run 0 "$C" --config "$CONF" sessions
check "sessions: one line each, date, length and state, no ids" test "$(cat out.txt)" = '2026-11-30 08:00 UTC   0:10:00  transferred to the vault (last receipt 2026-11-30T09:00:00Z)
2026-12-01 10:32 UTC   0:20:13  sealed, on the device (3 segments, 123456 bytes)
2026-12-02 09:00 UTC         -  interrupted, not closed (1 segment): studioctl recover closes it
evil\u001b[2J         -  recording now (1 segment so far)'
check "sessions: no raw escape character" bash -c "! grep -q '$ESC' out.txt"
check "sessions --verbose (0)" run 0 "$C" --config "$CONF" sessions --verbose
check "sessions --verbose: each line ends with the id" test "$(cut -d' ' -f1,2 out.txt | head -2; awk '{print $NF}' out.txt | head -3)" = "2026-11-30 08:00
2026-12-01 10:32
20261130T080000Z-0000beef
20261201T103200Z-1a2b3c4d
20261202T090000Z-0badf00d"
check "sessions --frob is a usage error (2)" run 2 "$C" --config "$CONF" sessions --frob
echo 48213 >goodpin
STDIN=goodpin check "start with the PIN on stdin (0)" run 0 "$C" --config "$CONF" start --officer 1234
echo 99887 >badpin
STDIN=badpin check "start with a wrong PIN (1)" run 1 "$C" --config "$CONF" start --officer 1234
check "... prints the recorder's reason" test "$(cat err.txt)" = "studioctl: wrong PIN for officer 1234"
check "start without --officer: the Start key for the identified officer (0)" run 0 "$C" --config "$CONF" start
STDIN=goodpin check "identify (0)" run 0 "$C" --config "$CONF" identify --officer 1234
check "... says the room is ready" grep -q ready out.txt
check "identify without --officer (2)" run 2 "$C" --config "$CONF" identify
STDIN=goodpin check "start with a bad officer number (2)" run 2 "$C" --config "$CONF" start --officer abc
echo 12ab5 >alphapin
STDIN=alphapin check "start with a PIN that is not digits (1)" run 1 "$C" --config "$CONF" start --officer 1234
check "start with no PIN at all (1)" run 1 "$C" --config "$CONF" start --officer 1234
check "mark (0)" run 0 "$C" --config "$CONF" mark
check "... prints where the mark is" test "$(cat out.txt)" = "mark at 0:00:08 media time"
check "mark --note (0)" run 0 "$C" --config "$CONF" mark --note 'a "quoted" note
on two lines'
check "mark refused (1)" run 1 "$C" --config "$CONF" mark --note refuse
check "... the reason escaped" test "$(cat err.txt)" = 'studioctl: not recording \u001b[31mred'
check "break (0)" run 0 "$C" --config "$CONF" break
check "resume refused: not on a break (1)" run 1 "$C" --config "$CONF" resume
check "... says so" test "$(cat err.txt)" = "studioctl: not on a break"
check "stop waits for the late reply (0)" run 0 "$C" --config "$CONF" stop
check "... and prints the length and segments, never the id" test "$(cat out.txt)" = "stopped: 0:20:13 recorded in 5 segments, sealed; the room is free"
check "stop --verbose (0)" run 0 "$C" --config "$CONF" stop --verbose
check "... adds the session's id" test "$(sed -n 2p out.txt)" = "session: 20261201T103200Z-1a2b3c4d"
check "stop --frob is a usage error (2)" run 2 "$C" --config "$CONF" stop --frob
check "cancel (0)" run 0 "$C" --config "$CONF" cancel
check "... says the room is free" test "$(cat out.txt)" = "cancelled: the room is free"
check "recover (0)" run 0 "$C" --config "$CONF" recover
check "... prints its message" test "$(cat out.txt)" = "nothing to recover"
check "unlock (0)" run 0 "$C" --config "$CONF" unlock

cat >want.log <<'JSON'
{"command":"status"}
{"command":"status"}
{"command":"sessions"}
{"command":"sessions"}
{"command":"start","officer":"1234","pin":"48213"}
{"command":"start","officer":"1234","pin":"99887"}
{"command":"start"}
{"command":"identify","officer":"1234","pin":"48213"}
{"command":"mark"}
{"command":"mark","note":"a \"quoted\" note\non two lines"}
{"command":"mark","note":"refuse"}
{"command":"break"}
{"command":"resume"}
{"command":"stop"}
{"command":"stop"}
{"command":"cancel"}
{"command":"recover"}
{"command":"unlock"}
JSON
check "each subcommand sent exactly its request" diff -u want.log "$LOG"

# --- who may connect ------------------------------------------------------------
if [ "$(id -u)" = 0 ]; then
  PUB=$(mktemp -d /tmp/studioctl-perm.XXXXXX)
  chmod 755 "$PUB"
  printf '[recorder]\nsocket=%s/run/recorder.sock\n' "$D" >"$PUB/studio.conf"
  chmod 644 "$PUB/studio.conf"
  AS_NOBODY=(setpriv --reuid 65534 --regid 65534 --clear-groups)
  check "a user who cannot reach the socket (1)" run 1 "${AS_NOBODY[@]}" "$C" --config "$PUB/studio.conf" status
  check "... is told to be root or in the admin group" has "permission denied on $D/run/recorder.sock: studioctl must run as root, as the recorder's user or as a member of the admin group" err.txt
  chmod 711 "$WORK" "$D" "$D/run"
  chmod 666 "$D/run/recorder.sock"
  check "a user the recorder refuses (1)" run 1 "${AS_NOBODY[@]}" "$C" --config "$PUB/studio.conf" status
  check "... gets the recorder's refusal" test "$(cat err.txt)" = "studioctl: permission denied: uid 65534 is not root or the recorder's user"
  chmod 700 "$WORK"
  rm -rf "$PUB"
fi

kill -TERM $SERVER_PID
wait $SERVER_PID || true
check "the server's socket is gone after it stops" test ! -e "$D/run/recorder.sock"
finish
