#!/usr/bin/env bash
# Bad input gets a clear error naming the thing and the fix, never a crash
# or a half-written session; a full disk stops cleanly and keeps everything.
. "$(dirname "$0")/lib.sh"
make_vault

expect_error() { # expect_error LABEL EXIT_CODE PATTERN ARGS…
  local label=$1 want=$2 pattern=$3; shift 3
  set +e
  "$RECORDER" "$@" >"$WORK/out" 2>"$WORK/err"
  local rc=$?
  set -e
  if [ "$rc" -eq "$want" ] && grep -q -- "$pattern" "$WORK/err"; then
    pass "$label (exit $rc: $(head -n 1 "$WORK/err"))"
  else
    fail "$label: exit $rc, wanted $want and /$pattern/; stderr: $(cat "$WORK/err")"
  fi
  # ASan/UBSan reports end up on stderr: a crash is never an acceptable error
  if grep -qE 'AddressSanitizer|runtime error|Segmentation' "$WORK/err"; then fail "$label crashed"; fi
}

# --version on every program prints "<program> <version>" (the version of
# the top CMakeLists.txt's project()) and exits 0.
version=$(sed -n 's/^project(interview-studio VERSION \([0-9.]*\).*/\1/p' "$STUDIO_SOURCE_DIR/CMakeLists.txt")
check "the project version is known ($version)" test -n "$version"
for prog in "$RECORDER" "$KEYS" "$EXPORT"; do
  name=${prog##*/}
  set +e
  got=$("$prog" --version 2>"$WORK/err")
  rc=$?
  set -e
  check "$name --version prints '$name $version' and exits 0 (exit $rc: '$got'$(head -c 200 "$WORK/err"))" \
    test "$rc" -eq 0 -a "$got" = "$name $version" -a ! -s "$WORK/err"
done

rec=(--once --duration 2s --out "$WORK/spool")
expect_error "malformed recipient" 1 "is not an age recipient" "${rec[@]}" --recipient age1notarecipient
# A secret identity where the recipient belongs is refused as what it is,
# and never echoed: nothing of it past "AGE-SECRET-KEY-1" is printed.
secret=$(grep AGE-SECRET "$VAULT_KEY")
not_echoed() { # not_echoed LABEL
  if grep -qF -- "${secret#AGE-SECRET-KEY-1}" "$WORK/out" "$WORK/err" ||
    grep -qiF -- "${secret:16:8}" "$WORK/out" "$WORK/err"; then
    fail "$1: the secret identity was printed"
  else
    pass "$1: the secret identity was not printed"
  fi
}
expect_error "identity given as recipient" 1 \
  "--recipient 'AGE-SECRET-KEY-1…' is a secret identity, not a recipient: give its public key (age-keygen -y)" \
  "${rec[@]}" --recipient "$secret"
not_echoed "identity given as recipient"
printf '# vault\n%s\n' "$secret" >"$WORK/secret-recipients.txt"
expect_error "identity in a recipients file names the line" 1 \
  "secret-recipients.txt line 2 is a secret identity, not a recipient" "${rec[@]}" \
  --recipients-file "$WORK/secret-recipients.txt"
not_echoed "identity in a recipients file"
printf '# vault\nage1qqqq\n' >"$WORK/recipients.txt"
expect_error "bad recipients file names the line" 1 "recipients.txt line 2" "${rec[@]}" \
  --recipients-file "$WORK/recipients.txt"
expect_error "missing recipients file" 1 "cannot read the recipients file $WORK/nope.txt: No such file" \
  "${rec[@]}" --recipients-file "$WORK/nope.txt"
expect_error "no recipient" 1 "no recipient" "${rec[@]}"
# Low-order X25519 points (the all-zero point; one of order 8) decode as
# age1… but seal nothing secret: refused by name before anything is recorded.
zero_point=age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq5cu47z
order8_point=age1ur4h5lpmgxu2u9jku0a0r87ydtdqnr0tnsetrlvxvgz3vh6fhqqqzyt4v9
expect_error "low-order recipient" 1 \
  "--recipient '$zero_point' is a low-order X25519 point, not a usable recipient: give the vault's age1" \
  "${rec[@]}" --recipient "$VAULT_RECIPIENT" --recipient "$zero_point"
printf '%s\n' "$VAULT_RECIPIENT" "$order8_point" >"$WORK/low-order.txt"
expect_error "low-order recipient in a recipients file names the line" 1 \
  "low-order.txt line 2 is a low-order X25519 point" "${rec[@]}" --recipients-file "$WORK/low-order.txt"
expect_error "unknown profile" 1 "profile 'nope' could not be read" "${rec[@]}" --profile nope \
  --recipient "$VAULT_RECIPIENT"
expect_error "bad duration" 1 "is not a duration" "${rec[@]}" --duration 5x --recipient "$VAULT_RECIPIENT"
expect_error "unwritable output folder" 1 "cannot create the spool folder" --once --duration 2s \
  --out /proc/studio-spool --recipient "$VAULT_RECIPIENT"

if [ ! -e /dev/video0 ]; then
  expect_error "missing camera" 1 "/dev/video0 is not present" "${rec[@]}" --profile usb-1cam \
    --recipient "$VAULT_RECIPIENT"
else
  skip_part "the missing-camera case needs a machine without /dev/video0 (this one has it)"
fi

profile() { # profile NAME SED-EXPRESSION
  sed "$2" "$STUDIO_SOURCE_DIR/pipelines/test.profile" >"$WORK/$1.profile"
}
# A device node that exists but is not a usable camera (as a camera another
# program holds, or one that fails, is): refused with the device named,
# exit 1, and no empty folder left behind.
profile unusable-camera 's|^source=videotestsrc.*|source=v4l2src device=/dev/null|'
expect_error "camera present but unusable" 1 "nothing was recorded: the camera /dev/null is not a video capture device: connect a USB (UVC) camera" \
  "${rec[@]}" --profile "$WORK/unusable-camera.profile" --recipient "$VAULT_RECIPIENT"
profile no-encoder 's/^encoder=auto/encoder=nvh264enc/'
expect_error "encoder missing from this machine" 1 "encoder 'nvh264enc'.*not installed" "${rec[@]}" \
  --profile "$WORK/no-encoder.profile" --recipient "$VAULT_RECIPIENT"
profile bad-element 's/^source=videotestsrc.*/source=nosuchcamerasrc/'
expect_error "unknown source element" 1 "cannot be built" "${rec[@]}" \
  --profile "$WORK/bad-element.profile" --recipient "$VAULT_RECIPIENT"
profile bad-number 's/^width=1280/width=huge/'
expect_error "malformed profile value" 1 "width = \"huge\" is not a whole number" "${rec[@]}" \
  --profile "$WORK/bad-number.profile" --recipient "$VAULT_RECIPIENT"
printf '[video\nsource=\n' >"$WORK/garbage.profile"
expect_error "malformed profile file" 1 "is not a valid profile file" "${rec[@]}" \
  --profile "$WORK/garbage.profile" --recipient "$VAULT_RECIPIENT"
check "no session folder was left behind by refused starts" \
  bash -c "[ -z \"\$(ls -A '$WORK/spool' 2>/dev/null)\" ]"

# A source that delivers late (100 ms per 33 ms frame): the recording goes
# on, but the shortfall is reported on stderr and as a signed fault.
"$KEYS" device-init --dir "$WORK/device" --device-id studio-test >/dev/null
profile slow 's/^source=videotestsrc.*/source=videotestsrc is-live=true ! identity sleep-time=100000/'
set +e
"$RECORDER" "${rec[@]}" --duration 5s --profile "$WORK/slow.profile" --recipient "$VAULT_RECIPIENT" \
  --device-key "$WORK/device/device.key" >"$WORK/out" 2>"$WORK/err"
rc=$?
set -e
check "a late source still records (exit $rc)" test "$rc" -eq 0
check "falling behind real time is reported" grep -q "falling behind real time" "$WORK/err"
check "and signed into the custody log" grep -q '"what":"behind-real-time"' "$(tail -n 1 "$WORK/out")/custody.jsonl"
rm -rf "$WORK/spool"

# A full disk: a 1.8 MiB tmpfs fills within a few seconds, inside a segment
# (three 1 s segments of the test profile take about 1.5 MiB).
mkdir -p "$WORK/small"
if mount -t tmpfs -o size=1800k tmpfs "$WORK/small" 2>/dev/null; then
  trap 'umount "$WORK/small" 2>/dev/null || true; rm -rf "$WORK"' EXIT
  expect_error "full disk stops cleanly" 3 "disk is full" --once --duration 30s --segment-time 1s \
    --out "$WORK/small/spool" --recipient "$VAULT_RECIPIENT"
  session=$(tail -n 1 "$WORK/out")
  segments=("$session"/seg-*.mkv.age)
  whole=0
  for f in "${segments[@]}"; do
    if age -d -i "$VAULT_KEY" "$f" >/dev/null 2>&1; then whole=$((whole + 1)); fi
  done
  check "segments closed before the disk filled stay whole ($whole of ${#segments[@]})" test "$whole" -ge 1
  set +e
  "$EXPORT" --identity "$VAULT_KEY" --no-verify --out "$WORK/full-plain" --salvage "$session" >"$WORK/export.log" 2>&1
  rc=$?
  set -e
  check "the segment cut by the full disk is salvageable (export exit $rc)" test "$rc" -eq 2
  umount "$WORK/small"
else
  skip_part "the full-disk case needs a tmpfs mount (run as root)"
fi
finish
