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
# printed: every object's version, size, ETag and lock against the receipts
# and the signed SHA256SUMS.sealed, with awscli alone.
python3 - "$STUDIO_SOURCE_DIR/docs/verifying.md" "$WORK/guide" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
part = text.split("## 3. Against the vault's own records, with awscli", 1)[1]
blocks = re.findall(r"```sh\n(.*?)```", part, re.S)
open(sys.argv[2] + ".sh", "w").write("\n".join(blocks))
# The comparison alone, with the guide's vault() helper, on receipts.txt as it is.
helper = re.search(r"^vault\(\) \{.*$", blocks[0], re.M).group(0)
open(sys.argv[2] + "-compare.sh", "w").write("\n".join([helper] + blocks[2:]))
PY
guide_env() { VAULT_ENDPOINT=$AWS_ENDPOINT BUCKET=vault-locked PREFIX=shelter-7 SESSION=$ID \
                DEVICE_PUB=$WORK/studio/device.pub "$@"; }
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
check "the receipts file itself is locked COMPLIANCE" test "$(tail -n 1 "$WORK/guide.out")" = COMPLIANCE
# A doctored receipt (another size, another hash for the custody log) and a
# sealed file without one are what the comparison must catch.
cd "$WORK/prosecutor/vault-check"
sed -i -e "/manifest.json /s/^\([^ ]* \)[0-9]*/\11/" \
  -e "/custody.jsonl /s/ [0-9a-f]\{64\} / $(printf '0%.0s' {1..64}) /" -e '/seg-000001.mkv.age /d' receipts.txt
guide_env bash -uo pipefail "$WORK/guide-compare.sh" >"$WORK/doctored.out" 2>&1 || true
check "a receipt with another size is a MISMATCH" grep -q '^MISMATCH .*/manifest.json ' "$WORK/doctored.out"
check "a custody log whose hash is not the sealed one is a MISMATCH" grep -q '^MISMATCH .*custody.jsonl' "$WORK/doctored.out"
check "a sealed file without a receipt is named" grep -q '^NO RECEIPT: seg-000001.mkv.age' "$WORK/doctored.out"
cd "$WORK"

finish
