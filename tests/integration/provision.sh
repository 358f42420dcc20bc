#!/usr/bin/env bash
# First boot, end to end: police IT makes an IT key, a vault identity,
# officers and a signed bundle with studio-keys (stock minisign verifies
# it); studio-provision --root applies it, prints the enrolment record that
# `studio-keys enrol` prints, and the recorder then leaves "unprovisioned"
# and records a session that verifies INTACT with the device key made at
# provisioning and decrypts with the vault identity. Unsigned, foreign-key,
# altered, malformed, symlinked and oversized bundles are each refused with
# a clear message and nothing written. A second run is a no-op; only a
# higher serial updates. Last, the bundle on a drive labelled STUDIO-PROV.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon-lib.sh"
PROV=$STUDIO_BUILD_DIR/appliance/provision/studio-provision
SETCONF=$STUDIO_SOURCE_DIR/tests/integration/conf-set.py
IT=$WORK/police
ROOT=$WORK/root
loopdev=
trap 'kill -9 $daemon_pid 2>/dev/null || true; [ -z "$loopdev" ] || losetup -d "$loopdev" 2>/dev/null || true; rm -rf "$WORK"' EXIT

# ---- police IT ----------------------------------------------------------
mkdir -p "$IT"
"$KEYS" vault-init --out "$IT/vault.key" >"$IT/recipients" 2>/dev/null
"$KEYS" it-key-init --out "$IT/it" >/dev/null 2>&1
"$KEYS" it-key-init --out "$IT/other" >/dev/null 2>&1
printf '%s\n' "$PIN" | "$KEYS" officer-add --file "$IT/officers" "$OFFICER" >/dev/null 2>&1
make_bundle() { # make_bundle DIR SERIAL [more bundle-make options]
  local dir=$1 serial=$2; shift 2
  "$KEYS" bundle-make --it-key "$IT/it/police-it.key" --out "$dir" --serial "$serial" \
    --recipients-file "$IT/recipients" --officers "$IT/officers" --vault "dir:$WORK/vault" \
    --room "Provisioned room" --device "${DEVICE:-studio-room3}" "$@"
}
check "bundle-make writes a bundle" make_bundle "$IT/bundle" 1
check "stock minisign verifies the bundle with police IT's public key" \
  minisign -Vm "$IT/bundle/provision.json" -p "$IT/it/police-it.pub" -q
if make_bundle "$IT/bad" 1 --endpoint "ftp://x" >"$WORK/bad.out" 2>&1; then
  fail "bundle-make refuses a bundle the device would refuse"
else
  check "bundle-make refuses a bundle the device would refuse, naming the field" \
    grep -q "uploader.endpoint" "$WORK/bad.out"
fi
check "and signs nothing then" test ! -e "$IT/bad/provision.json.minisig"

# ---- the device: studioctl init's configuration without any key ---------
make_studio
BASE=$WORK/base.conf
sed '/^recipients=/d' "$CONF" >"$BASE"
python3 "$SETCONF" "$BASE" recorder device_key "$ROOT/var/lib/studio/keys/device.key" \
  recorder officers "$ROOT/etc/studio/officers"
CONF=$ROOT/etc/studio/studio.conf
new_root() {
  rm -rf "$ROOT"
  mkdir -p "$ROOT/etc/studio" "$ROOT/dev"
  cp "$BASE" "$CONF"
  : >"$ROOT/dev/console" # a regular file stands in for the console
}
snapshot() { # every path, mode and content under the root but the console
  (cd "$ROOT" && find . ! -path ./dev/console -printf '%p %m %s\n' | sort &&
    find . -type f ! -path ./dev/console -exec sha256sum {} + | sort)
}
provision() { "$PROV" --root "$ROOT" --it-key "$IT/it/police-it.pub" "$@"; }
provision_to() { local out=$1; shift; provision "$@" >"$out" 2>&1; } # provision_to FILE ARGS…
stop_daemon() { kill "$daemon_pid" 2>/dev/null; wait "$daemon_pid" 2>/dev/null || true; daemon_pid=; }

new_root
start_daemon "$WORK/unprov.log"
check "before provisioning the room is unprovisioned" state_is unprovisioned
stop_daemon

