#!/usr/bin/env bash
# studio-intake --once on a dir: vault that holds hostile sizes (issue 24,
# "Hostile vault content", the directory vault's part): a 10 GB sparse
# segment announced by its signed manifest as 100 kB, 100,000 unrelated
# files in receipts/, and folders nested 1,000 levels deep in receipts/
# and inside a session folder. The pass completes, every session gets the
# record its content deserves, nothing is written outside the records and
# the index, the sparse object is not read to its end, and the intake's
# peak memory stays bounded (printed; the bound below is generous for the
# sanitizer build).
. "$STUDIO_SOURCE_DIR/tests/intake/lib.sh"
command -v truncate >/dev/null || { echo "skip: truncate not installed"; exit 77; }
[ -x /usr/bin/time ] || { echo "skip: GNU time (package time) not installed"; exit 77; }

A=$(mk --session-id 20261204T090000Z-0000000a)
S=$(mk --session-id 20261204T091000Z-0000000b)
N=$(mk --session-id 20261204T092000Z-0000000c)
upload
check "three sessions and their receipts are in the vault" test -f vault/receipts/$N.jsonl

# A segment grown to 10 GB (sparse: no disk is used), the manifest unchanged.
seg=vault/$S/seg-000001.mkv.age
chmod u+w "$seg" && truncate -s 10G "$seg"
check "the sparse segment is 10 GB long" test "$(stat -c %s "$seg")" = 10737418240
# 100,000 files that name no session, in the folder the intake lists.
python3 - "$WORK/vault/receipts" <<'EOF'
import os, sys
d = sys.argv[1]
for i in range(100000):
    open(os.path.join(d, "noise-%06d.txt" % i), "w").close()
EOF
check "100,000 unrelated files are in receipts/" test "$(ls vault/receipts | wc -l)" -ge 100000
# 1,000 levels of folders in receipts/ and inside a session folder.
deep() { python3 - "$1" <<'EOF'
import os, sys
os.chdir(sys.argv[1])
for _ in range(1000):
    os.mkdir("d")
    os.chdir("d")
open("bottom.jsonl", "w").close()
EOF
}
mkdir -p vault/receipts/deep.jsonl vault/$N/deep
chmod u+w vault/$N
deep vault/receipts/deep.jsonl
deep vault/$N/deep
check "the nesting is 1,000 levels deep" test "$(find vault/receipts/deep.jsonl -type d | wc -l)" -ge 1000

touch stamp
sleep 1 # a file written by the pass has a later mtime than stamp
r=0
/usr/bin/time -f %M -o "$WORK/peak-kib" "$INTAKE" --config intake.conf --once >"$WORK/in.out" 2>"$WORK/in.err" || r=$?
peak=$(tail -n1 "$WORK/peak-kib")
echo "intake pass over the hostile vault: exit $r, peak RSS $((peak / 1024)) MiB"
check "the pass completes and every session has its record (exit 0)" test "$r" = 0
check "the good session is INTACT" test "$(field "$(rec $A)" verdict)" = INTACT
check "the session with the 10 GB segment is TAMPERED" test "$(field "$(rec $S)" verdict)" = TAMPERED
check "... the findings name the segment" grep -q "seg-000001.mkv.age" "$(rec $S)"
check "... an ALERT error line names it" grep -q "ALERT.*$S" "$WORK/in.err"
check "the session with a 1,000-level folder inside has a record" test -s "$(rec $N)"
check "... signed" minisign -Vqm "$(rec $N)" -p ik/intake.pub
check "... whose verdict is not INTACT (the folder is not in the manifest)" \
  test "$(field "$(rec $N)" verdict)" = INCOMPLETE
check "... and whose findings name it" grep -q '"deep is in the folder but not in the manifest' "$(rec $N)"
check "100,001 entries that name no session: the first 10 are named" \
  test "$(grep -c 'is not used' "$WORK/in.err")" = 10
check "... the rest in one line" grep -q "99991 more entries of .* are not used" "$WORK/in.err"
check "... and counted in the pass's summary" grep -q "100001 listing entries not used" "$WORK/in.err"
check "the nested folder in receipts/ is not used" grep -q "deep.jsonl" "$WORK/in.err"
check "peak RSS stays under 160 MiB ($((peak / 1024)) MiB)" test "$peak" -lt $((160 * 1024))
written=$(find "$WORK" -newer stamp -type f ! -path "$WORK/vault/verifications/*" ! -name 'index.sqlite*' \
  ! -name in.out ! -name in.err ! -name peak-kib | head -5)
check "nothing was written outside the records and the index ($written)" test -z "$written"
finish
