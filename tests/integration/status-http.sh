#!/bin/bash
# studio-status over HTTP with curl: the JSON for each state, stale and
# missing state files shown as attention, a state file not owned by
# [status] state_owner shown as attention, the allow-list (outside clients
# closed at accept time, also under a slowloris from two outside
# addresses), the Host check (421 naming [status] hostnames), 404, 405,
# 413, 414 and 431 at their exact boundaries, HEAD, the security headers
# (and the CSP's hashes matching what is served), IPv6, listen = :: serving
# IPv4 and IPv6 clients, and SIGTERM.
source "$STUDIO_SOURCE_DIR/tests/integration/lib.sh"
STATUS=$STUDIO_BUILD_DIR/appliance/status/studio-status
TOOL="python3 $STUDIO_SOURCE_DIR/tests/integration/http-tool.py"

pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT

STATE=$WORK/state.json
BACKLOG=$WORK/backlog.json
utc() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
write_state() { # write_state STATE AGE_SECONDS ATTENTION_JSON
  local now; now=$(date +%s)
  printf '{"state":"%s","since":"%s","attention":%s,"hours_left":41.5,"updated":"%s"}\n' \
    "$1" "$(utc $((now - 600)))" "$3" "$(utc $((now - $2)))" >"$STATE.tmp"
  mv "$STATE.tmp" "$STATE"
}
write_conf() { # write_conf FILE LISTEN PORT ALLOW [MORE LINES]
  printf '[status]\nlisten = %s\nport = %s\nallow = %s\nstate_file = %s\nbacklog_file = %s\nstate_owner = %s\n%b' \
    "$2" "$3" "$4" "$STATE" "$BACKLOG" "$(id -un)" "${5:-}" >"$1"
}
start_status() { # start_status CONF LOG URL: returns once it answers
  "$STATUS" --config "$1" 2>>"$2" &
  pids+=($!)
  LAST_PID=$!
  for _ in $(seq 100); do
    curl -s -o /dev/null "$3" && return 0
    kill -0 "$LAST_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "studio-status did not answer; its log:" >&2
  cat "$2" >&2
  return 1
}

PORT=$($TOOL port)
URL=http://127.0.0.1:$PORT
write_conf "$WORK/studio.conf" 127.0.0.1 "$PORT" "127.0.0.0/8;::1" 'hostnames = studio.shelter.lan\ncontact_phone = 088 123 4567\n'
write_state free 0 '[]'
start_status "$WORK/studio.conf" "$WORK/status.log" "$URL/status.json"
DAEMON=$LAST_PID

json() { curl -s "$URL/status.json"; }
field() { python3 -c 'import json,sys; d=json.load(sys.stdin); v=d[sys.argv[1]]; print(json.dumps(v))' "$1"; }

# --- The JSON for several states, and nothing but its six fields.
for s in free identifying ready recording break stopping attention unprovisioned; do
  write_state "$s" 0 '[]'
  check "status.json says $s" test "$(json | field state)" = "\"$s\""
done
write_state recording 0 '["camera disconnected"]'
check "the attention reasons are listed" test "$(json | field attention)" = '["camera disconnected"]'
check "hours_left is a number" test "$(json | field hours_left)" = "41.5"
check "last_transfer is null without an uploader" test "$(json | field last_transfer)" = "null"
check "since is RFC 3339 UTC" bash -c "curl -s $URL/status.json | grep -Eq '\"since\":\"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\"'"
check "exactly the seven fields" test "$(json | python3 -c 'import json,sys; print(",".join(sorted(json.load(sys.stdin))))')" = \
  "attention,hours_left,last_transfer,session_since,since,state,updated"
check "the page says In session, do not enter" bash -c "curl -s $URL/ | grep -q '<h1>In session — do not enter</h1>'"
check "… with the fault and the number to call" bash -c "curl -s $URL/ | grep -q '<h2>Attention: camera disconnected — call police IT on 088 123 4567</h2>'"
write_state free 0 '["clock not synchronised"]'
check "a free room with a police-IT warning says Free" bash -c "curl -s $URL/ | grep -q '<h1>Free</h1>'"
check "… and the warning on its small line" bash -c "curl -s $URL/ | grep -q '<p class=\"it\">For police IT: clock not synchronised</p>'"
write_state recording 0 '["camera disconnected"]'
printf '{"sessions":0,"bytes":0,"oldest":null,"last_transfer":"%s","vault":"reachable","updated":"%s"}\n' \
  "$(utc $(($(date +%s) - 60)))" "$(utc "$(date +%s)")" >"$BACKLOG"
