#!/usr/bin/env bash
# A vault that answers but refuses, against a real Ceph RGW, with the
# recorder daemon and studio-status running, one Ceph for all three:
#  1. wrong credentials through the uploader daemon: a clear error naming
#     credentials_file, the secret in no log, no retry storm (proxy.py counts
#     the requests over 30 s), the backlog says "credentials refused", and the
#     room lists "vault refuses the appliance's credentials" as a warning (a
#     session still starts); it clears once the credentials work;
#  2. proxy.py stripping the lock headers from HEAD answers (a server that
#     accepts the PUT but does not lock): no receipt, the backlog says "vault
#     does not enforce retention", the room lists "vault does not lock
#     recordings";
#  3. a bucket without Object Lock: refused as "does not enforce retention",
#     no receipt.
# In every case each local file keeps its hash until its receipt exists,
# and the final good upload clears the room's vault warnings.
source "$STUDIO_SOURCE_DIR/tests/integration/lib.sh"
source "$STUDIO_SOURCE_DIR/tests/integration/daemon-lib.sh"
source "$STUDIO_SOURCE_DIR/tests/integration/health-lib.sh"
. "$STUDIO_SOURCE_DIR/tests/vault/vault-lib.sh"
. "$STUDIO_SOURCE_DIR/tests/vault/faults-lib.sh"

REFUSED="vault refuses the appliance's credentials"
NOT_LOCKING="vault does not lock recordings"
# room_lists REASON: the room's state file, studio-status's JSON and its page
# (HTML-unescaped: the page writes the apostrophe as &#39;) list REASON;
# room_clear REASON: none of the three does.
room_says() { # room_says listed|clear REASON
  python3 - "$STATE" "$STATUS_URL" "$1" "$2" <<'PY'
import html, json, sys, urllib.request
state, url, mode, reason = sys.argv[1:]
seen = [
    reason in (json.load(open(state)).get("attention") or []),
    reason in (json.load(urllib.request.urlopen(url + "/status.json")).get("attention") or []),
    reason in html.unescape(urllib.request.urlopen(url + "/").read().decode()),
]
sys.exit(0 if (all(seen) if mode == "listed" else not any(seen)) else 1)
PY
}
room_lists() { room_says listed "$1"; }
not_listed() { room_says clear "$1"; }
fault_studio
$SET "$CONF" health check_interval 1s
start_status
record 4
S1=$ID
SECRET=$(sed -n 2p "$CEPH/credentials")
no_secret() { ! grep -qF "$SECRET" "$1" && ! grep -qF "wrong-secret-0b7f3c" "$1"; }

# ---- 1. wrong credentials --------------------------------------------------
printf 'AKIAWRONGKEY0000\nwrong-secret-0b7f3c\n' >"$WORK/wrong-credentials"
chmod 600 "$WORK/wrong-credentials"
start_proxy
cp "$CONF" "$WORK/wrong.conf"
$SET "$WORK/wrong.conf" uploader endpoint "$PROXY_ENDPOINT" uploader credentials_file "$WORK/wrong-credentials"
start_uploader "$WORK/wrong.conf" "$WORK/uploader1.log"
check "1: the backlog says credentials refused" wait_for 60 backlog_is last_error "credentials refused"
sleep 30
requests=$(cat "$COUNT")
check "1: no retry storm ($requests requests in 30 s, at most 5)" test "$requests" -le 5
check "1: the error names credentials_file" grep -q 'credentials_file' "$WORK/uploader1.log"
check "1: the secret is in no log" no_secret "$WORK/uploader1.log"
check "1: the backlog still counts the session" backlog_is sessions 1
check "1: no receipt" test "$(receipt_lines "$S1" seg-000001.mkv.age)" = 0
check "1: every local file still has its hash" intact_locally "$S1"
check "1: the room lists \"$REFUSED\" (state file, status.json, page)" wait_for 30 room_lists "$REFUSED"
check "1: as a warning: a session still starts" start_session
check "1: and records" state_is recording
"$CTL" --config "$CONF" stop >/dev/null
S2=$(last_session)
S2=$(basename "$S2")
(cd "$WORK/studio/spool/$S2" && find . -type f | sort | xargs sha256sum) >"$WORK/$S2.sums"
stop_uploader
stop_proxy

# the credentials fixed: everything goes, the warning clears
rc=0
"$UPLOADER" --config "$CONF" --once >"$WORK/good1.out" 2>&1 || rc=$?
check "1: with the right credentials everything goes (rc $rc)" test "$rc" = 0
check "1: the last error is cleared" backlog_is last_error None
check "1: and the room's warning with it" wait_for 30 not_listed "$REFUSED"

# ---- 2. a server that accepts the PUT but does not lock ---------------------
record 4
S3=$ID
start_proxy --strip-lock
cp "$CONF" "$WORK/strip.conf"
$SET "$WORK/strip.conf" uploader endpoint "$PROXY_ENDPOINT"
rc=0
"$UPLOADER" --config "$WORK/strip.conf" --once >"$WORK/strip.out" 2>&1 || rc=$?
check "2: --once fails (rc $rc)" test "$rc" != 0
check "2: saying the vault does not enforce retention" grep -q 'does not enforce retention' "$WORK/strip.out"
check "2: the PUT was accepted (the object is in RGW)" \
  s3 head-object --bucket vault-locked --key "shelter-7/$S3/seg-000001.mkv.age"
check "2: but no receipt was written" test "$(receipt_lines "$S3" seg-000001.mkv.age)" = 0
check "2: nothing is wiped" intact_locally "$S3"
check "2: the backlog says \"vault does not enforce retention\"" \
  backlog_is last_error "vault does not enforce retention"
check "2: and counts the session" backlog_is sessions 1
check "2: the room lists \"$NOT_LOCKING\" (state file, status.json, page)" wait_for 30 room_lists "$NOT_LOCKING"
stop_proxy

# ---- 3. a bucket without Object Lock ---------------------------------------
cp "$CONF" "$WORK/plain.conf"
$SET "$WORK/plain.conf" uploader vault s3://vault-plain/shelter-7
rc=0
"$UPLOADER" --config "$WORK/plain.conf" --once >"$WORK/plain.out" 2>&1 || rc=$?
check "3: --once fails on the bucket without Object Lock (rc $rc)" test "$rc" != 0
check "3: refused as \"vault does not enforce retention\"" grep -q 'does not enforce retention' "$WORK/plain.out"
check "3: no receipt" test "$(receipt_lines "$S3" seg-000001.mkv.age)" = 0
check "3: nothing is wiped" intact_locally "$S3"
check "3: the backlog says so" backlog_is last_error "vault does not enforce retention"
check "3: the room still lists \"$NOT_LOCKING\"" room_lists "$NOT_LOCKING"

# the locking vault again: everything arrives, the warning clears
rc=0
"$UPLOADER" --config "$CONF" --once >"$WORK/good2.out" 2>&1 || rc=$?
check "the locking vault takes everything (rc $rc)" test "$rc" = 0
check "every session has a receipt for every file" all_receipted "$S3"
check "and only then is wiped" test ! -e "$WORK/studio/spool/$S3"
check "the backlog is empty" backlog_is sessions 0
check "the room's warning clears" wait_for 30 not_listed "$NOT_LOCKING"
check "the stripped session verifies INTACT from the vault" verified_from_vault "$S3"
for f in uploader1.log good1.out strip.out plain.out good2.out; do
  check "no secret in $f" no_secret "$WORK/$f"
done
[ "$failures" -eq 0 ] || tail -n 20 "$WORK"/*.log "$WORK"/*.out >&2 || true
finish
