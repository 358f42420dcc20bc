#!/usr/bin/env bash
# `./run demo` must keep working: run its script against this build and
# check that it ends with an INTACT session that stock tools accept.
. "$(dirname "$0")/lib.sh"
bash "$STUDIO_SOURCE_DIR/tests/demo.sh" "$STUDIO_BUILD_DIR" "$WORK/demo" >"$WORK/demo.log" 2>&1 || {
  cat "$WORK/demo.log"; fail "the demo script failed"; finish; }
cat "$WORK/demo.log"
check "the demo's session verifies INTACT" grep -q '^INTACT' "$WORK/demo.log"
check "the demo prints the age -d command" grep -q '^age -d -i .*vault.key' "$WORK/demo.log"
check "stock minisign accepted the manifest" grep -q 'minisign: manifest.json signature OK' "$WORK/demo.log"
check "the demo decrypted a segment with stock age and it has video and audio" \
  grep -qE '^decrypted: .*\(h264\+opus|^decrypted: .*\(opus\+h264' "$WORK/demo.log"
check "the detective's mark is in the verified custody timeline" grep -qE '^  .*  mark ' "$WORK/demo.log"
check "the demo wrote the HTML report" test -s "$WORK/demo/report.html"
check "the 20 s demo rolled over into 2 segments, both in the vault" \
  test "$(ls "$WORK"/demo/studio/vault/*/seg-*.mkv.age | wc -l)" -eq 2
check "the demo printed a receipt for each segment" \
  test "$(grep -c '^  [^ ]*/seg-00000[12].mkv.age  [0-9]* bytes  sha256 ' "$WORK/demo.log")" -eq 2
check "the local copy was wiped only after the receipts" \
  grep -q '^the local copy is wiped: every file of it has a confirmed receipt' "$WORK/demo.log"
check "no session is left in the spool" \
  test -z "$(ls -d "$WORK"/demo/studio/spool/*/ 2>/dev/null | grep -v '/receipts/$')"
check "studio-export verified and decrypted the vault copy" grep -q '^exported: ' "$WORK/demo.log"
check "the export holds the decrypted segments" test -s "$WORK/demo/export/seg-000001.mkv"
for s in free recording after-stop after-transfer; do
  check "the demo names its screenshot of the status page ($s)" \
    grep -q "^  $WORK/demo/status-$s.png" "$WORK/demo.log"
  check "the screenshot status-$s.png is a PNG" \
    sh -c "head -c 8 '$WORK/demo/status-$s.png' | od -An -tx1 | grep -q '89 50 4e 47'"
done
check "the page said Free before the session" grep -q "^screenshot: .*status-free.png  (.*Free" "$WORK/demo.log"
check "the page said In session during it" grep -q "^screenshot: .*status-recording.png  (.*In session — do not enter" "$WORK/demo.log"
check "the page said Free after Stop" grep -q "^screenshot: .*status-after-stop.png  (.*Free" "$WORK/demo.log"
check "after the transfer the page shows its time" \
  grep -qE "^screenshot: .*status-after-transfer.png  \(.*Last transfer to the vault: [0-9]{2}:[0-9]{2}" "$WORK/demo.log"
finish
