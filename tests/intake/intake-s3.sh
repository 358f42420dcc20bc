#!/usr/bin/env bash
# The intake on an s3:// vault (docs/intake.md), against the real Ceph RGW
# of the fixture intake-ceph and a real TSA: three sessions uploaded by the
# real uploader; `--once` fetches each into its scratch space with bounded
# GETs, verifies it with the verifier's library and writes three records
# to s3://BUCKET/intake/PREFIX, each signed (stock minisign), locked
# (awscli: COMPLIANCE, a versioned DELETE refused) and time-stamped (stock
# `openssl ts -verify`); the index lists them; `--rebuild-index` from an
# empty database gives the same rows; a second pass rewrites nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/s3-lib.sh"
BUCKET=intake-s3-$$
make_bucket "$BUCKET"
s3_conf "$BUCKET" shelter-7
bash "$STUDIO_SOURCE_DIR/tests/intake/tsa-make-ca.sh" "$TSA_DIR"
tsa_start
printf 'tsa_url = http://127.0.0.1:%s/\ntsa_ca_file = %s/tsa-ca.pem\n' "$TSA_PORT" "$TSA_DIR" >>intake.conf

A=$(mk --session-id 20261201T090000Z-0000000a --room "Room 3" --officer 4711)
B=$(mk --session-id 20261201T091000Z-0000000b --room "Room 5" --officer 4712)
C=$(mk --session-id 20261201T092000Z-0000000c --room "Room 3" --officer 4712)
rc=0; "$UPLOADER" --config studio.conf --once >"$WORK/up.out" 2>&1 || rc=$?
check "the uploader sends the three sessions to RGW (rc $rc)" test "$rc" = 0
[ "$rc" = 0 ] || tail -n 20 "$WORK/up.out" >&2

rc=$(intake)
check "--once on the s3:// vault exits 0" test "$rc" = 0
[ "$rc" = 0 ] || tail -n 30 "$WORK/in.err" >&2
check "... three records written" grep -q "3 record(s) written" "$WORK/in.err"
check "... the scratch space is left empty" test -z "$(ls -A "$WORK/scratch")"
mkdir -p got
K() { echo "intake/shelter-7/verifications/$1.json${2-}"; }
# session A with awscli itself, call by call (the stock route police IT
# has); B and C through its library in one process (awscli costs seconds a
# call on a busy machine)
for x in "" .minisig .tsr; do
  s3 get-object --bucket "$BUCKET" --key "$(K $A $x)" "got/$A.json$x" >/dev/null 2>&1 || true
  s3 get-object-retention --bucket "$BUCKET" --key "$(K $A $x)" >"$WORK/ret.json" 2>&1 || true
  check "$A.json$x is locked COMPLIANCE (awscli)" grep -q '"Mode": "COMPLIANCE"' "$WORK/ret.json"
done
v=$(s3 head-object --bucket "$BUCKET" --key "$(K $A)" --query VersionId --output text)
check "... a versioned DELETE of the record is refused (awscli)" bash -c "! '$AWS' --endpoint-url '$AWS_ENDPOINT' s3api delete-object --bucket '$BUCKET' --key '$(K $A)' --version-id '$v' >/dev/null 2>&1"
check "... and the record is still there" s3 head-object --bucket "$BUCKET" --key "$(K $A)" --version-id "$v"
python3 "$STUDIO_SOURCE_DIR/tests/intake/s3-tool.py" get-locked "$BUCKET" got \
  $(for s in $B $C; do for x in "" .minisig .tsr; do K $s $x; done; done) >"$WORK/modes" 2>&1 || true
for s in $B $C; do
  for x in "" .minisig .tsr; do
    check "$s.json$x is locked COMPLIANCE" grep -q "^$s.json$x COMPLIANCE$" "$WORK/modes"
  done
done
for s in $A $B $C; do
  s3m=$(python3 - "$BUCKET" "shelter-7/$s/manifest.json" <<'PY'
import hashlib, os, sys
import botocore.session
c = botocore.session.get_session().create_client("s3", endpoint_url=os.environ["AWS_ENDPOINT"], region_name="us-east-1")
print(hashlib.sha256(c.get_object(Bucket=sys.argv[1], Key=sys.argv[2])["Body"].read()).hexdigest())
PY
)
  check "$s: its record says INTACT" test "$(field "got/$s.json" verdict)" = INTACT
  check "... its manifest's SHA-256 as in the vault" test "$(field "got/$s.json" manifest_sha256)" = "$s3m"
  check "... stock minisign verifies it under the intake's key" minisign -Vqm "got/$s.json" -x "got/$s.json.minisig" -p ik/intake.pub
  check "... stock openssl ts -verify passes" openssl ts -verify -data "got/$s.json" -in "got/$s.json.tsr" -CAfile "$TSA_DIR/tsa-ca.pem"
done
check "the lock canary is there, locked" s3 head-object --bucket "$BUCKET" --key intake/shelter-7/canary/lock-canary.txt
check "... RGW refused its DELETE: no alert" bash -c "! grep -q ALERT '$WORK/in.err'"
check "the appliance's prefix holds no record" test -z "$(s3 list-objects-v2 --bucket "$BUCKET" --prefix shelter-7/verifications/ --query 'Contents[].Key' --output text | grep -v None || true)"

S() { "$INTAKE" --config intake.conf sessions "$@"; }
ids() { S --json "$@" | python3 -c 'import json,sys; print(" ".join(r["session"] for r in json.load(sys.stdin)))'; }
check "the index lists the three" test "$(ids)" = "$A $B $C"
check "... --room 'Room 3'" test "$(ids --room 'Room 3')" = "$A $C"
check "... --officer 4712 --verdict INTACT" test "$(ids --officer 4712 --verdict INTACT)" = "$B $C"
S --json >"$WORK/rows.before"
check "... each row has its token's time" python3 -c 'import json,sys; rows=json.load(open(sys.argv[1])); sys.exit(not all(r.get("token_time") or r.get("timestamp") for r in rows))' "$WORK/rows.before"
rm -f index.sqlite
"$INTAKE" --config intake.conf --rebuild-index >"$WORK/rb.out" 2>&1 || fail "--rebuild-index from the S3 records: $(cat "$WORK/rb.out")"
S --json >"$WORK/rows.after"
check "--rebuild-index from the S3 records alone gives the same rows" cmp -s "$WORK/rows.before" "$WORK/rows.after"

before=$(s3 list-object-versions --bucket "$BUCKET" --prefix intake/ --query 'length(Versions)' --output text)
rc=$(intake)
check "a second --once exits 0" test "$rc" = 0
check "... re-checks three records" grep -q "0 record(s) written, 3 re-checked" "$WORK/in.err"
after=$(s3 list-object-versions --bucket "$BUCKET" --prefix intake/ --query 'length(Versions)' --output text)
check "... and writes no new version ($before before, $after after)" test "$before" = "$after"
finish
