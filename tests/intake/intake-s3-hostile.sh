#!/usr/bin/env bash
# Hostile content in an s3:// vault on RGW (docs/intake.md, "An s3://
# vault"): receipts keys with "..", a control character and nesting as deep
# as RGW's 1,024-byte keys allow; 2,500 unrelated objects in receipts/ (three
# listing pages); a session whose segment was overwritten with a 64 MiB
# object (a new version: the lock keeps old versions, not the key); a
# session whose prefix holds keys with "..", a path and a control
# character. The pass completes and exits 0; nothing is fetched but the
# bounded bytes, nothing is written outside the scratch space, which is
# left empty; every refused key is logged escaped.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/s3-lib.sh"
TOOL="python3 $STUDIO_SOURCE_DIR/tests/intake/s3-tool.py"
BUCKET=intake-hostile-$$
make_bucket "$BUCKET"
s3_conf "$BUCKET" p
D=$(mk --session-id 20261201T090000Z-0000000d)
E=$(mk --session-id 20261201T091000Z-0000000e)
F=$(mk --session-id 20261201T092000Z-0000000f)
rc=0; "$UPLOADER" --config studio.conf --once >"$WORK/up.out" 2>&1 || rc=$?
check "the uploader sends three sessions (rc $rc)" test "$rc" = 0

echo x >one
deep=$(printf 'd/%.0s' $(seq 490))
$TOOL put "$BUCKET" 'p/receipts/../../escape.jsonl' one
$TOOL put "$BUCKET" 'p/receipts/ctl\x01\x1b[2J.jsonl' one
$TOOL put "$BUCKET" "p/receipts/${deep}x.jsonl" one
$TOOL put "$BUCKET" "p/receipts/20261201T093000Z-00000001.jsonl/x" one
$TOOL put-many "$BUCKET" p/receipts/junk- 2500
# E: its first segment replaced by 64 MiB (the manifest says 100,000 bytes)
$TOOL put-zeros "$BUCKET" "p/$E/seg-000001.mkv.age" $((64 << 20))
# F: keys under its prefix that no session folder holds
$TOOL put "$BUCKET" "p/$F/../../evil" one
$TOOL put "$BUCKET" "p/$F/sub/evil" one
$TOOL put "$BUCKET" "p/$F/evil\x07" one
touch "$WORK/marker"

if [ -x /usr/bin/time ]; then
  rc=0; /usr/bin/time -o "$WORK/rss" -f '%M' "$INTAKE" --config intake.conf --once >"$WORK/in.out" 2>"$WORK/in.err" || rc=$?
  echo "figure: peak RSS of the pass $(tail -n 1 "$WORK/rss") KiB (ASan build; a 64 MiB object in the vault)"
else
  rc=$(intake)
fi
check "the pass completes and exits 0 (rc $rc)" test "$rc" = 0
[ "$rc" = 0 ] || tail -n 30 "$WORK/in.err" >&2
check "... three records" grep -q "3 session(s): 3 record(s) written" "$WORK/in.err"
check "... 2,504 listing entries not used" grep -q "2504 listing entries not used" "$WORK/in.err"
check "... a control character logged escaped, never raw" bash -c "grep -q 'ctl\\\\u0001' '$WORK/in.err' && ! grep -q \$'\\x01' '$WORK/in.err'"
check "... the first ten named, the rest counted" grep -q "2494 more entries of .* are not used" "$WORK/in.err"
check "the scratch space is left empty" test -z "$(ls -A "$WORK/scratch")"
check "nothing named by the vault was written anywhere" \
  test -z "$(find "$WORK" /tmp -xdev -newer "$WORK/marker" \( -name 'escape.jsonl' -o -name 'evil*' -o -name x.jsonl \) 2>/dev/null)"
mkdir got
for s in $D $E $F; do
  $TOOL get-locked "$BUCKET" got "intake/p/verifications/$s.json" >/dev/null
done
check "$D (untouched) is INTACT" test "$(field "got/$D.json" verdict)" = INTACT
check "$E (a 64 MiB segment where the manifest says 100,000 bytes) is TAMPERED" test "$(field "got/$E.json" verdict)" = TAMPERED
check "... the intake read no more of it than the manifest allows" grep -q "seg-000001.mkv.age larger than the [0-9]* bytes it may have: it was read no further" "$WORK/in.err"
check "... an ALERT in the log" grep -q "ALERT session $E .* verdict TAMPERED" "$WORK/in.err"
check "$F (keys no session holds under its prefix) is INCOMPLETE" test "$(field "got/$F.json" verdict)" = INCOMPLETE
check "... its record says why" grep -q "3 objects under the session's prefix in the vault have names no session file has" "got/$F.json"
check "... each key logged escaped" grep -q "session $F: object evil\\\\u0007 is no file a session holds" "$WORK/in.err"
finish
