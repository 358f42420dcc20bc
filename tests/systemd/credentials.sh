#!/usr/bin/env bash
# credential:NAME in real daemon runs, with CREDENTIALS_DIRECTORY set as
# systemd sets it for LoadCredential=:
#   - the recorder takes its device key (and the device id beside it) from
#     $CREDENTIALS_DIRECTORY/keys_device.key, named as the unit's
#     LoadCredential=keys:/var/lib/studio/keys names it, and records a
#     session that verifies INTACT under that key;
#   - without CREDENTIALS_DIRECTORY it stays up, unprovisioned, and its log
#     names the credential and CREDENTIALS_DIRECTORY;
#   - the uploader reads its S3 credentials from $CREDENTIALS_DIRECTORY,
#     accepting systemd's ACL mask (0440) there but nowhere else, and
#     refuses by name to start without the credential.
source "$STUDIO_SOURCE_DIR/tests/integration/lib.sh"
source "$STUDIO_SOURCE_DIR/tests/integration/daemon-lib.sh"
UPLOADER=$STUDIO_BUILD_DIR/appliance/uploader/studio-uploader
SET="python3 $STUDIO_SOURCE_DIR/tests/integration/conf-set.py"

make_studio
CREDS=$WORK/credentials
mkdir -m 0700 "$CREDS"
mv "$WORK/studio/keys/device.key" "$CREDS/keys_device.key"
mv "$WORK/studio/keys/device.id" "$CREDS/keys_device.id"
$SET "$CONF" recorder device_key credential:keys_device.key recorder segment_time 2s recorder checkpoint_interval 500ms

# --- the recorder, with the credential
export CREDENTIALS_DIRECTORY=$CREDS
start_daemon "$WORK/daemon.log"
check "the recorder is provisioned from the credential (room free)" state_is free
start_session >/dev/null
sleep 3 # some recording, so that a segment is sealed
"$CTL" --config "$CONF" stop >/dev/null
S=$(last_session)
kill -TERM "$daemon_pid"; wait "$daemon_pid" || true
check "the session start names the device id from keys_device.id" \
  test "$(head -n 1 "$S/custody.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["device_id"])')" = "$(tr -d '\n' <"$CREDS/keys_device.id")"
check "the session verifies INTACT under the device key" \
  bash -c "'$VERIFY' --device-key '$WORK/studio/device.pub' '$S' | grep -q '^INTACT'"

# --- the recorder, without it
unset CREDENTIALS_DIRECTORY
start_daemon "$WORK/daemon2.log"
check "without CREDENTIALS_DIRECTORY the recorder stays up, unprovisioned" state_is unprovisioned
check "its log names the credential and CREDENTIALS_DIRECTORY" \
  grep -q 'device_key names the systemd credential "keys_device.key", but CREDENTIALS_DIRECTORY is not set' "$WORK/daemon2.log"
kill -TERM "$daemon_pid"; wait "$daemon_pid" || true

# --- the uploader: an S3 vault on a loopback port nobody listens on, so
# that the credentials are read at start and the only failure is the
# unreachable vault
PORT=$(python3 "$STUDIO_SOURCE_DIR/tests/integration/http-tool.py" port)
$SET "$CONF" uploader vault s3://vault/shelter uploader endpoint "http://127.0.0.1:$PORT" \
  uploader credentials_file credential:vault-s3
printf 'AKIDTEST\nsecret-never-shown\n' >"$CREDS/vault-s3"
chmod 0440 "$CREDS/vault-s3" # what systemd's ACL mask shows
upload() { "$UPLOADER" --config "$CONF" --once >"$WORK/up.out" 2>"$WORK/up.log"; }
export CREDENTIALS_DIRECTORY=$CREDS
upload || true
check "the uploader reads the credential (0440 under CREDENTIALS_DIRECTORY) and opens the vault with it" \
  bash -c "! grep -q 'credentials' '$WORK/up.log' && grep -q '127.0.0.1' '$WORK/up.log'"
check "the secret is never in its log" bash -c "! grep -q secret-never-shown '$WORK/up.log'"
cp -p "$CREDS/vault-s3" "$WORK/vault-s3"
$SET "$CONF" uploader credentials_file "$WORK/vault-s3"
upload || true
check "the same 0440 file outside CREDENTIALS_DIRECTORY is refused" \
  grep -q 'is readable by group or others (mode 0440)' "$WORK/up.log"
$SET "$CONF" uploader credentials_file credential:vault-s3
unset CREDENTIALS_DIRECTORY
rc=0; upload || rc=$?
check "without CREDENTIALS_DIRECTORY the uploader refuses to start (status 1)" test "$rc" = 1
check "naming the credential and CREDENTIALS_DIRECTORY" \
  grep -q 'credentials_file names the systemd credential "vault-s3", but CREDENTIALS_DIRECTORY is not set' "$WORK/up.log"
export CREDENTIALS_DIRECTORY=$WORK/empty
mkdir "$CREDENTIALS_DIRECTORY"
upload || true
check "with a CREDENTIALS_DIRECTORY that lacks it, the message names the missing file" \
  grep -q "but there is no $WORK/empty/vault-s3" "$WORK/up.log"
finish
