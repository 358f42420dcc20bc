#!/usr/bin/env bash
# [uploader] wipe_after = verified on a dir: vault (docs/uploader.md, "When
# the local copy is wiped"): the real uploader keeps a vaulted session's
# local copy until the real studio-intake has written its signed record;
# with the intake not run nothing is wiped and the backlog says why; the
# next pass after `studio-intake --once` wipes it. A record signed by an
# intake key the device was not provisioned with, a record whose verdict is
# not INTACT (UNTRUSTED-KEY from the intake itself; TAMPERED re-signed with
# the provisioned key), and a TRUNCATED record for a session the device did
# not recover are refused: the copy stays, the backlog counts it as failed
# (the room's police-IT warning), the log names the session. A session the
# device recovered after a crash, TRUNCATED, is wiped. wipe_after = receipts
# is unchanged: wiped on the vault's confirmation alone. Without the
# intake key installed nothing is wiped (police IT warned) until it is.
. "$STUDIO_SOURCE_DIR/tests/intake/lib.sh"

bfield() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' backlog.json "$1"; }
pass_log() { "$UPLOADER" --config studio.conf --once >"$WORK/up.out" 2>"$WORK/up.err" || true; }
verified_conf() { # verified_conf INTAKE_PUB
  printf '[recorder]\nspool = %s/spool\n[uploader]\nvault = dir:%s/vault\nbacklog_file = %s/backlog.json\nwipe_after = verified\nintake_key = %s\n' \
    "$WORK" "$WORK" "$WORK" "$1" >studio.conf
}
verified_conf "$WORK/ik/intake.pub"

# ---- the configuration refuses a word it does not know ---------------------
printf '[uploader]\nvault = dir:%s/vault\nwipe_after = checked\n' "$WORK" >bad.conf
r=0; "$UPLOADER" --config bad.conf --once >/dev/null 2>"$WORK/bad.err" || r=$?
check "wipe_after = checked is refused" test "$r" != 0
check "... naming the file, the line and the allowed words" \
  grep -q "bad.conf.*line 3.*wipe_after.*receipts.*verified" "$WORK/bad.err"

# ---- kept until the intake's record exists ----------------------------------
A=$(mk --session-id 20261203T090000Z-0000000a)
pass_log
check "the session's files and receipts are in the vault" test -f vault/receipts/$A.jsonl -a -f vault/$A/manifest.json
check "with no record yet the local copy is kept" test -f spool/$A/manifest.json
check "... the backlog counts it as awaiting the police side's verification" \
  test "$(bfield awaiting_verification)" = 1 -a "$(bfield verification_failed)" = 0
check "... and it is no vault backlog: every file is confirmed" test "$(bfield sessions)" = 0
check "... the log says why, with the session" \
  grep -q "local copy of $A kept: awaiting the police side's verification" "$WORK/up.err"
pass_log
check "the intake stopped: a second pass wipes nothing either" test -f spool/$A/manifest.json
check "studio-intake --once writes the record" test "$(intake)" = 0 -a -f "$(rec $A)"
pass_log
check "the next pass wipes the local copy" test ! -e spool/$A
check "... the backlog no longer counts it" test "$(bfield awaiting_verification)" = 0
check "... and the log says it was wiped" grep -q "local copy of $A wiped" "$WORK/up.err"

# ---- a record signed by a key the device was not provisioned with ------------
"$KEYS" intake-init --dir ik2 >/dev/null
"$KEYS" enrol --kind intake --pub ik2/intake.pub --name rogue --registry reg.json --it-key it/police-it.key 2>/dev/null
sed -e "s|ik/intake.key|ik2/intake.key|" -e "s|index.sqlite|index2.sqlite|" intake.conf >intake2.conf
K=$(mk --session-id 20261203T091000Z-0000000b)
pass_log
"$INTAKE" --config intake2.conf --once >/dev/null 2>&1 || true
check "another intake (its key not in the bundle) writes a record" minisign -Vqm "$(rec $K)" -p ik2/intake.pub
pass_log
check "that record is refused: the local copy is kept" test -f spool/$K/manifest.json
check "... the backlog counts a failed verification (the room's police-IT warning)" \
  test "$(bfield verification_failed)" = 1
check "... the log names the session, the warning and the key" \
  grep -q "local copy of $K kept: vault verification failed — call police IT.*not a provisioned intake key" "$WORK/up.err"

