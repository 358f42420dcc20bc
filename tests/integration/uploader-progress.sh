#!/usr/bin/env bash
# studio-uploader's progress and --once. While an object is in flight the
# published backlog carries the bytes sent so far (0 < in_flight < size),
# and 0 again when idle. --once makes one attempt per object with no
# backoff: against a vault that is down it exits 1 at once, naming the
# reason, after one connection for the whole run (the pass stops at the
# first failure that is the vault's), and the local copy stays.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon-lib.sh"
UPLOADER=$STUDIO_BUILD_DIR/appliance/uploader/studio-uploader
SET="python3 $STUDIO_SOURCE_DIR/tests/integration/conf-set.py"

make_studio
VAULT=$(sed -n 's/^vault *= *dir://p' "$CONF")
BACKLOG=$WORK/backlog.json
$SET "$CONF" recorder segment_time 8s uploader backlog_file "$BACKLOG"
field() { python3 -c "import json,sys; print(json.load(open('$BACKLOG'))['$1'])"; }

start_daemon "$WORK/daemon.log"
start_session >/dev/null
sleep 10
"$CTL" --config "$CONF" stop >/dev/null
kill "$daemon_pid"; wait "$daemon_pid" || true; daemon_pid=
S=$(last_session)
ID=$(basename "$S")
check "the session is closed" test -f "$S/manifest.json"
segments=$(ls "$S"/seg-* | wc -l)

# ---- --once against a vault that is down -----------------------------------
# A listener that counts connections and closes each at once: what a vault
# whose RGW has gone looks like, without waiting for a connect timeout.
python3 - "$WORK/down.port" "$WORK/down.count" <<'PY' & down=$!
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
n = 0
while True:
    c, _ = s.accept(); n += 1
    open(sys.argv[2], "w").write(str(n)); c.close()
PY
for _ in $(seq 50); do test -s "$WORK/down.port" && break; sleep 0.1; done
printf 'AKIDTEST\nsecrettest\n' >"$WORK/creds"; chmod 600 "$WORK/creds"
cp "$CONF" "$WORK/s3.conf"
$SET "$WORK/s3.conf" uploader vault s3://evidence/studio uploader endpoint "http://127.0.0.1:$(cat "$WORK/down.port")" \
  uploader credentials_file "$WORK/creds" uploader retry_max 10min
if "$UPLOADER" --config "$WORK/s3.conf" --once 2>"$WORK/down.err"; then rc=0; else rc=$?; fi
check "--once against a vault that is down exits 1 (got $rc)" test "$rc" = 1
check "... naming the reason" grep -qi "unreachable\|connection\|server" "$WORK/down.err"
check "... and what is still pending" grep -q "still pending" "$WORK/down.err"
check "... after one connection: one attempt, no retry ($(cat "$WORK/down.count" 2>/dev/null))" \
  test "$(cat "$WORK/down.count" 2>/dev/null)" = 1
check "... the backlog says the vault is unreachable" test "$(field vault)" = unreachable
check "... nothing is in flight" test "$(field in_flight)" = 0
check "... and the local copy stays" test -f "$S/manifest.json"
kill "$down"; wait "$down" 2>/dev/null || true
[ -s "$WORK/down.err" ] && sed 's/^/  stderr: /' "$WORK/down.err"

# ---- bytes in flight ---------------------------------------------------------
$SET "$CONF" uploader max_rate 512KiB
"$UPLOADER" --config "$CONF" --once 2>"$WORK/slow.err" & up=$!
seen=
for _ in $(seq 200); do
  f=$(field in_flight 2>/dev/null || echo 0)
  if [ "${f:-0}" -gt 0 ]; then seen=$f; break; fi
  sleep 0.1
done
biggest=$(stat -c %s "$S"/seg-*.mkv.age | sort -n | tail -n 1)
check "while an object is sent the backlog carries in_flight > 0 (${seen:-none})" test -n "$seen"
check "... below the largest object's size ($biggest bytes)" test "${seen:-0}" -lt "$biggest"
later=
for _ in $(seq 200); do
  f=$(field in_flight 2>/dev/null || echo 0)
  if [ "${f:-0}" -gt "$seen" ]; then later=$f; break; fi
  sleep 0.1
done
check "... and grows as the object goes ($seen, then ${later:-no change})" test -n "$later"
if wait "$up"; then pass "the slow run completes"; else fail "the slow run completes"; cat "$WORK/slow.err" >&2; fi
check "when idle the backlog's in_flight is 0" test "$(field in_flight)" = 0
check "the session is in the vault, closed" test -f "$VAULT/$ID/manifest.json"
check "... and every segment with it" test "$(ls "$VAULT/$ID"/seg-* | wc -l)" = "$segments"
finish
