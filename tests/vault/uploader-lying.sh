#!/usr/bin/env bash
# studio-uploader against an S3 vault that lies, slows down or cuts, on
# demand (tests/vault/lying-s3.py on 127.0.0.1: RGW cannot misbehave so):
#  - a vault that answers the PUT and the HEAD after it, then denies the
#    very version a receipt names (404, another size, no lock): the local
#    copy is never wiped; an honest one is (the control);
#  - receipts written by hand (the spool's group can) for a session the
#    vault does not hold: every file goes to the vault, nothing is wiped
#    on the receipts' word;
#  - receipts of another vault (the configuration changed): every file
#    goes to the vault in use before the wipe;
#  - a PUT whose reply is cut after its status line: "vault unreachable",
#    and the pass stops at that object;
#  - a PUT whose reply drips at 5 bytes/s: --once ends within the bound
#    with the reason, and the daemon keeps pinging the watchdog meanwhile.
# Sessions come from make-session; no GStreamer, no RGW.
. "$STUDIO_SOURCE_DIR/tests/integration/lib.sh"
UPLOADER=$STUDIO_BUILD_DIR/appliance/uploader/studio-uploader
MS=$STUDIO_BUILD_DIR/tests/make-session
LYING=$STUDIO_SOURCE_DIR/tests/vault/lying-s3.py
pids=()
trap 'kill -9 "${pids[@]}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

"$MS" --gen-key "$WORK/device.sec" "$WORK/device.pub" >/dev/null
make_vault
printf 'AKID\nsecret\n' >"$WORK/creds"
chmod 600 "$WORK/creds"

wait_for() { local n=$(($1 * 10)); shift; for _ in $(seq "$n"); do "$@" && return 0; sleep 0.1; done; return 1; }

serve() { # serve NAME MODE: a lying server in $WORK/NAME; sets PORT
  mkdir -p "$WORK/$1"
  python3 "$LYING" --port-file "$WORK/$1/port" --events "$WORK/$1/events" --lie "$2" &
  pids+=($!)
  wait_for 30 test -s "$WORK/$1/port" || { echo "the lying server did not start" >&2; exit 1; }
  PORT=$(cat "$WORK/$1/port")
}

setup() { # setup NAME PORT [RETENTION]: a spool with one closed session and its studio.conf
  local d=$WORK/$1
  mkdir -p "$d/spool" "$d/state"
  S=$("$MS" --spool "$d/spool" --state "$d/state" --key "$WORK/device.sec" --recipient "$VAULT_RECIPIENT" \
    --segments 3 --segment-bytes 20000)
  ID=$(basename "$S")
  CONF=$d/studio.conf
  cat >"$CONF" <<CONF
[recorder]
spool = $d/spool
[uploader]
vault = s3://vault-locked/shelter-7
endpoint = http://127.0.0.1:$2
credentials_file = $WORK/creds
backlog_file = $d/backlog.json
retention_days = 2
local_retention = ${3:-0}
retry_max = 60s
CONF
}

backlog() { # backlog NAME MEMBER: a string or number member of NAME's backlog
  sed -n "s/.*\"$2\":\"\{0,1\}\([^\",}]*\).*/\1/p" "$WORK/$1/backlog.json"
}
puts() { grep -c " PUT /vault-locked/shelter-7/$2/" "$WORK/$1/events" || true; }
files_of() { ls "$1" | wc -l; }

# 1. The vault denies, later, what it confirmed: never wiped on the receipt's word.
for lie in version-404 version-size version-nolock; do
  serve "$lie" "$lie"
  setup "$lie" "$PORT"
  n=$(files_of "$S")
  if "$UPLOADER" --config "$CONF" --once 2>"$WORK/$lie/err"; then
    fail "$lie: --once exits 1 when the vault does not confirm the receipts' versions"
  else
    pass "$lie: --once exits 1 when the vault does not confirm the receipts' versions"
  fi
  check "$lie: the local copy is kept, every file of it" test "$(files_of "$S")" = "$n"
  check "$lie: the wipe asked the vault for the receipts' versions" grep -q "HEAD .*?versionId=" "$WORK/$lie/events"
  check "$lie: the reason is given" grep -q "never wiped on a receipt's word" "$WORK/$lie/err"
  check "$lie: the backlog still counts the session" test "$(backlog "$lie" sessions)" = 1
done
grep -q "does not hold version" "$WORK/version-404/err" || fail "version-404: the message names the missing version"
grep -q "without the lock" "$WORK/version-nolock/err" || fail "version-nolock: the message names the missing lock"

# 2. The honest vault (the control): the same proof passes and the copy goes.
serve honest honest
HONEST=$PORT
setup honest "$HONEST"
check "honest: --once exits 0" "$UPLOADER" --config "$CONF" --once 2>"$WORK/honest/err"
check "honest: the local copy is wiped after the proof" test ! -e "$S"
check "honest: receipts name the vault" \
  grep -q "\"vault\":\"s3://vault-locked/shelter-7/ at http://127.0.0.1:$HONEST\"" "$WORK/honest/spool/receipts/$ID.jsonl"
check "honest: every file's version was asked for" \
  test "$(grep -c "HEAD /vault-locked/shelter-7/$ID/.*?versionId=" "$WORK/honest/events")" = "$n"

