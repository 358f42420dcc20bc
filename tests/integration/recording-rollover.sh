#!/usr/bin/env bash
# Segments roll over by time and by size; no media is lost or duplicated at
# the boundaries, and every segment starts on a keyframe and plays alone.
. "$(dirname "$0")/lib.sh"
make_vault
"$KEYS" device-init --dir "$WORK/device" --device-id studio-test >/dev/null

check_session() { # check_session LABEL SESSION EXPECTED_SECONDS MIN_SEGMENTS LOG
  local label=$1 session=$2 expect=$3 min=$4 log=$5
  local segments=("$session"/seg-*.mkv.age) decoded=()
  judge_against_clock "$log" "$label: at least $min segments (got ${#segments[@]})" test "${#segments[@]}" -ge "$min"
  mkdir -p "$session.plain"
  for f in "${segments[@]}"; do
    local out=$session.plain/$(basename "${f%.age}")
    check "$label: $(basename "$f") decrypts whole" age -d -i "$VAULT_KEY" -o "$out" "$f"
    local first_key
    first_key=$(ffprobe -v error -select_streams v:0 -show_entries packet=flags -of csv=p=0 "$out" | sed -n 1p)
    check "$label: $(basename "$out") starts on a keyframe" test "${first_key:0:1}" = K
    decoded+=("$out")
  done
  local total
  total=$(python3 "$STUDIO_SOURCE_DIR/tests/integration/media.py" continuity "${decoded[@]}") \
    || fail "$label: boundaries lose or duplicate media: $total"
  judge_against_clock "$log" "$label: decoded total $total s is within 1 s of $expect s" \
    python3 -c "import sys; sys.exit(0 if abs($total - $expect) <= 1.0 else 1)"
  # What the device signed about each segment's length must match the media.
  check "$label: the manifest's segment durations match the decoded media" \
    python3 "$STUDIO_SOURCE_DIR/tests/integration/media.py" manifest-durations "$session/manifest.json" "${decoded[@]}"
  "$VERIFY" --device-key "$WORK/device/device.pub" --identity "$VAULT_KEY" "$session" >"$session.report" || true
  check "$label: studio-verify says INTACT" grep -q '^INTACT' "$session.report"
  check "$label: studio-verify finds no jump in media time" bash -c "! grep -q 'media time jumps' '$session.report'"
}

by_time=$("$RECORDER" --once --duration 7s --segment-time 2s --recipient "$VAULT_RECIPIENT" \
            --device-key "$WORK/device/device.key" --out "$WORK/time" 2>"$WORK/time.log" | tail -n 1)
check_session "by time" "$by_time" 7 4 "$WORK/time.log"

by_size=$("$RECORDER" --once --duration 7s --segment-size 600KiB --recipient "$VAULT_RECIPIENT" \
            --device-key "$WORK/device/device.key" --out "$WORK/size" 2>"$WORK/size.log" | tail -n 1)
check_session "by size" "$by_size" 7 3 "$WORK/size.log"
finish
