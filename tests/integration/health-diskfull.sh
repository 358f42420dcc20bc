#!/usr/bin/env bash
# Free disk through the real daemon, on a small tmpfs spool the test mounts:
# hours_left is published; below start_min_left Start (the identification)
# is refused with what is left and what to do; mid-session below the reserve
# the session stops as Stop does after a signed "disk-reserve" entry, closes
# INTACT, and the room shows attention "disk full"; without a reserve a
# write fails with ENOSPC and the session is kept and verifies TRUNCATED.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/daemon-lib.sh"
source "$(dirname "$0")/health-lib.sh"

SPOOL=$WORK/small
mkdir -p "$SPOOL"
if ! mount -t tmpfs -o size=64m tmpfs "$SPOOL" 2>/dev/null; then
  echo "skip: a size-limited filesystem cannot be mounted here (tmpfs needs root)"
  rm -rf "$WORK"
  exit 77
fi
trap 'kill -9 $daemon_pid 2>/dev/null || true; umount "$SPOOL" 2>/dev/null || true; rm -rf "$WORK"' EXIT

make_studio
cp "$CONF" "$WORK/conf.orig"
hours_left() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hours_left"])' "$STATE"; }

# ---- too full to start: 64 MiB hold minutes, not the hour asked for ------
python3 "$STUDIO_SOURCE_DIR/tests/integration/conf-set.py" "$CONF" recorder spool "$SPOOL/spool" \
  health disk_reserve 8M health start_min_left 1h
start_daemon "$WORK/daemon-1.log"
check "hours_left is published as a number below 0.1 h (one decimal: $(hours_left))" \
  python3 -c "import sys; v=float(sys.argv[1]); assert 0 <= v < 0.1, v" "$(hours_left)"
check "the room is in attention: disk too full to record" reason_listed "disk too full to record"
check "the low-disk warning is listed too" reason_listed "disk almost full"
check "the room is in attention" state_is attention
if start_session >"$WORK/refused.out" 2>&1; then
  fail "start on a too full disk is refused"
else
  check "the refusal says how much is left" grep -q "holds 0.0 h of recording" "$WORK/refused.out"
  check "the refusal says what to do" grep -q "uploader" "$WORK/refused.out"
fi
check "nothing was recorded" test -z "$(ls "$SPOOL/spool")"
stop_daemon

# ---- the reserve mid-session --------------------------------------------
cp "$WORK/conf.orig" "$CONF"
python3 "$STUDIO_SOURCE_DIR/tests/integration/conf-set.py" "$CONF" recorder spool "$SPOOL/spool" \
  health disk_reserve 8M health start_min_left 0s health check_interval 1s
start_daemon "$WORK/daemon-2.log"
check "with start_min_left 0 the room is free (warnings only)" state_is free
start_session >"$WORK/start.out" 2>&1 || { fail "start"; cat "$WORK/start.out" >&2; }
# leave about 3 MiB above the reserve: a few seconds of recording
avail=$(python3 -c 'import os, sys; s = os.statvfs(sys.argv[1]); print(s.f_bavail * s.f_frsize)' "$SPOOL")
fill=$((avail - (8 + 3) * 1048576))
[ "$fill" -gt 0 ] && head -c "$fill" /dev/zero >"$SPOOL/filler"
not_recording() { ! state_is recording; }
check "the session stopped by itself at the reserve" wait_until 180 not_recording
check "the room shows attention" wait_until 120 state_is attention
check "the state file lists disk full" reason_listed "disk full"
S=$(ls -d "$SPOOL/spool"/*/ | tail -n 1)
S=${S%/}
check "a signed disk-reserve entry with its time" custody_has "$S" disk-reserve "below the reserve"
check "the session ended as Stop ends it" grep -q '"event":"stop"' "$S/custody.jsonl"
"$VERIFY" --device-key "$WORK/studio/device.pub" "$S" >"$WORK/verify.out" 2>&1 || true
check "everything written verifies INTACT" grep -q "^INTACT" "$WORK/verify.out"
check "the daemon's log says why" grep -q "below the reserve" "$WORK/daemon-2.log"
stop_daemon

# ---- no reserve: a write fails with ENOSPC --------------------------------
rm -rf "$SPOOL/filler" "$SPOOL/spool"/*
cp "$WORK/conf.orig" "$CONF"
python3 "$STUDIO_SOURCE_DIR/tests/integration/conf-set.py" "$CONF" recorder spool "$SPOOL/spool" \
  health disk_reserve 0 health start_min_left 0s health check_interval 1s
start_daemon "$WORK/daemon-3.log"
start_session >"$WORK/start3.out" 2>&1 || { fail "start (no reserve)"; cat "$WORK/start3.out" >&2; }
# something recorded first: the session's first signed checkpoint
checkpointed() { grep -qs '"event":"checkpoint"' "$(ls -d "$SPOOL/spool"/*/ | tail -n 1)custody.jsonl"; }
check "no reserve: the session has its first checkpoint" wait_until 120 checkpointed
avail=$(python3 -c 'import os, sys; s = os.statvfs(sys.argv[1]); print(s.f_bavail * s.f_frsize)' "$SPOOL")
fill=$((avail - 2 * 1048576))
[ "$fill" -gt 0 ] && head -c "$fill" /dev/zero >"$SPOOL/filler" 2>/dev/null || true
check "no reserve: the session ended when the disk filled" wait_until 180 not_recording
# sealing may wait for the end of stream ([recorder] eos_timeout, 10 s)
check "no reserve: the room shows attention" wait_until 120 state_is attention
check "no reserve: the state file lists disk full" reason_listed "disk full"
state_is attention || { grep -v "^$" "$WORK/daemon-3.log" | tail -n 15 >&2; cat "$STATE" >&2; }
S=$(ls -d "$SPOOL/spool"/*/ | tail -n 1)
S=${S%/}
check "no reserve: the session is kept" test -e "$S/seg-000001.mkv.age"
rm -f "$SPOOL/filler" # room for the verifier's reading only; the session is as it was
rc=0
"$VERIFY" --device-key "$WORK/studio/device.pub" "$S" >"$WORK/verify3.out" 2>&1 || rc=$?
check "no reserve: it verifies TRUNCATED at its last checkpoint (exit 2, got $rc)" \
  bash -c "[ $rc -eq 2 ] && grep -q '^TRUNCATED' '$WORK/verify3.out'"
# the space is back (as when the uploader has moved sessions to the vault)
check "no reserve: with room for a minute of recording again the room is free" wait_until 60 state_is free
check "no reserve: and disk full is no longer listed" bash -c "! grep -q '\"disk full\"' '$STATE'"
stop_daemon
for f in "$WORK"/daemon-*.log; do
  if grep -qE 'AddressSanitizer|runtime error' "$f"; then fail "no sanitizer report in $(basename "$f")"; fi
done
finish
