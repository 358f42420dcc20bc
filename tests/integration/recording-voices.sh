#!/usr/bin/env bash
# Every voice on its own track: the built-in test-3voices profile (three
# tones on three sources) and one four-channel source split into tracks
# with a mix. Each decrypted segment has the tracks in the profile's order,
# named by role; an FFT of each finds its own tone 40 dB above the others';
# the mix holds every recorded tone. kill -9 mid-session: the salvaged
# prefix still has all three tracks.
. "$(dirname "$0")/lib.sh"
make_vault
"$KEYS" device-init --dir "$WORK/device" --device-id studio-test >/dev/null
MEDIA=$STUDIO_SOURCE_DIR/tests/integration/media.py

# tones_ok FILE EXPECT HZ…: EXPECT is one "role:HZ" per track in order
# ("mix:HZ+HZ" for the mix): each track's loudest tone is its own and the
# others are at least 40 dB below it (the mix: its tones within 6 dB of
# each other, the rest at least 20 dB below).
tones_ok() {
  local file=$1 expect=$2
  shift 2
  python3 "$MEDIA" tones "$file" "$@" >"$WORK/tones" || return 1
  python3 - "$WORK/tones" "$expect" "$@" <<'PY'
import sys
expect = sys.argv[2].split()
freqs = [float(f) for f in sys.argv[3:]]
lines = [l.split() for l in open(sys.argv[1]).read().splitlines()]
ok = len(lines) == len(expect)
if not ok:
    print("%d audio tracks, %d expected" % (len(lines), len(expect)))
for want, got in zip(expect, lines):
    role, hz = want.split(":")
    title, dbs = got[0], [float(d) for d in got[3:-1]]
    tones = [freqs.index(float(h)) for h in hz.split("+")]
    mine = all(dbs[t] >= -6 for t in tones)
    # two tones through one Opus stream leave products near -30 dB
    floor = -20 if len(tones) > 1 else -40
    others = all(db <= floor for i, db in enumerate(dbs) if i not in tones)
    print("%s: %s, tones %s dB" % (title, "ok" if title == role and mine and others else "WRONG", got[3:-1]))
    ok = ok and title == role and mine and others
sys.exit(0 if ok else 1)
PY
}

session=$("$RECORDER" --once --profile test-3voices --duration 3s --recipient "$VAULT_RECIPIENT" \
  --device-key "$WORK/device/device.key" --out "$WORK/spool" 2>"$WORK/3voices.log" | tail -n 1)
check "test-3voices: stock age decrypts the segment" \
  age -d -i "$VAULT_KEY" -o "$WORK/3voices.mkv" "$session/seg-000001.mkv.age"
check "test-3voices: three tracks, each its own tone" \
  tones_ok "$WORK/3voices.mkv" "interviewee:300 interviewer:700 interpreter:1500" 300 700 1500
# the tracks stay together: each starts and ends with the others (a
# stand-in mixer that shifted its track would put the voice off the lips)
aligned() {
  python3 - "$1" <<'PY'
import subprocess, sys
def pts(i):
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", str(i), "-show_entries",
                          "packet=pts_time", "-of", "csv=p=0", sys.argv[1]],
                         check=True, capture_output=True, text=True).stdout
    v = sorted(float(x.strip(",")) for x in out.split() if x.strip(",") not in ("", "N/A"))
    return v[0], v[-1]
spans = [pts(i) for i in range(4)]
print("first/last pts per stream:", spans)
firsts, lasts = [a for a, _ in spans], [b for _, b in spans]
sys.exit(0 if max(firsts) - min(firsts) <= 0.05 and max(lasts) - min(lasts) <= 0.1 else 1)
PY
}
check "test-3voices: the video and the three tracks start and end together" aligned "$WORK/3voices.mkv"
check "test-3voices: the interpreter's track says Dutch" \
  bash -c "ffprobe -v error -select_streams a:2 -show_entries stream_tags=language -of csv=p=0 '$WORK/3voices.mkv' | grep -qx dut"

# The record: session-start names every track, each segment lists their
# roles, and the verifier's reports show them.
check "test-3voices: session-start names the three tracks, each segment their roles" \
  python3 - "$session/custody.jsonl" <<'PY'
import json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
start = log[0]["tracks"]
roles = [t["role"] for t in start]
assert roles == ["interviewee", "interviewer", "interpreter"], roles
assert start[2]["label"] == "Interpreter microphone" and start[2]["language"] == "nld", start[2]
assert "freq=1500" in start[2]["device"] and start[2]["channel"] == 0, start[2]
assert [t["required"] for t in start] == [True, False, False], start
sealed = [e for e in log if e["event"] == "segment-sealed"]
assert sealed and all(e["tracks"] == roles for e in sealed), sealed
PY
"$VERIFY" --device-key "$WORK/device/device.pub" "$session" >"$WORK/report.txt" 2>&1 || true
"$VERIFY" --json --device-key "$WORK/device/device.pub" "$session" >"$WORK/report.json" 2>/dev/null || true
check "test-3voices: studio-verify says INTACT" grep -q '^INTACT' "$WORK/report.txt"
check "test-3voices: the text report lists the tracks" grep -q \
  '^Tracks    interviewee (Interviewee microphone), interviewer (Interviewer microphone), interpreter (Interpreter microphone, nld)$' \
  "$WORK/report.txt"
