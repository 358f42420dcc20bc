#!/usr/bin/env bash
# The printable court report of a real recording: rendered by headless
# Chromium, it shows the verdict, the session, officer and segment table;
# text that came from the device (officer, room) is escaped, never markup.
. "$(dirname "$0")/lib.sh"
command -v chromium >/dev/null || { echo "SKIP: chromium is not installed (./run test installs it)"; exit 77; }
make_vault
"$KEYS" device-init --dir "$WORK/device" --device-id studio-test >/dev/null

# The device's zone (the picture's clock) is signed at the session's start;
# the examiner reads the report in another zone.
session=$(TZ=Asia/Tokyo "$RECORDER" --once --duration 3s --recipient "$VAULT_RECIPIENT" \
            --device-key "$WORK/device/device.key" --officer '4711<script>alert(1)</script>' \
            --room 'Room "A" & <b>B</b>' --out "$WORK/spool" 2>/dev/null | tail -n 1)
set +e
TZ=Europe/Berlin "$VERIFY" --device-key "$WORK/device/device.pub" --identity "$VAULT_KEY" --html "$WORK/report.html" \
  "$session" >/dev/null
rc=$?
set -e
check "the session verifies INTACT (exit $rc)" test "$rc" -eq 0
check "device text is escaped in the HTML" bash -c "! grep -q '<script>alert' '$WORK/report.html'"
check "the HTML loads nothing from outside" bash -c "! grep -qiE '(src|href)=\"?(https?:)?//' '$WORK/report.html'"

chrome() {
  timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$WORK/chrome" \
    --no-pdf-header-footer "$@" 2>/dev/null
}
chrome --dump-dom "file://$WORK/report.html" >"$WORK/dom.html"
check "Chromium renders the verdict" grep -q 'INTACT' "$WORK/dom.html"
check "Chromium shows the officer as text" grep -q '4711&lt;script&gt;' "$WORK/dom.html"
check "the segment table lists the segment" grep -q 'seg-000001.mkv.age' "$WORK/dom.html"
plain=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["segments"][0]["plaintext_sha256"])' \
          "$session/manifest.json")
check "the segment table shows the signed plaintext hash and, decrypted with --identity, the computed one: both in full" \
  bash -c "[ \$(grep -o '$plain' '$WORK/dom.html' | wc -l) -ge 2 ]"
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
check "the recorder signed its time zone at the start" \
  grep -q '"event":"session-start".*"time_zone":"Asia/Tokyo"' "$session/custody.jsonl"
check "the printed report names the device's zone and the examiner's" \
  grep -q 'device Asia/Tokyo (signed at the session.s start); examiner Europe/Berlin' "$WORK/report.txt"
check "the printed report gives the start in UTC, the device's zone and the examiner's" \
  grep -qE 'Started +20[0-9-]{8} [0-9:]{8} UTC; device ([0-9-]{10} )?[0-9:]{8} JST; examiner ([0-9-]{10} )?[0-9:]{8} CES?T' "$WORK/report.txt"
check "the printed report gives the stop in words" \
  grep -q 'stopped normally' "$WORK/report.txt"
check "the printed report shows the plaintext hash twice (stored, computed)" \
  bash -c "[ \$(grep -o '$plain' '$WORK/report.txt' | wc -l) -ge 2 ]"

# The 12-segment page, the TRUNCATED and TAMPERED printouts and the
# report's facts: verify-report.sh (no recorder needed).
if [ -n "${STUDIO_KEEP_REPORT:-}" ]; then
  chrome --screenshot="$STUDIO_KEEP_REPORT" --window-size=900,1300 "file://$WORK/report.html" >/dev/null
fi
finish
