#!/usr/bin/env bash
# A disk that really fills, on small tmpfs mounts, with a signed session:
# at the start nothing is left behind (exit 1); in the middle the cut
# segment is closed as truncated at its last signed checkpoint (TRUNCATED 2,
# its prefix salvageable); at the close the reserve the session held from
# its start lets the close be written on a full disk; and a close that finds
# no room at all (no inode left) is left for recovery, which closes it once
# there is room.
. "$(dirname "$0")/lib.sh"
make_vault
"$KEYS" device-init --dir "$WORK/device" --device-id studio-test >/dev/null
DEV_KEY=$WORK/device/device.key
DEV_PUB=$WORK/device/device.pub

mounts=()
cleanup() {
  for m in "${mounts[@]}"; do umount "$m" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
small() { # small NAME MOUNT-OPTIONS: a fresh tmpfs at $WORK/NAME
  mkdir -p "$WORK/$1"
  mount -t tmpfs -o "$2" tmpfs "$WORK/$1" || return 1
  mounts+=("$WORK/$1")
}
fill() { dd if=/dev/zero of="$1/filler" bs=4k 2>/dev/null || true; }

if ! small probe size=64k; then
  echo "skip: the full-disk cases need tmpfs mounts (run as root)"
  exit 77
fi

record() { # record OUT-VAR ARGS…: runs the recorder, sets rc, out, err files
  set +e
  "$RECORDER" --once --recipient "$VAULT_RECIPIENT" --device-key "$DEV_KEY" "$@" >"$WORK/out" 2>"$WORK/err"
  rc=$?
  set -e
  if grep -qE 'AddressSanitizer|runtime error|Segmentation' "$WORK/err"; then fail "recorder crashed: $(cat "$WORK/err")"; fi
}
verdict() { # verdict SESSION: prints "WORD EXIT"
  set +e
  "$VERIFY" --device-key "$DEV_PUB" "$1" >"$WORK/report" 2>&1
  local v=$?
  set -e
  echo "$(head -n 1 "$WORK/report" | cut -d: -f1) $v"
}

# 1. Full at the start: no room for even the close reserve. Nothing is
# recorded, nothing is left behind (no folder, no empty custody log that
# would later read as TAMPERED), exit 1 naming the disk and the fix.
small start size=2m
fill "$WORK/start"
record --duration 5s --out "$WORK/start/spool"
check "full at start: exit 1 ($rc)" test "$rc" -eq 1
check "full at start: the message names the disk and the fix" \
  grep -q "the disk holding the spool $WORK/start/spool is full (.* KiB free): free space on it" "$WORK/err"
check "full at start: nothing left in the spool ($(ls -A "$WORK/start/spool" | tr '\n' ' '))" \
  bash -c "[ -z \"\$(ls -A '$WORK/start/spool')\" ]"
# Without the reserve (the test seam) the first custody line is what does
# not fit: the empty custody.jsonl and the folder are removed again.
STUDIO_CLOSE_RESERVE=0 record --duration 5s --out "$WORK/start/spool"
check "full at start, no reserve: exit 1 ($rc)" test "$rc" -eq 1
check "full at start, no reserve: the message names the custody log and the disk" \
  grep -q "cannot start the custody log in .*: the disk holding the spool .* is full" "$WORK/err"
check "full at start, no reserve: nothing left in the spool ($(ls -A "$WORK/start/spool" | tr '\n' ' '))" \
  bash -c "[ -z \"\$(ls -A '$WORK/start/spool')\" ]"
"$RECORDER" --recover --out "$WORK/start/spool" --device-key "$DEV_KEY" >"$WORK/out" 2>"$WORK/err" || true
check "full at start: recovery finds nothing to report" bash -c "! grep -q 'NOT RECOVERED' '$WORK/err'"

# 2. Full in the middle: 4 MiB hold about 7 s of the test profile.
small mid size=4m
record --duration 60s --segment-time 4s --out "$WORK/mid/spool"
session=$(tail -n 1 "$WORK/out")
check "full mid-session: exit 3 ($rc)" test "$rc" -eq 3
check "full mid-session: the recorder says the disk is full" grep -q "disk is full" "$WORK/err"
check "full mid-session: the session is closed (manifest.json)" test -f "$session/manifest.json"
check "full mid-session: stop reason 'disk full' is signed" grep -q '"event":"stop","reason":"disk full"' \
  "$session/custody.jsonl"
check "full mid-session: a disk-full fault is signed" grep -q '"what":"disk-full"' "$session/custody.jsonl"
check "full mid-session: the close reserve is gone" test ! -e "$WORK/mid/spool/.studio-reserve"
v=$(verdict "$session")
check "full mid-session: studio-verify says TRUNCATED, exit 2 ($v)" test "$v" = "TRUNCATED 2"
check "full mid-session: intact through a signed checkpoint ($(head -n 1 "$WORK/report"))" \
  grep -q "^TRUNCATED: intact through checkpoint [0-9]" "$WORK/report"
segments=("$session"/seg-*.mkv.age)
whole=0
for f in "${segments[@]:0:${#segments[@]}-1}"; do
  if age -d -i "$VAULT_KEY" "$f" >/dev/null 2>&1; then whole=$((whole + 1)); fi
done
check "full mid-session: segments sealed before stay whole ($whole of $((${#segments[@]} - 1)))" \
  test "$whole" -eq $((${#segments[@]} - 1))
set +e
"$EXPORT" --identity "$VAULT_KEY" --device-key "$DEV_PUB" --salvage --out "$WORK/mid-plain" "$session" \
  >"$WORK/export.log" 2>&1
rc=$?
set -e
check "full mid-session: export --salvage yields the intact prefix (exit $rc)" test "$rc" -eq 2
check "full mid-session: the salvaged segment is there" bash -c "ls '$WORK'/mid-plain/*.salvaged.mkv >/dev/null"
umount "$WORK/mid"

# 3. Full at the close: the disk fills just before stop. The close (last
# entries, manifest, sums, signatures) is written into the reserve.
# TRUNCATED 2 when the last chunk of the open segment no longer fitted
# (what a really full disk gives), INTACT 0 when it still did.
small close size=8m
set +e
"$RECORDER" --once --recipient "$VAULT_RECIPIENT" --device-key "$DEV_KEY" --duration 120s \
  --out "$WORK/close/spool" >"$WORK/out" 2>"$WORK/err" &
pid=$!
set -e
for _ in $(seq 1 300); do grep -q "recording into" "$WORK/err" && break; sleep 0.05; done
sleep 3
fill "$WORK/close"
kill -INT "$pid"
set +e
wait "$pid"
rc=$?
set -e
session=$(tail -n 1 "$WORK/out")
check "full at close: the session is closed on the full disk (manifest.json)" test -f "$session/manifest.json"
v=$(verdict "$session")
echo "full at close: recorder exit $rc, verdict $v"
case "$rc:$v" in
  "3:TRUNCATED 2") pass "full at close: the last chunk did not fit: TRUNCATED 2 ($(head -n 1 "$WORK/report"))" ;;
  "0:INTACT 0") pass "full at close: the last chunk still fitted: INTACT 0" ;;
  *) fail "full at close: exit $rc with verdict $v: $(head -n 3 "$WORK/report")" ;;
esac
umount "$WORK/close"

# 4. No room even for the close: a tmpfs with inodes for exactly the
# session's own files (spool, reserve, folder, custody log, one segment),
# so the close's files cannot be created (ENOSPC). The session is left for
# recovery (exit 3); the next start cannot recover or record on the still
# full disk (exit 1, nothing new left behind); once there is room,
# recovery closes it. The segment was sealed whole and the log ends in its
# stop: INTACT 0.
small inodes size=32m,nr_inodes=6
record --duration 4s --out "$WORK/inodes/spool"
session=$(tail -n 1 "$WORK/out")
check "no room at close: exit 3 ($rc)" test "$rc" -eq 3
check "no room at close: the message says how it gets closed" \
  grep -q "could not close the session in .*: the disk holding the spool .* is full.*studio-recorder --recover" \
  "$WORK/err"
check "no room at close: no manifest yet" test ! -e "$session/manifest.json"
before=$(ls -A "$WORK/inodes/spool" | tr '\n' ' ')
record --duration 4s --out "$WORK/inodes/spool"
check "still full at the next start: exit 1 ($rc)" test "$rc" -eq 1
check "still full at the next start: recovery says it will try again" grep -q "the next start tries again" "$WORK/err"
check "still full at the next start: nothing new in the spool" \
  test "$(ls -A "$WORK/inodes/spool" | tr '\n' ' ')" = "$before"
mount -o remount,nr_inodes=1000 "$WORK/inodes"
"$RECORDER" --recover --out "$WORK/inodes/spool" --device-key "$DEV_KEY" >"$WORK/out" 2>"$WORK/err" || true
check "with room again, recovery closes it" grep -q "recovered and closed" "$WORK/err"
v=$(verdict "$session")
check "no room at close, recovered: studio-verify says INTACT, exit 0 ($v)" test "$v" = "INTACT 0"

finish
