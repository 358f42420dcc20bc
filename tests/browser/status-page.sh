#!/usr/bin/env bash
# What shelter staff see: headless Chromium loads the status page while a
# real recorder daemon goes free -> free with a police-IT warning ->
# recording -> break -> free, while the real uploader transfers the session
# and is restarted (the last transfer must still be shown), when the
# recorder is gone (attention), and when its pre-flight finds a black
# camera (attention). Every state is also read from a second status daemon
# in Dutch. Each English state's words are checked in the page text and in
# the screenshot (OCR), its colour in the screenshot, and the page never
# shows the officer, the session or a file name. The screenshots stay in
# the build folder (status-page-*.png) to look at.
. "$STUDIO_SOURCE_DIR/tests/integration/lib.sh"
. "$STUDIO_SOURCE_DIR/tests/integration/daemon-lib.sh"
. "$STUDIO_SOURCE_DIR/tests/browser/chromium.sh"
STATUS=$STUDIO_BUILD_DIR/appliance/status/studio-status
UPLOADER=$STUDIO_BUILD_DIR/appliance/uploader/studio-uploader
SET="python3 $STUDIO_SOURCE_DIR/tests/integration/conf-set.py"
[ -n "$CHROMIUM" ] || { echo "SKIP: chromium is not installed (./run test installs it)"; exit 77; }
command -v tesseract >/dev/null || { echo "SKIP: tesseract is not installed (./run test installs it)"; exit 77; }
export TZ=Europe/Amsterdam
shots=$STUDIO_BUILD_DIR/status-page-screenshots
rm -rf "$shots" && mkdir -p "$shots"
PHONE="088 123 4567"
make_studio
URL=$(sed -n 's/^status: //p' "$WORK/init.out")
BACKLOG=$WORK/studio/run/backlog.json
# No pre-flight until the black-camera case: what the page shows is under
# test here, not how fast a loaded machine pre-rolls (tests/integration/health-*).
$SET "$CONF" status contact_phone "$PHONE" uploader vault "dir:$WORK/vault" uploader local_retention 0 \
  uploader scan_interval 2s uploader heartbeat_interval 1h uploader status_interval 1h health preflight false
start_daemon "$WORK/recorder.log"
"$STATUS" --config "$CONF" 2>"$WORK/status.log" &
status_pid=$!
# The same room in Dutch, from a second status daemon on another port.
port_nl=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL_NL=http://127.0.0.1:$port_nl
cp "$CONF" "$WORK/nl.conf"
$SET "$WORK/nl.conf" status port "$port_nl" status language nl
"$STATUS" --config "$WORK/nl.conf" 2>"$WORK/status-nl.log" &
status_nl=$!
uploader=
trap 'kill -9 $daemon_pid $status_pid $status_nl $uploader 2>/dev/null || true; rm -rf "$WORK"' EXIT
for u in "$URL" "$URL_NL"; do
  for _ in $(seq 100); do curl -fs "$u/status.json" >/dev/null && break; sleep 0.1; done
done
wait_for() { local n=$(($1 * 10)); shift; for _ in $(seq "$n"); do "$@" && return 0; sleep 0.1; done; return 1; }

local_time() { # local_time FIELD [FILE]: HH:MM of a time field of the state file (or FILE), in the page's time zone
  python3 - "${2:-$STATE}" "$1" <<'PY'
import json, sys, datetime
s = json.load(open(sys.argv[1]))[sys.argv[2]]
t = datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
print(t.astimezone().strftime("%H:%M"))
PY
}
local_since() { local_time since; }
listed() { python3 -c 'import json,sys; sys.exit(sys.argv[2] not in (json.load(open(sys.argv[1])).get("attention") or []))' "$STATE" "$1"; }
# says_nl NAME WORDS...: the Dutch page says each of WORDS (one load; text
# only: OCR is for the English screenshots)
says_nl() {
  local name=$1 text w
  shift
  text=$(page_text "$URL_NL/")
  printf '%s\n' "$text" >"$shots/status-page-$name-nl.txt"
  for w in "$@"; do
    case "$text" in *"$w"*) pass "$name in Dutch: the page says '$w'" ;;
      *) fail "$name in Dutch: the page says '$text', not '$w'" ;; esac
  done
}
# says NAME WORDS...: the English page that look just loaded also says each of WORDS
says() {
  local name=$1 w
  shift
  for w in "$@"; do
    case "$LAST_TEXT" in *"$w"*) pass "$name: the page also says '$w'" ;;
      *) fail "$name: the page says '$LAST_TEXT', not '$w'" ;; esac
  done
}

