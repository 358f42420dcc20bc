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
check "the local copy was wiped once the vault confirmed all of it" test ! -e "$SESSION"
check "the spool keeps the receipts" test -f "$WORK/studio/spool/receipts/$ID.jsonl"
check "the receipts went to the vault" s3 head-object --bucket vault-locked --key "shelter-7/receipts/$ID.jsonl"

# docs/verifying.md section 3, the prosecutor's third way, run exactly as
# printed (tests/integration/docs-blocks.py): every object's version, size,
# ETag and lock against the receipts and the signed SHA256SUMS.sealed, with
# awscli alone, then the download verified. The guide's variables are the
# test's values (its table):
#   VAULT_ENDPOINT  the RGW this test started    BUCKET   vault-locked
#   PREFIX          shelter-7                    SESSION  the uploaded session's id
#   DEVICE_PUB      the studio's device.pub      studio-verify on PATH
BLOCKS=$STUDIO_SOURCE_DIR/tests/integration/docs-blocks.py
GUIDE=$STUDIO_SOURCE_DIR/docs/verifying.md
python3 "$BLOCKS" "$GUIDE" --from "3. Against the vault" --to "4. Playing" >"$WORK/guide.sh"
# for the doctored run below: the downloads and receipts.txt, then the comparison
python3 "$BLOCKS" "$GUIDE" --from "3. Against the vault" --to "Each object against" >"$WORK/guide-fetch.sh"
python3 "$BLOCKS" "$GUIDE" --from "Each object against" --to "The objects themselves" >"$WORK/guide-compare.sh"
check "every aws command the guide prints names the vault with --endpoint-url" \
  bash -c "! grep -E '(^|[;&|(] *)aws ' '$WORK/guide.sh' | grep -v -- '--endpoint-url'"
# a version id may begin with '-': given apart, awscli takes it for an option
check "every version id the guides pass to awscli is given as --version-id=…" \
  bash -c "! grep -nE -- '--version-id( |\$)' '$STUDIO_SOURCE_DIR/docs/verifying.md' '$STUDIO_SOURCE_DIR/docs/vault-s3.md'"
guide_env() { PATH="$(dirname "$VERIFY"):$PATH" VAULT_ENDPOINT=$AWS_ENDPOINT BUCKET=vault-locked PREFIX=shelter-7 \
                SESSION=$ID DEVICE_PUB=$WORK/studio/device.pub "$@"; }
mkdir -p "$WORK/prosecutor" && cd "$WORK/prosecutor"
if guide_env bash -euo pipefail "$WORK/guide.sh" >"$WORK/guide.out" 2>&1; then
  pass "the third way's commands run as printed"
else
  fail "the third way's commands fail: $(tail -n 5 "$WORK/guide.out")"
fi
receipts=$(wc -l <"$WORK/prosecutor/vault-check/receipts.jsonl")
check "the receipts file lists every session file ($receipts)" test "$receipts" = "$(wc -l <"$WORK/local-files")"
check "every object matches its receipt" test "$(grep -c '^OK ' "$WORK/guide.out")" = "$receipts"
check "no mismatch and no missing receipt" bash -c "! grep -Eq 'MISMATCH|NO RECEIPT' '$WORK/guide.out'"
check "minisign verified SHA256SUMS.sealed" grep -q 'Signature and comment signature verified' "$WORK/guide.out"
check "every sealed file has a receipt" test "$(grep -c '^receipt: ' "$WORK/guide.out")" = "$(wc -l <"$WORK/download/$ID/SHA256SUMS.sealed")"
check "the receipts file itself is locked COMPLIANCE" grep -qx COMPLIANCE "$WORK/guide.out"
check "the session downloaded as the guide prints it verifies INTACT" grep -q "^INTACT: session $ID" "$WORK/guide.out"
# A doctored receipt (another size, another hash for the custody log) and a
# sealed file without one are what the comparison must catch: the guide's
# fetch, then receipts.txt doctored (only those two kept, so that the loop
# asks the vault little), then the guide's comparison.
cat >"$WORK/doctor.sh" <<'EOF'
sed -i -e "/manifest.json /s/^\([^ ]* \)[0-9]*/\11/" \
  -e "/custody.jsonl /s/ [0-9a-f]\{64\} / $(printf '0%.0s' {1..64}) /" -e '/manifest.json \|custody.jsonl /!d' receipts.txt
EOF
cat "$WORK/guide-fetch.sh" "$WORK/doctor.sh" "$WORK/guide-compare.sh" >"$WORK/doctored.sh"
guide_env bash -uo pipefail "$WORK/doctored.sh" >"$WORK/doctored.out" 2>&1 || true
check "a receipt with another size is a MISMATCH" grep -q '^MISMATCH .*/manifest.json ' "$WORK/doctored.out"
check "a custody log whose hash is not the sealed one is a MISMATCH" grep -q '^MISMATCH .*custody.jsonl' "$WORK/doctored.out"
check "a sealed file without a receipt is named" grep -q '^NO RECEIPT: seg-000001.mkv.age' "$WORK/doctored.out"
cd "$WORK"

# docs/vault-s3.md "Checking a vault by hand": its sh blocks as printed, on
# the same RGW (the test's table: VAULT_ENDPOINT this RGW, BUCKET a new
# bucket, the administrator's key from ceph.sh's env).
python3 "$BLOCKS" "$STUDIO_SOURCE_DIR/docs/vault-s3.md" --from "Checking a vault by hand" >"$WORK/vault-guide.sh"
check "every aws command in vault-s3.md names the store with --endpoint-url" \
  bash -c "! grep -E '(^|[;&|(] *)(if )?aws ' '$WORK/vault-guide.sh' | grep -v -- '--endpoint-url'"
mkdir -p "$WORK/police-it" && cd "$WORK/police-it"
if VAULT_ENDPOINT=$AWS_ENDPOINT BUCKET=guide-probe bash -euo pipefail "$WORK/vault-guide.sh" \
     >"$WORK/vault-guide.out" 2>&1; then
  pass "vault-s3.md's commands run as printed"
else
  fail "vault-s3.md's commands fail: $(tail -n 5 "$WORK/vault-guide.out")"
fi
check "the bucket has Object Lock enabled" grep -qx Enabled "$WORK/vault-guide.out"
check "the probe is locked COMPLIANCE until the date given" grep -qP '^COMPLIANCE\t20[0-9-]{8}T' "$WORK/vault-guide.out"
check "the store refused to delete the locked version" grep -qx 'locked: the delete was refused' "$WORK/vault-guide.out"
check "and the probe is still there" s3 head-object --bucket guide-probe --key lock-probe.txt
cd "$WORK"

finish
