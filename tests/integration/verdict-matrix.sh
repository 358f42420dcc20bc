#!/usr/bin/env bash
# Verdict matrix for studio-verify ("Verdicts a court can rely on"): each
# case builds real sessions (make-session; studio-keys for keys and
# registries; stock minisign and age where an outsider would use them),
# runs studio-verify and asserts BOTH the verdict word (the first word of
# stdout) and the exit code, and for every verdict but INTACT that the first
# line names what the case is about. The trust model under test
# (shared/DESIGN.md, "Trust and verdicts"): every check runs under the key
# the session claims; only then is that key compared with what the examiner
# trusts. A session that holds together under a key nobody trusts is
# UNTRUSTED-KEY; TAMPERED is only for data that fails under the key it claims.
. "$(dirname "$0")/lib.sh"
for t in minisign age age-keygen python3; do
  command -v $t >/dev/null || { echo "skip: $t not installed"; exit 77; }
done
MS=$STUDIO_BUILD_DIR/tests/make-session
cd "$WORK"

# run [studio-verify args…]: sets OUT (stdout), ERR (stderr), RC, WORD
# (the first word of stdout, without its colon) and FIRST (stdout's first line).
run() {
  set +e
  timeout 60 "$VERIFY" "$@" >"$WORK/out" 2>"$WORK/err" </dev/null
  RC=$?
  set -e
  OUT=$(cat "$WORK/out"); ERR=$(cat "$WORK/err")
  FIRST=$(head -n 1 "$WORK/out")
  WORD=${FIRST%%[: ]*}
}
# expect CASE VERDICT EXIT [studio-verify args…]: the last argument is the session
expect() {
  local name=$1 want=$2 code=$3
  shift 3
  run "$@"
  if [ "$WORD" = "$want" ] && [ "$RC" -eq "$code" ]; then
    pass "$name: $want ($code)"
  else
    fail "$name: want $want/$code, got '$WORD'/$RC"
    { echo "    stdout: $(head -n 3 "$WORK/out")"; echo "    stderr: $(head -n 3 "$WORK/err")"; } >&2
  fi
}
# first_has CASE TEXT…: the last report's first line contains every TEXT
first_has() {
  local name=$1 t
  shift
  for t in "$@"; do
    case "$FIRST" in
      *"$t"*) ;;
      *) fail "$name: the first line lacks '$t': $FIRST"; return ;;
    esac
  done
  pass "$name: the first line names $*"
}
# usage_error CASE REGEX [studio-verify args…]: exit 1, nothing on stdout
# that looks like a verdict, and a message (stderr) matching REGEX
usage_error() {
  local name=$1 pat=$2
  shift 2
  run "$@"
  case "$WORD" in
    INTACT|TRUNCATED|TAMPERED|INCOMPLETE|UNSIGNED|UNTRUSTED-KEY)
      fail "$name: a usage error printed the verdict $WORD: $FIRST"; return ;;
  esac
  if [ "$RC" -eq 1 ] && grep -qE -- "$pat" <<<"$ERR"; then
    pass "$name: usage error (1): $(printf '%s\n' "$ERR" | head -n 1)"
  else
    fail "$name: want exit 1 and /$pat/ on stderr, got $RC"
    { echo "    stdout: $(head -n 3 "$WORK/out")"; echo "    stderr: $(head -n 3 "$WORK/err")"; } >&2
  fi
}
# report_line CASE LABEL TEXT: the report's line starting with LABEL contains TEXT
report_line() {
  local name=$1 label=$2 text=$3 line
  line=$(printf '%s\n' "$OUT" | grep -m1 "^$label " || true)
  case "$line" in
    *"$text"*) pass "$name: the $label line says '$text'" ;;
    *) fail "$name: the $label line lacks '$text': ${line:-(no $label line)}" ;;
  esac
}
# fresh SESSION: a working copy at $T ($WORK/c/<the session folder name>)
fresh() { rm -rf "$WORK/c"; mkdir "$WORK/c"; cp -a "$1" "$WORK/c/"; T=$WORK/c/$(basename "$1"); }
session_id() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["session"])' "$1/manifest.json"; }
key_id() { "$KEYS" enrol --dir "$1" | sed -n 's/^key_id: //p'; }

