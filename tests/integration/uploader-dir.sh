#!/usr/bin/env bash
# studio-uploader --once against the studio's dir: vault. A session recorded
# through the daemon: its sealed segments go while it records (never the
# open one); after Stop a run killed mid-way loses nothing and the rerun
# completes; the vault copy holds exactly the session's files and verifies
# INTACT; every file has a receipt with its SHA-256; a second run sends
# nothing; the local copy stays under local_retention and goes with 0. A
# receipts file with garbage lines, a symlink in the session folder and
# hostile spool entries are reported, never followed, never sent.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon-lib.sh"
UPLOADER=$STUDIO_BUILD_DIR/appliance/uploader/studio-uploader
SET="python3 $STUDIO_SOURCE_DIR/tests/integration/conf-set.py"

make_studio
SPOOL=$WORK/studio/spool
VAULT=$(sed -n 's/^vault *= *dir://p' "$CONF")
check "studioctl init configures a dir: vault" test -n "$VAULT"
BACKLOG=$WORK/backlog.json
$SET "$CONF" recorder segment_time 2s recorder checkpoint_interval 500ms uploader backlog_file "$BACKLOG" uploader local_retention 1h
backlog() { python3 -c "import json,sys; d=json.load(open('$BACKLOG')); print(d['$1'])"; }
upload() { "$UPLOADER" --config "$CONF" --once "$@"; }

