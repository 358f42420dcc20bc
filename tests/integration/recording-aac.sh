#!/usr/bin/env bash
# A profile with [audio] codec=aac records H.264 + AAC that stock age
# decrypts and that decodes to the recording's length.
. "$(dirname "$0")/lib.sh"
make_vault
sed 's/^codec=opus/codec=aac/' "$STUDIO_SOURCE_DIR/pipelines/test.profile" >"$WORK/aac.profile"
session=$("$RECORDER" --once --duration 4s --profile "$WORK/aac.profile" --recipient "$VAULT_RECIPIENT" \
            --out "$WORK/spool" 2>"$WORK/log" | tail -n 1)
check "the recording made a session folder" test -d "$session"
seg=$session/seg-000001.mkv.age
check "stock age decrypts the segment whole" age -d -i "$VAULT_KEY" -o "$WORK/seg.mkv" "$seg"
codecs=$(ffprobe -v error -show_entries stream=codec_name -of csv=p=0 "$WORK/seg.mkv" | sort | paste -sd, -)
check "the streams are AAC and H.264 (got $codecs)" test "$codecs" = "aac,h264"
read -r frames audio < <(decoded_frames "$WORK/seg.mkv")
check "the video decodes to about 4 s ($frames frames)" test "$frames" -ge 90
check "the audio decodes to about 4 s ($audio s)" python3 -c "import sys; sys.exit(0 if abs($audio - 4.0) <= 1.0 else 1)"
finish
