#!/usr/bin/env bash
# RFC 3161 (docs/intake.md, "Trusted time"): a real TSA (`openssl ts
# -reply` behind tsa-server.py) with its own CA made by the openssl CLI.
# A TSA that is down delays the token, never the record; the next pass adds
# the tokens; stock `openssl ts -verify -data RECORD -in RECORD.tsr -CAfile
# tsa-ca.pem` verifies each (the token carries the TSA's certificate:
# certReq); a token that is not over its record is an alert.
. "$(dirname "$0")/lib.sh"
bash "$STUDIO_SOURCE_DIR/tests/intake/tsa-make-ca.sh" "$TSA_DIR"
tsa_start
PORT=$TSA_PORT
tsa_stop # down: its port is known and nothing answers there
printf 'tsa_url = http://127.0.0.1:%s/\ntsa_ca_file = %s/tsa-ca.pem\n' "$PORT" "$TSA_DIR" >>intake.conf

A=$(mk --session-id 20261201T090000Z-0000000a); B=$(mk --session-id 20261201T091000Z-0000000b)
upload
check "TSA down: --once exits 0" test "$(intake)" = 0
check "... both records are written and signed" \
  bash -c "minisign -Vqm '$(rec $A)' -p ik/intake.pub && minisign -Vqm '$(rec $B)' -p ik/intake.pub"
check "... with no token yet" test ! -e "$(rec $A).tsr" -a ! -e "$(rec $B).tsr"
check "... saying the next pass asks again" grep -q "session $A: no time-stamp token yet (the next pass asks again)" "$WORK/in.err"
check "... the record names the TSA" test "$(field "$(rec $A)" tsa_url)" = "http://127.0.0.1:$PORT/"

tsa_start "$PORT"
check "TSA up: --once exits 0" test "$(intake)" = 0
check "... two tokens written" grep -q "2 time-stamp token(s) written" "$WORK/in.err"
check "... asked as application/timestamp-query" test "$(sort -u "$TSA_DIR/requests")" = "application/timestamp-query"
for s in $A $B; do
  check "$s: stock openssl ts -verify passes with only the CA (the token carries the TSA's certificate)" \
    openssl ts -verify -data "$(rec $s)" -in "$(rec $s).tsr" -CAfile "$TSA_DIR/tsa-ca.pem"
  check "... the token is read-only in the vault" test "$(stat -c %a "$(rec $s).tsr")" = 444
  check "... and over SHA-256" bash -c "openssl ts -reply -in '$(rec $s).tsr' -text | grep -q 'Hash Algorithm: sha256'"
done
# studio-verify --intake-record: the verdict, the signature under an intake
# key of the registry, the token's time and whether it verifies.
iv() { local r=0; "$VERIFY" "$@" >"$WORK/iv.out" 2>&1 || r=$?; echo "$r"; }
R="--registry reg.json --registry-key it/police-it.pub --tsa-ca $TSA_DIR/tsa-ca.pem"
check "--intake-record FILE: exit 0" test "$(iv --intake-record "$(rec $A)" $R)" = 0
check "... the intake's verdict" grep -q "^Intake verdict: INTACT (verified " "$WORK/iv.out"
check "... the signature under the enrolled intake key" grep -q "^Record signature: verified, intake key .* (hq) enrolled in reg.json, signed by police IT" "$WORK/iv.out"
check "... the token's time, verified" grep -Eq "^Time-stamp token: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z, verifies under " "$WORK/iv.out"
check "--intake-record SESSION_DIR finds the record in the vault's layout" test "$(iv --intake-record vault/$B $R)" = 0
check "... of that session" grep -q "^Session: $B" "$WORK/iv.out"
check "without --tsa-ca the token is not checked: exit 1" test "$(iv --intake-record "$(rec $A)" --registry reg.json)" = 1
check "... saying so" grep -q "^Time-stamp token: NOT checked: give --tsa-ca" "$WORK/iv.out"
# the intake key enrolled as an examiner's is not trusted for records
python3 -c '
import json; r=json.load(open("reg.json"))
for e in r["devices"]:
    if e.get("kind") == "intake": e["kind"] = "examiner"
json.dump(r, open("exreg.json", "w"))'
check "a record signed by a key the registry enrols as an examiner's: exit 1" \
  test "$(iv --intake-record "$(rec $A)" --registry exreg.json --tsa-ca "$TSA_DIR/tsa-ca.pem")" = 1
check "... not trusted" grep -q "NOT trusted: key .* is not enrolled as an intake key" "$WORK/iv.out"
sum_before=$(cat vault/verifications/* | sha256sum)
check "a third pass exits 0" test "$(intake)" = 0
check "... writes no token and rewrites nothing" bash -c "grep -q '0 time-stamp token(s) written' '$WORK/in.err' && test \"\$(cat vault/verifications/* | sha256sum)\" = '$sum_before'"

# A token that is not over its record (B's beside A's record).
chmod u+w vault/verifications && rm -f "$(rec $A).tsr" && cp "$(rec $B).tsr" "$(rec $A).tsr"
check "stock openssl refuses the swapped token" bash -c "! openssl ts -verify -data '$(rec $A)' -in '$(rec $A).tsr' -CAfile '$TSA_DIR/tsa-ca.pem' 2>/dev/null"
check "a swapped token: exit 1" test "$(intake)" = 1
check "... an ALERT" grep -q "ALERT session $A: the time-stamp token beside its record" "$WORK/in.err"
check "studio-verify --intake-record says the swapped token does not verify (exit 1)" test "$(iv --intake-record "$(rec $A)" $R)" = 1
check "... in words" grep -q "^Time-stamp token: does NOT verify" "$WORK/iv.out"
# A token under another CA does not verify under tsa_ca_file.
bash "$STUDIO_SOURCE_DIR/tests/intake/tsa-make-ca.sh" "$WORK/other-ca" >/dev/null
sed -i "s#^tsa_ca_file = .*#tsa_ca_file = $WORK/other-ca/tsa-ca.pem#" intake.conf
rm -f "$(rec $A).tsr"
check "tsa_ca_file of another CA: exit 1" test "$(intake)" = 1
check "... the TSA's answer is no token: A stays pending" bash -c "grep -q 'session $A: no time-stamp token yet' '$WORK/in.err' && test ! -e '$(rec $A).tsr'"
check "... and B's token is an ALERT under that CA" grep -q "ALERT session $B: the time-stamp token beside its record" "$WORK/in.err"
finish
