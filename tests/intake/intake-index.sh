#!/usr/bin/env bash
# The intake's SQLite index (docs/intake.md, "The index"): `sessions` lists
# what the records say, filtered by room, device, officer, verdict and
# start; `--rebuild-index` from the records alone gives the same rows; a
# record not signed by the intake's key never becomes a row.
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { echo "skip: sqlite3 not installed"; exit 77; }
bash "$STUDIO_SOURCE_DIR/tests/intake/tsa-make-ca.sh" "$TSA_DIR"
tsa_start
printf 'tsa_url = http://127.0.0.1:%s/\ntsa_ca_file = %s/tsa-ca.pem\n' "$TSA_PORT" "$TSA_DIR" >>intake.conf
A=$(mk --session-id 20261201T090000Z-0000000a --room "Room 3" --officer 4711)
B=$(mk --session-id 20261201T091000Z-0000000b --room "Room 5" --officer 4712)
C=$(mk --session-id 20261201T092000Z-0000000c --room "Room 3" --officer 4712)
upload
chmod u+w vault/$C/seg-000002.mkv.age
printf 'X' | dd of=vault/$C/seg-000002.mkv.age bs=1 seek=3000 conv=notrunc 2>/dev/null
check "--once exits 0" test "$(intake)" = 0
S() { "$INTAKE" --config intake.conf sessions "$@"; }
ids() { S --json "$@" | python3 -c 'import json,sys; print(" ".join(r["session"] for r in json.load(sys.stdin)))'; }
check "sessions lists the three, in order of start" test "$(ids)" = "$A $B $C"
check "--room 'Room 3'" test "$(ids --room 'Room 3')" = "$A $C"
check "--officer 4712" test "$(ids --officer 4712)" = "$B $C"
check "--verdict TAMPERED" test "$(ids --verdict TAMPERED)" = "$C"
check "--device studio-test-01" test "$(ids --device studio-test-01)" = "$A $B $C"
check "--device of another" test -z "$(ids --device studio-other)"
today=$(date -u +%Y-%m-%d); yesterday=$(date -u -d '-1 day' +%Y-%m-%d); tomorrow=$(date -u -d '+1 day' +%Y-%m-%d)
check "--since today --room 'Room 3'" test "$(ids --since "$today" --room 'Room 3')" = "$A $C"
check "--until yesterday: none" test -z "$(ids --until "$yesterday")"
check "--since tomorrow: none" test -z "$(ids --since "$tomorrow")"
check "--until today: all" test "$(ids --until "$today")" = "$A $B $C"
export INTAKE_BIN=$INTAKE
check "the row's fields are the record's" python3 - "$A" "$(rec $A)" <<'PY'
import json, subprocess, sys, os
rows = json.loads(subprocess.run([os.environ["INTAKE_BIN"], "--config", "intake.conf", "sessions", "--json", "--room", "Room 3"],
                                 capture_output=True, check=True).stdout)
row = [r for r in rows if r["session"] == sys.argv[1]][0]
rec = json.load(open(sys.argv[2]))
assert row["started_utc"] == rec["started_utc"] and row["ended_utc"] == rec["ended_utc"], row
assert row["device_id"] == "studio-test-01" and row["officer"] == "4711" and row["room"] == "Room 3", row
assert row["segments"] == 2 and row["sealed_bytes"] == rec["sealed_bytes"] > 200000, row
assert row["verdict"] == "INTACT" and row["arrived"] == rec["arrived"], row
assert row["token_time"] and row["token_time"].endswith("Z"), row
PY
check "the table has a header and a line per session" test "$(S | wc -l)" = 4
r=0; "$INTAKE" --config intake.conf sessions --since 'last week' 2>/dev/null || r=$?
check "a bad --since is a usage error (2)" test "$r" = 2
check "a bad --verdict is a usage error" bash -c "'$INTAKE' --config intake.conf sessions --verdict PASS 2>&1 | grep -q 'verdict is one of'"
before=$(S --json)
rm -f index.sqlite
check "an empty index after deleting it" test -z "$(ids)"
check "--rebuild-index exits 0" "$INTAKE" --config intake.conf --rebuild-index
check "... the same rows from the records alone" test "$(S --json)" = "$before"
# a record not signed by the intake's key is not indexed
chmod u+w vault/verifications && rm -f "$(rec $B).minisig" && cp "$(rec $A).minisig" "$(rec $B).minisig"
"$INTAKE" --config intake.conf --rebuild-index 2>rb.err
check "a record whose signature fails is left out of the rebuilt index" test "$(ids)" = "$A $C"
check "... saying so" grep -q "session $B: its record is not indexed" rb.err
finish
