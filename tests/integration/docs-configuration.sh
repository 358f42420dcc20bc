#!/usr/bin/env bash
# docs/configuration.md works as written: its complete example, as
# printed, is the configuration of a studio that every daemon starts on.
# The example names a real shelter's machine, so this test fills the
# machine's places from its own table (FILL below: folders, the LAN
# address, the port, the LED folder, the keypad, the
# display and sound sinks, the camera profile: no USB camera here), and
# nothing else; the GPIO lines are left out (listed as skipped) when the
# machine has no GPIO chip. Then:
# studioctl and studio-recorder load it (the recorder answers studioctl
# status), studio-status serves the page from it, and studio-uploader
# accepts its S3 vault (endpoint, region, credential, CA file, retention)
# and exits 0 on an empty spool.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon-lib.sh"
UPLOADER=$STUDIO_BUILD_DIR/appliance/uploader/studio-uploader
STATUS=$STUDIO_BUILD_DIR/appliance/status/studio-status
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$WORK"/{spool,lib/keys,lib/state,run-recorder,run-uploader,etc,leds,creds}
# FILL: what the example prints -> this machine's own
FILL=(
  "s|/var/spool/studio|$WORK/spool|"
  "s|/var/lib/studio|$WORK/lib|"
  "s|/run/studio|$WORK/run|"
  "s|/etc/studio|$WORK/etc|"
  "s|/sys/class/leds|$WORK/leds|"
  "s|^listen = 192.168.1.20$|listen = 127.0.0.1|"
  "s|^port = 8080$|port = $port|"
  "s|^device = /dev/input/by-id/.*|device = $WORK/no-keypad|"
  "s|^video_sink = kmssink connector-id=32$|video_sink = fakesink|"
  "s|^audio_sink = alsasink device=hw:1,0$|audio_sink = fakesink|"
  "s|^profile = usb-1cam$|profile = test|"
)
python3 - "$STUDIO_SOURCE_DIR/docs/configuration.md" >"$WORK/printed.conf" <<'PY'
import sys
t = open(sys.argv[1]).read().split("## A complete example", 1)[1]
print(t.split("```ini\n", 1)[1].split("```", 1)[0], end="")
PY
sed_args=()
for f in "${FILL[@]}"; do
  grep -q "$(echo "$f" | cut -d'|' -f2)" "$WORK/printed.conf" || fail "the example no longer prints what FILL replaces: $f"
  sed_args+=(-e "$f")
done
# hardware this machine lacks: the GPIO door light (no GPIO chip here)
if ! ls /dev/gpiochip* >/dev/null 2>&1; then
  echo "skipped: configuration.md example: [lights] gpio_chip and gpio_door (no GPIO chip on this machine)"
  sed_args+=(-e '/^gpio_chip = /d' -e '/^gpio_door = /d')
fi
# the status page reads a state file only from its owner: here the test's user
sed_args+=(-e "/^\[status\]$/a state_owner = $(id -un)")
sed "${sed_args[@]}" "$WORK/printed.conf" >"$WORK/etc/studio.conf"
CONF=$WORK/etc/studio.conf

# the keys and files the example names
"$KEYS" device-init --dir "$WORK/lib/keys" >/dev/null
printf '%s\n' "$PIN" | "$KEYS" officer-add --file "$WORK/etc/officers" "$OFFICER" >/dev/null 2>&1
printf 'AKIAEXAMPLE\nsecret-example\n' >"$WORK/creds/vault-s3"
chmod 600 "$WORK/creds/vault-s3"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=vault.police.example \
  -keyout "$WORK/ca.key" -out "$WORK/etc/vault-ca.pem" -days 2 2>/dev/null
# the example's LEDs, in a folder laid out like /sys/class/leds
for led in $(sed -n 's/^\(ready\|recording\|attention\|ack\|door\) = //p' "$CONF"); do
  mkdir -p "$WORK/leds/$led"
  echo 0 >"$WORK/leds/$led/brightness"; echo 1 >"$WORK/leds/$led/max_brightness"
  echo "[none] timer" >"$WORK/leds/$led/trigger"
done

start_daemon "$WORK/daemon.log" || true
check "studio-recorder starts on the example and studioctl reaches it" "$CTL" --config "$CONF" status
"$CTL" --config "$CONF" status --json >"$WORK/state.json" 2>&1 || true
check "... its room is not unprovisioned (keys, officers and recipient as the example names them)" \
  bash -c "! grep -q unprovisioned '$WORK/state.json'"

"$STATUS" --config "$CONF" 2>"$WORK/status.log" &
status_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/status.json" >/dev/null 2>&1 && break; sleep 0.1; done
check "studio-status serves the page from the example" curl -sf -o /dev/null "http://127.0.0.1:$port/"
kill "$status_pid" 2>/dev/null || true

set +e
CREDENTIALS_DIRECTORY=$WORK/creds timeout 60 "$UPLOADER" --config "$CONF" --once >"$WORK/up.out" 2>&1
rc=$?
set -e
check "studio-uploader accepts the example's S3 vault and finds nothing to send (exit $rc)" test "$rc" -eq 0
[ "$failures" = 0 ] || cat "$WORK/up.out" "$WORK/daemon.log" >&2
finish