make_vault
# The device: make-session writes device_id studio-test-01, so the key
# folder (device.key, device.pub, device.id) is made for that id.
"$KEYS" device-init --dir dev --device-id studio-test-01 >/dev/null
DEV_ID=$(key_id dev)
mk() { # mk SPOOL KEY [make-session options…]
  local spool=$1 key=$2
  shift 2
  "$MS" --spool "$spool" --state "$spool.state" --key "$key" --recipient "$VAULT_RECIPIENT" \
    --segments 2 --segment-bytes 200000 "$@"
}
BASE=$(mk spool dev/device.key --session-id 20261201T090000Z-0000000a)

# ---- 1. the right key, and another device's key -------------------------
expect "1 right key" INTACT 0 --device-key dev/device.pub "$BASE"
"$MS" --gen-key other.key other.pub
expect "1 another device's key" UNTRUSTED-KEY 6 --device-key other.pub "$BASE"
first_has "1 another device's key" "not by the key given with --device-key" "$DEV_ID"

# ---- 2. a rotated key ---------------------------------------------------
# The old session is recorded and the old key enrolled before the rotation,
# as on a real device; then device-rotate and enrol the new key (checked
# against the rotation record).
cp -a dev rot
"$KEYS" enrol --dir rot --registry rotreg.json 2>/dev/null
OLD=$(mk rotspool rot/device.key --session-id 20261201T091000Z-0000000b)
"$KEYS" device-rotate --dir rot >/dev/null
"$KEYS" enrol --dir rot --registry rotreg.json 2>/dev/null
NEW_ID=$(key_id rot)
check "2 the registry holds the old and the new key" \
  python3 -c 'import json,sys; d=json.load(open("rotreg.json"))["devices"]; assert [e["key_id"] for e in d]==sys.argv[1:], d' "$DEV_ID" "$NEW_ID"
expect "2 old session, new device.pub" UNTRUSTED-KEY 6 --device-key rot/device.pub "$OLD"
first_has "2 old session, new device.pub" "not by the key given with --device-key" "$DEV_ID" "$NEW_ID"
expect "2 old session, old device.pub" INTACT 0 --device-key rot/device.pub.old "$OLD"
expect "2 old session, registry with both keys" INTACT 0 --registry rotreg.json "$OLD"
NEWS=$(mk rotspool rot/device.key --session-id 20261201T092000Z-0000000c)
expect "2 new session, registry with both keys" INTACT 0 --registry rotreg.json "$NEWS"
expect "2 new session, old device.pub" UNTRUSTED-KEY 6 --device-key rot/device.pub.old "$NEWS"
first_has "2 new session, old device.pub" "not by the key given with --device-key"

# ---- 3. the registry ----------------------------------------------------
"$KEYS" enrol --dir dev --registry reg.json 2>/dev/null
expect "3 enrolled" INTACT 0 --registry reg.json "$BASE"
report_line "3 enrolled, unsigned registry" Trust "not authenticated"
# a registry of another device only
"$KEYS" device-init --dir dev-b --device-id studio-room-b >/dev/null
"$KEYS" enrol --dir dev-b --registry other-reg.json 2>/dev/null
expect "3 not enrolled" UNTRUSTED-KEY 6 --registry other-reg.json "$BASE"
first_has "3 not enrolled" "$DEV_ID" "not enrolled in other-reg.json"
# revoked before the session started, and after it (make-session stamps
# started_utc with the time it runs, whatever the session id says)
cp reg.json revoked.json
earlier=$(date -u -d '-1 day' +%Y-%m-%dT%H:%M:%SZ)
"$KEYS" revoke --registry revoked.json --key-id "$DEV_ID" --date "$earlier" 2>/dev/null
expect "3 revoked before the session started" UNTRUSTED-KEY 6 --registry revoked.json "$BASE"
first_has "3 revoked before the session started" "$DEV_ID" "revoked on $earlier" "before this session started"
cp reg.json revoked-later.json
later=$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)
"$KEYS" revoke --registry revoked-later.json --key-id "$DEV_ID" --date "$later" 2>/dev/null
expect "3 revoked after the session started" INTACT 0 --registry revoked-later.json "$BASE"
# signed by police IT
"$KEYS" it-key-init --out it >/dev/null
cp reg.json signed.json
"$KEYS" registry-sign --registry signed.json --key it/police-it.key 2>/dev/null
expect "3 signed registry with --registry-key" INTACT 0 --registry signed.json --registry-key it/police-it.pub "$BASE"
report_line "3 signed registry with --registry-key" Trust "signed by police IT key it/police-it.pub"
expect "3 signed registry without --registry-key" INTACT 0 --registry signed.json "$BASE"
report_line "3 signed registry without --registry-key" Trust "not authenticated"
# altered after signing: still a well-formed registry, one date changed
cp signed.json altered.json; cp signed.json.minisig altered.json.minisig
python3 - altered.json <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r["devices"][0]["enrolled"] = "2020-01-01T00:00:00Z"
json.dump(r, open(sys.argv[1], "w"), indent=2)
PY
usage_error "3 registry altered after signing" 'altered\.json' --registry altered.json --registry-key it/police-it.pub "$BASE"
"$KEYS" it-key-init --out it2 >/dev/null
usage_error "3 --registry-key of another key" 'signed\.json.*(another key|police IT)' \
  --registry signed.json --registry-key it2/police-it.pub "$BASE"

