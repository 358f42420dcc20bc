#!/usr/bin/env bash
# docs/verifying.md works as written: the sh blocks of sections 1 and 2
# (standard tools, then studio-verify) run exactly as the guide prints them
# (tests/integration/docs-blocks.py), one after the other, on real sessions,
# registry and police IT key, and section 4 (playing the evidence) joins a
# recorded session's working copy with stock ffmpeg into a file ffprobe
# reads. Section 3 (awscli against the vault) needs a Ceph RGW: the vault
# test vault-s3-session runs it. Afterwards the session folder is untouched
# and studio-verify still calls it INTACT.
. "$(dirname "$0")/lib.sh"
MS=$STUDIO_BUILD_DIR/tests/make-session
BLOCKS=$STUDIO_SOURCE_DIR/tests/integration/docs-blocks.py
GUIDE=$STUDIO_SOURCE_DIR/docs/verifying.md
for t in minisign age sha256sum python3 ffmpeg ffprobe; do
  command -v $t >/dev/null || { echo "skip: $t not installed"; exit 77; }
done
make_vault
cd "$WORK"
"$KEYS" device-init --dir dev --device-id studio-test-01 >/dev/null
"$KEYS" enrol --dir dev --registry registry.json >/dev/null 2>&1
"$KEYS" it-key-init --out it >/dev/null
"$KEYS" registry-sign --registry registry.json --key it/police-it.key >/dev/null 2>&1
# two sessions of one device, in chain order; the second has a sealed note
previous=$("$MS" --spool spool --state state --key dev/device.key --recipient "$VAULT_RECIPIENT" \
             --segments 1 --segment-bytes 100000)
session=$("$MS" --spool spool --state state --key dev/device.key --recipient "$VAULT_RECIPIENT" \
            --segments 2 --segment-bytes 150000 --note 'the note the guide opens')
before=$(cd "$session" && sha256sum ./* | sort)

# The test's table: the guide's variables (section 1 says to set them) and
# the placeholders of section 2, filled with this test's files. Section 1
# runs in $WORK/run and works in run/check (device.pub, media/ beside the
# session's copy).
CHECK=$WORK/run/check
FILL=(--fill "device.pub=$CHECK/device.pub" --fill "SESSION_DIR=$WORK/$session"
      --fill "PREVIOUS_SESSION_DIR=$WORK/$previous" --fill "registry.json=$WORK/registry.json"
      --fill "vault.key=$VAULT_KEY" --fill "report.html=$WORK/report.html"
      --fill "police-it.pub=$WORK/it/police-it.pub"
      --fill "seg-000001.mkv=$CHECK/media/seg-000001.mkv" --fill "seg-000002.mkv=$CHECK/media/seg-000002.mkv")
python3 "$BLOCKS" "$GUIDE" --to "3. Against the vault" "${FILL[@]}" >guide.sh 2>guide.skipped
cat guide.skipped
check "sections 1 and 2 have their commands in sh blocks" test "$(grep -c . guide.sh)" -ge 14
mkdir run && cd run
if PATH="$(dirname "$VERIFY"):$PATH" S="$WORK/$session" REG="$WORK/registry.json" \
     POLICE_IT_PUB="$WORK/it/police-it.pub" VAULT_KEY="$VAULT_KEY" \
     bash -euo pipefail "$WORK/guide.sh" >"$WORK/guide.out" 2>&1; then
  pass "every command of sections 1 and 2 runs as printed"
else
  fail "the guide's commands fail: $(tail -n 5 "$WORK/guide.out")"
fi
cd "$WORK"
check "minisign verified the registry and the session's three signatures" test "$(grep -c 'Signature and comment signature verified' guide.out)" -eq 4
check "sha256sum -c passed the sealed files and the media" bash -c "! grep -q FAILED '$WORK/guide.out' && grep -q 'seg-000002.mkv: OK' '$WORK/guide.out'"
check "stock age opened the mark's sealed note as the guide says" grep -q '^the note the guide opens$' guide.out
check "studio-verify said INTACT for each of section 2's five commands" \
  test "$(grep -c '^INTACT' guide.out)" -ge 5
check "the --media working copies were checked" grep -qF "checked: the same SHA-256 as seg-000002.mkv" guide.out
check "the court report was written" grep -q '<svg class="timeline"' report.html
check "the chain of the two sessions holds" grep -qE 'INTACT.*2 session' guide.out
check "the session folder is untouched" test "$(cd "$session" && sha256sum ./* | sort)" = "$before"
set +e
out=$("$VERIFY" --registry registry.json --registry-key it/police-it.pub "$session"); rc=$?
set -e
check "studio-verify still says INTACT (exit $rc)" test "$rc" -eq 0

# Section 4: a recorded session (real media, three segments), exported, then
# joined as the guide prints it. WORKING_COPY is the export's --out.
set +e
rec=$("$RECORDER" --once --duration 8s --segment-time 1s --recipient "$VAULT_RECIPIENT" \
        --device-key dev/device.key --out recorded 2>recorder.err)
rc=$?
set -e
rec=$(tail -n 1 <<<"$rec")
if [ "$rc" != 0 ] || [ ! -s "$rec/manifest.json" ]; then
  fail "studio-recorder --once did not record a session to play (exit $rc): $(tail -n 3 recorder.err)"
  finish
fi
"$EXPORT" --identity "$VAULT_KEY" --device-key dev/device.pub --out copy "$rec" >export.out 2>&1 ||
  fail "studio-export of the recorded session: $(cat export.out)"
segs=$(ls copy/seg-*.mkv | wc -l)
check "the recorded session has several segments ($segs)" test "$segs" -ge 2
python3 "$BLOCKS" "$GUIDE" --from "4. Playing" --fill "WORKING_COPY=$WORK/copy" >play.sh
mkdir play && cd play
if bash -euo pipefail "$WORK/play.sh" >"$WORK/play.out" 2>&1; then
  pass "section 4's commands run as printed"
else
  fail "section 4's commands fail: $(tail -n 5 "$WORK/play.out")"
fi
cd "$WORK"
want=$(python3 -c 'import json,sys; print(sum(s["duration_ns"] for s in json.load(open(sys.argv[1]))["segments"]) / 1e9)' "$rec/manifest.json")
got=$(tail -n 1 play.out)
check "ffprobe reads the joined file: $got s, the segments' $want s together" \
  python3 -c 'import sys; g, w = float(sys.argv[1]), float(sys.argv[2]); sys.exit(0 if abs(g - w) < 0.5 else 1)' "$got" "$want"
check "the joined file has the video and the sound" \
  bash -c "[ \"\$(ffprobe -v error -show_entries stream=codec_type -of csv=p=0 '$WORK/session.mkv' | sort -u | tr '\n' ' ')\" = 'audio video ' ]"
read -r frames _ < <(decoded_frames "$WORK/session.mkv")
read -r first _ < <(decoded_frames "$WORK/copy/seg-000001.mkv")
check "its picture plays through every segment ($frames frames, $first in the first)" test "$frames" -gt "$first"
check "the working copy still checks" bash -c "cd '$WORK/copy' && sha256sum --quiet -c SHA256SUMS"
finish