check "last_transfer from the backlog" bash -c "curl -s $URL/status.json | grep -Eq '\"last_transfer\":\"[0-9T:-]+Z\"'"
check "the page shows the last transfer" bash -c "curl -s $URL/ | grep -Eq 'Last transfer to the vault: [0-9]{2}:[0-9]{2}'"
rm -f "$BACKLOG"

# --- Stale or missing: attention, never the last state.
write_state free 20 '[]'
check "a state file 20 s old is attention" test "$(json | field state)" = '"attention"'
check "… because the recorder is not running" test "$(json | field attention)" = '["recorder not running"]'
check "the page says so, not Free" bash -c "curl -s $URL/ | grep -q '<h1>Attention — call police IT on 088 123 4567</h1><h2>recorder not running</h2>' && ! curl -s $URL/ | grep -q '>Free<'"
rm -f "$STATE"
check "a missing state file is attention" test "$(json | field attention)" = '["recorder not running"]'
printf '{"state":"free"' >"$STATE"
check "a malformed state file is attention" test "$(json | field state)" = '"attention"'
check "the reason is logged once, escaped" test "$(grep -c 'shows attention' "$WORK/status.log")" -ge 1
# Not a regular file where the state should be: never read, never a hang.
rm -f "$STATE"; mkfifo "$STATE"
check "a FIFO as the state file is attention, answered at once" \
  bash -c "curl -s --max-time 5 $URL/status.json | grep -q '\"recorder not running\"'"
rm -f "$STATE"; ln -s /dev/zero "$STATE"
check "a link to a device as the state file is attention" \
  bash -c "curl -s --max-time 5 $URL/status.json | grep -q '\"recorder not running\"'"
rm -f "$STATE"; head -c 1048576 /dev/zero | tr '\0' ' ' >"$STATE"
check "a 1 MiB state file is attention (bounded read)" \
  bash -c "curl -s --max-time 5 $URL/status.json | grep -q '\"recorder not running\"'"
rm -f "$STATE"; mkfifo "$BACKLOG"
write_state free 0 '[]'
check "a FIFO as the backlog file: the room is still shown, the transfer unknown" \
  bash -c "curl -s --max-time 5 $URL/status.json | grep -q '\"state\":\"free\".*\"last_transfer\":null'"
rm -f "$BACKLOG"
write_state free 0 '[]'
check "a fresh file again: free" test "$(json | field state)" = '"free"'

# --- Hostile reasons are escaped on the page.
write_state recording 0 '["<script>alert(1)</script>\u202e"]'
check "a hostile reason is escaped on the page" bash -c "curl -s $URL/ | grep -q '&lt;script&gt;alert(1)&lt;/script&gt;\\\\u202e'"
check "… and not raw" bash -c "! curl -s $URL/ | grep -q '<script>alert'"
write_state free 0 '[]'

# --- Codes.
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
for p in /x /index.html /status.json/x //status.json /../etc/passwd /%2e%2e/etc/passwd "/status.json%00" /STATUS.JSON; do
  check "404 for $p" test "$(code --path-as-is "$URL$p")" = 404
done
check "404 for a query string" test "$(code "$URL/status.json?x=1")" = 404
for m in POST PUT DELETE OPTIONS TRACE PATCH; do
  check "405 for $m" test "$(code -X "$m" "$URL/")" = 405
done
check "405 says Allow: GET, HEAD" bash -c "curl -si -X POST $URL/status.json | tr -d '\r' | grep -qx 'Allow: GET, HEAD'"
check "413 for a GET with a body" test "$(code -X GET --data-binary hello "$URL/status.json")" = 413
check "a 4096-byte request line is answered (404: no such path)" test "$($TOOL code "$PORT" line 4096)" = 404
check "a 4097-byte request line is 414" test "$($TOOL code "$PORT" line 4097)" = 414
check "a 100 KiB request line is 414" test "$($TOOL code "$PORT" line 102400)" = 414
check "8192 bytes of headers are answered" test "$($TOOL code "$PORT" hbytes 8192)" = 200
check "8193 bytes of headers are 431" test "$($TOOL code "$PORT" hbytes 8193)" = 431
check "100 KiB of headers are 431" test "$($TOOL code "$PORT" hbytes 102400)" = 431
check "32 headers are answered" test "$($TOOL code "$PORT" hcount 32)" = 200
check "33 headers are 431" test "$($TOOL code "$PORT" hcount 33)" = 431
check "3000 headers are 431" test "$($TOOL code "$PORT" hcount 3000)" = 431
check "curl with 40 headers gets 431" test "$(code $(for i in $(seq 40); do printf -- '-H X-%d:v ' "$i"; done) "$URL/")" = 431

