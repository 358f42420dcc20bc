#!/usr/bin/env bash
# Three sessions recorded by the recorder daemon (a studio made by
# `studioctl init`, the test profile, 3-second segments, each session
# started and stopped through studioctl) and sent to the real Ceph RGW of
# the fixture intake-ceph by the real uploader; the studio's device key
# enrolled in the signed registry; `studio-intake --once` writes three
# records, each INTACT, signed (stock minisign) and locked COMPLIANCE, and
# the index lists the three with the studio's device and the officer.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/s3-lib.sh"
. "$STUDIO_SOURCE_DIR/tests/integration/daemon-lib.sh"
trap 'kill -9 $daemon_pid 2>/dev/null || true; rm -rf "$WORK"' EXIT
SET="python3 $STUDIO_SOURCE_DIR/tests/integration/conf-set.py"
TOOL="python3 $STUDIO_SOURCE_DIR/tests/intake/s3-tool.py"
BUCKET=intake-daemon-$$
make_bucket "$BUCKET"
s3_conf "$BUCKET" shelter-3 # the intake's intake.conf (its studio.conf is not used)
make_studio
$SET "$CONF" uploader vault "s3://$BUCKET/shelter-3" uploader endpoint "$AWS_ENDPOINT" \
  uploader credentials_file "$CEPH/credentials" uploader retention_days 1 \
  uploader backlog_file "$WORK/backlog.json" recorder segment_time 3s
"$KEYS" enrol --dir "$WORK/studio" --registry reg.json --it-key it/police-it.key >/dev/null 2>&1
DEVICE=$(cat "$WORK/studio/device.id")

# the media recorded so far, in seconds, as `studioctl status` says it
media_s() { "$CTL" --config "$CONF" status | sed -n 's/.*recorded so far: \([0-9]*\):\([0-9]*\):\([0-9]*\) media time.*/\1 \2 \3/p' |
              awk '{ print $1 * 3600 + $2 * 60 + $3 } END { if (NR == 0) print 0 }' | head -n1; }
start_daemon "$WORK/daemon.log"
IDS=()
for i in 1 2 3; do
  start_session >/dev/null
  # four seconds of media: a second segment begins
  for _ in $(seq 600); do [ "$(media_s)" -ge 4 ] && break; sleep 0.1; done
  "$CTL" --config "$CONF" stop >/dev/null
  IDS+=("$(basename "$(last_session)")")
done
check "the daemon recorded three sessions" test "${#IDS[@]}" = 3 -a "${IDS[0]}" != "${IDS[2]}"
rc=0; "$UPLOADER" --config "$CONF" --once >"$WORK/up.out" 2>&1 || rc=$?
check "the uploader sends them to RGW (rc $rc)" test "$rc" = 0
[ "$rc" = 0 ] || tail -n 20 "$WORK/up.out" >&2

rc=$(intake)
check "studio-intake --once exits 0" test "$rc" = 0
[ "$rc" = 0 ] || tail -n 20 "$WORK/in.err" >&2
check "... three records written" grep -q "3 record(s) written" "$WORK/in.err"
mkdir -p got
for s in "${IDS[@]}"; do
  $TOOL get-locked "$BUCKET" got "intake/shelter-3/verifications/$s.json" \
    "intake/shelter-3/verifications/$s.json.minisig" >"$WORK/modes" 2>&1 || true
  check "$s: its record says INTACT" test "$(field "got/$s.json" verdict)" = INTACT
  check "... names the studio's device" test "$(field "got/$s.json" device_id)" = "$DEVICE"
  check "... signed (stock minisign)" minisign -Vqm "got/$s.json" -x "got/$s.json.minisig" -p ik/intake.pub
  check "... locked COMPLIANCE, with its signature" test "$(grep -c ' COMPLIANCE$' "$WORK/modes")" = 2
done
S() { "$INTAKE" --config intake.conf sessions --json "$@"; }
check "the index lists the three for the studio's device" \
  test "$(S --device "$DEVICE" | python3 -c 'import json,sys; print(" ".join(r["session"] for r in json.load(sys.stdin)))')" = "${IDS[*]}"
check "... with the officer who identified" \
  test "$(S --officer "$OFFICER" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 3
finish