# refused REASON_PATTERN DESCRIPTION BUNDLE_DIR: exit 1, the reason on
# stderr and on the console, and not one file changed.
refused() {
  local pattern=$1 what=$2 dir=$3 before rc=0
  new_root
  before=$(snapshot)
  provision --bundle "$dir" >"$WORK/refused.out" 2>&1 || rc=$?
  if [ "$rc" -eq 1 ] && grep -q -- "$pattern" "$WORK/refused.out" && grep -q "stays unprovisioned" "$WORK/refused.out" \
    && grep -q -- "$pattern" "$ROOT/dev/console" && [ "$(snapshot)" = "$before" ]; then
    pass "$what is refused, nothing written ($(grep -m1 -o "$pattern.*" "$WORK/refused.out" | head -c 90))"
  else
    fail "$what is refused with '$pattern' and nothing written (exit $rc)"
    cat "$WORK/refused.out" >&2
  fi
}
copy_bundle() { rm -rf "$1" && mkdir -p "$1" && cp "$IT/bundle/provision.json" "$IT/bundle/provision.json.minisig" "$1/"; }
sign() { "$KEYS" sign --key "$1" "$2" >/dev/null 2>&1; }

copy_bundle "$WORK/unsigned" && rm "$WORK/unsigned/provision.json.minisig"
refused "unsigned bundle is refused" "an unsigned bundle" "$WORK/unsigned"
copy_bundle "$WORK/foreign" && rm "$WORK/foreign/provision.json.minisig"
sign "$IT/other/police-it.key" "$WORK/foreign/provision.json"
refused "signed by another key" "a bundle signed by another key" "$WORK/foreign"
copy_bundle "$WORK/altered" && sed -i 's/Provisioned room/Altered room/' "$WORK/altered/provision.json"
refused "altered after it was signed" "a bundle altered after signing" "$WORK/altered"
copy_bundle "$WORK/malformed" && rm "$WORK/malformed/provision.json.minisig"
sed -i "s#\"dir:$WORK/vault\"#\"ftp://vault\"#" "$WORK/malformed/provision.json"
sign "$IT/it/police-it.key" "$WORK/malformed/provision.json"
refused "signed but malformed: uploader.vault" "a signed bundle with a malformed field" "$WORK/malformed"
mkdir -p "$WORK/linked" && cp "$IT/bundle/provision.json.minisig" "$WORK/linked/"
ln -s "$IT/bundle/provision.json" "$WORK/linked/provision.json"
refused "is a symbolic link" "a symlinked bundle file" "$WORK/linked"
mkdir -p "$WORK/big" && head -c $((5 << 20)) /dev/zero | tr '\0' ' ' >"$WORK/big/provision.json"
sign "$IT/it/police-it.key" "$WORK/big/provision.json"
refused "too large" "an oversized bundle" "$WORK/big"
mkdir -p "$WORK/fifo" && mkfifo "$WORK/fifo/provision.json" && cp "$IT/bundle/provision.json.minisig" "$WORK/fifo/"
refused "is not a regular file" "a FIFO in place of the bundle" "$WORK/fifo"
printf '{"devices": %s}' "$(printf '[%.0s' $(seq 100))" >"$WORK/deep.json"
mkdir -p "$WORK/deep" && cp "$WORK/deep.json" "$WORK/deep/provision.json" && sign "$IT/it/police-it.key" "$WORK/deep/provision.json"
refused "nested deeper" "a signed bundle nested too deep" "$WORK/deep"
# signed by police IT, but a field the device must not apply: every field is
# held to studio.conf's rules before anything is written
hostile_field() { # hostile_field NAME PYTHON-EDIT PATTERN WHAT
  copy_bundle "$WORK/$1" && rm "$WORK/$1/provision.json.minisig"
  python3 - "$WORK/$1/provision.json" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[2])
open(sys.argv[1], "w").write(json.dumps(d))
PY
  sign "$IT/it/police-it.key" "$WORK/$1/provision.json"
  refused "$3" "$4" "$WORK/$1"
}
hostile_field ep1 'd["uploader"]["endpoint"] = "http://evil.example:7480"' "plain http" "an endpoint in plain http to a host"
hostile_field ep2 'd["uploader"]["endpoint"] = "http://127.evil.example"' "plain http" "an endpoint in plain http to a name that looks like loopback"
hostile_field ep3 'd["uploader"]["endpoint"] = "https://user:pw@vault.example"' "user name or password" "an endpoint with userinfo"
hostile_field ep4 'd["uploader"]["endpoint"] = "https://vault.example/x?y"' "query" "an endpoint with a query"
hostile_field room 'd["recorder"]["room"] = "R\u0000x"' "u0000" "a room name with a NUL"
hostile_field dot 'd["devices"] = [".."]' "devices\[0\]" "a device id of .."

