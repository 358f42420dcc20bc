#!/usr/bin/env bash
# The demo behind `./run demo`: the studio as its users meet it.
#   1. police IT provisions a studio (studioctl init: vault identity,
#      device key, one officer, a self-contained configuration);
#   2. the recorder and the status daemons run on it;
#   3. the detective identifies, starts, marks and stops a session (here
#      through studioctl, as the panel would);
#   4. headless Chromium photographs the shelter's status page while free,
#      recording, after Stop and after the transfer (demo-out/status-*.png);
#   5. the uploader hands the session to the directory vault, prints the
#      receipts and wipes the local copy only after them;
#   6. the prosecutor checks the vault copy with stock tools and with
#      studio-verify, and police IT exports it with studio-export.
#   demo.sh BUILD_DIR [OUT_DIR]
set -euo pipefail
build=$1
src=$(cd "$(dirname "$0")/.." && pwd)
out=${2:-$src/demo-out}
mkdir -p "$out"
out=$(cd "$out" && pwd)
bin=$build/appliance
ctl=$bin/ctl/studioctl
officer=4711
studio=$out/studio
. "$src/tests/browser/chromium.sh"

say() { printf '\n== %s\n' "$*"; }
pids=()
trap 'kill -TERM "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true' EXIT

say "Provisioning (police IT): studioctl init"
printf '135790\n' >"$out/pin" && chmod 600 "$out/pin"
if [ ! -f "$studio/studio.conf" ]; then
  "$ctl" init --dir "$studio" --officer "$officer" --pin-file "$out/pin" | tee "$out/init.out"
else
  echo "(reusing the studio of an earlier demo run: $studio; its sessions chain on)"
fi
conf=$studio/studio.conf
python3 "$src/tests/integration/conf-set.py" "$conf" recorder room "Demo Studio" recorder segment_time 12s
url=$(sed -n 's/^port=//p' "$conf" | head -n 1 | sed 's|^|http://127.0.0.1:|')
echo "vault identity (stays at police IT): $studio/vault.key"
echo "device public key (enrolled at police IT): $studio/device.pub"

say "The recorder and the status page start"
"$bin/recorder/studio-recorder" --config "$conf" 2>"$out/recorder.log" &
recorder_pid=$!
pids+=($recorder_pid)
"$bin/status/studio-status" --config "$conf" 2>"$out/status.log" &
pids+=($!)
for _ in $(seq 100); do
  "$ctl" --config "$conf" status >/dev/null 2>&1 && curl -fs "$url/status.json" >/dev/null && break
  sleep 0.2
done
"$ctl" --config "$conf" status
echo "status page: $url/ (what shelter staff see; status.json: $(curl -fs "$url/status.json"))"

shots=()
shoot() { # shoot NAME: the status page as a PNG in demo-out/
  if [ -z "$CHROMIUM" ]; then echo "(no chromium: no screenshot of the page $1)"; return; fi
  page_screenshot "$url/" "$out/status-$1.png" 1000x700 && shots+=("$out/status-$1.png")
  echo "screenshot: $out/status-$1.png  ($(page_text "$url/" | cut -c1-200))"
}
shoot free

