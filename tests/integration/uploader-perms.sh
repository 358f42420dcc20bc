#!/usr/bin/env bash
# The spool shared through a group, for real, without adding system users:
# the recorder runs as root (the test's user) and makes the spool and each
# session folder 2770 (setgid) and every file in them 0640; the spool is
# given to a spare group; studio-uploader then runs as nobody (uid 65534)
# in that group only (setpriv --clear-groups). It reads and uploads every
# file, removes the session after its receipts, and cannot alter, truncate,
# append to or chmod a sealed file.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon-lib.sh"
UPLOADER=$STUDIO_BUILD_DIR/appliance/uploader/studio-uploader
SET="python3 $STUDIO_SOURCE_DIR/tests/integration/conf-set.py"
GID=64123 # a spare group id: no name needed for a permission check
NOBODY=65534

if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
  echo "skipped: needs root and setpriv (util-linux) to run the uploader as another user"
  exit 77
fi
if getent group "$GID" >/dev/null; then
  echo "skipped: gid $GID is in use on this machine; the test needs a spare one"
  exit 77
fi

make_studio
SPOOL=$WORK/studio/spool
VAULT=$WORK/vault-nobody
mkdir -p "$VAULT" "$WORK/run-nobody"
chown "$NOBODY" "$VAULT" "$WORK/run-nobody"
$SET "$CONF" recorder segment_time 2s recorder checkpoint_interval 500ms uploader vault "dir:$VAULT" \
  uploader backlog_file "$WORK/run-nobody/backlog.json" uploader local_retention 0
# nobody must reach the spool and read the configuration: the path, not the keys
chmod 0711 "$WORK" "$WORK/studio"
cp "$CONF" "$WORK/uploader.conf"; chmod 0644 "$WORK/uploader.conf"
as_uploader() { setpriv --reuid="$NOBODY" --regid="$GID" --clear-groups "$@"; }

rm -rf "$SPOOL" # the recorder makes it, as on a fresh appliance
start_daemon "$WORK/daemon.log"
check "the recorder makes the spool 2770 (setgid)" test "$(stat -c %a "$SPOOL")" = 2770
chgrp "$GID" "$SPOOL" # what tmpfiles.d does on the appliance
start_session >/dev/null
sleep 5
"$CTL" --config "$CONF" stop >/dev/null
kill "$daemon_pid"; wait "$daemon_pid" || true; daemon_pid=
S=$(last_session)
ID=$(basename "$S")
check "the session is closed" test -f "$S/manifest.json"
check "the session folder is 2770" test "$(stat -c %a "$S")" = 2770
check "... in the spool's group (setgid)" test "$(stat -c %g "$S")" = "$GID"
bad=$(find "$S" -mindepth 1 \( ! -type f -o ! -perm 0640 -o ! -group "$GID" \) -printf '%m %g %f\n')
check "every file in it is 0640 in that group (${bad:-all})" test -z "$bad"
check "the sealed segments, the log, the sums and the manifest among them" \
  test "$(find "$S" -name 'seg-*.mkv.age' | wc -l)" -ge 2 -a -f "$S/custody.jsonl" -a -f "$S/SHA256SUMS" -a -f "$S/manifest.json.minisig"

SEG=$S/seg-000001.mkv.age
before=$(sha256sum <"$SEG")
check "the uploader's user can read a sealed segment" bash -c "setpriv --reuid=$NOBODY --regid=$GID --clear-groups cat '$SEG' >/dev/null"
if as_uploader sh -c "printf x >>'$SEG'" 2>/dev/null; then fail "... but not append to it"; else pass "... but not append to it"; fi
if as_uploader python3 -c "open('$SEG', 'r+b').write(b'x')" 2>/dev/null; then fail "... nor overwrite it"; else pass "... nor overwrite it"; fi
if as_uploader truncate -s 0 "$SEG" 2>/dev/null; then fail "... nor truncate it"; else pass "... nor truncate it"; fi
if as_uploader chmod 0660 "$SEG" 2>/dev/null; then fail "... nor chmod it"; else pass "... nor chmod it"; fi
if as_uploader sh -c "printf x >>'$S/custody.jsonl'" 2>/dev/null; then fail "... nor append to the custody log"; else pass "... nor append to the custody log"; fi
check "the segment is unchanged" test "$(sha256sum <"$SEG")" = "$before"
check "without the group it cannot even read it" bash -c "! setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups cat '$SEG' >/dev/null 2>&1"

if as_uploader "$UPLOADER" --config "$WORK/uploader.conf" --once 2>"$WORK/once.err"; then
  pass "studio-uploader --once as nobody in the spool's group exits 0"
else
  fail "studio-uploader --once as nobody in the spool's group exits 0"; cat "$WORK/once.err" >&2
fi
check "the vault holds every file of the session" test -f "$VAULT/$ID/manifest.json" -a -f "$VAULT/$ID/seg-000001.mkv.age"
check "... byte for byte" cmp -s <(cd "$VAULT/$ID" && sha256sum seg-* | sort) <(grep 'seg-' "$VAULT/$ID/SHA256SUMS.sealed" 2>/dev/null | sort || true)
check "the receipts are in the spool, written by the uploader's user" test "$(stat -c %u "$SPOOL/receipts/$ID.jsonl")" = "$NOBODY"
check "the uploader removed the local copy after its receipts" test ! -e "$S"
check "the vault copy verifies INTACT" \
  bash -c "'$VERIFY' --device-key '$WORK/studio/device.pub' '$VAULT/$ID' | grep -q '^INTACT'"
finish