check "test-3voices: the JSON report lists the tracks" python3 -c "
import json, sys
r = json.load(open('$WORK/report.json'))
sys.exit(0 if [t['role'] for t in r['tracks']] == ['interviewee', 'interviewer', 'interpreter'] else 1)"

# A microphone of its own that stops mid-session (its source ends after
# 2.3 s): silence stands in, so the recording goes on to its end; that
# track is silent from then on, and the others keep their tones to the end.
sed 's/freq=700 volume=0.1/freq=700 volume=0.1 num-buffers=100/' \
  "$STUDIO_SOURCE_DIR/pipelines/test-3voices.profile" >"$WORK/dies.profile"
session=$("$RECORDER" --once --profile "$WORK/dies.profile" --duration 6s --recipient "$VAULT_RECIPIENT" \
  --out "$WORK/spool-dies" 2>"$WORK/dies.log" | tail -n 1)
check "a microphone that stops: stock age decrypts the segment" \
  age -d -i "$VAULT_KEY" -o "$WORK/dies.mkv" "$session/seg-000001.mkv.age"
span=$(python3 "$MEDIA" span "$WORK/dies.mkv")
check "a microphone that stops: the recording goes on to its end ($span s of 6 s)" \
  python3 -c "import sys; sys.exit(0 if $span >= 5.5 else 1)"
python3 "$MEDIA" tones-after 4.5 "$WORK/dies.mkv" 300 700 1500 >"$WORK/dies.tones"
cat "$WORK/dies.tones"
check "a microphone that stops: the tracks still start and end together" aligned "$WORK/dies.mkv"
check "a microphone that stops: its track is silence from then on" \
  bash -c "sed -n 2p '$WORK/dies.tones' | grep -q ' peak=0.0000$'"
check "a microphone that stops: the other tracks keep their tones to the end" python3 - "$WORK/dies.tones" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])]
first, third = [float(d) for d in rows[0][3:6]], [float(d) for d in rows[2][3:6]]
sys.exit(0 if first[0] == 0.0 and third[2] == 0.0 and max(first[1:]) < -40 and max(third[:2]) < -40 else 1)
PY

# One multichannel interface (one clock): channel 3 is the interpreter's,
# channel 1 the interviewee's, channels 2 and 4 nobody's; the mix has both.
cat >"$WORK/four.profile" <<EOF
[video]
source=videotestsrc is-live=true
width=640
height=360
bitrate=1000
keyframe-interval=1
[audio]
source=interleave name=mic audiotestsrc is-live=true freq=300 volume=0.1 ! mic. audiotestsrc is-live=true freq=700 volume=0.1 ! mic. audiotestsrc is-live=true freq=1500 volume=0.1 ! mic. audiotestsrc is-live=true freq=2500 volume=0.1 ! mic.
channels=4
mix=yes
[audio.track.1]
role=interpreter
channel=3
[audio.track.2]
role=interviewee
channel=1
EOF
session=$("$RECORDER" --once --profile "$WORK/four.profile" --duration 3s --recipient "$VAULT_RECIPIENT" \
  --out "$WORK/spool4" 2>"$WORK/four.log" | tail -n 1)
check "four channels: stock age decrypts the segment" \
  age -d -i "$VAULT_KEY" -o "$WORK/four.mkv" "$session/seg-000001.mkv.age"
check "four channels: the tracks take their channels, the mix both" \
  tones_ok "$WORK/four.mkv" "interpreter:1500 interviewee:300 mix:300+1500" 300 700 1500 2500

# kill -9 while three tracks record: the cut segment's salvaged prefix has them all.
"$RECORDER" --once --profile test-3voices --duration 120s --device-key "$WORK/device/device.key" \
  --recipient "$VAULT_RECIPIENT" --out "$WORK/spool-kill" 2>"$WORK/kill.log" >/dev/null &
pid=$!
# killed once the device has signed a checkpoint with media in it
for _ in $(seq 1 600); do
  grep -qs '"event":"checkpoint".*"media_ns":[1-9]' "$WORK"/spool-kill/*/custody.jsonl && break
  sleep 0.05
done
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
set +e
"$EXPORT" --identity "$VAULT_KEY" --out "$WORK/salvaged" --salvage "$WORK"/spool-kill/*/seg-000001.mkv.age \
  >"$WORK/export.log" 2>&1
rc=$?
set -e
check "kill -9: studio-export --salvage reports TRUNCATED (exit $rc)" \
  bash -c "[ $rc -eq 2 ] && grep -q TRUNCATED '$WORK/export.log'"
check "kill -9: the salvaged prefix has all three tracks, each its own tone" \
  tones_ok "$(ls "$WORK"/salvaged/*.salvaged.mkv)" "interviewee:300 interviewer:700 interpreter:1500" 300 700 1500
finish
