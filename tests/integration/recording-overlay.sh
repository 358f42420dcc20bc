#!/usr/bin/env bash
# Every frame carries the room name and the date and time, burned in as
# interview recordings conventionally do: read back from a decoded frame
# with OCR, as a person looking at the picture would.
. "$(dirname "$0")/lib.sh"
command -v tesseract >/dev/null || { echo "SKIP: tesseract is not installed (./run test installs it)"; exit 77; }
make_vault
session=$("$RECORDER" --once --duration 3s --room "Studio Nord" --recipient "$VAULT_RECIPIENT" \
            --out "$WORK/spool" 2>"$WORK/log" | tail -n 1)
today=$(date +%F)
check "stock age decrypts the segment" age -d -i "$VAULT_KEY" -o "$WORK/seg.mkv" "$session/seg-000001.mkv.age"
# The overlay sits top left: crop it, double its size, and keep only the
# white lettering (black on white) so the colour bars behind it do not
# confuse the OCR.
ffmpeg -v error -y -ss 1.5 -i "$WORK/seg.mkv" -frames:v 1 \
  -vf "crop=900:80:0:0,scale=1800:160,format=gray,lutyuv=y='if(gt(val\,190)\,0\,255)'" "$WORK/overlay.png"
text=$(tesseract "$WORK/overlay.png" - 2>/dev/null | tr -s ' \n' ' ')
echo "OCR read: $text"
check "the picture shows the room name" grep -q "Studio Nord" <<<"$text"
check "the picture shows today's date ($today)" grep -q "$today" <<<"$text"
check "the picture shows a time of day" grep -qE '[0-2][0-9]:[0-5][0-9]:[0-5][0-9]' <<<"$text"
finish
