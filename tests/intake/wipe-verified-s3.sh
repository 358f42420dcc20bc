#!/usr/bin/env bash
# [uploader] wipe_after = verified on an s3:// vault (docs/uploader.md),
# against the real Ceph RGW of the fixture intake-ceph: the uploader reads
# the intake's records from s3://BUCKET/intake/PREFIX (the intake's default,
# and so the uploader's) with its own credentials. Kept while the intake has
# not run (the backlog says awaiting), wiped by the pass after `studio-intake
# --once`; a record signed by an intake key the device was not provisioned
# with is refused, the copy kept and counted as a failed verification.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/s3-lib.sh"
BUCKET=wipe-verified-$$
make_bucket "$BUCKET"
s3_conf "$BUCKET" shelter-9
printf 'wipe_after = verified\nintake_key = %s/ik/intake.pub\n' "$WORK" >>studio.conf
bfield() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' backlog.json "$1"; }
pass_log() { "$UPLOADER" --config studio.conf --once >"$WORK/up.out" 2>"$WORK/up.err" || true; }
K() { echo "intake/shelter-9/verifications/$1.json${2-}"; }

A=$(mk --session-id 20261204T090000Z-0000000a)
pass_log
check "the session is in RGW" s3 head-object --bucket "$BUCKET" --key "shelter-9/receipts/$A.jsonl"
check "with no record yet the local copy is kept" test -f spool/$A/manifest.json
check "... the backlog counts it as awaiting the police side's verification" \
  test "$(bfield awaiting_verification)" = 1 -a "$(bfield verification_failed)" = 0
check "... the log says why" grep -q "local copy of $A kept: awaiting the police side's verification" "$WORK/up.err"
rc=$(intake)
check "studio-intake --once writes the record to intake/shelter-9 (rc $rc)" s3 head-object --bucket "$BUCKET" --key "$(K $A)"
pass_log
check "the next pass reads it from RGW and wipes the local copy" test ! -e spool/$A
[ ! -e spool/$A ] || tail -n 5 "$WORK/up.err" >&2
check "... the backlog no longer counts it" test "$(bfield awaiting_verification)" = 0

"$KEYS" intake-init --dir ik2 >/dev/null
"$KEYS" enrol --kind intake --pub ik2/intake.pub --name rogue --registry reg.json --it-key it/police-it.key 2>/dev/null
sed -e "s|ik/intake.key|ik2/intake.key|" -e "s|index.sqlite|index2.sqlite|" intake.conf >intake2.conf
B=$(mk --session-id 20261204T091000Z-0000000b)
pass_log
"$INTAKE" --config intake2.conf --once >/dev/null 2>&1 || true
check "another intake (its key not in the bundle) writes B's record" s3 head-object --bucket "$BUCKET" --key "$(K $B)"
pass_log
check "that record is refused: the local copy is kept" test -f spool/$B/manifest.json
check "... counted as a failed verification (the room's police-IT warning)" test "$(bfield verification_failed)" = 1
check "... the log names the session and the key" \
  grep -q "local copy of $B kept: vault verification failed — call police IT.*not a provisioned intake key" "$WORK/up.err"
finish
