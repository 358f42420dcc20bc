#!/usr/bin/env bash
# studio-intake --once on a dir: vault (docs/intake.md). Sessions made by
# make-session go through the real uploader into the vault; the intake
# writes one signed, read-only record per session (stock minisign verifies
# it) whose verdict is what studio-verify --registry --registry-key says;
# a second pass rewrites nothing; a tampered, an incomplete and a revoked
# session are ALERT lines at error priority; hostile listing entries are
# never used as paths; a record left unsigned by a killed pass is signed
# once it agrees, a planted or altered record is an alert.
. "$STUDIO_SOURCE_DIR/tests/integration/lib.sh"
for t in minisign age-keygen python3 sha256sum; do
  command -v $t >/dev/null || { echo "skip: $t not installed"; exit 77; }
done
MS=$STUDIO_BUILD_DIR/tests/make-session
UPLOADER=$STUDIO_BUILD_DIR/appliance/uploader/studio-uploader
INTAKE=$STUDIO_BUILD_DIR/appliance/intake/studio-intake
cd "$WORK"
rec() { echo "$WORK/vault/verifications/$1.json"; }
field() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))[sys.argv[2]]; print("" if v is None else v)' "$@"; }
intake() { local r=0; "$INTAKE" --config intake.conf --once >"$WORK/in.out" 2>"$WORK/in.err" || r=$?; echo "$r"; }
vverdict() { local r=0; "$VERIFY" --registry reg.json --registry-key it/police-it.pub "$1" >"$WORK/v.out" 2>&1 || r=$?; head -n1 "$WORK/v.out" | cut -d' ' -f1 | tr -d :; }

make_vault
"$KEYS" it-key-init --out it >/dev/null 2>&1
"$KEYS" device-init --dir dev --device-id studio-test-01 >/dev/null
"$KEYS" intake-init --dir ik >/dev/null
"$KEYS" enrol --dir dev --registry reg.json --it-key it/police-it.key 2>/dev/null
"$KEYS" enrol --kind intake --pub ik/intake.pub --name hq --registry reg.json --it-key it/police-it.key 2>/dev/null
mkdir vault spool
printf '[recorder]\nspool = %s/spool\n[uploader]\nvault = dir:%s/vault\nbacklog_file = %s/backlog.json\n' \
  "$WORK" "$WORK" "$WORK" >studio.conf
mk() { "$MS" --spool spool --state spool.state --key dev/device.key --recipient "$VAULT_RECIPIENT" \
         --segments 2 --segment-bytes 100000 "$@" | xargs basename; }
upload() { "$UPLOADER" --config studio.conf --once >/dev/null 2>&1; }
cat >intake.conf <<EOF
[intake]
vault = dir:$WORK/vault
registry = reg.json
registry_key = it/police-it.pub
signing_key = ik/intake.key
index = index.sqlite
EOF

# ---- three good sessions -----------------------------------------------
A=$(mk --session-id 20261201T090000Z-0000000a); B=$(mk --session-id 20261201T091000Z-0000000b)
C=$(mk --session-id 20261201T092000Z-0000000c)
upload
check "three sessions and their receipts are in the vault" test -f vault/receipts/$C.jsonl
check "--once exits 0" test "$(intake)" = 0
IKID=$(sed -n 's/^untrusted comment: minisign public key //p' ik/intake.pub)
for s in $A $B $C; do
  R=$(rec $s)
  check "$s has a record" test -f "$R"
  check "... signed: stock minisign verifies it with intake.pub" minisign -Vqm "$R" -p ik/intake.pub
  check "... read-only in the vault" test "$(stat -c %a "$R")" = 444
  check "... verdict INTACT, as studio-verify says" \
    test "$(field "$R" verdict)" = "$(vverdict vault/$s)" -a "$(field "$R" verdict)" = INTACT
  check "... the manifest's SHA-256" test "$(field "$R" manifest_sha256)" = "$(sha256sum <vault/$s/manifest.json | cut -d' ' -f1)"
  check "... the custody log's SHA-256" test "$(field "$R" custody_log_sha256)" = "$(sha256sum <vault/$s/custody.jsonl | cut -d' ' -f1)"
  check "... the receipts' SHA-256" test "$(field "$R" receipts_sha256)" = "$(sha256sum <vault/receipts/$s.jsonl | cut -d' ' -f1)"
  check "... the registry's SHA-256" test "$(field "$R" registry_sha256)" = "$(sha256sum <reg.json | cut -d' ' -f1)"
  check "... the tool and version" test "$(field "$R" tool)" = "studio-intake $("$INTAKE" --version | cut -d' ' -f2)"
  check "... the device" test "$(field "$R" device_id)" = studio-test-01
  check "... the intake's key id" test "$(field "$R" intake_key_id)" = "$IKID"
  check "... the time of arrival" bash -c "[[ '$(field "$R" arrived)' =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$ ]]"