# ---- verdicts that keep the copy ---------------------------------------------
# TAMPERED: a genuine record of an intact session, its verdict changed and
# signed again with the provisioned intake key (stock minisign)
resign() { # resign SESSION VERDICT
  chmod u+w vault/verifications "$(rec $1)" "$(rec $1).minisig"
  sed -i "s/\"verdict\":\"INTACT\"/\"verdict\":\"$2\"/" "$(rec $1)"
  rm -f "$(rec $1).minisig"
  minisign -S -s ik/intake.key -m "$(rec $1)" -x "$(rec $1).minisig" </dev/null >/dev/null 2>&1
}
T=$(mk --session-id 20261203T092000Z-0000000c)
pass_log
# (from here --once exits 1: it re-checks the rogue record and refuses it)
intake >/dev/null
check "the intake writes its record" test "$(field "$(rec $T)" verdict)" = INTACT
resign $T TAMPERED
check "a TAMPERED record signed by the provisioned key" \
  bash -c "minisign -Vqm '$(rec $T)' -p ik/intake.pub && grep -q '\"verdict\":\"TAMPERED\"' '$(rec $T)'"
pass_log
check "TAMPERED: the local copy is kept" test -f spool/$T/manifest.json
check "... the log says the verdict is not INTACT" \
  grep -q "local copy of $T kept: vault verification failed — call police IT.*verdict is not INTACT (\"TAMPERED\")" "$WORK/up.err"
check "... the backlog counts two failed verifications" test "$(bfield verification_failed)" = 2

# ---- TRUNCATED: only for a session the device itself recovered ---------------
C=$(mk --session-id 20261203T093000Z-0000000d --crash)
pass_log
check "the crashed session is recovered and vaulted" test -f spool/$C/manifest.json -a -f vault/$C/manifest.json
intake >/dev/null
check "... the intake says TRUNCATED" test "$(field "$(rec $C)" verdict)" = TRUNCATED
pass_log
check "... and the device, which recovered it, wipes its copy" test ! -e spool/$C
N=$(mk --session-id 20261203T094000Z-0000000e)
pass_log; intake >/dev/null
resign $N TRUNCATED
pass_log
check "TRUNCATED for a session the device did not recover: kept" test -f spool/$N/manifest.json
check "... the log says why" grep -q "local copy of $N kept:.*did not recover this session" "$WORK/up.err"

# ---- a record of another session ------------------------------------------------
M=$(mk --session-id 20261203T095000Z-0000000f)
pass_log; intake >/dev/null
chmod u+w vault/verifications "$(rec $M)" "$(rec $M).minisig"
cp "$(rec $A)" "$(rec $M)"; cp "$(rec $A).minisig" "$(rec $M).minisig"
pass_log
check "A's record copied over M's (signed, INTACT): M's copy is kept" test -f spool/$M/manifest.json
check "... the log says it is another session's" grep -q "local copy of $M kept:.*record of another session" "$WORK/up.err"

# ---- verified, but the bundle's intake key is not installed --------------------
verified_conf "$WORK/missing/intake.pub"
G=$(mk --session-id 20261203T095200Z-00000012)
pass_log; intake >/dev/null
pass_log
check "no intake key: nothing is wiped, even with a good record" test -f spool/$G/manifest.json -a -f "$(rec $G)"
check "... the log names the key file and the fix" \
  grep -q "intake_key .*missing/intake.pub cannot be used.*provisioning bundle" "$WORK/up.err"
check "... and the room's police-IT warning is raised (every vaulted copy kept: K, T, N, M, G)" \
  test "$(bfield verification_failed)" = 5
mkdir missing && cp ik/intake.pub missing/
pass_log
check "installed, the next pass wipes it" test ! -e spool/$G
verified_conf "$WORK/ik/intake.pub"

# ---- the intake's own verdict: a session under a key revoked before it started --
V=$(revoked_session 20261203T095500Z-00000010)
pass_log
intake >/dev/null
check "the intake says UNTRUSTED-KEY" test "$(field "$(rec $V)" verdict)" = UNTRUSTED-KEY
pass_log
check "UNTRUSTED-KEY: the local copy is kept" test -f spool/$V/manifest.json
check "... the log says so" grep -q "local copy of $V kept: vault verification failed.*(\"UNTRUSTED-KEY\")" "$WORK/up.err"
check "... the backlog counts every refused record (K, T, N, M, V)" test "$(bfield verification_failed)" = 5

# ---- wipe_after = receipts: unchanged --------------------------------------------
printf '[recorder]\nspool = %s/spool\n[uploader]\nvault = dir:%s/vault\nbacklog_file = %s/backlog.json\n' \
  "$WORK" "$WORK" "$WORK" >studio.conf
pass_log
for s in $K $V $T $N $M; do
  check "wipe_after = receipts: $s is wiped on the vault's confirmation alone" test ! -e spool/$s
done
check "... and the backlog counts nothing awaiting or failed" \
  test "$(bfield awaiting_verification)" = 0 -a "$(bfield verification_failed)" = 0
R=$(mk --session-id 20261203T095800Z-00000011)
pass_log
check "... a new session is wiped in the pass that vaults it, no record needed" test ! -e spool/$R -a ! -e "$(rec $R)"

finish