# ---- 4. manifest and log disagree, the manifest re-signed ---------------
# An attacker with the device key edits one repeated field of manifest.json
# and signs it again with stock minisign, keeping the trusted comment. The
# log (signed entry by entry, pinned by SHA256SUMS.sealed) still says the
# original; the verifier must name the field and both values.
tc=$(sed -n 's/^trusted comment: //p' "$BASE/manifest.json.minisig")
edit_manifest() { # edit_manifest SESSION FIELD: prints "OLD<TAB>NEW"
  python3 - "$1/manifest.json" "$2" <<'PY'
import json, sys
p, field = sys.argv[1], sys.argv[2]
m = json.load(open(p))
def swap(o, k, new):
    old = o[k]; o[k] = new; return old, new
if field == "duration_ns":
    seg = m["segments"][0]; old, new = swap(seg, "duration_ns", seg["duration_ns"] + 50000000)
elif field == "media_ns":
    ev = [e for e in m["events"] if e["event"] == "mark"][0]
    old, new = swap(ev, "media_ns", ev["media_ns"] + 50000000)
elif field in ("recipients", "cameras"):
    new = "age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq" if field == "recipients" \
        else "usb:1234:5678 Other Camera SN 999"
    old = m[field][0]; m[field][0] = new
elif field in ("started_utc", "ended_utc"):
    v = m[field]; old, new = swap(m, field, v[:11] + "%02d" % ((int(v[11:13]) + 23) % 24) + v[13:])
else:
    new = {"officer": "0815", "room": "Studio Z", "device_id": "studio-test-99",
           "software_version": "9.9.9", "profile": "usb-2cam", "clock_sync": "not synchronised",
           "stop_reason": "fault"}[field]
    old, new = swap(m, field, new)
json.dump(m, open(p, "w"), indent=2, separators=(",", " : "))
print("%s\t%s" % (old, new))
PY
}
for field in officer room device_id software_version profile clock_sync recipients cameras \
             started_utc ended_utc stop_reason duration_ns media_ns; do
  fresh "$BASE"
  IFS=$'\t' read -r old new < <(edit_manifest "$T" "$field") || true
  if [ -z "${new:-}" ] || [ "$old" = "$new" ]; then fail "4 $field: the manifest was not edited"; continue; fi
  minisign -S -s dev/device.key -m "$T/manifest.json" -t "$tc" >/dev/null 2>&1 </dev/null
  if ! minisign -Vq -p dev/device.pub -m "$T/manifest.json"; then
    fail "4 $field: the re-signed manifest does not verify with stock minisign"; continue
  fi
  expect "4 manifest $field re-signed" TAMPERED 3 --device-key dev/device.pub "$T"
  first_has "4 manifest $field re-signed" "manifest.json" "$field" "$old" "$new"
done

