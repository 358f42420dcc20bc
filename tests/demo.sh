#!/usr/bin/env bash
# The demo behind `./run demo`: provision a demo vault identity and device
# key, record a 20-second session from the built-in test profile (or a real
# camera and microphone when present), seal and sign it, and show how to
# check it with stock tools and with studio-verify.
#   demo.sh BUILD_DIR [OUT_DIR]
set -euo pipefail
build=$1
out=${2:-$(dirname "$0")/../demo-out}
mkdir -p "$out"
out=$(cd "$out" && pwd)
bin=$build/appliance
keys=$build/keys/studio-keys

say() { printf '\n== %s\n' "$*"; }

say "Keys (police IT makes the vault identity; the device makes its own signing key)"
if [ ! -f "$out/vault.key" ]; then "$keys" vault-init --out "$out/vault.key"; fi
recipient=$(grep -o 'age1[0-9a-z]*' "$out/vault.key" | head -n 1)
echo "vault recipient: $recipient"
if [ ! -f "$out/device/device.key" ]; then "$keys" device-init --dir "$out/device" --device-id studio-demo; fi
echo "device key: $out/device/device.key (public: $out/device/device.pub)"

profile=test
if [ -e /dev/video0 ] && arecord -l 2>/dev/null | grep -q '^card'; then profile=usb-1cam; fi
say "Recording 20 seconds with the '$profile' profile"
"$bin/recorder/studio-recorder" --once --profile "$profile" --duration 20s --segment-time 12s \
  --recipient "$recipient" --device-key "$out/device/device.key" --officer 4711 \
  --room "Demo Studio" --out "$out/spool" --state-dir "$out/device" >"$out/recorder.out" &
recorder=$!
# Eight seconds in, the detective bookmarks a moment (the panel's Mark key;
# here SIGUSR1 to the recorder).
sleep 8
kill -USR1 "$recorder" 2>/dev/null && echo "(mark placed at about 00:00:08)"
wait "$recorder"
session=$(tail -n 1 "$out/recorder.out")

say "Sealed session: $session"
(cd "$session" && sha256sum -- *)

first=$(ls "$session"/seg-*.mkv.age | head -n 1)
say "Open a segment with stock age (only the vault identity can)"
plain=$out/$(basename "${first%.age}")
echo "age -d -i $out/vault.key -o $plain $first"
rm -f "$plain"
age -d -i "$out/vault.key" -o "$plain" "$first"
# A live recording's Matroska file states no duration: the last frame's time says it.
streams=$(ffprobe -v error -show_entries stream=codec_name -of csv=p=0 "$plain" | paste -sd+ -)
last=$(ffprobe -v error -select_streams v:0 -show_entries packet=pts_time -of csv=p=0 "$plain" | sort -n | tail -n 1)
echo "decrypted: $plain ($streams, video to $(printf '%.2f' "${last%,}") s; plays in any player)"

say "Check with stock tools"
(cd "$session" && for f in manifest.json SHA256SUMS SHA256SUMS.sealed; do
   minisign -Vq -p "$out/device/device.pub" -m "$f" && echo "minisign: $f signature OK"; done
 sha256sum -c SHA256SUMS.sealed)

# A second demo run continues the device's chain: check the link as well.
previous=()
prev_dir=$(ls -d "$out"/spool/*/ | sed 's|/$||' | grep -vF "${session%/}" | sort | tail -n 1 || true)
if [ -n "$prev_dir" ]; then previous=(--previous "$prev_dir"); fi

say "studio-verify (with the vault identity, so the plaintext is checked too)"
"$bin/verify/studio-verify" --device-key "$out/device/device.pub" --identity "$out/vault.key" \
  "${previous[@]}" --html "$out/report.html" "$session"
echo
echo "Printable court report: $out/report.html"