done
check "... no session is an alert" bash -c "! grep -q ALERT '$WORK/in.err'"
sum_before=$(cat vault/verifications/* | sha256sum)
check "a second pass exits 0" test "$(intake)" = 0
check "... and rewrites nothing" test "$(cat vault/verifications/* | sha256sum)" = "$sum_before"
check "... it re-checks the three records" grep -q "0 record(s) written, 3 re-checked" "$WORK/in.err"

# ---- tampered, incomplete, revoked ---------------------------------------
T=$(mk --session-id 20261202T090000Z-0000000d); I=$(mk --session-id 20261202T091000Z-0000000e)
upload
chmod u+w vault/$T/seg-000001.mkv.age
printf 'X' | dd of=vault/$T/seg-000001.mkv.age bs=1 seek=5000 conv=notrunc 2>/dev/null
chmod u+w vault/$I && rm -f vault/$I/seg-000002.mkv.age
# a key enrolled, then revoked before its session started
"$KEYS" device-init --dir rv --device-id studio-test-01 >/dev/null
"$KEYS" enrol --dir rv --registry reg.json --it-key it/police-it.key --replace --reason "test: stolen" 2>/dev/null
RVID=$("$KEYS" enrol --dir rv | sed -n 's/^key_id: //p')
"$KEYS" revoke --registry reg.json --key-id "$RVID" --date "$(date -u -d '-1 day' +%Y-%m-%dT%H:%M:%SZ)" \
  --it-key it/police-it.key 2>/dev/null
V=$("$MS" --spool spool --state spool.state2 --key rv/device.key --recipient "$VAULT_RECIPIENT" --segments 1 \
      --segment-bytes 50000 --session-id 20261202T092000Z-0000000f | xargs basename)
upload
check "--once exits 0 (every session has its record, whatever the verdict)" test "$(intake)" = 0
for pair in "$T TAMPERED" "$I INCOMPLETE" "$V UNTRUSTED-KEY"; do
  set -- $pair
  check "$2 session: the record says $2" test "$(field "$(rec $1)" verdict)" = "$2"
  check "... as studio-verify does" test "$(vverdict vault/$1)" = "$2"
  check "... and an ALERT error line names session, device and verdict" \
    grep -q "ALERT session $1 device studio-test-01 verdict $2" "$WORK/in.err"
  check "... signed" minisign -Vqm "$(rec $1)" -p ik/intake.pub
done
check "the findings say why (the tampered segment)" grep -q "seg-000001.mkv.age" "$(rec $T)"

# ---- hostile listing entries ---------------------------------------------
mkdir -p outside
: >"vault/receipts/..jsonl"; : >"vault/receipts/$(printf 'evil\033[31m').jsonl"; : >vault/receipts/notes.txt
ln -s ../../outside "vault/receipts/20261203T090000Z-00000001.jsonl"
mkdir -p vault/receipts/20261203T090000Z-00000002.jsonl
# a receipts file whose session folder is a link to elsewhere
W=20261203T090000Z-00000003
cp -a vault/$A outside/$W; ln -s "$WORK/outside/$W" vault/$W; cp vault/receipts/$A.jsonl vault/receipts/$W.jsonl
touch stamp
check "a pass with hostile entries exits 1 (one session cannot be verified)" test "$(intake)" = 1
check "... entries that name no session are not used, named escaped" grep -qF 'receipts/evil\u001b[31m.jsonl is not used' "$WORK/in.err"
check "... a link or folder named as a receipts file is not used" \
  test "$(grep -c 'is not used: not a regular file' "$WORK/in.err")" = 2
check "... the linked session folder is not followed" grep -q "session $W: not verified" "$WORK/in.err"
check "... and gets no record" test ! -e "$(rec $W)"
check "... nothing was written outside the vault's records" test -z "$(find outside -newer stamp)"
check "... no raw escape character reaches the log" bash -c "! grep -q \$'\\033' '$WORK/in.err'"
rm -rf vault/$W vault/receipts/$W.jsonl vault/receipts/20261203T090000Z-0000000[12].jsonl

# ---- a pass killed between the record and its signature -------------------
chmod u+w vault/verifications && rm -f "$(rec $A).minisig"
check "a record left without signature: the pass exits 0" test "$(intake)" = 0
check "... signs it, as it agrees with a fresh verification" minisign -Vqm "$(rec $A)" -p ik/intake.pub
check "... saying so" grep -q "session $A: its record, left unsigned by an interrupted pass, is signed now" "$WORK/in.err"
# a planted record without signature that says INTACT of the tampered session
rm -f "$(rec $T)" "$(rec $T).minisig"
sed "s/$A/$T/g" "$(rec $A)" >"$(rec $T)"
check "a planted unsigned record: the pass exits 1" test "$(intake)" = 1
check "... an ALERT" grep -q "ALERT session $T: its record has no signature" "$WORK/in.err"
check "... and it is not signed" test ! -e "$(rec $T).minisig"
# an altered record beside a signature
rm -f "$(rec $T)"; cp "$(rec $B).minisig" "$(rec $T).minisig"; sed "s/$B/$T/g" "$(rec $B)" >"$(rec $T)"
check "a record whose signature does not verify: exit 1" test "$(intake)" = 1
check "... an ALERT that names the intake's key" grep -q "ALERT session $T: its record in .* does not verify under the intake's key" "$WORK/in.err"

# ---- configuration errors name the file and line ----------------------------
printf '[intake]\nvault = dir:%s/vault\nregistry = reg.json\nregistry_key = it/police-it.pub\nsigning_key = ik/intake.key\nvualt = x\n' "$WORK" >bad.conf
r=0; "$INTAKE" --config bad.conf --once 2>bad.err || r=$?
check "an unknown key: exit 1, naming file and line ($(head -c 200 bad.err))" bash -c "test $r = 1 && grep -q 'bad.conf.*line 6' bad.err"
printf '[intake]\nvault = ftp://x\n' >bad2.conf
r=0; "$INTAKE" --config bad2.conf --once 2>bad.err || r=$?
check "a vault that is no address: exit 1, naming line 2" bash -c "test $r = 1 && grep -q 'bad2.conf line 2: \[intake\] vault' bad.err"
printf '[intake]\nvault = dir:/x\n' >bad3.conf
r=0; "$INTAKE" --config bad3.conf --once 2>bad.err || r=$?
check "a missing registry is named" bash -c "test $r = 1 && grep -q 'registry is missing' bad.err"
finish