# --- HEAD.
check "HEAD / is 200 with no body" test "$(curl -s -I -o /dev/null -w '%{http_code} %{size_download}' "$URL/")" = "200 0"
check "HEAD /status.json is 200" test "$(curl -s -I -o /dev/null -w '%{http_code}' "$URL/status.json")" = 200

# --- Headers on every answer.
for p in / /status.json /nothing; do
  curl -si "$URL$p" | tr -d '\r' >"$WORK/headers"
  for h in 'Cache-Control: no-store' 'X-Content-Type-Options: nosniff' 'Referrer-Policy: no-referrer' \
    "Content-Security-Policy: default-src 'none'"; do
    check "$p has $h" grep -q "^$h" "$WORK/headers"
  done
  check "$p has a charset" grep -qi '^Content-Type: .*; charset=utf-8' "$WORK/headers"
done
curl -si "$URL/" | tr -d '\r' >"$WORK/page"
check "the page's CSP allows exactly its script and style by hash" python3 - "$WORK/page" <<'PY'
import base64, hashlib, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
csp = re.search(r"^Content-Security-Policy: (.*)$", text, re.M).group(1)
h = lambda s: "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
script = re.search(r"<script>(.*?)</script>", text, re.S).group(1)
style = re.search(r"<style>(.*?)</style>", text, re.S).group(1)
want = ["script-src " + h(script), "style-src " + h(style), "connect-src 'self'", "img-src 'none'",
        "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"]
missing = [w for w in want if w not in csp]
sys.exit(1 if missing or "unsafe" in csp or text.count("<script") != 1 else 0)
PY
check "no external resources on the page" bash -c "! grep -Eq '(src|href)=' '$WORK/page'"

# --- The Host check (DNS rebinding): only the listening address or [status] hostnames.
check "Host: 127.0.0.1:PORT is answered" test "$(code "$URL/status.json")" = 200
check "Host: a name in [status] hostnames is answered" test "$(code -H "Host: studio.shelter.lan:$PORT" "$URL/status.json")" = 200
check "… in any case" test "$(code -H "Host: STUDIO.shelter.lan" "$URL/")" = 200
check "a foreign Host is 421" test "$(code -H "Host: rebind.attacker.example:$PORT" "$URL/status.json")" = 421
check "the 421 names [status] hostnames and holds no state" bash -c "curl -s -H 'Host: rebind.attacker.example' $URL/status.json | grep -q 'hostnames' && ! curl -s -H 'Host: rebind.attacker.example' $URL/status.json | grep -qi 'free\|state\|since'"
check "another port in Host is 421" test "$(code -H "Host: 127.0.0.1:1" "$URL/")" = 421
check "no Host (HTTP/1.0) is 421" test "$($TOOL code "$PORT" raw 'GET / HTTP/1.0\r\n\r\n')" = 421

# --- The state file's owner: only [status] state_owner's file is the room.
if id nobody >/dev/null 2>&1 && [ "$(id -un)" != nobody ]; then
  PORTO=$($TOOL port)
  write_conf "$WORK/owner.conf" 127.0.0.1 "$PORTO" "127.0.0.1"
  sed -i 's/^state_owner = .*/state_owner = nobody/' "$WORK/owner.conf"
  start_status "$WORK/owner.conf" "$WORK/owner.log" "http://127.0.0.1:$PORTO/status.json"
  write_state free 0 '[]'
  check "a state file another user wrote is attention, not Free" \
    test "$(curl -s "http://127.0.0.1:$PORTO/status.json" | field attention)" = '["recorder not running"]'
  check "… and the log says whose it is" grep -q "not to the recorder's user" "$WORK/owner.log"
else
  echo "skip: no user nobody to own the state file"
