#!/usr/bin/env bash
# The S3 Object Lock vault against a real Ceph RGW (tests/vault/ceph.sh),
# read back by an independent client (awscli).
. "$STUDIO_SOURCE_DIR/tests/integration/lib.sh"
TOOL=$STUDIO_BUILD_DIR/tests/vault-tool
. "$STUDIO_SOURCE_DIR/tests/vault/vault-lib.sh"

write_conf() { # write_conf FILE BUCKET CREDENTIALS
  cat >"$1" <<CONF
[uploader]
vault = s3://$2/shelter-7
endpoint = $AWS_ENDPOINT
credentials_file = $3
retention_days = 2
CONF
}
write_conf "$WORK/locked.conf" vault-locked "$CEPH/credentials"
write_conf "$WORK/plain.conf" vault-plain "$CEPH/credentials"
KEY=S-20261201-1/seg-000001.mkv.age
OBJ=shelter-7/$KEY
head -c 3000000 /dev/urandom >"$WORK/seg"

# 1. a PUT, confirmed by a HEAD that shows the lock
check "put gives a receipt" "$TOOL" put "$WORK/locked.conf" "$KEY" "$WORK/seg" >"$WORK/r1" 2>"$WORK/e1"
cat "$WORK/e1" >&2
check "receipt says COMPLIANCE" grep -qx 'mode=COMPLIANCE' "$WORK/r1"
check "receipt has the size" grep -qx 'size=3000000' "$WORK/r1"
check "receipt has the hash" grep -qx "sha256=$(sha256sum "$WORK/seg" | cut -c1-64)" "$WORK/r1"
version=$(sed -n 's/^version_id=//p' "$WORK/r1")
check "receipt has a version id" test -n "$version"

# 2. an independent client reads the same bytes and the same lock
s3 get-object --bucket vault-locked --key "$OBJ" "$WORK/back" >/dev/null
check "awscli reads back identical bytes" cmp -s "$WORK/seg" "$WORK/back"
s3 get-object-retention --bucket vault-locked --key "$OBJ" >"$WORK/ret.json"
check "retention is COMPLIANCE" grep -q '"Mode": "COMPLIANCE"' "$WORK/ret.json"
until=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["Retention"]["RetainUntilDate"])' "$WORK/ret.json")
check "retain-until is about 2 days ahead ($until)" python3 - "$until" <<'PY'
import datetime, sys
t = datetime.datetime.fromisoformat(sys.argv[1].replace("Z", "+00:00"))
left = (t - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
sys.exit(0 if 2 * 86400 - 600 < left <= 2 * 86400 else 1)
PY

# 3. the lock holds: a versioned DELETE is refused
if s3 delete-object --bucket vault-locked --key "$OBJ" --version-id "$version" 2>"$WORK/del.err"; then
  fail "a versioned DELETE of a locked object succeeded"
else
  check "versioned DELETE refused with 403 AccessDenied" grep -q 'AccessDenied' "$WORK/del.err"
fi

# 4. idempotent: a second put is confirmed without a second PUT
check "second put confirmed" "$TOOL" put "$WORK/locked.conf" "$KEY" "$WORK/seg" >"$WORK/r2"
check "same version id the second time" grep -qx "version_id=$version" "$WORK/r2"
n=$(s3 list-object-versions --bucket vault-locked --prefix "$OBJ" --query 'length(Versions)' --output text)
check "RGW holds one version after two puts (got $n)" test "$n" = 1

# 5. head of an object and of nothing
check "head confirms the lock" "$TOOL" head "$WORK/locked.conf" "$KEY" >/dev/null
"$TOOL" head "$WORK/locked.conf" S-20261201-1/none >/dev/null 2>"$WORK/e5" || true
check "head of nothing is ENOENT" grep -q '(ENOENT)' "$WORK/e5"

# 6. a different file under the same key is not sent over it
head -c 1000 /dev/urandom >"$WORK/other"
"$TOOL" put "$WORK/locked.conf" "$KEY" "$WORK/other" >/dev/null 2>"$WORK/e6" || true
check "another file under an existing key: EBADMSG" grep -q '(EBADMSG)' "$WORK/e6"
n=$(s3 list-object-versions --bucket vault-locked --prefix "$OBJ" --query 'length(Versions)' --output text)
check "still one version" test "$n" = 1

# 7. wrong credentials: a clear EACCES, no secret in the message
printf 'WRONGACCESSKEY\nwrongsecretwrongsecret\n' >"$WORK/bad-creds"
chmod 600 "$WORK/bad-creds"
write_conf "$WORK/bad.conf" vault-locked "$WORK/bad-creds"
"$TOOL" put "$WORK/bad.conf" S-20261201-1/x "$WORK/seg" >/dev/null 2>"$WORK/e7" || true
check "wrong credentials: EACCES naming credentials_file" grep -q '(EACCES).*credentials_file' "$WORK/e7"
check "the secret is not in the message" bash -c "! grep -q wrongsecret '$WORK/e7'"
chmod 644 "$WORK/bad-creds"
"$TOOL" put "$WORK/bad.conf" S-20261201-1/x "$WORK/seg" >/dev/null 2>"$WORK/e7b" || true
check "credentials readable by others refused" grep -q 'readable by group or others' "$WORK/e7b"
printf 'only-one-line' >"$WORK/short-creds"
chmod 600 "$WORK/short-creds"
write_conf "$WORK/short.conf" vault-locked "$WORK/short-creds"
"$TOOL" put "$WORK/short.conf" S-20261201-1/x "$WORK/seg" >/dev/null 2>"$WORK/e7c" || true
check "one-line credentials file refused" grep -q 'must hold two lines' "$WORK/e7c"

# 8. a bucket without Object Lock: refused, nothing confirmed
"$TOOL" put "$WORK/plain.conf" "$KEY" "$WORK/seg" >"$WORK/r8" 2>"$WORK/e8" || true
check "bucket without Object Lock: ENOLCK" grep -q '(ENOLCK).*does not enforce retention' "$WORK/e8"
check "no receipt printed" test ! -s "$WORK/r8"

# 9. plain http to a non-loopback address is refused before any request
sed 's#^endpoint = .*#endpoint = http://192.0.2.1:80#' "$WORK/locked.conf" >"$WORK/far.conf"
"$TOOL" head "$WORK/far.conf" "$KEY" >/dev/null 2>"$WORK/e9" || true
check "http:// to another machine refused" grep -q 'use https://' "$WORK/e9"

# 10. an empty file is an object too
: >"$WORK/empty"
check "an empty object is stored and locked" "$TOOL" put "$WORK/locked.conf" S-20261201-1/empty "$WORK/empty" >/dev/null

finish
