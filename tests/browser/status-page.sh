#!/usr/bin/env bash
# What shelter staff see: headless Chromium loads the status page while a
# real recorder daemon goes free -> recording -> break -> free, when the
# recorder is gone (attention), when its pre-flight finds a black camera
# (attention), and that last state in Dutch. Each state's words are checked in the page
# text and in the screenshot (OCR), its colour in the screenshot, and the
# page never shows the officer, the session or a file name. The screenshots
# stay in the build folder (status-page-*.png) to look at.
. "$STUDIO_SOURCE_DIR/tests/integration/lib.sh"
. "$STUDIO_SOURCE_DIR/tests/integration/daemon-lib.sh"
. "$STUDIO_SOURCE_DIR/tests/browser/chromium.sh"
STATUS=$STUDIO_BUILD_DIR/appliance/status/studio-status
[ -n "$CHROMIUM" ] || { echo "SKIP: chromium is not installed (./run test installs it)"; exit 77; }
command -v tesseract >/dev/null || { echo "SKIP: tesseract is not installed (./run test installs it)"; exit 77; }
export TZ=Europe/Amsterdam
shots=$STUDIO_BUILD_DIR/status-page-screenshots
rm -rf "$shots" && mkdir -p "$shots"

make_studio
URL=$(sed -n 's/^status: //p' "$WORK/init.out")
start_daemon "$WORK/recorder.log"
"$STATUS" --config "$CONF" 2>"$WORK/status.log" &
status_pid=$!
trap 'kill -9 $daemon_pid $status_pid 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do curl -fs "$URL/status.json" >/dev/null && break; sleep 0.1; done

local_since() { # HH:MM of the state file's "since", in the page's time zone
  python3 - "$STATE" <<'PY'
import json, sys, datetime
s = json.load(open(sys.argv[1]))["since"]
t = datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
print(t.astimezone().strftime("%H:%M"))
PY
}

# look NAME WORDS COLOUR: screenshot + text of the page now; the words must
# be in both, the colour (green|red|amber|blue) must fill most of the page.
look() {
  local name=$1 words=$2 colour=$3 png=$shots/status-page-$1.png text ocr rgb
  page_screenshot "$URL/" "$png" 1000x700 || { fail "$name: no screenshot"; return; }
  text=$(page_text "$URL/")
  printf '%s\n' "$text" >"$shots/status-page-$name.txt"
  case "$text" in *"$words"*) pass "$name: the page says '$words'" ;;
    *) fail "$name: the page says '$text', not '$words'" ;; esac
  ocr=$(tesseract "$png" - 2>/dev/null | tr -s ' \n' ' ')
  # OCR reads the large words; compare without punctuation and case
  if printf '%s' "$ocr" | tr -d '—:.' | tr 'A-Z' 'a-z' | grep -qF "$(printf '%s' "${words%% since*}" | tr -d '—:.' | tr 'A-Z' 'a-z')"; then
    pass "$name: the words are readable in the screenshot"
  else
    fail "$name: OCR of the screenshot read '$ocr'"
  fi
  read -r r g b share < <(python3 "$STUDIO_SOURCE_DIR/tests/browser/png-colour.py" "$png")
  case $colour in
    green) rgb=$(( g > r + 40 && g > b )) ;;
    red) rgb=$(( r > g + 60 && r > b + 60 )) ;;
    amber) rgb=$(( r > 170 && g > 90 && b < 100 && r > g )) ;;
    blue) rgb=$(( b > r + 40 && b > g )) ;;
  esac
  if [ "$rgb" = 1 ] && awk -v s="$share" 'BEGIN{exit !(s >= 0.5)}'; then
    pass "$name: the page is $colour ($r,$g,$b over ${share} of it)"
  else
    fail "$name: the page's main colour is $r,$g,$b over ${share} of it, not $colour"
  fi
  for secret in "$OFFICER" "${session_id:-no-session-yet}" seg-0 .mkv .age spool custody; do
    case "$text" in *"$secret"*) fail "$name: the page shows '$secret'" ;; esac
  done
}

look free "Free" green

start_session >/dev/null
session_id=$(basename "$(last_session)")
look recording "In session since $(local_since)" red
"$CTL" --config "$CONF" break >/dev/null
look break "On a break since $(local_since)" blue
"$CTL" --config "$CONF" resume >/dev/null
"$CTL" --config "$CONF" stop >/dev/null
look after-stop "Free" green

# No recorder: the page must not go on saying Free.
kill -TERM "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true
for _ in $(seq 40); do
  curl -fs "$URL/status.json" | grep -q '"recorder not running"' && break; sleep 0.5
done
look attention "Attention: recorder not running — call police IT" amber
check "the JSON says attention when the recorder is gone" \
  sh -c "curl -fs '$URL/status.json' | grep -q '\"state\":\"attention\"'"

# A fault the recorder finds: a black camera in the pre-flight.
sed 's/^source=videotestsrc.*/source=videotestsrc is-live=true pattern=black/' \
  "$STUDIO_SOURCE_DIR/pipelines/test.profile" >"$WORK/black.profile"
python3 "$STUDIO_SOURCE_DIR/tests/integration/conf-set.py" "$CONF" recorder profile "$WORK/black.profile"
start_daemon "$WORK/recorder-2.log"
start_session >/dev/null 2>&1 && fail "a black camera is refused by the pre-flight"
look attention-camera "Attention: camera shows black — call police IT" amber

# The same room in Dutch, from a second status daemon on another port.
port_nl=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cp "$CONF" "$WORK/nl.conf"
python3 "$STUDIO_SOURCE_DIR/tests/integration/conf-set.py" "$WORK/nl.conf" status port "$port_nl" \
  status language nl
"$STATUS" --config "$WORK/nl.conf" 2>"$WORK/status-nl.log" &
status_nl=$!
trap 'kill -9 $daemon_pid $status_pid $status_nl 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port_nl/status.json" >/dev/null && break; sleep 0.1; done
URL=http://127.0.0.1:$port_nl look attention-nl "Let op: camerabeeld is zwart — bel de politie-ICT" amber
echo "screenshots: $shots"
finish
