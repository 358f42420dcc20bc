#!/usr/bin/env bash
# Faults on the way to a real Ceph RGW, each with a test-profile session
# recorded through the daemon, one Ceph for all three:
#  1. RGW stopped before the upload and restarted 60 s later: meanwhile the
#     backlog says the vault is unreachable and counts the session and its
#     bytes, the daemon retries with backoff; afterwards every object has a
#     receipt, the backlog is empty, the copy is wiped only after the
#     receipts, and the vault copy verifies INTACT.
#  2. RGW killed (SIGKILL) in the middle of a PUT slowed by max_rate: no
#     receipt for the cut PUT; after the restart the object is confirmed
#     once, and RGW holds one version of it.
#  3. proxy.py cutting the connection after N bytes: no receipt for the cut
#     object, nothing wiped; a retry completes it.
# In every case each local file keeps its hash until its receipt exists.
source "$STUDIO_SOURCE_DIR/tests/integration/lib.sh"
source "$STUDIO_SOURCE_DIR/tests/integration/daemon-lib.sh"
. "$STUDIO_SOURCE_DIR/tests/vault/vault-lib.sh"
. "$STUDIO_SOURCE_DIR/tests/vault/faults-lib.sh"

fault_studio

# ---- 1. RGW down for 60 s --------------------------------------------------
record 5
S1=$ID
bytes=$(session_bytes "$S1")
bash "$CEPH_SH" stop-rgw "$CEPH"
start_uploader "$CONF" "$WORK/uploader1.log"
check "1: the backlog says the vault is unreachable" wait_for 60 backlog_is vault unreachable
check "1: with last_error \"vault unreachable\"" backlog_is last_error "vault unreachable"
check "1: and a time for it" test "$(backlog last_error_at)" != None
check "1: the backlog counts the session" backlog_is sessions 1
check "1: and its $bytes bytes" backlog_is bytes "$bytes"
sleep 55 # the outage lasts 60 s
check "1: every local file still has its hash during the outage" intact_locally "$S1"
check "1: no receipt during the outage" test "$(receipt_lines "$S1" seg-000001.mkv.age)" = 0
tries=$(grep -c 'trying again in' "$WORK/uploader1.log" || true)
longest=$(sed -n 's/.*trying again in \([0-9]*\) s$/\1/p' "$WORK/uploader1.log" | sort -n | tail -n 1)
check "1: the daemon retried during the outage ($tries tries)" test "$tries" -ge 3
check "1: with backoff, not a storm (at most 30 tries in 60 s; the longest wait ${longest:-0} s)" \
  test "$tries" -le 30 -a "${longest:-0}" -ge 3
check "1: still unreachable just before the restart" backlog_is vault unreachable
bash "$CEPH_SH" start-rgw "$CEPH"
check "1: after the restart the local copy is wiped" wait_for 120 test ! -e "$S"
check "1: only after a receipt for every file" all_receipted "$S1"
check "1: the backlog drops to 0 sessions" wait_for 30 backlog_is sessions 0
check "1: and 0 bytes" backlog_is bytes 0
check "1: the vault is reachable again" backlog_is vault reachable
check "1: and the last error is cleared" backlog_is last_error None
check "1: the vault copy verifies INTACT" verified_from_vault "$S1"
stop_uploader

# ---- 2. RGW killed mid-PUT -------------------------------------------------
record 5
S2=$ID
seg=$(stat -c %s "$S/seg-000001.mkv.age")
rate=$((seg / 6 + 1)) # the first segment's PUT lasts about 6 s
start_proxy
cp "$CONF" "$WORK/slow.conf"
$SET "$WORK/slow.conf" uploader endpoint "$PROXY_ENDPOINT" uploader max_rate "$rate"
start_uploader "$WORK/slow.conf" "$WORK/uploader2.log"
# the uploader's first requests: HEAD (is it there?), then the PUT of seg-000001
put_started() { [ "$(cat "$COUNT")" -ge 2 ]; }
check "2: the PUT of the first segment starts" wait_for 60 put_started
sleep 2
bash "$CEPH_SH" kill-rgw "$CEPH"
check "2: the backlog says unreachable after the kill" wait_for 60 backlog_is vault unreachable
check "2: no receipt was written for the cut PUT" test "$(receipt_lines "$S2" seg-000001.mkv.age)" = 0
check "2: every local file still has its hash" intact_locally "$S2"
bash "$CEPH_SH" start-rgw "$CEPH"
check "2: after the restart the local copy is wiped" wait_for 180 test ! -e "$S"
check "2: only after a receipt for every file" all_receipted "$S2"
check "2: the cut object is confirmed once" test "$(receipt_lines "$S2" seg-000001.mkv.age)" = 1
check "2: RGW holds one version of it" test "$(versions "$S2" seg-000001.mkv.age)" = 1
check "2: the backlog drops to 0" wait_for 30 backlog_is sessions 0
check "2: the vault copy verifies INTACT" verified_from_vault "$S2"
stop_uploader
stop_proxy

# ---- 3. the connection cut after N bytes -----------------------------------
record 5
S3=$ID
start_proxy --cut-after 100000
cp "$CONF" "$WORK/cut.conf"
$SET "$WORK/cut.conf" uploader endpoint "$PROXY_ENDPOINT"
rc=0
"$UPLOADER" --config "$WORK/cut.conf" --once >"$WORK/once1.out" 2>&1 || rc=$?
check "3: the proxy cut a connection" grep -q 'cut a connection after 100000 bytes' "$WORK/proxy.log"
check "3: --once fails on the cut (rc $rc)" test "$rc" != 0
check "3: it says the transfer is retried" grep -q 'retried' "$WORK/once1.out"
check "3: no receipt for the cut object" test "$(receipt_lines "$S3" seg-000001.mkv.age)" = 0
check "3: nothing is wiped" intact_locally "$S3"
check "3: the backlog counts the session" backlog_is sessions 1
check "3: and says the vault is unreachable" backlog_is last_error "vault unreachable"
rc=0
"$UPLOADER" --config "$WORK/cut.conf" --once >"$WORK/once2.out" 2>&1 || rc=$?
check "3: a retry completes it (rc $rc)" test "$rc" = 0
check "3: with a receipt for every file" all_receipted "$S3"
check "3: the cut object is confirmed once" test "$(receipt_lines "$S3" seg-000001.mkv.age)" = 1
check "3: then the local copy is wiped" test ! -e "$S"
check "3: the backlog is empty and the error cleared" backlog_is last_error None
check "3: the vault copy verifies INTACT" verified_from_vault "$S3"
stop_proxy
for f in uploader1.log uploader2.log once1.out; do
  check "the uploader's logs never show the secret key ($f)" \
    bash -c "! grep -qF '$(sed -n 2p "$CEPH/credentials")' '$WORK/$f'"
done
failures_left() { [ "$failures" -eq 0 ]; }
failures_left || { tail -n 30 "$WORK"/uploader*.log "$WORK"/once*.out "$WORK/proxy.log" >&2 || true; }
finish
