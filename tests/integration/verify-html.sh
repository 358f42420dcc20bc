#!/usr/bin/env bash
# The printable court report: rendered by headless Chromium, it shows the
# verdict, the session, officer and segment table; text that came from the
# device (officer, room) is escaped, never markup.
. "$(dirname "$0")/lib.sh"
command -v chromium >/dev/null || { echo "SKIP: chromium is not installed (./run test installs it)"; exit 77; }
make_vault
"$KEYS" device-init --dir "$WORK/device" --device-id studio-test >/dev/null

session=$("$RECORDER" --once --duration 3s --recipient "$VAULT_RECIPIENT" \
            --device-key "$WORK/device/device.key" --officer '4711<script>alert(1)</script>' \
            --room 'Room "A" & <b>B</b>' --out "$WORK/spool" 2>/dev/null | tail -n 1)
set +e
"$VERIFY" --device-key "$WORK/device/device.pub" --identity "$VAULT_KEY" --html "$WORK/report.html" \
  "$session" >/dev/null
rc=$?
set -e
check "the session verifies INTACT (exit $rc)" test "$rc" -eq 0
check "device text is escaped in the HTML" bash -c "! grep -q '<script>alert' '$WORK/report.html'"
check "the HTML loads nothing from outside" bash -c "! grep -qiE '(src|href)=\"?(https?:)?//' '$WORK/report.html'"

chrome() {
  timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$WORK/chrome" "$@" 2>/dev/null
}
chrome --dump-dom "file://$WORK/report.html" >"$WORK/dom.html"
check "Chromium renders the verdict" grep -q 'INTACT' "$WORK/dom.html"
check "Chromium shows the officer as text" grep -q '4711&lt;script&gt;' "$WORK/dom.html"
check "the segment table lists the segment" grep -q 'seg-000001.mkv.age' "$WORK/dom.html"
plain=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["segments"][0]["plaintext_sha256"])' \
          "$session/manifest.json")
check "the segment table shows the signed plaintext hash, computed the same (decrypted with --identity)" \
  grep -q "$plain <span class=\"same\">(computed: same)" "$WORK/dom.html"
chrome --screenshot="$WORK/report.png" --window-size=1000,1400 "file://$WORK/report.html" >/dev/null
check "Chromium takes a screenshot of the report" test -s "$WORK/report.png"
chrome --print-to-pdf="$WORK/report.pdf" "file://$WORK/report.html" >/dev/null
check "the report prints to PDF" bash -c "head -c 5 '$WORK/report.pdf' | grep -q '%PDF-'"
# Read the printed page back as a person would: its text, and that it is one page.
pdftotext -layout "$WORK/report.pdf" "$WORK/report.txt"
check "the printed report reads INTACT" grep -q 'INTACT' "$WORK/report.txt"
check "the printed report names the officer and the segment" \
  bash -c "grep -q '4711<script>' '$WORK/report.txt' && grep -q 'seg-000001.mkv.age' '$WORK/report.txt'"
check "the printed report is one page" bash -c "pdfinfo '$WORK/report.pdf' | grep -qE '^Pages: +1$'"

# An hour at 5-minute segments (12 segments) still prints on one A4 page,
# with every segment and the verdict on it.
long=$("$STUDIO_BUILD_DIR/tests/make-session" --spool "$WORK/long-spool" --state "$WORK/long-state" \
         --key "$WORK/device/device.key" --recipient "$VAULT_RECIPIENT" --segments 12 --segment-bytes 70000)
set +e
"$VERIFY" --device-key "$WORK/device/device.pub" --identity "$VAULT_KEY" --html "$WORK/long.html" "$long" >/dev/null
rc=$?
set -e
check "the 12-segment session verifies INTACT (exit $rc)" test "$rc" -eq 0
chrome --print-to-pdf="$WORK/long.pdf" "file://$WORK/long.html" >/dev/null
pdftotext -layout "$WORK/long.pdf" "$WORK/long.txt"
check "the 12-segment report prints on one page" bash -c "pdfinfo '$WORK/long.pdf' | grep -qE '^Pages: +1$'"
check "the printed 12-segment report reads INTACT" grep -q 'INTACT' "$WORK/long.txt"
for i in $(seq -f %06g 1 12); do
  check "the printed 12-segment report lists seg-$i.mkv.age" grep -q "seg-$i.mkv.age" "$WORK/long.txt"
done
check "equal hashes are shown once" grep -q '(computed: same)' "$WORK/long.html"
check "the HTML timeline leaves out segment-sealed entries" bash -c "! grep -q 'segment-sealed' '$WORK/long.html'"
if [ -n "${STUDIO_KEEP_REPORT:-}" ]; then
  chrome --screenshot="$STUDIO_KEEP_REPORT" --window-size=900,1300 "file://$WORK/long.html" >/dev/null
fi
finish