start_daemon "$WORK/daemon.log"
start_session >/dev/null
sleep 5
S=$(last_session)
ID=$(basename "$S")
check "a run while recording exits 0" upload 2>"$WORK/run0.err"
sent_live=$(ls "$VAULT/$ID" 2>/dev/null | wc -l)
check "sealed segments are in the vault while the session records ($sent_live)" test "$sent_live" -ge 1
for f in "$VAULT/$ID"/*; do
  n=$(basename "$f")
  check "$n went while recording because the log says it is sealed" \
    grep -q "\"event\":\"segment-sealed\",\"segment\":\"$n\"" "$S/custody.jsonl"
done
check "the manifest does not go before the session is closed" test ! -e "$VAULT/$ID/manifest.json"
"$CTL" --config "$CONF" stop >/dev/null
kill "$daemon_pid"; wait "$daemon_pid" || true; daemon_pid=
check "the session is closed" test -f "$S/manifest.json"

# A vault that refuses writes (a read-only mount over it): the run fails
# with the reason, nothing is wiped, and the backlog says so.
if mount -t tmpfs -o ro tmpfs "$VAULT" 2>/dev/null; then
  if upload 2>"$WORK/ro.err"; then fail "a run against a read-only vault exits non-zero"; else
    pass "a run against a read-only vault exits non-zero"; fi
  check "... naming the reason" grep -q "Read-only file system" "$WORK/ro.err"
  check "... the backlog counts the session" test "$(backlog sessions)" = 1
  check "... and says the vault is unreachable" test "$(backlog vault)" = unreachable
  check "... and the local copy stays" test -f "$S/manifest.json"
  umount "$VAULT"
else
  skip_part "the unreachable-vault case needs a read-only tmpfs over the vault (run as root)"
fi

# Damage and hostility before the run after Stop.
R=$SPOOL/receipts/$ID.jsonl
check "the receipts file is outside the session folder" test -f "$R"
lines_before=$(wc -l <"$R")
first=$(head -n 1 "$R")
{ echo 'not json'; echo '{"key":"../../etc/passwd","size":1,"sha256":"'"$(printf 'a%.0s' {1..64})"'","time":"2026-12-01T00:00:00Z"}'; printf '{"key":"%s/seg' "$ID"; } >>"$R"
# the first receipt damaged: its object must be confirmed again
python3 - "$R" <<'PY'
import sys
p = sys.argv[1]
lines = open(p).read().split("\n")
lines[0] = lines[0].replace('"sha256":"', '"sha256":"x', 1)
open(p, "w").write("\n".join(lines))
PY
ln -s /etc/passwd "$S/seg-000099.mkv.age"
mkdir "$SPOOL/$(printf 'evil\033[31mname')"; echo x >"$SPOOL/$(printf 'evil\033[31mname')/seg-000001.mkv.age"
mkdir "$WORK/outside"; echo secret >"$WORK/outside/seg-000001.mkv.age"
ln -s "$WORK/outside" "$SPOOL/20261128T141500Z-1a2b3c4d"

# A run killed mid-way (a low rate cap keeps it in flight).
$SET "$CONF" uploader max_rate 16KiB
"$UPLOADER" --config "$CONF" --once 2>"$WORK/run1.err" & up=$!
sleep 1.5
check "the run is still in flight when killed" kill -9 "$up" || cat "$WORK/run1.err" >&2
wait "$up" 2>/dev/null || true
check "the backlog the killed run published counts the session" test "$(backlog sessions)" = 1
check "... and its bytes" test "$(backlog bytes)" -gt 0
check "the local copy is intact after the kill" test -f "$S/manifest.json"
check "the killed run left its temporary file in the vault" bash -c "ls -A '$VAULT/$ID' | grep -q '^.tmp-'"
for f in "$VAULT/$ID"/*; do
  [ -e "$f" ] || continue
  n=$(basename "$f")
  if [ -f "$S/$n" ] && ! cmp -s "$f" "$S/$n"; then fail "no half-written object under its final name ($n)"; fi
done

# The daemon stopped by SIGTERM in the middle of an object: it exits at
# once with status 0 (the next run redoes the object).
wait_for() { local n=$(($1 * 10)); shift; for _ in $(seq "$n"); do "$@" && return 0; sleep 0.1; done; return 1; }
"$UPLOADER" --config "$CONF" 2>"$WORK/daemon-up.err" & up=$!
sleep 1.5
check "the daemon is in flight" kill -0 "$up"
kill -TERM "$up"
check "SIGTERM mid-object ends the daemon" wait_for 30 bash -c "! kill -0 $up 2>/dev/null"
rc=0; wait "$up" || rc=$?
check "with status 0" test "$rc" = 0

$SET "$CONF" uploader max_rate 0
# on a terminal (script(1) gives it one), with per-object progress
check "the rerun exits 0" script -qec "'$UPLOADER' --config '$CONF' --once" "$WORK/run2.err" >/dev/null
cat "$WORK/run2.err" >&2
check "a terminal shows per-object progress (bytes, rate, ETA)" \
  grep -qE "seg-000003.mkv.age: [0-9.]+/[0-9.]+ MiB, [0-9.]+ MiB/s, ETA [0-9]+ s" "$WORK/run2.err"
check "the backlog is empty after it" test "$(backlog sessions)" = 0
check "... with no bytes" test "$(backlog bytes)" = 0
check "... and a last transfer" test "$(backlog last_transfer)" != None
check "the vault is reachable" test "$(backlog vault)" = reachable
check "the symlink in the session folder is reported" grep -q 'seg-000099.mkv.age.*symbolic link' "$WORK/run2.err"
check "the hostile spool folder is reported" grep -q 'evil.*not a session folder' "$WORK/run2.err"
check "the linked spool folder is reported" grep -q '20261128T141500Z-1a2b3c4d.*not a session folder' "$WORK/run2.err"
check "no escape character reaches the terminal" bash -c "! grep -q \$'\\033' '$WORK/run2.err'"
check "the refused receipt lines are reported" grep -q 'line(s) refused' "$WORK/run2.err"
check "nothing from the linked folder went to the vault" test ! -e "$VAULT/20261128T141500Z-1a2b3c4d"
check "nothing from the hostile folder went to the vault" bash -c "! ls '$VAULT' | grep -q evil"
check "the symlink was not sent" test ! -e "$VAULT/$ID/seg-000099.mkv.age"
rm "$S/seg-000099.mkv.age"

check "the vault copy holds exactly the session's files" \
  diff <(cd "$S" && ls -A | sort) <(cd "$VAULT/$ID" && ls -A | sort)
for f in "$S"/*; do
  n=$(basename "$f")
  check "$n is identical in the vault" cmp -s "$f" "$VAULT/$ID/$n"
  check "$n is read-only in the vault" test "$(stat -c %a "$VAULT/$ID/$n")" = 444
  sum=$(sha256sum "$f" | cut -d' ' -f1)
  check "$n has a receipt with its sha256" grep -q "\"key\":\"$ID/$n\",\"size\":$(stat -c %s "$f"),\"sha256\":\"$sum\"" "$R"
done
"$VERIFY" --device-key "$WORK/studio/device.pub" "$VAULT/$ID" >"$WORK/verify.out" 2>&1 || true
check "the vault copy verifies INTACT" grep -q "^INTACT" "$WORK/verify.out"
check "the receipts file is in the vault as it is here" cmp -s "$R" "$VAULT/receipts/$ID.jsonl"
check "the damaged first receipt was confirmed again" \
  grep -q "\"key\":\"$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['key'])" "$first")\"" <(tail -n +$((lines_before + 2)) "$R")
check "the local copy is kept while local_retention runs" test -f "$S/manifest.json"

lines=$(wc -l <"$R")
check "a second run exits 0" upload 2>"$WORK/run3.err"
check "a second run sends nothing" grep -q "0 object(s) confirmed" "$WORK/run3.err"
check "a second run adds no receipt" test "$(wc -l <"$R")" = "$lines"

$SET "$CONF" uploader local_retention 0
check "a run with local_retention 0 exits 0" upload 2>"$WORK/run4.err"
check "the local copy is wiped after all receipts" test ! -e "$S"
check "the receipts stay in the spool" test -f "$R"
check "the wipe is logged" grep -q "wiped" "$WORK/run4.err"
check "the vault copy is untouched" test -f "$VAULT/$ID/manifest.json"
check "the linked folder's target is untouched" test -f "$WORK/outside/seg-000001.mkv.age"
finish
