# Headless Chromium for the status page's tests and the demo (sourced).
#   page_screenshot URL FILE [WIDTHxHEIGHT]   a PNG of the page as staff see it
#   page_text URL                             the page's DOM after its script ran
# Chromium gets a fresh profile each time and no background networking
# (this machine's network is closed, and the page needs none).
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}

chromium_run() {
  local profile
  profile=$(mktemp -d /tmp/studio-chromium.XXXXXX)
  timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --disable-default-apps --hide-scrollbars --user-data-dir="$profile" "$@" 2>/dev/null
  local rc=$?
  rm -rf "$profile"
  return $rc
}

page_screenshot() {
  local size=${3:-1000x700}
  chromium_run --window-size="${size/x/,}" --screenshot="$2" "$1" >/dev/null
  test -s "$2"
}

page_text() {
  # --dump-dom prints the DOM after load; strip the markup for the words
  chromium_run --dump-dom "$1" | python3 -c '
import html, re, sys
d = sys.stdin.read()
d = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", d)
print(" ".join(html.unescape(re.sub(r"<[^>]+>", " ", d)).split()))'
}
