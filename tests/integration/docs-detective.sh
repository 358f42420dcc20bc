#!/usr/bin/env bash
# docs/detective.md works as written: its sh block (the keys through
# studioctl) runs as printed in a scratch folder against a real recorder on
# a studio from `studioctl init`, and each answer the card prints is what
# studioctl said; then every refusal of the card's table, word for word.
# Placeholders filled by this test (docs-blocks.py --fill):
#   studioctl -> this build's studioctl --config <the test studio's studio.conf>
#   pin.txt   -> the officer's PIN file in the scratch folder (same name)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon-lib.sh"
OFFICER=4711 # the card's officer number
make_studio
start_daemon "$WORK/daemon.log"
mkdir "$WORK/run"
cd "$WORK/run"
printf '%s\n' "$PIN" >pin.txt
chmod 600 pin.txt
python3 "$STUDIO_SOURCE_DIR/tests/integration/docs-blocks.py" "$STUDIO_SOURCE_DIR/docs/detective.md" \
  --fill "studioctl=$CTL --config $CONF" >"$WORK/guide.sh" 2>"$WORK/skipped.txt"
cat "$WORK/skipped.txt"
check "the card has its studioctl commands in an sh block" test "$(grep -c -- "--config" "$WORK/guide.sh")" -ge 9
if bash -euo pipefail "$WORK/guide.sh" >"$WORK/guide.out" 2>&1; then
  pass "every command of the card runs as printed"
else
  fail "the card's commands fail: $(tail -n 5 "$WORK/guide.out")"
fi
out() { grep -qxE "$1" "$WORK/guide.out" || { echo "no line '$1' in:" >&2; cat "$WORK/guide.out" >&2; return 1; }; }
check "identify answers ready" out 'ready'
check "cancel answers as the card says" out 'cancelled: the room is free'
check "start answers recording" out 'recording'
check "mark answers where it is" out 'mark at 0:00:[0-9]{2} media time'
check "status lists the marks so far" out 'marks so far: 0:00:[0-9]{2}'
check "break and resume answer" bash -c "grep -qx 'on a break' '$WORK/guide.out' && grep -qx 'recording again' '$WORK/guide.out'"
# a loaded machine may fall behind real time: the room then needs attention after the session
check "stop answers with the length and the segments" \
  out 'stopped: 0:00:[0-9]{2} recorded in 1 segment, sealed; the room (is free|needs attention \(studioctl status says why\))'
check "sessions lists the session with its date and length" \
  out '20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC   0:00:[0-9]{2}  sealed, on the device \(1 segment, [0-9]+ bytes\)'

# The refusals, as the card's table prints them.
python3 - "$STUDIO_SOURCE_DIR/docs/detective.md" >"$WORK/refusals.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read().split("When a key cannot do anything now", 1)[1]
for row in re.findall(r"^\| (.*?) \| `(studioctl: .*?)` \|$", text, re.M):
    print(row[1])
PY
check "the card lists four refusals" test "$(wc -l <"$WORK/refusals.txt")" = 4
said() { # said CMD…: the refusal studioctl prints (exit 1)
  local rc=0
  "$CTL" --config "$CONF" "$@" >/dev/null 2>"$WORK/said.err" || rc=$?
  [ "$rc" = 1 ] && cat "$WORK/said.err"
}
card() { sed -n "${1}p" "$WORK/refusals.txt"; }
check "mark with nothing recording: as the card says" test "$(said mark)" = "$(card 1)"
"$CTL" --config "$CONF" start --officer "$OFFICER" <pin.txt >/dev/null || fail "start"
check "resume while recording: as the card says" test "$(said resume)" = "$(card 2)"
"$CTL" --config "$CONF" break >/dev/null || fail "break"
check "break on a break: as the card says" test "$(said break)" = "$(card 3)"
check "cancel while recording: as the card says" test "$(said cancel)" = "$(card 4)"
"$CTL" --config "$CONF" stop >"$WORK/stop.out" || fail "stop"
check "stop never shows the session's name" bash -c "! grep -q '$(last_session | xargs basename)' '$WORK/stop.out'"
finish