# ---- 5. a cut log without its manifest ----------------------------------
fresh "$BASE"
python3 - "$T/custody.jsonl" <<'PY'
import sys
p = sys.argv[1]
lines = open(p, "rb").read().split(b"\n")[:-1]
open(p, "wb").write(b"\n".join(lines[:-3]) + b"\n")
PY
rm "$T/manifest.json" "$T/manifest.json.minisig"
expect "5 log cut, manifest removed" TAMPERED 3 --device-key dev/device.pub "$T"
first_has "5 log cut, manifest removed" "custody.jsonl" "SHA256SUMS.sealed"
expect "5 log cut, manifest removed, --registry" TAMPERED 3 --registry reg.json "$T"
first_has "5 log cut, manifest removed, --registry" "custody.jsonl" "SHA256SUMS.sealed"

# ---- 6. a renamed session folder ----------------------------------------
fresh "$BASE"
mv "$T" "$WORK/c/renamed-session"
expect "6 renamed folder" INTACT 0 --device-key dev/device.pub "$WORK/c/renamed-session"
sid=$(basename "$BASE")
if grep -i 'warning' <<<"$OUT" | grep "$sid" >/dev/null; then
  pass "6 renamed folder: a warning names the signed session id $sid"
else
  fail "6 renamed folder: no warning naming $sid: $(printf '%s\n' "$OUT" | grep -i warning | head -n 2)"
fi

# ---- 7. folders that hold no session ------------------------------------
mkdir empty
usage_error "7 empty folder" 'holds no session' --device-key dev/device.pub empty
usage_error "7 the spool folder" 'holds no session' --device-key dev/device.pub spool

# ---- 8. recorded without a device key -----------------------------------
mkdir -p nokey/20261201T093000Z-0000000d
head -c 100000 /dev/urandom > plain.mkv
age -e -r "$VAULT_RECIPIENT" -o nokey/20261201T093000Z-0000000d/seg-000001.mkv.age plain.mkv
expect "8 only a sealed segment, --device-key" UNSIGNED 5 --device-key dev/device.pub nokey/20261201T093000Z-0000000d
first_has "8 only a sealed segment, --device-key" "without a device key"
expect "8 only a sealed segment, --registry" UNSIGNED 5 --registry reg.json nokey/20261201T093000Z-0000000d
first_has "8 only a sealed segment, --registry" "without a device key"

# ---- 9. a deleted manifest.json.minisig ---------------------------------
fresh "$BASE"; rm "$T/manifest.json.minisig"
expect "9 no manifest.json.minisig, --device-key" UNSIGNED 5 --device-key dev/device.pub "$T"
first_has "9 no manifest.json.minisig, --device-key" "manifest.json.minisig"
expect "9 no manifest.json.minisig, --registry" UNSIGNED 5 --registry reg.json "$T"
first_has "9 no manifest.json.minisig, --registry" "manifest.json.minisig"

# ---- 10. the golden studio-session/1 ------------------------------------
golden=$STUDIO_SOURCE_DIR/tests/data/session-v1
mkdir g; cp -r "$golden/session" g/session; cp "$golden/dev.pub" g/dev.pub
gid=$(session_id g/session); mv g/session "g/$gid"
check "10 the golden session is studio-session/1" grep -q '"studio-session/1"' "g/$gid/manifest.json"
expect "10 golden studio-session/1" INTACT 0 --device-key g/dev.pub "g/$gid"
# studio-session/1 names its key in manifest.json: checked with another
# device's key it is still UNTRUSTED-KEY, not TAMPERED
expect "10 golden studio-session/1, another key" UNTRUSTED-KEY 6 --device-key dev/device.pub "g/$gid"
first_has "10 golden studio-session/1, another key" "not by the key given with --device-key" "$DEV_ID"

# ---- 11. a crashed session ----------------------------------------------
CR=$(mk crash dev/device.key --segments 2 --segment-bytes 1000000 --crash 2>/dev/null)
expect "11 crashed" TRUNCATED 2 --device-key dev/device.pub "$CR"
if [[ "$FIRST" =~ ^TRUNCATED:\ intact\ through\ checkpoint\ [0-9]+\ at\ [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}\;\ [0-9]+\ bytes\ after\ it\ unverifiable$ ]]; then
  pass "11 crashed: $FIRST"
else
  fail "11 crashed: the first line is not 'intact through checkpoint N at HH:MM:SS.mmm; M bytes after it unverifiable': $FIRST"
fi

finish