# police IT may sign with stock minisign instead: the device takes that too
copy_bundle "$WORK/stock" && rm "$WORK/stock/provision.json.minisig"
minisign -S -s "$IT/it/police-it.key" -m "$WORK/stock/provision.json" -t "serial:1" </dev/null >/dev/null 2>&1
new_root
check "a bundle signed by stock minisign with police IT's key is applied" provision_to "$WORK/stock.out" --bundle "$WORK/stock"

new_root
rc=0
provision >"$WORK/none.out" 2>&1 || rc=$?
check "without any bundle: exit 3, the room stays unprovisioned" \
  bash -c "[ $rc -eq 3 ] && grep -q 'no provisioning bundle.*stays unprovisioned' '$WORK/none.out'"

# ---- a good bundle -------------------------------------------------------
new_root
mkdir -p "$ROOT/etc/studio/provision" && cp "$IT/bundle"/* "$ROOT/etc/studio/provision/"
check "the signed bundle in /etc/studio/provision is applied" provision_to "$WORK/applied.out"
cat "$WORK/applied.out"
KEYDIR=$ROOT/var/lib/studio/keys
"$KEYS" enrol --dir "$KEYDIR" >"$WORK/enrol.out"
check "the enrolment record printed is studio-keys enrol's" \
  bash -c "grep -v '^studio-provision:' '$WORK/applied.out' | diff - '$WORK/enrol.out'"
check "and it is on the console" bash -c "grep -v '^studio-provision:' '$ROOT/dev/console' | diff - '$WORK/enrol.out'"
check "the device id is the bundle's" grep -qx "studio-room3" "$KEYDIR/device.id"
check "the device key is 0600, the officers file 0640" \
  bash -c "[ \$(stat -c %a '$KEYDIR/device.key') = 600 ] && [ \$(stat -c %a '$ROOT/etc/studio/officers') = 640 ]"
check "the recipients file holds the vault's recipient" grep -qxF "$(cat "$IT/recipients")" "$ROOT/etc/studio/recipients"
check "studio.conf keeps its other keys (profile, port) and gains the bundle's" \
  bash -c "grep -q '^profile=test' '$CONF' && grep -q '^port=' '$CONF' && grep -q '^room=Provisioned room' '$CONF' \
    && grep -q '^vault=dir:$WORK/vault' '$CONF' && grep -q '^recipients_file=$ROOT/etc/studio/recipients' '$CONF'"

start_daemon "$WORK/daemon.log"
check "after provisioning the room is free" state_is free
start_session >"$WORK/start.out" 2>&1 || { fail "start"; cat "$WORK/start.out" >&2; }
check "the provisioned officer starts a session" state_is recording
sleep 3
check "stop" "$CTL" --config "$CONF" stop
stop_daemon
SESSION=$(last_session)
"$VERIFY" --device-key "$KEYDIR/device.pub" "$SESSION" >"$WORK/verify.out" 2>&1 || true
check "the session verifies INTACT with the device key made at provisioning" grep -q "^INTACT" "$WORK/verify.out"
"$VERIFY" --device-key "$KEYDIR/device.pub" --identity "$IT/vault.key" "$SESSION" >"$WORK/verify-id.out" 2>&1 || true
check "and decrypts with police IT's vault identity" grep -q "^INTACT" "$WORK/verify-id.out"

# ---- again: a no-op; only a higher serial updates ------------------------
before=$(snapshot)
check "a second run succeeds" provision_to "$WORK/again.out"
check "and says nothing changed" grep -q "already provisioned with bundle serial 1.*nothing changed" "$WORK/again.out"
check "and changes nothing" test "$(snapshot)" = "$before"
KEYID=$(sed -n 's/^key_id: //p' "$WORK/enrol.out")
printf '%s\n' 13579 | "$KEYS" officer-add --file "$IT/officers" 4711 >/dev/null 2>&1
if make_bundle "$IT/noik" 2 --wipe-after verified >"$WORK/noik.out" 2>&1; then
  fail "bundle-make refuses wipe_after = verified without the intake's key"
else
  check "bundle-make refuses wipe_after = verified without the intake's key" grep -q intake_keys "$WORK/noik.out"
fi
# serial 2 also carries the police side's intake key and wipe_after = verified
"$KEYS" intake-init --dir "$IT/intake" >/dev/null
make_bundle "$IT/bundle2" 2 --intake-key "$IT/intake/intake.pub" --wipe-after verified >/dev/null
check "a bundle with a higher serial is applied" provision_to "$WORK/update.out" --bundle "$IT/bundle2"
check "as an update with both officers" grep -q "updated with bundle serial 2.*2 officer" "$WORK/update.out"
check "the device key stays" grep -q "^key_id: $KEYID" "$WORK/update.out"
check "the new officer is in the officers file" grep -q "^4711:" "$ROOT/etc/studio/officers"
check "the intake's public key is installed as /etc/studio/intake.pub" \
  grep -qxF "$(tail -n1 "$IT/intake/intake.pub")" "$ROOT/etc/studio/intake.pub"
echo record >"$WORK/rec" && minisign -S -s "$IT/intake/intake.key" -m "$WORK/rec" </dev/null >/dev/null 2>&1
check "... with which stock minisign verifies what the intake signs" \
  minisign -Vqm "$WORK/rec" -p "$ROOT/etc/studio/intake.pub"
check "studio.conf gains [uploader] wipe_after = verified and intake_key" \
  bash -c "grep -qx 'wipe_after=verified' '$CONF' && grep -qx 'intake_key=$ROOT/etc/studio/intake.pub' '$CONF'"
before=$(snapshot)
provision --bundle "$IT/bundle" >"$WORK/older.out" 2>&1
check "an older serial is not applied" grep -q 'has serial 1, not a newer one' "$WORK/older.out"
check "and changes nothing" test "$(snapshot)" = "$before"
rc=0
provision --bundle "$WORK/foreign" >"$WORK/foreign.out" 2>&1 || rc=$?
check "a wrongly signed bundle on a provisioned device is refused, the old provisioning kept" \
  bash -c "[ $rc -eq 1 ] && grep -q 'keeps bundle serial 2' '$WORK/foreign.out'"
# another room's bundle, signed by police IT with a higher serial: refused
DEVICE=studio-room7 make_bundle "$IT/room7" 9 --room "Room 7" >/dev/null
before=$(snapshot)
rc=0
provision --bundle "$IT/room7" >"$WORK/room7.out" 2>&1 || rc=$?
check "another room's bundle with a higher serial is refused (exit $rc), naming both devices" \
  bash -c "[ $rc -eq 1 ] && grep -q 'the bundle is for studio-room7, not this device (studio-room3)' '$WORK/room7.out'"
check "and the device is byte for byte as it was" test "$(snapshot)" = "$before"
# a bundle for several devices applies to each of them
DEVICE=studio-room7 make_bundle "$IT/rooms" 10 --device studio-room3 >/dev/null
check "a bundle naming this device among others is applied" provision_to "$WORK/rooms.out" --bundle "$IT/rooms"
check "and the device keeps its id" grep -qx "studio-room3" "$KEYDIR/device.id"

# ---- a device whose studio.conf takes the key from a systemd credential ---
new_root
python3 "$SETCONF" "$CONF" recorder device_key credential:keys_device.key
check "a device_key naming a systemd credential is applied around" provision_to "$WORK/cred.out" --bundle "$IT/bundle"
check "and kept as it was, the key made in /var/lib/studio/keys" \
  bash -c "grep -qx 'device_key=credential:keys_device.key' '$CONF' && test -s '$ROOT/var/lib/studio/keys/device.key'"

# ---- the second drive ------------------------------------------------------
new_root
provision_to "$WORK/drive-first.out" --bundle "$IT/bundle2" || fail "the serial 2 bundle before the drive"
make_bundle "$WORK/drive" 3 >/dev/null
if ! command -v losetup >/dev/null || ! mkfs.ext4 -q -L STUDIO-PROV -d "$WORK/drive" "$WORK/drive.img" 4M 2>/dev/null \
  || ! loopdev=$(losetup -f --show "$WORK/drive.img" 2>/dev/null); then
  skip_part "the STUDIO-PROV drive part needs root, losetup and a free loop device (none here)"
else
  mkdir -p "$ROOT/dev/disk/by-label" && ln -s "$loopdev" "$ROOT/dev/disk/by-label/STUDIO-PROV"
  check "a bundle on a drive labelled STUDIO-PROV is applied" provision_to "$WORK/drive.out"
  check "from the drive, mounted read-only" \
    bash -c "grep -q 'mounted read-only' '$WORK/drive.out' && grep -q 'updated with bundle serial 3' '$WORK/drive.out'"
  check "the drive is unmounted after" bash -c "! grep -q studio-provision. /proc/mounts && ! ls '$ROOT/run' | grep -q ."
fi
finish
