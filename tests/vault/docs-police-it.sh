#!/usr/bin/env bash
# docs/police-it.md works as written: the sh blocks of "Provisioning a
# device" and "The vault" run exactly as printed (tests/integration/
# docs-blocks.py), one after the other in a scratch folder, against a real
# Ceph RGW (tests/vault/ceph.sh) and a file standing in for the USB
# drive; blocks the guide marks as needing the appliance are listed as
# skipped. The placeholders are filled from this table:
#
#   https://vault.police.example:7480   the throwaway RGW's http://127.0.0.1:PORT
#   /dev/sdX1                           a 64 MiB file (mkfs.vfat, fatlabel,
#                                       blkid and mtools take it as they take
#                                       a partition; no mount, so no root)
#
# Beforehand the folder gets what the guide says police IT already has:
# it/ (studio-keys it-key-init), vault/recipients (vault-init), officers
# (officer-add). Afterwards, with the users and the policy the guide made:
# the device's user, through the uploader's own code (vault-tool) and the
# credential file the guide put in the image overlay, uploads a segment
# locked COMPLIANCE; it can neither delete a version (nor add a delete
# marker) nor write or read outside its prefix nor change the policy; the
# examiners' user lists and reads every version and its retention and can
# do nothing else; the drive is labelled STUDIO-PROV and carries the signed
# bundle, with the guide's vault address.
. "$STUDIO_SOURCE_DIR/tests/integration/lib.sh"
for t in minisign mkfs.vfat fatlabel blkid mcopy mdir openssl python3; do
  command -v "$t" >/dev/null ||
    { echo "skip: $t missing (apt-get install minisign dosfstools mtools util-linux openssl)"; exit 77; }
done
TOOL=$STUDIO_BUILD_DIR/tests/vault-tool
. "$STUDIO_SOURCE_DIR/tests/vault/vault-lib.sh"
# Only the users the guide makes: not the test user ceph.sh made.
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY

# What police IT has before the guide's steps (key-ceremony.md).
run=$WORK/run
mkdir -p "$run/vault" "$WORK/bin" "$WORK/drive"
ln -s "$KEYS" "$WORK/bin/studio-keys"
"$KEYS" it-key-init --out "$run/it" >/dev/null 2>&1
"$KEYS" vault-init --out "$WORK/vault.key" >"$run/vault/recipients" 2>/dev/null
printf '48213\n' | "$KEYS" officer-add --file "$run/officers" 4711 >/dev/null 2>&1
truncate -s 64M "$WORK/drive.img"

python3 "$STUDIO_SOURCE_DIR/tests/integration/docs-blocks.py" "$STUDIO_SOURCE_DIR/docs/police-it.md" \
  --from "Provisioning a device" --to "Enrolment" \
  --fill /dev/sdX1="$WORK/drive.img" \
  --fill https://vault.police.example:7480="$AWS_ENDPOINT" >"$WORK/guide.sh" 2>"$WORK/skipped"
python3 "$STUDIO_SOURCE_DIR/tests/integration/docs-blocks.py" "$STUDIO_SOURCE_DIR/docs/police-it.md" \
  --from "The vault" --to "Updating" \
  --fill https://vault.police.example:7480="$AWS_ENDPOINT" >>"$WORK/guide.sh" 2>>"$WORK/skipped"
sed 's/^/  /' "$WORK/skipped"
n_aws=$(grep -c 'aws --profile' "$WORK/guide.sh" || true)
check "every one of the guide's $n_aws aws commands names the vault with --endpoint-url" \
  test "$n_aws" -ge 7 -a -z "$(grep 'aws ' "$WORK/guide.sh" | grep -v -- "--endpoint-url $AWS_ENDPOINT")"
if (cd "$run" && PATH="$WORK/bin:$PATH" bash -euo pipefail "$WORK/guide.sh") >"$WORK/guide.out" 2>&1; then
  pass "every command of the guide runs as printed"
else
  fail "the guide's commands fail: $(tail -n 5 "$WORK/guide.out")"
fi
check "the guide's own checks found nothing WRONG" sh -c "! grep WRONG '$WORK/guide.out'"
# awscli prints RGW's AccessDenied as "argument of type 'NoneType' is not
# iterable" (aws-cli#10161; the denied checks below read the answer itself).
check "and its two refusals failed" test "$(grep -c -e 'AccessDenied' -e "'NoneType' is not iterable" "$WORK/guide.out")" -eq 2
check "the guide's blkid printed STUDIO-PROV" grep -qx STUDIO-PROV "$WORK/guide.out"

# The drive.
check "the drive is a FAT filesystem labelled STUDIO-PROV" \
  test "$(blkid -s TYPE -o value "$WORK/drive.img") $(blkid -s LABEL -o value "$WORK/drive.img")" = "vfat STUDIO-PROV"
check "the guide's mdir listed the two files" \
  test "$(grep -c -e '^::/provision.json$' -e '^::/provision.json.minisig$' "$WORK/guide.out")" -eq 2
mcopy -i "$WORK/drive.img" ::/provision.json ::/provision.json.minisig "$WORK/drive/"
check "the drive carries the bundle police IT signed (stock minisign)" \
  minisign -Vqm "$WORK/drive/provision.json" -x "$WORK/drive/provision.json.minisig" -p "$run/it/police-it.pub"