say "The detective: officer $officer identifies with the PIN and presses Start"
"$ctl" --config "$conf" start --officer "$officer" <"$out/pin"
# The demo waits for the session's media time (what studioctl status
# reports), not the wall clock: a screenshot on a busy machine takes seconds.
media_seconds() { # the open session's media time in whole seconds, or nothing
  "$ctl" --config "$conf" status 2>/dev/null |
    sed -n 's/^recorded so far: \([0-9]*\):\([0-9]*\):\([0-9]*\) media time$/\1 \2 \3/p' |
    { read -r h m s && echo $((10#$h * 3600 + 10#$m * 60 + 10#$s)); } || true
}
wait_media() { # wait_media SECONDS: until the session holds that much media
  local t
  for _ in $(seq 1200); do
    t=$(media_seconds)
    [ -n "$t" ] && [ "$t" -ge "$1" ] && return 0
    sleep 0.1
  done
  echo "the session did not reach $1 s of media in 2 minutes" >&2
  return 1
}
wait_media 6
shoot recording
wait_media 8
"$ctl" --config "$conf" mark --note "the witness describes the second address"
echo "(with a note sealed for the vault)"
wait_media 20
"$ctl" --config "$conf" stop
shoot after-stop
kill -TERM "$recorder_pid" 2>/dev/null || true
wait "$recorder_pid" 2>/dev/null || true

session_id=$(ls -d "$studio"/spool/*/ | sed 's|/$||' | grep -v '/receipts$' | sort | tail -n 1 | xargs basename)
local_copy=$studio/spool/$session_id
say "Sealed session in the spool: $local_copy"
(cd "$local_copy" && sha256sum -- *)

say "Custody transfer (studio-uploader --once) to the directory vault $studio/vault"
"$bin/uploader/studio-uploader" --config "$conf" --once
echo "receipts ($studio/spool/receipts/$session_id.jsonl), one per object the vault confirmed:"
python3 - "$studio/spool/receipts/$session_id.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(f"  {r['key']}  {r['size']} bytes  sha256 {r['sha256'][:16]}…  {r.get('retention_mode')}")
PY
if [ -e "$local_copy" ]; then
  echo "the local copy is still in the spool ([uploader] local_retention has not passed)"
else
  echo "the local copy is wiped: every file of it has a confirmed receipt"
fi
session=$studio/vault/$session_id
echo "the session in the vault: $session"
sleep 1
shoot after-transfer # the page now shows the last transfer
kill -TERM "${pids[@]}" 2>/dev/null || true
wait 2>/dev/null || true
pids=()

first=$(ls "$session"/seg-*.mkv.age | head -n 1)
say "Open a segment with stock age (only the vault identity can)"
plain=$out/$(basename "${first%.age}")
echo "age -d -i $studio/vault.key -o $plain $first"
rm -f "$plain"
age -d -i "$studio/vault.key" -o "$plain" "$first"
# A live recording's Matroska file states no duration: the last frame's time says it.
streams=$(ffprobe -v error -show_entries stream=codec_name -of csv=p=0 "$plain" | paste -sd+ -)
last=$(ffprobe -v error -select_streams v:0 -show_entries packet=pts_time -of csv=p=0 "$plain" | sort -n | tail -n 1)
echo "decrypted: $plain ($streams, video to $(printf '%.2f' "${last%,}") s; plays in any player)"

say "Check the vault copy with stock tools"
(cd "$session" && for f in manifest.json SHA256SUMS SHA256SUMS.sealed; do
   minisign -Vq -p "$studio/device.pub" -m "$f" && echo "minisign: $f signature OK"; done
 sha256sum -c SHA256SUMS.sealed)

# A second demo run continues the device's chain: check the link as well.
previous=()
prev_dir=$(ls -d "$studio"/vault/*/ | sed 's|/$||' | grep -v '/receipts$\|/heartbeats$' | grep -vF "$session" | sort | tail -n 1 || true)
if [ -n "$prev_dir" ]; then previous=(--previous "$prev_dir"); fi

say "studio-verify on the vault copy (with the vault identity, so the plaintext and the note are checked too)"
"$bin/verify/studio-verify" --device-key "$studio/device.pub" --identity "$studio/vault.key" \
  "${previous[@]}" --html "$out/report.html" "$session"
echo
echo "Printable court report: $out/report.html"

say "Police IT: studio-export verifies the vault copy, then decrypts it"
rm -rf "$out/export"
"$bin/export/studio-export" --identity "$studio/vault.key" --device-key "$studio/device.pub" \
  --out "$out/export" "$session" >"$out/export.log" 2>&1 && echo "exported: $out/export ($(ls "$out/export" | paste -sd' ' -))" \
  || { cat "$out/export.log"; echo "studio-export failed"; exit 1; }
if [ ${#shots[@]} -gt 0 ]; then
  echo "The status page as shelter staff saw it:"
  printf '  %s\n' "${shots[@]}"
fi
