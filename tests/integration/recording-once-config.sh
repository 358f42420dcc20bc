#!/usr/bin/env bash
# studio-recorder --once --config FILE records with the configuration's
# [recorder] settings (spool, recipients, device key, segment time), taken
# as typed from the same table the daemon reads, and an option given on the
# command line wins over the file.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"
make_studio
python3 "$STUDIO_SOURCE_DIR/tests/integration/conf-set.py" "$CONF" recorder segment_time 3s
spool=$(sed -n 's/^spool *= *//p' "$CONF" | head -n 1)

"$RECORDER" --once --config "$CONF" --duration 7s >"$WORK/once.out" 2>"$WORK/once.log" \
  || { cat "$WORK/once.log"; fail "--once --config recorded"; }
session=$(tail -n 1 "$WORK/once.out")
check "the session is in the configuration's spool ($session)" test "$(dirname "$session")" = "$spool"
check "it is signed with the configuration's device key" \
  "$VERIFY" --device-key "$WORK/studio/device.pub" "$session"
segments=("$session"/seg-*.mkv.age)
judge_against_clock "$WORK/once.log" "segment_time = 3s from the file: 7 s make at least 2 segments (got ${#segments[@]})" \
  test "${#segments[@]}" -ge 2
check "the configuration's vault identity opens a segment" \
  age -d -i "$WORK/studio/vault.key" -o "$WORK/seg1.mkv" "${segments[0]}"

"$RECORDER" --once --config "$CONF" --duration 3s --segment-time 30s >"$WORK/once2.out" 2>"$WORK/once2.log" \
  || { cat "$WORK/once2.log"; fail "--once --config with --segment-time recorded"; }
session=$(tail -n 1 "$WORK/once2.out")
segments=("$session"/seg-*.mkv.age)
check "--segment-time 30s on the command line wins over the file (got ${#segments[@]} segment(s))" \
  test "${#segments[@]}" -eq 1
finish