check "the bundle names the guide's vault" \
  python3 -c 'import json, sys; u = json.load(open(sys.argv[1]))["uploader"]; sys.exit(not (u["vault"] == "s3://evidence/room3" and u["endpoint"] == sys.argv[2]))' \
  "$WORK/drive/provision.json" "$AWS_ENDPOINT"

# The vault: each user as the guide made it.
as() { # as USER S3API-ARGS…
  local user=$1; shift
  AWS_SHARED_CREDENTIALS_FILE=$run/vault-users.ini "$AWS" --profile "$user" --endpoint-url "$AWS_ENDPOINT" s3api "$@"
}
denied() { # denied DESCRIPTION USER S3API-ARGS…: RGW answers 403 AccessDenied
  local what=$1; shift
  if as "$@" --debug >"$WORK/denied.out" 2>&1; then
    fail "$what (it was allowed)"
  else
    check "$what (403 AccessDenied)" grep -q '<Code>AccessDenied</Code>' "$WORK/denied.out"
  fi
}
cred=$run/overlay-room3/etc/credstore/vault-s3
check "the device's credential in the overlay is mode 0600, its two lines" \
  test "$(stat -c %a "$cred")" = 600 -a "$(wc -l <"$cred")" -eq 2
cmp -s "$cred" "$run/studio-room3.s3" || fail "the overlay's credential is studio-room3's"
cat >"$WORK/room3.conf" <<CONF
[uploader]
vault = s3://evidence/room3
endpoint = $AWS_ENDPOINT
credentials_file = $cred
retention_days = 1
CONF
head -c 300000 /dev/urandom >"$WORK/seg"
KEY=S-20261207-1/seg-000001.mkv.age
if "$TOOL" put "$WORK/room3.conf" "$KEY" "$WORK/seg" >"$WORK/receipt" 2>"$WORK/put.err"; then
  pass "the uploader's code uploads a segment with the device's user"
else
  fail "the uploader's code uploads a segment with the device's user: $(cat "$WORK/put.err")"
fi
check "locked COMPLIANCE, confirmed by its HEAD" grep -qx 'mode=COMPLIANCE' "$WORK/receipt"
locked=$(sed -n 's/^version_id=//p' "$WORK/receipt")
check "the receipt has the version id" test -n "$locked"
check "a second upload is confirmed by HEAD alone" "$TOOL" put "$WORK/room3.conf" "$KEY" "$WORK/seg" >/dev/null 2>&1

echo unlocked >"$WORK/probe"
probe=$(as studio-room3 put-object --bucket evidence --key room3/probe --body "$WORK/probe" --query VersionId --output text)
check "the device's user puts an unlocked probe too" test -n "$probe"
denied "the device's user cannot delete a version" studio-room3 delete-object --bucket evidence --key room3/probe --version-id "$probe"
denied "nor the locked segment's" studio-room3 delete-object --bucket evidence --key "room3/$KEY" --version-id "$locked"
denied "nor hide an object under a delete marker" studio-room3 delete-object --bucket evidence --key room3/probe
denied "nor write outside its prefix (police-side records)" studio-room3 put-object --bucket evidence --key records/x --body "$WORK/probe"
as police-it put-object --bucket evidence --key room4/other --body "$WORK/probe" >/dev/null
denied "nor read another room's prefix" studio-room3 get-object --bucket evidence --key room4/other "$WORK/x"
denied "nor list it" studio-room3 list-objects-v2 --bucket evidence --prefix room4/
check "it lists its own prefix" as studio-room3 list-objects-v2 --bucket evidence --prefix room3/ >/dev/null
denied "nor change the bucket's policy" studio-room3 put-bucket-policy --bucket evidence --policy '{"Version":"2012-10-17","Statement":[]}'

check "the examiners' user lists every version" \
  sh -c "AWS_SHARED_CREDENTIALS_FILE='$run/vault-users.ini' '$AWS' --profile examiner --endpoint-url '$AWS_ENDPOINT' s3api list-object-versions --bucket evidence --prefix room3/ --query 'Versions[].VersionId' --output text | grep -q -- '$locked'"
check "reads the segment by its version, the same bytes" \
  as examiner get-object --bucket evidence --key "room3/$KEY" --version-id "$locked" "$WORK/back" >/dev/null
cmp -s "$WORK/seg" "$WORK/back" || fail "the examiners' copy differs from what was uploaded"
check "reads its retention: COMPLIANCE" \
  sh -c "AWS_SHARED_CREDENTIALS_FILE='$run/vault-users.ini' '$AWS' --profile examiner --endpoint-url '$AWS_ENDPOINT' s3api get-object-retention --bucket evidence --key 'room3/$KEY' --version-id '$locked' --query Retention.Mode --output text | grep -qx COMPLIANCE"
denied "the examiners' user cannot write" examiner put-object --bucket evidence --key room3/x --body "$WORK/probe"
denied "nor delete a version" examiner delete-object --bucket evidence --key room3/probe --version-id "$probe"
denied "nor set a retention" examiner put-object-retention --bucket evidence --key room3/probe --version-id "$probe" \
  --retention "{\"Mode\":\"GOVERNANCE\",\"RetainUntilDate\":\"$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)\"}"
check "police IT, the bucket's owner, deletes the unlocked probe (so the refusals above were the policy's)" \
  as police-it delete-object --bucket evidence --key room3/probe --version-id "$probe" >/dev/null
finish
