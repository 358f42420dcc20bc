#!/usr/bin/env bash
# The lock canary (docs/intake.md, "The lock canary"): with s3:// records,
# every pass puts the canary (once) under COMPLIANCE and asks the vault to
# delete its locked version. Against tests/vault/lying-s3.py (RGW enforces
# its lock and cannot be made not to): an honest store refuses and the pass
# exits 0; a store that accepts the lock headers but deletes the version
# when asked is an ALERT on every pass, and --once exits 1. The canary on
# RGW itself is checked in intake-s3.
. "$(dirname "$0")/lib.sh"
LYING=$STUDIO_SOURCE_DIR/tests/vault/lying-s3.py
pids=()
trap 'kill -9 "${pids[@]}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
printf 'AKID\nsecret\n' >creds
chmod 600 creds
serve() { # serve NAME MODE: a lying server in $WORK/NAME; sets PORT
  mkdir -p "$WORK/$1"
  python3 "$LYING" --port-file "$WORK/$1/port" --events "$WORK/$1/events" --lie "$2" &
  pids+=($!)
  for _ in $(seq 300); do [ -s "$WORK/$1/port" ] && break; sleep 0.1; done
  PORT=$(cat "$WORK/$1/port")
}
conf() { # conf PORT: records on the lying server, the vault a folder with nothing in it yet
  sed '/^records\|^endpoint\|^credentials_file/d' intake.conf >intake.conf.new && mv intake.conf.new intake.conf
  printf 'records = s3://vault-locked/intake/shelter-7\nendpoint = http://127.0.0.1:%s\ncredentials_file = creds\n' "$1" >>intake.conf
}

serve honest honest
conf "$PORT"
check "an honest store: --once exits 0" test "$(intake)" = 0
check "... the canary was put under COMPLIANCE" grep -q "PUT /vault-locked/intake/shelter-7/canary/lock-canary.txt" honest/events
check "... its locked version's DELETE was asked for" grep -q "DELETE /vault-locked/intake/shelter-7/canary/lock-canary.txt?versionId=v1" honest/events
check "... no alert" bash -c "! grep -q ALERT '$WORK/in.err'"
check "a second pass on the honest store exits 0" test "$(intake)" = 0
check "... one PUT in all, two DELETEs refused" test "$(grep -c ' PUT ' honest/events) $(grep -c ' DELETE ' honest/events)" = "1 2"

serve liar delete-locked
conf "$PORT"
check "a store that deletes a locked version: --once exits 1" test "$(intake)" = 1
check "... an ALERT naming the store and the fix" grep -q "ALERT the vault s3://vault-locked/intake/shelter-7 DELETED the locked version of the lock canary .*have the store fixed" "$WORK/in.err"
check "... and again on the next pass (the canary put anew, deleted again)" test "$(intake)" = 1
check "... ALERT again" grep -q "ALERT the vault .* DELETED the locked version" "$WORK/in.err"
check "... two PUTs and two DELETEs" test "$(grep -c ' PUT ' liar/events) $(grep -c ' DELETE ' liar/events)" = "2 2"
finish
