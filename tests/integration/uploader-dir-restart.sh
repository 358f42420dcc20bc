#!/usr/bin/env bash
# The directory vault unavailable for 60 s while the uploader daemon runs:
# the vault folder lives on a tmpfs that is remounted read-only (as a
# mounted vault share that fails), a session is recorded through the daemon
# meanwhile; the backlog says the vault is unreachable and counts the
# session and its bytes, every local file keeps its hash and nothing has a
# receipt; once the folder is writable again everything arrives, the
# backlog drops to 0, and the local copy is wiped only after a receipt for
# every file. The vault copy verifies INTACT. Needs root (mount).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon-lib.sh"
. "$STUDIO_SOURCE_DIR/tests/vault/faults-lib.sh"

MNT=$WORK/vault-mount
mkdir -p "$MNT"
if ! mount -t tmpfs -o size=256m,mode=0755 studio-test-vault "$MNT" 2>"$WORK/mount.err"; then
  echo "skip: cannot mount a tmpfs for the vault folder (needs root): $(cat "$WORK/mount.err")"
  exit 77
fi
on_exit='umount -l "$MNT"'
VAULT=$MNT/vault
make_studio
$SET "$CONF" uploader vault "dir:$VAULT" uploader backlog_file "$BACKLOG" uploader local_retention 0 \
  uploader scan_interval 5s uploader retry_max 8s uploader heartbeat_interval 1h \
  uploader status_interval 1h recorder segment_time 2s recorder checkpoint_interval 500ms
start_uploader "$CONF" "$WORK/uploader.log"
wait_for 30 test -d "$VAULT" || cat "$WORK/uploader.log" >&2
check "the uploader made the vault folder" test -d "$VAULT"
mount -o remount,ro "$MNT"
down_at=$(date +%s)
record 5
check "the backlog says the vault is unreachable" wait_for 60 backlog_is vault unreachable
check "with last_error \"vault unreachable\"" wait_for 30 backlog_is last_error "vault unreachable"
check "the backlog counts the session" wait_for 30 backlog_is sessions 1
bytes=$(session_bytes "$ID")
check "and its $bytes bytes" wait_for 30 backlog_is bytes "$bytes"
sleep $((60 - ($(date +%s) - down_at)))
check "every local file still has its hash during the outage" intact_locally "$ID"
check "no receipt during the outage" test "$(receipt_lines "$ID" seg-000001.mkv.age)" = 0
check "nothing reached the read-only vault" test ! -e "$VAULT/$ID"
tries=$(grep -c 'trying again in' "$WORK/uploader.log" || true)
check "the daemon retried with backoff ($tries tries in 60 s)" test "$tries" -ge 3 -a "$tries" -le 30
mount -o remount,rw "$MNT"
check "once writable again the local copy is wiped" wait_for 120 test ! -e "$S"
check "only after a receipt for every file" all_receipted "$ID"
check "the backlog drops to 0 sessions" wait_for 30 backlog_is sessions 0
check "and 0 bytes" backlog_is bytes 0
check "the vault is reachable" backlog_is vault reachable
check "and the last error cleared" backlog_is last_error None
check "the receipts went to the vault" cmp -s "$RECEIPTS/$ID.jsonl" "$VAULT/receipts/$ID.jsonl"
"$VERIFY" --device-key "$WORK/studio/device.pub" "$VAULT/$ID" >"$WORK/verify.out" 2>&1 || true
check "the vault copy verifies INTACT" grep -q '^INTACT' "$WORK/verify.out"
stop_uploader
[ "$failures" -eq 0 ] || tail -n 30 "$WORK/uploader.log" "$WORK/verify.out" >&2
finish