fi
write_conf "$WORK/noowner.conf" 127.0.0.1 "$($TOOL port)" "127.0.0.1"
sed -i 's/^state_owner = .*/state_owner = no-such-user-here/' "$WORK/noowner.conf"
check "a state_owner that is no user stops it at start, naming the key" \
  bash -c "! '$STATUS' --config '$WORK/noowner.conf' 2>'$WORK/noowner.log' && grep -q 'state_owner' '$WORK/noowner.log'"

# --- The allow-list: a client outside it is closed as it connects, with no answer.
PORT2=$($TOOL port)
write_conf "$WORK/outside.conf" 127.0.0.1 "$PORT2" "192.0.2.0/24"
"$STATUS" --config "$WORK/outside.conf" 2>>"$WORK/outside.log" &
pids+=($!)
for _ in $(seq 100); do python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$PORT2" 2>/dev/null && break; sleep 0.1; done
check "outside the allow-list: closed without an answer" test "$(code "http://127.0.0.1:$PORT2/status.json")" = 000
check "… for the page too" test "$(code "http://127.0.0.1:$PORT2/")" = 000
check "… and holds no state" bash -c "! curl -s http://127.0.0.1:$PORT2/status.json | grep -qi 'free\|state'"

# --- Slowloris from two outside addresses: the allowed client is always answered.
PORT3=$($TOOL port)
write_conf "$WORK/slow.conf" 127.0.0.1 "$PORT3" "127.0.0.1"
write_state free 0 '[]'
start_status "$WORK/slow.conf" "$WORK/slow.log" "http://127.0.0.1:$PORT3/status.json"
check "96 half-sent requests from 127.0.0.2 and 127.0.0.3 hold no slot: 10 of 10 allowed requests answered" \
  python3 "$STUDIO_SOURCE_DIR/tests/integration/http-outside.py" "$PORT3"

# --- IPv6: listen on ::1 (skipped when the machine has no IPv6 loopback).
if python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0))' 2>/dev/null; then
  PORT6=$($TOOL port)
  write_conf "$WORK/v6.conf" ::1 "$PORT6" "::1"
  start_status "$WORK/v6.conf" "$WORK/v6.log" "http://[::1]:$PORT6/status.json"
  check "IPv6 listen works" test "$(curl -s "http://[::1]:$PORT6/status.json" | field state)" = '"free"'
  check "IPv6 boundary: 4097-byte line is 414" test "$($TOOL code "$PORT6" line 4097 ::1)" = 414
  check "only the configured address is bound" test "$(code "http://127.0.0.1:$PORT6/")" = 000
  check "Host: [::1]:PORT is answered" test "$(code "http://[::1]:$PORT6/")" = 200
  # listen = :: is dual-stack: IPv4 clients too, as docs/status-page.md says
  PORTD=$($TOOL port)
  write_conf "$WORK/dual.conf" :: "$PORTD" "127.0.0.1;::1"
  start_status "$WORK/dual.conf" "$WORK/dual.log" "http://127.0.0.1:$PORTD/status.json"
  check "listen = :: answers an IPv4 client" test "$(code "http://127.0.0.1:$PORTD/status.json")" = 200
  check "listen = :: answers an IPv6 client" test "$(code "http://[::1]:$PORTD/status.json")" = 200
  check "listen = ::, the allow-list still holds for IPv4 (127.0.0.2 is outside)" \
    test "$(code --interface 127.0.0.2 "http://127.0.0.1:$PORTD/status.json")" = 000
else
  skip_part "the IPv6 cases need an IPv6 loopback (none here)"
fi

# --- Bad configuration names the key.
printf '[status]\nallow = 300.0.0.0/8\n' >"$WORK/bad.conf"
check "a bad allow entry is refused at start" bash -c "! '$STATUS' --config '$WORK/bad.conf' 2>'$WORK/bad.log' && grep -q allow '$WORK/bad.log'"
check "--help exits 0" "$STATUS" --help

# --- SIGTERM: exit 0, promptly.
kill -TERM "$DAEMON"
rc=timeout
for _ in $(seq 50); do
  if ! kill -0 "$DAEMON" 2>/dev/null; then wait "$DAEMON" && rc=0 || rc=$?; break; fi
  sleep 0.1
done
check "SIGTERM ends it with status 0 within 5 s" test "$rc" = 0
finish
