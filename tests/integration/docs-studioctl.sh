#!/usr/bin/env bash
# docs/studioctl.md works as written: the sh block of "A session from the
# command line" runs exactly as printed in an empty folder, with this
# build's studioctl, studio-recorder and studio-verify on the PATH (no
# placeholders to fill); the session it records verifies INTACT, and each
# answer the guide's tables print is what studioctl said.
source "$(dirname "$0")/lib.sh"
mkdir "$WORK/bin" "$WORK/run"
for t in studioctl:appliance/ctl/studioctl studio-recorder:appliance/recorder/studio-recorder \
         studio-verify:appliance/verify/studio-verify; do
  ln -s "$STUDIO_BUILD_DIR/${t#*:}" "$WORK/bin/${t%%:*}"
done
guide_pgid=
# the guide's recorder runs in the guide's own process group: nothing outlives the test
trap '[ -z "$guide_pgid" ] || kill -9 -- "-$guide_pgid" 2>/dev/null || true; rm -rf "$WORK"' EXIT
python3 "$STUDIO_SOURCE_DIR/tests/integration/docs-blocks.py" "$STUDIO_SOURCE_DIR/docs/studioctl.md" \
  --from "A session from the command line" --to "\`studioctl init\`" >"$WORK/guide.sh" 2>"$WORK/skipped.txt"
cat "$WORK/skipped.txt"
check "the guide's session is an sh block" test "$(grep -c '^studioctl' "$WORK/guide.sh")" -ge 9
# the guide waits for the recorder with `until …`; a recorder that never
# answers must fail the test, not hang it
(cd "$WORK/run" && PATH="$WORK/bin:$PATH" exec setsid timeout 240 bash -euo pipefail "$WORK/guide.sh") \
  >"$WORK/guide.out" 2>&1 &
guide_pgid=$!
if wait "$guide_pgid"; then
  pass "every command of the guide runs as printed"
else
  fail "the guide's commands fail: $(tail -n 8 "$WORK/guide.out"; tail -n 5 "$WORK/run/recorder.log" 2>/dev/null)"
fi
out() { grep -qxE "$1" "$WORK/guide.out" || { echo "no line '$1' in:" >&2; cat "$WORK/guide.out" >&2; return 1; }; }
check "init prints its two lines" out 'config: studio/studio.conf|config: /.*/run/studio/studio.conf'
check "mark answers where it is" out 'mark at 0:00:[0-9]{2} media time'
check "status lists the marks so far" out 'marks so far: 0:00:[0-9]{2}'
check "stop answers as the guide's table says" \
  out 'stopped: 0:00:[0-9]{2} recorded in 1 segment, sealed; the room (is free|needs attention \(studioctl status says why\))'
check "sessions: date, length, state" \
  out '20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC   0:00:[0-9]{2}  sealed, on the device \(1 segment, [0-9]+ bytes\)'
check "recover with nothing to recover, as the guide says" out 'nothing to recover'
check "studio-verify calls the session INTACT" grep -q '^INTACT' "$WORK/guide.out"
check "the recorder stopped on SIGTERM (its socket is gone)" test ! -e "$WORK/run/studio/run/recorder.sock"

# The guide's PIN-file refusal, word for word (with the guide's file name).
want=$(python3 - "$STUDIO_SOURCE_DIR/docs/studioctl.md" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
print(re.search(r"^(studioctl: cannot read the PIN file .*)$", t, re.M).group(1))
PY
)
cd "$WORK/run"
rm -f pin.txt
got=$("$WORK/bin/studioctl" init --dir fresh --officer 4711 --pin-file pin.txt 2>&1 || true)
check "a missing PIN file: the guide's words" test "$got" = "$want"
finish
