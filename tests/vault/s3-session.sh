#!/usr/bin/env bash
# End to end against a real Ceph RGW: a test-profile session recorded
# through the daemon, uploaded by `studio-uploader --once` to an Object Lock
# bucket, downloaded with awscli alone, and verified INTACT from the
# download; every object is locked COMPLIANCE and the receipts match.
source "$STUDIO_SOURCE_DIR/tests/integration/lib.sh"
source "$STUDIO_SOURCE_DIR/tests/integration/daemon-lib.sh"
UPLOADER=$STUDIO_BUILD_DIR/appliance/uploader/studio-uploader
. "$STUDIO_SOURCE_DIR/tests/vault/vault-lib.sh"

make_studio
python3 "$STUDIO_SOURCE_DIR/tests/integration/conf-set.py" "$CONF" \
  uploader vault s3://vault-locked/shelter-7 uploader endpoint "$AWS_ENDPOINT" \
  uploader credentials_file "$CEPH/credentials" uploader retention_days 2 \
  recorder segment_time 3s
start_daemon "$WORK/daemon.log"
start_session >/dev/null
sleep 5
check "stop returns once sealed" "$CTL" --config "$CONF" stop >/dev/null
SESSION=$(last_session)
ID=$(basename "$SESSION")
kill "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true; daemon_pid=

(cd "$SESSION" && find . -type f | sort) >"$WORK/local-files"
rc=0
"$UPLOADER" --config "$CONF" --once >"$WORK/upload.out" 2>&1 || rc=$?
check "studio-uploader --once succeeds (rc $rc)" test "$rc" = 0
[ "$rc" = 0 ] || cat "$WORK/upload.out" >&2

mkdir -p "$WORK/download/$ID"
s3 list-objects-v2 --bucket vault-locked --prefix "shelter-7/$ID/" --query 'Contents[].Key' --output text |
  tr '\t' '\n' >"$WORK/keys"
check "the session's objects are in the vault" test -s "$WORK/keys"
while read -r key; do
  [ -n "$key" ] || continue
  s3 get-object --bucket vault-locked --key "$key" "$WORK/download/$ID/${key#shelter-7/$ID/}" >/dev/null
  s3 get-object-retention --bucket vault-locked --key "$key" >"$WORK/ret.json"
  grep -q '"Mode": "COMPLIANCE"' "$WORK/ret.json" || fail "$key is not locked COMPLIANCE"
done <"$WORK/keys"
(cd "$WORK/download/$ID" && find . -type f | sort) >"$WORK/vault-files"
check "the vault holds exactly the session's files" cmp -s "$WORK/local-files" "$WORK/vault-files"
"$VERIFY" --device-key "$WORK/studio/device.pub" "$WORK/download/$ID" >"$WORK/verify.out" 2>&1 || true
check "the downloaded copy verifies INTACT" grep -q "^INTACT" "$WORK/verify.out"
grep -q "^INTACT" "$WORK/verify.out" || cat "$WORK/verify.out" >&2
check "the receipts went to the vault" s3 head-object --bucket vault-locked --key "shelter-7/receipts/$ID.jsonl"

finish
