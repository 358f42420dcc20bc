#!/usr/bin/env bash
# A 20 s recording with the test profile: stock age decrypts every segment,
# each has video and audio, the decoded frames add up to the recording's
# length within 1 s, the segments form one timeline, and nothing on disk is
# plaintext.
. "$(dirname "$0")/lib.sh"
make_vault

session=$("$RECORDER" --once --profile test --duration 20s --segment-time 8s \
            --recipient "$VAULT_RECIPIENT" --out "$WORK/spool" 2>"$WORK/log" | tail -n 1)
check "recorder printed the session folder" test -d "$session"
cat "$WORK/log"

segments=("$session"/seg-*.mkv.age)
judge_against_clock "$WORK/log" "20 s at 8 s per segment gives 3 segments (got ${#segments[@]})" \
  test "${#segments[@]}" -eq 3

plain_on_disk=0
for f in "$session"/*; do
  # Matroska starts with the EBML magic 1A 45 DF A3; a sealed file with "age-encryption.org/v1".
  if [ "$(head -c 4 "$f" | od -An -tx1 | tr -d ' ')" = "1a45dfa3" ]; then plain_on_disk=1; fi
done
check "no plaintext media in the session folder" test "$plain_on_disk" -eq 0
check "segments are age files" bash -c "head -c 21 '${segments[0]}' | grep -q 'age-encryption.org/v1'"

mkdir -p "$WORK/plain"
decoded=()
for f in "${segments[@]}"; do
  out=$WORK/plain/$(basename "${f%.age}")
  check "stock age decrypts $(basename "$f")" age -d -i "$VAULT_KEY" -o "$out" "$f"
  streams=$(ffprobe -v error -show_entries stream=codec_type -of csv=p=0 "$out" | sort | tr '\n' ' ')
  check "$(basename "$out") has audio and video ($streams)" test "$streams" = "audio video "
  first_key=$(ffprobe -v error -select_streams v:0 -show_entries packet=flags -of csv=p=0 "$out" | sed -n 1p)
  check "$(basename "$out") starts on a keyframe" test "${first_key:0:1}" = K
  decoded+=("$out")
done

total=$(python3 "$STUDIO_SOURCE_DIR/tests/integration/media.py" continuity "${decoded[@]}") \
  || fail "segments do not form one continuous timeline: $total"
echo "decoded video: $total s"
judge_against_clock "$WORK/log" "decoded frames add up to 20 s within 1 s ($total)" \
  python3 -c "import sys; sys.exit(0 if abs($total - 20.0) <= 1.0 else 1)"
for f in "${decoded[@]}"; do
  read -r frames audio < <(decoded_frames "$f")
  check "$(basename "$f") decodes ($frames frames, $audio s audio)" test "$frames" -gt 0
done
finish
