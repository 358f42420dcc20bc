#!/usr/bin/env bash
# Crash recovery at start-up over a spool holding hostile folders beside a
# crashed session: a manifest nested 100,000 levels deep (json-glib recurses
# per level and would overflow the stack) and a custody log whose first line
# is nested 8,000 levels deep. `studio-recorder --recover` must exit
# normally, name both folders, leave them as they are, and still close the
# crashed session; studio-verify must judge the deep manifest, not crash.
# Recovery signs only the session this device has open: a real session's
# log copied under a new folder name, and an older (closed, uploaded)
# session's log put back under its own name, are named and left unsigned.
. "$(dirname "$0")/lib.sh"
MS=$STUDIO_BUILD_DIR/tests/make-session
for t in age-keygen python3; do
  command -v $t >/dev/null || { echo "skip: $t not installed"; exit 77; }
done
make_vault
"$MS" --gen-key "$WORK/dev.key" "$WORK/dev.pub"
spool=$WORK/spool
# the chain head lives in the spool, as with --recover's default state folder
mk() { "$MS" --spool "$spool" --state "$spool" --key "$WORK/dev.key" --recipient "$VAULT_RECIPIENT" \
  --segments 2 --segment-bytes 100000 "$@"; }

# an older session, closed (the chain head moves past it), then uploaded
# and wiped; a process with the spool's group puts a prefix of its log back
old=$(mk --session-id 20261128T100000Z-old)
mkdir -p "$WORK/uploaded"
mv "$old" "$WORK/uploaded/"
mkdir "$old"
head -n 3 "$WORK/uploaded/20261128T100000Z-old/custody.jsonl" >"$old/custody.jsonl"
cp "$WORK/uploaded/20261128T100000Z-old/seg-000001.mkv.age" "$old/"
deepman=$(mk --session-id 20261128T110000Z-deepmanifest)
python3 - "$deepman/manifest.json" <<'PY'
import sys
open(sys.argv[1], "w").write('{"format":"studio-session/1","segments":' + "[" * 100000)
PY
good=$(mk --session-id 20261128T120000Z-good --crash --no-recover)
deeplog=$spool/20261128T130000Z-deeplog
mkdir "$deeplog"
python3 - "$deeplog/custody.jsonl" <<'PY'
import sys
line = '[{"a":' * 8000 + "\n"
assert len(line) < 64 * 1024
open(sys.argv[1], "w").write(line)
PY
# the crashed session's log prefix copied under a new folder name
copy=$spool/20261128T140000Z-copy
mkdir "$copy"
head -n 2 "$good/custody.jsonl" >"$copy/custody.jsonl"
cp "$good/seg-000001.mkv.age" "$copy/"
sum_before=$(cat "$deepman/manifest.json" "$deeplog/custody.jsonl" | sha256sum)
copies_before=$(cd "$spool" && find 20261128T140000Z-copy 20261128T100000Z-old -type f | sort | xargs sha256sum)

set +e
"$RECORDER" --recover --out "$spool" --device-key "$WORK/dev.key" >"$WORK/out" 2>"$WORK/err"
rc=$?
set -e
check "studio-recorder --recover exits normally (exit $rc)" test "$rc" -eq 0
if grep -qE 'AddressSanitizer|runtime error|Segmentation|stack-overflow' "$WORK/err"; then
  fail "studio-recorder --recover crashed: $(head -n 5 "$WORK/err")"
fi
check "the deep manifest's folder is named" \
  grep -q "20261128T110000Z-deepmanifest: NOT CHECKED, left untouched: its manifest.json cannot be read (nested deeper than 64 levels)" "$WORK/err"
check "the deep log's folder is named" \
  grep -q "20261128T130000Z-deeplog: NOT RECOVERED, left untouched: its custody log is damaged (line 1: nested deeper than 64 levels)" "$WORK/err"
check "the crashed session beside them is closed" grep -q "20261128T120000Z-good: recovered and closed" "$WORK/err"
check "and has its manifest" test -s "$good/manifest.json"
check "the hostile folders are left exactly as they were" \
  test "$(cat "$deepman/manifest.json" "$deeplog/custody.jsonl" | sha256sum)" = "$sum_before"
check "nothing was added to the deep log's folder" test "$(ls "$deeplog")" = custody.jsonl

check "the copy under a new name is named and left unsigned" \
  grep -q "20261128T140000Z-copy: NOT RECOVERED, left untouched: its custody log is for the session 20261128T120000Z-good, not 20261128T140000Z-copy" "$WORK/err"
check "the older session put back is named and left unsigned" \
  grep -q "20261128T100000Z-old: NOT RECOVERED, left untouched: its custody log does not link to this device's chain head" "$WORK/err"
check "both are byte for byte as they were, with nothing added" \
  test "$(cd "$spool" && find 20261128T140000Z-copy 20261128T100000Z-old -type f | sort | xargs sha256sum)" = "$copies_before"
check "neither has a manifest" test ! -e "$copy/manifest.json" -a ! -e "$old/manifest.json"

# the verifier judges the same folders without crashing
verdict() { # verdict SESSION: prints "WORD EXIT"
  local out rc
  set +e; out=$(timeout 120 "$VERIFY" --device-key "$WORK/dev.pub" "$1" 2>&1); rc=$?; set -e
  if grep -qE 'AddressSanitizer|runtime error|Segmentation|stack-overflow' <<<"$out"; then
    fail "studio-verify crashed on $1: $(echo "$out" | head -n 5)"
  fi
  echo "${out%%:*} $rc"
}
v=$(verdict "$deepman")
check "studio-verify calls the deep manifest TAMPERED ($v)" test "$v" = "TAMPERED 3"
v=$(verdict "$good")
check "the recovered session verifies TRUNCATED ($v)" test "$v" = "TRUNCATED 2"
finish