# look NAME WORDS COLOUR: screenshot + text of the page now; the words must
# be in both, the colour (green|red|amber|blue) must fill most of the page.
look() {
  local name=$1 words=$2 colour=$3 png=$shots/status-page-$1.png text ocr rgb
  page_screenshot "$URL/" "$png" 1000x700 || { fail "$name: no screenshot"; return; }
  text=$(page_text "$URL/")
  LAST_TEXT=$text
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
says_nl free "Vrij"

# A warning for police IT: the headline stays Free (green), the warning on its small line.
rm -f "$TIMESYNC"
check "the recorder lists the clock warning" wait_for 30 listed "clock not synchronised"
look free-warning "Free" green
says free-warning "For police IT: clock not synchronised"
says_nl free-warning "Voor de politie-ICT: klok niet gelijkgezet"
touch "$TIMESYNC"
wait_for 30 bash -c "! python3 -c 'import json,sys; sys.exit(\"clock not synchronised\" not in json.load(open(sys.argv[1]))[\"attention\"])' '$STATE'"

start_session >/dev/null
session_id=$(basename "$(last_session)")
session_start=$(local_time session_since)
cp "$STATE" "$WORK/recording.json"
look recording "In session — do not enter" red
says recording "In session since $session_start"
says_nl recording "In gesprek — niet binnengaan" "In gesprek sinds $session_start"
"$CTL" --config "$CONF" break >/dev/null
check "the break keeps the session's start in the state file" \
  test "$(local_time session_since)" = "$(local_time since "$WORK/recording.json")"
look break "On a break — do not enter" blue
says break "On a break since $(local_since) · In session since $session_start"
says_nl break "Pauze — niet binnengaan" "Pauze sinds $(local_since) · In gesprek sinds $session_start"
"$CTL" --config "$CONF" resume >/dev/null
LAST_TEXT=$(page_text "$URL/")
says resumed "In session since $session_start"
"$CTL" --config "$CONF" stop >/dev/null
look after-stop "Free" green

# The real uploader transfers the session; after it restarts the page
# still shows that transfer (rebuilt from the receipts, not "never").
backlog_transfer() { python3 -c 'import json,sys; t=json.load(open(sys.argv[1])).get("last_transfer"); sys.exit(not t); ' "$BACKLOG" 2>/dev/null; }
"$UPLOADER" --config "$CONF" 2>>"$WORK/uploader.log" &
uploader=$!
check "the uploader transfers the session" wait_for 120 backlog_transfer
transfer=$(local_time last_transfer "$BACKLOG" 2>/dev/null || echo none)
look transferred "Last transfer to the vault: $transfer" green
kill -TERM "$uploader"; wait "$uploader" 2>/dev/null || true
restarted_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
"$UPLOADER" --config "$CONF" 2>>"$WORK/uploader-2.log" &
uploader=$!
backlog_after_restart() { python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["updated"] < sys.argv[2])' "$BACKLOG" "$restarted_at" 2>/dev/null; }
check "the restarted uploader publishes its backlog" wait_for 60 backlog_after_restart
look uploader-restart "Last transfer to the vault: $transfer" green
says_nl uploader-restart "Laatste overdracht naar de kluis: $transfer"
kill -TERM "$uploader"; wait "$uploader" 2>/dev/null || true
uploader=

# No recorder: the page must not go on saying Free.
kill -TERM "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true
for _ in $(seq 40); do
  curl -fs "$URL/status.json" | grep -q '"recorder not running"' && break; sleep 0.5
done
look attention "Attention — call police IT on $PHONE" amber
says attention "recorder not running"
says_nl attention "Let op — bel de politie-ICT op $PHONE" "recorder draait niet"
check "the JSON says attention when the recorder is gone" \
  sh -c "curl -fs '$URL/status.json' | grep -q '\"state\":\"attention\"'"

# A fault the recorder finds: a black camera in the pre-flight.
sed 's/^source=videotestsrc.*/source=videotestsrc is-live=true pattern=black/' \
  "$STUDIO_SOURCE_DIR/pipelines/test.profile" >"$WORK/black.profile"
$SET "$CONF" recorder profile "$WORK/black.profile" health preflight true
start_daemon "$WORK/recorder-2.log"
start_session >/dev/null 2>&1 && fail "a black camera is refused by the pre-flight"
look attention-camera "Attention — call police IT on $PHONE" amber
says attention-camera "camera shows black"
URL=$URL_NL look attention-nl "Let op — bel de politie-ICT op $PHONE" amber
says_nl attention-camera "camerabeeld is zwart"

# Not provisioned: one wording, "not set up", whatever it lacks.
kill -TERM "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true
mv "$WORK/studio/officers" "$WORK/officers.away"
start_daemon "$WORK/recorder-3.log"
check "without officers the room is unprovisioned" wait_for 30 state_is unprovisioned
look unprovisioned "Attention — call police IT on $PHONE" amber
says unprovisioned "not set up" "For police IT: no officers"
says_nl unprovisioned "niet ingericht" "Voor de politie-ICT: geen rechercheurs ingericht"
echo "screenshots: $shots"
finish
