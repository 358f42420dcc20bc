#!/usr/bin/env bash
# The intake's verdicts on an s3:// vault (the real Ceph RGW of the fixture
# intake-ceph): a session altered in the vault after upload (a segment
# overwritten as a new version: the lock keeps the original, the latest
# is altered), a session whose segment is hidden by a delete marker, and a
# session signed under a key revoked before it began get records that say
# TAMPERED, INCOMPLETE and UNTRUSTED-KEY, each signed, each an ALERT error
# line. The first pass is killed (SIGKILL) as soon as its first record is
# written, and run again: every session has exactly one record, one
# version of it in the vault, none missing. A session too large for the
# scratch space's free room is refused before anything but its manifest
# is fetched (the log says how much it announces and how much is free),
# and verified once there is room.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/s3-lib.sh"
BUCKET=intake-verdicts-$$
make_bucket "$BUCKET"
s3_conf "$BUCKET" shelter-9
TOOL="python3 $STUDIO_SOURCE_DIR/tests/intake/s3-tool.py"
got() { $TOOL get-locked "$BUCKET" got "intake/shelter-9/verifications/$1.json" \
          "intake/shelter-9/verifications/$1.json.minisig" >/dev/null; }
up() { local rc=0; "$UPLOADER" --config studio.conf --once >"$WORK/up.out" 2>&1 || rc=$?; echo $rc; }
mkdir -p got

T=$(mk --session-id 20261202T090000Z-0000000d)
I=$(mk --session-id 20261202T091000Z-0000000e)
K=()
for i in 1 2 3 4; do K+=("$(mk --session-id 20261203T09000${i}Z-0000001$i)"); done
check "the uploader sends six sessions to RGW" test "$(up)" = 0
# the altered segment: the vault's copy with one byte changed, PUT as a new version
$TOOL get-locked "$BUCKET" . "shelter-9/$T/seg-000001.mkv.age" >/dev/null && mv seg-000001.mkv.age altered
printf 'X' | dd of=altered bs=1 seek=5000 conv=notrunc 2>/dev/null
$TOOL put "$BUCKET" "shelter-9/$T/seg-000001.mkv.age" altered
$TOOL hide "$BUCKET" "shelter-9/$I/seg-000002.mkv.age"
check "the altered segment has two versions, the original locked" \
  grep -q "shelter-9/$T/seg-000001.mkv.age 2" <($TOOL versions "$BUCKET" "shelter-9/$T/")

# ---- the first pass killed as soon as it has written a record ---------------
"$INTAKE" --config intake.conf --once >"$WORK/kill.out" 2>&1 &
pid=$!
# a session's verdict line is logged once its record is in the vault
while ! grep -q "verdict" "$WORK/kill.out"; do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
kill -9 "$pid" 2>/dev/null && killed=yes || killed=no
wait "$pid" 2>/dev/null || true
echo "killed: $killed after: $(grep -m1 verdict "$WORK/kill.out" || true)"
rc=$(intake)
check "the run after the kill exits 0 (every session has its record, whatever the verdict)" test "$rc" = 0
[ "$rc" = 0 ] || tail -n 20 "$WORK/in.err" >&2

verdict_is() { # verdict_is SESSION VERDICT
  got "$1"
  check "$2 session: the record in the vault says $2" test "$(field "got/$1.json" verdict)" = "$2"
  check "... signed (stock minisign)" minisign -Vqm "got/$1.json" -x "got/$1.json.minisig" -p ik/intake.pub
}
verdict_is "$T" TAMPERED
verdict_is "$I" INCOMPLETE
for s in "$T TAMPERED" "$I INCOMPLETE"; do
  set -- $s
  check "... an ALERT error line names $1, its device and $2" \
    grep -q "ALERT session $1 device studio-test-01 verdict $2" "$WORK/in.err" "$WORK/kill.out"
done
check "the findings name the altered segment" grep -q "seg-000001.mkv.age" "got/$T.json"
check "... and the hidden one" grep -q "seg-000002.mkv.age" "got/$I.json"
for s in "${K[@]}"; do verdict_is "$s" INTACT; done
$TOOL versions "$BUCKET" intake/shelter-9/verifications/ >"$WORK/versions"
for s in "${K[@]}" "$T" "$I"; do
  check "$s: one record in the vault, one version" grep -qx "intake/shelter-9/verifications/$s.json 1" "$WORK/versions"
  check "... and its signature, one version" grep -qx "intake/shelter-9/verifications/$s.json.minisig 1" "$WORK/versions"
done
check "the scratch space is left empty" test -z "$(ls -A "$WORK/scratch")"

# ---- a scratch space too small for the session --------------------------------
if [ "$(id -u)" = 0 ]; then
  mkdir small && mount -t tmpfs -o size=70m tmpfs small # 6 MiB beyond the 64 MiB reserve
  trap 'umount "$WORK/small" 2>/dev/null; tsa_stop; rm -rf "$WORK"' EXIT
  L=$(mk --session-id 20261204T090000Z-00000020 --segments 2 --segment-bytes 5000000)
  check "the uploader sends a 10 MB session" test "$(up)" = 0
  sed -i "s|^scratch = .*|scratch = $WORK/small|" intake.conf
  check "a pass with too little scratch space exits 1" test "$(intake)" = 1
  check "... the log says how much it needs and how much is free" \
    grep -q "session $L needs 9 MiB in the scratch folder $WORK/small, which has [0-9]* MiB free beyond" "$WORK/in.err"
  check "... nothing is left in the scratch space" test -z "$(ls -A small)"
  check "... and no record is written" bash -c "! $TOOL versions $BUCKET intake/shelter-9/verifications/$L | grep -q ."
  mount -o remount,size=200m small
  check "with room, the next pass exits 0" test "$(intake)" = 0
  verdict_is "$L" INTACT
else
  skip_part "mounting a small tmpfs for the scratch space needs root"
fi

# ---- a key enrolled, then revoked before its session started ------------------
V=$(revoked_session 20261202T092000Z-0000000f)
check "the uploader sends it" test "$(up)" = 0
check "a pass exits 0" test "$(intake)" = 0
verdict_is "$V" UNTRUSTED-KEY
check "... an ALERT error line names it" grep -q "ALERT session $V device studio-test-01 verdict UNTRUSTED-KEY" "$WORK/in.err"
others=$((${#K[@]} + 2)) # and the scratch part's session, when it ran
[ -z "${L:-}" ] || others=$((others + 1))
check "... and the other $others records are re-checked, not rewritten" grep -q "1 record(s) written, $others re-checked" "$WORK/in.err"
finish