# 3. Receipts written by hand for a session the vault does not hold.
serve forged honest
setup forged "$PORT"
python3 - "$S" "$WORK/forged/spool/receipts/$ID.jsonl" "$ID" "s3://vault-locked/shelter-7/ at http://127.0.0.1:$PORT" <<'PY'
import hashlib, json, os, sys
folder, out, sid, vault = sys.argv[1:]
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, "w") as f:
    for n in sorted(os.listdir(folder)):
        data = open(os.path.join(folder, n), "rb").read()
        f.write(json.dumps({"key": sid + "/" + n, "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                            "etag": None, "version_id": "v999", "retention_mode": "COMPLIANCE",
                            "retain_until": "2099-01-01T00:00:00Z", "time": "2026-01-01T00:00:00Z",
                            "vault": vault}, separators=(",", ":")) + "\n")
PY
"$UPLOADER" --config "$CONF" --once 2>"$WORK/forged/err" || true
check "forged receipts: the local copy is kept" test "$(files_of "$S")" = "$n"
check "forged receipts: every file went to the vault after all ($(puts forged "$ID") PUTs)" \
  test "$(puts forged "$ID")" = "$n"

# 4. The vault changed: receipts of the old one prove nothing about the new.
serve old honest
OLD=$PORT
setup moved "$OLD" 1h
check "moved: uploaded to the old vault" "$UPLOADER" --config "$CONF" --once 2>"$WORK/moved/err1"
serve new honest
sed -i "s|^endpoint = .*|endpoint = http://127.0.0.1:$PORT|; s|^local_retention = .*|local_retention = 0|" "$CONF"
check "moved: a run with the new vault exits 0" "$UPLOADER" --config "$CONF" --once 2>"$WORK/moved/err2"
check "moved: the receipts of another vault are reported" grep -q "name another vault" "$WORK/moved/err2"
check "moved: the new vault got every file ($(puts new "$ID") PUTs) before the wipe" test "$(puts new "$ID")" = "$n"
check "moved: then the local copy is wiped" test ! -e "$S"

# 5. A reply cut after its status line: the vault is unreachable, the pass stops.
serve cut cut-put
setup cut "$PORT"
"$UPLOADER" --config "$CONF" --once 2>"$WORK/cut/err" && fail "cut: --once exits 1" || pass "cut: --once exits 1"
check "cut: the backlog says vault unreachable" test "$(backlog cut last_error)" = "vault unreachable"
check "cut: and the vault unreachable" test "$(backlog cut vault)" = unreachable
check "cut: the pass stopped at the first object ($(grep -c ' PUT ' "$WORK/cut/events") PUTs)" \
  test "$(grep -c ' PUT ' "$WORK/cut/events")" = 1
check "cut: the reason is the cut" grep -q "cut before the answer's headers ended" "$WORK/cut/err"
check "cut: nothing wiped" test "$(files_of "$S")" = "$n"

# 6. A reply dripping at 5 bytes/s: the daemon and --once side by side,
# each against its own dripping server.
serve drip-daemon drip-put
setup drip-daemon "$PORT"
python3 "$STUDIO_SOURCE_DIR/tests/vault/notify-listen.py" "$WORK/notify.sock" "$WORK/notify" &
pids+=($!)
wait_for 30 test -e "$WORK/notify.ready"
WATCHDOG_S=10
NOTIFY_SOCKET=$WORK/notify.sock WATCHDOG_USEC=$((WATCHDOG_S * 1000000)) \
  "$UPLOADER" --config "$CONF" 2>"$WORK/drip-daemon/err" &
daemon=$!
pids+=($daemon)
serve drip drip-put
setup drip "$PORT"
start=$(date +%s)
# the bound: the low-speed limit (30 s) and slack; the old uploader never ended
rc=0; timeout 150 "$UPLOADER" --config "$CONF" --once 2>"$WORK/drip/err" || rc=$?
took=$(($(date +%s) - start))
check "drip: --once ends by itself (status $rc after ${took}s; 124 is the test's timeout)" test "$rc" = 1
check "drip: with the reason" grep -q "too slow" "$WORK/drip/err"
check "drip: the backlog says vault unreachable" test "$(backlog drip last_error)" = "vault unreachable"
check "drip: nothing wiped" test "$(files_of "$S")" = "$n"
check "drip: the daemon gives its transfer up too" wait_for 120 grep -q "trying again" "$WORK/drip-daemon/err"
check "drip: the daemon is still running" kill -0 "$daemon"
kill -TERM "$daemon"; wait "$daemon" 2>/dev/null || true
check "drip: the daemon pinged the watchdog all through its dripping PUT" \
  python3 - "$WORK/drip-daemon/events" "$WORK/notify" "$WATCHDOG_S" <<'PY'
import sys
events, notify, limit = sys.argv[1], sys.argv[2], float(sys.argv[3])
start = [float(l.split()[0]) for l in open(events) if l.split()[1:] == ["drip-start"]][0]
pings = [float(l.split()[0]) for l in open(notify) if l.split()[1:] == ["WATCHDOG=1"]]
end = start + 25  # inside the 30 s after which the low-speed limit ends the PUT
seen = [start] + [p for p in pings if start < p < end] + [end]
gap = max(b - a for a, b in zip(seen, seen[1:]))
print("%d pings in the 25 s after the drip began, longest gap %.1f s (WATCHDOG_USEC %.0f s)"
      % (len(seen) - 2, gap, limit))
sys.exit(0 if gap < limit and len(seen) - 2 >= 3 else 1)
PY
[ "$failures" -eq 0 ] || tail -n 5 "$WORK"/*/err >&2
finish
