#!/usr/bin/env bash
# studio-export: a session folder is verified first and decrypts whole into
# a working copy that `sha256sum -c` and `minisign -V` accept; a session
# that is not INTACT yields no media, only the report; a hostile session
# folder (symlinks out of it, a FIFO, a device) or a planted link in --out
# never makes export read outside the session or write outside --out; a
# single sealed file still decrypts as stock `age -d` would.
. "$(dirname "$0")/lib.sh"
MS=$STUDIO_BUILD_DIR/tests/make-session
make_vault
"$MS" --gen-key "$WORK/dev.key" "$WORK/dev.pub"
new_session() { # new_session NAME [make-session options…]: prints the folder
  local name=$1; shift
  "$MS" --spool "$WORK/spool-$name" --state "$WORK/state-$name" --key "$WORK/dev.key" \
    --recipient "$VAULT_RECIPIENT" --segments 3 --segment-bytes 200000 "$@" | tail -n 1
}
session=$(new_session main)
# a copy of the session for each hostile case, so the original stays intact
copy_session() { rm -rf "$WORK/$1"; cp -a "$session" "$WORK/$1"; echo "$WORK/$1"; }

RC=0
run_export() { # run_export ARGS…: sets RC, output in $WORK/out and $WORK/err
  set +e
  timeout 60 "$EXPORT" "$@" >"$WORK/out" 2>"$WORK/err"
  RC=$?
  set -e
}
no_crash() { # no_crash LABEL: exit below 128 (no signal, no timeout) and no sanitizer report
  if [ "$RC" -ge 124 ]; then fail "$1: exit $RC (killed, crashed or timed out)"; fi
  if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' "$WORK/err"; then
    fail "$1 crashed: $(cat "$WORK/err")"
  fi
}
expect_export() { # expect_export LABEL EXIT PATTERN ARGS…
  local label=$1 want=$2 pattern=$3; shift 3
  run_export "$@"
  if [ "$RC" -eq "$want" ] && grep -q -- "$pattern" "$WORK/out" "$WORK/err"; then
    pass "$label (exit $RC)"
  else
    fail "$label: exit $RC, wanted $want and /$pattern/: $(cat "$WORK/out" "$WORK/err")"
  fi
  no_crash "$label"
}
no_media() { # no_media DIR: no decrypted segment (whole, salvaged or partial) in DIR
  [ -z "$(find "$1" -name '*.mkv' -o -name '.partial-*' 2>/dev/null)" ]
}
only_reports() { # only_reports DIR: the report and nothing else
  [ "$(cd "$1" && ls -A | tr '\n' ' ')" = "verification.json verification.txt " ]
}
KEY=(--identity "$VAULT_KEY" --device-key "$WORK/dev.pub")

# ---- a whole session ----------------------------------------------------
expect_export "a whole session exports" 0 "check: cd .* && sha256sum -c SHA256SUMS" "${KEY[@]}" --out "$WORK/copy" "$session"
check "stdout names the verdict" grep -q "INTACT" "$WORK/out"
check "three segments in the working copy" test "$(ls "$WORK"/copy/seg-*.mkv | wc -l)" -eq 3
check "sha256sum -c accepts the working copy" bash -c "cd '$WORK/copy' && sha256sum --quiet -c SHA256SUMS"
check "minisign accepts the copied SHA256SUMS" minisign -Vq -p "$WORK/dev.pub" -m "$WORK/copy/SHA256SUMS"
check "verification.txt begins with INTACT" bash -c "head -n 1 '$WORK/copy/verification.txt' | grep -q '^INTACT: '"
check "verification.json is the verifier's JSON" python3 -c \
  "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if 'INTACT' in json.dumps(d) else 1)" \
  "$WORK/copy/verification.json"
check "every file export wrote is mode 0600" \
  bash -c "[ -z \"\$(find '$WORK/copy' -type f ! -perm 0600)\" ]"
check "even under a wide umask" bash -c "umask 000; '$EXPORT' --identity '$VAULT_KEY' --device-key '$WORK/dev.pub' \
  --out '$WORK/umask' '$session' >/dev/null && [ -z \"\$(find '$WORK/umask' -type f ! -perm 0600)\" ]"
check "a new --out is mode 0700" test "$(stat -c %a "$WORK/copy")" = 700
check "no partial files are left" bash -c "[ -z \"\$(ls -A '$WORK/copy' | grep partial)\" ]"
check "device.pub, the key the session verified under, lies beside SHA256SUMS" \
  test "$(sed -n 2p "$WORK/copy/device.pub")" = "$(sed -n 2p "$WORK/dev.pub")"
check "minisign -V works there as docs/export.md prints it" \
  bash -c "cd '$WORK/copy' && minisign -Vq -p device.pub -m SHA256SUMS"
# the check export prints after the copy is one that passes, run as printed
run_hint() { # run_hint LABEL: runs the "check: …" line of $WORK/out
  local hint
  hint=$(sed -n 's/^check: //p' "$WORK/out")
  if [ -n "$hint" ] && (cd "$WORK" && bash -c "$hint") >"$WORK/hint.out" 2>&1; then
    pass "$1: the printed check passes: $hint"
  else
    fail "$1: the printed check '$hint' fails: $(cat "$WORK/hint.out")"
  fi
}
run_hint "a whole session"
check "the hint checks the signature too" grep -q '^check: .*minisign -Vq -p device.pub -m SHA256SUMS' "$WORK/out"
# the registry's entry is the key export writes when it trusts the registry
"$KEYS" device-init --dir "$WORK/regdev" --device-id studio-test-01 >/dev/null
"$KEYS" enrol --dir "$WORK/regdev" --registry "$WORK/registry.json" >/dev/null 2>&1
regsession=$("$MS" --spool "$WORK/spool-reg" --state "$WORK/state-reg" --key "$WORK/regdev/device.key" \
  --recipient "$VAULT_RECIPIENT" --segments 2 --segment-bytes 100000 | tail -n 1)
expect_export "a session trusted through the registry exports" 0 "check: cd" --identity "$VAULT_KEY" \
  --registry "$WORK/registry.json" --out "$WORK/reg copy" "$regsession"
check "its device.pub is the registry's entry for the device" \
  test "$(sed -n 2p "$WORK/reg copy/device.pub")" = "$(sed -n 2p "$WORK/regdev/device.pub")"
check "device.pub is mode 0600 like every output" test "$(stat -c %a "$WORK/reg copy/device.pub")" = 600
run_hint "a folder name with a space"
mkdir -p "$WORK/keyplanted" && ln -s /etc/passwd "$WORK/keyplanted/device.pub"
expect_export "a link planted at device.pub is refused by name" 1 "device.pub already exists (or is a link)" \
  "${KEY[@]}" --out "$WORK/keyplanted" "$session"
check "and not written through" test "$(readlink "$WORK/keyplanted/device.pub")" = /etc/passwd
check "and no media is written" no_media "$WORK/keyplanted"
ln -s "$session" "$WORK/session-link"
expect_export "the session folder may be given through a symlink" 0 "check: cd .* && sha256sum -c SHA256SUMS" "${KEY[@]}" \
  --out "$WORK/via-link" "$WORK/session-link"
expect_export "--registry and --device-key together are refused" 1 "not both" --identity "$VAULT_KEY" \
  --device-key "$WORK/dev.pub" --registry "$WORK/dev.pub" --out "$WORK/w" "$session"

# ---- verify first ----------------------------------------------------------
expect_export "a session without --device-key or --registry is refused" 1 \
  "give --device-key FILE or --registry FILE so the session is verified before it is decrypted, or --no-verify" \
  --identity "$VAULT_KEY" --out "$WORK/nokey" "$session"
check "and nothing is written" bash -c "[ ! -e '$WORK/nokey' ] || [ -z \"\$(ls -A '$WORK/nokey')\" ]"
expect_export "--no-verify decrypts without checking custody" 0 "check: cd .* && sha256sum -c SHA256SUMS" --identity "$VAULT_KEY" \
  --no-verify --out "$WORK/nv" "$session"
check "its report's first line says NOT VERIFIED" bash -c \
  "head -n 1 '$WORK/nv/verification.txt' | grep -q '^NOT VERIFIED: .*custody was not checked (studio-export --no-verify)'"
check "and the working copy is whole" bash -c "cd '$WORK/nv' && sha256sum --quiet -c SHA256SUMS"
expect_export "--no-verify with a key is a contradiction" 1 "no-verify" "${KEY[@]}" --no-verify \
  --out "$WORK/w" "$session"
age-keygen -o "$WORK/other.key" 2>/dev/null
"$MS" --gen-key "$WORK/other-dev.key" "$WORK/other-dev.pub"
expect_export "another device's key: not INTACT, no media" 3 "nothing was decrypted" --identity "$VAULT_KEY" \
  --device-key "$WORK/other-dev.pub" --out "$WORK/untrusted" "$session"
check "only the report is written" only_reports "$WORK/untrusted"
expect_export "an identity that is not the session's recipient" 1 "not a recipient" --identity "$WORK/other.key" \
  --device-key "$WORK/dev.pub" --out "$WORK/w2" "$session"

# a segment replaced by another sealed file for the same recipient: age
# alone would accept it, the signed manifest does not
other=$(new_session other --session-id other-session)
s=$(copy_session substituted)
cp "$other/seg-000001.mkv.age" "$s/seg-000001.mkv.age"
check "stock age opens the substitute (same recipient)" bash -c "age -d -i '$VAULT_KEY' '$s/seg-000001.mkv.age' >/dev/null"
expect_export "a substituted segment: TAMPERED, exit 3" 3 "TAMPERED.*fetch the vault copy" "${KEY[@]}" \
  --out "$WORK/subst" "$s"
check "and no media in --out" no_media "$WORK/subst"
check "only the report is written" only_reports "$WORK/subst"
check "which begins with TAMPERED" bash -c "head -n 1 '$WORK/subst/verification.txt' | grep -q '^TAMPERED'"
expect_export "even with --salvage" 3 "TAMPERED" --salvage "${KEY[@]}" --out "$WORK/subst2" "$s"
check "still no media" no_media "$WORK/subst2"

s=$(copy_session extra)
cp "$s/seg-000001.mkv.age" "$s/seg-000009.mkv.age"
expect_export "an extra segment: INCOMPLETE, exit 3" 3 "INCOMPLETE" "${KEY[@]}" --out "$WORK/o-extra" "$s"
check "and no media in --out" no_media "$WORK/o-extra"

s=$(copy_session tampered)
python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[len(b)//2]^=1; open(p,'wb').write(b)" \
  "$s/seg-000002.mkv.age"
expect_export "a flipped bit in a segment: TAMPERED, exit 3" 3 "TAMPERED" "${KEY[@]}" --out "$WORK/flip" "$s"
check "and no media in --out" no_media "$WORK/flip"

# ---- a hostile session folder --------------------------------------------
printf 'SENTINEL-SECRET\n' >"$WORK/sentinel"
for mode in verify no-verify; do
  if [ "$mode" = verify ]; then args=("${KEY[@]}"); else args=(--identity "$VAULT_KEY" --no-verify); fi
  s=$(copy_session "link-$mode")
  ln -sf "$WORK/sentinel" "$s/seg-000001.mkv.age"
  ln -sf "$WORK/sentinel" "$s/SHA256SUMS"
  run_export "${args[@]}" --out "$WORK/o-link-$mode" "$s"
  check "$mode: a segment symlinked out of the folder fails (exit $RC)" test "$RC" -ne 0
  no_crash "$mode: symlinked segment"
  check "$mode: the sentinel's content appears nowhere under --out" \
    bash -c "! grep -rq SENTINEL-SECRET '$WORK/o-link-$mode'"
  check "$mode: and no media" no_media "$WORK/o-link-$mode"
  check "$mode: the report names the link" grep -q "is a symbolic link, not a regular file" \
    "$WORK/o-link-$mode/verification.txt"

  s=$(copy_session "zero-$mode")
  ln -sf /dev/zero "$s/seg-000001.mkv.age"
  run_export "${args[@]}" --out "$WORK/o-zero-$mode" "$s"
  check "$mode: a segment linked to /dev/zero fails in bounded time (exit $RC)" test "$RC" -ne 0
  no_crash "$mode: /dev/zero segment"
  check "$mode: and no media" no_media "$WORK/o-zero-$mode"

  s=$(copy_session "fifo-$mode")
  rm "$s/seg-000002.mkv.age"
  mkfifo "$s/seg-000002.mkv.age"
  run_export "${args[@]}" --out "$WORK/o-fifo-$mode" "$s"
  check "$mode: a FIFO in place of a segment fails in bounded time (exit $RC)" test "$RC" -ne 0
  no_crash "$mode: FIFO segment"
  check "$mode: and no media" no_media "$WORK/o-fifo-$mode"
done
check "the FIFO case named the FIFO" grep -q "a FIFO, not a regular file" "$WORK/err"
check "a refused session's report begins with REFUSED" \
  bash -c "head -n 1 '$WORK/o-fifo-verify/verification.txt' | grep -q '^REFUSED: seg-000002.mkv.age is a FIFO'"
check "with --no-verify it begins with NOT VERIFIED" \
  bash -c "head -n 1 '$WORK/o-fifo-no-verify/verification.txt' | grep -q '^NOT VERIFIED: '"

# a session folder may not hand us a copy of a good segment from elsewhere
s=$(copy_session outside-copy)
mv "$s/seg-000003.mkv.age" "$WORK/seg-000003-outside.mkv.age"
ln -s "$WORK/seg-000003-outside.mkv.age" "$s/seg-000003.mkv.age"
run_export "${KEY[@]}" --out "$WORK/o-outside" "$s"
check "a good segment reached through a symlink is still refused (exit $RC)" test "$RC" -eq 3
no_crash "a good segment through a symlink"
check "and no media" no_media "$WORK/o-outside"

# ---- a hostile --out -----------------------------------------------------
printf 'OUTSIDE-UNCHANGED\n' >"$WORK/outside"
mkdir -p "$WORK/planted"
ln -s "$WORK/outside" "$WORK/planted/seg-000001.mkv"
expect_export "a planted symlink in --out is refused by name" 1 \
  "planted/seg-000001.mkv already exists (or is a link): choose an empty --out folder" \
  "${KEY[@]}" --out "$WORK/planted" "$session"
check "the file it points to is unchanged" test "$(cat "$WORK/outside")" = OUTSIDE-UNCHANGED
check "and nothing else is written" test "$(ls -A "$WORK/planted")" = seg-000001.mkv
mkdir -p "$WORK/planted2"
ln -s "$WORK/outside" "$WORK/planted2/SHA256SUMS"
expect_export "a planted SHA256SUMS link is refused" 1 "SHA256SUMS already exists" "${KEY[@]}" \
  --out "$WORK/planted2" "$session"
check "the file it points to is unchanged" test "$(cat "$WORK/outside")" = OUTSIDE-UNCHANGED
expect_export "an --out that already holds a working copy is refused" 1 "already exists" "${KEY[@]}" \
  --out "$WORK/copy" "$session"
check "and the copy there is untouched" bash -c "cd '$WORK/copy' && sha256sum --quiet -c SHA256SUMS"

s=$(copy_session out-inside)
expect_export "--out inside the session folder is refused" 1 "inside the session folder" "${KEY[@]}" \
  --out "$s/copy" "$s"
expect_export "--out that is the session folder is refused" 1 "is the session folder" "${KEY[@]}" \
  --out "$s" "$s"
check "and nothing is added to the session" test -z "$(cd "$s" && ls -A | grep -vxF -f <(cd "$session" && ls -A) | grep -vx copy)"

# ---- a crashed session ---------------------------------------------------
crashed=$(new_session crashed --crash)
expect_export "a crashed session without --salvage: exit 3, nothing" 3 "TRUNCATED.*--salvage" "${KEY[@]}" \
  --out "$WORK/crash-no" "$crashed"
check "no media in --out" no_media "$WORK/crash-no"
expect_export "a crashed session with --salvage: exit 2" 2 "TRUNCATED: salvaged" --salvage "${KEY[@]}" \
  --out "$WORK/crash" "$crashed"
check "the cut segment is NAME.salvaged.mkv" test -s "$WORK/crash/seg-000003.salvaged.mkv"
check "the complete ones are whole" bash -c "cd '$WORK/crash' && sha256sum --quiet -c SHA256SUMS"
check "no seg-000003.mkv that looks whole" test ! -e "$WORK/crash/seg-000003.mkv"
check "its report begins with TRUNCATED" bash -c "head -n 1 '$WORK/crash/verification.txt' | grep -q '^TRUNCATED'"
run_hint "a salvaged session"
cp "$WORK/out" "$WORK/crash.out"
"$VERIFY" --device-key "$WORK/dev.pub" "$crashed" >"$WORK/crash-verify.txt" || true
n_verify=$(grep -oE '[0-9]+ bytes after (it|the last sealed segment) unverifiable' "$WORK/crash-verify.txt" | head -n 1 || true)
check "studio-verify names the unverifiable bytes ($n_verify)" test -n "$n_verify"
check "export says the same count on stdout" grep -qF "$n_verify" "$WORK/crash.out"
check "and in its report's working copy section" \
  bash -c "sed -n '/^Working copy/,\$p' '$WORK/crash/verification.txt' | grep -qF '$n_verify'"
# a session whose only segment was cut: SHA256SUMS lists nothing, and the
# printed check is still one that passes
lone=$(new_session lone --crash --segments 1 --segment-bytes 1000000)
expect_export "a session cut in its only segment salvages" 2 "TRUNCATED: salvaged" --salvage "${KEY[@]}" \
  --out "$WORK/lone" "$lone"
check "its SHA256SUMS lists no segment" test ! -s "$WORK/lone/SHA256SUMS"
run_hint "a session cut in its only segment"
"$VERIFY" --device-key "$WORK/dev.pub" "$lone" >"$WORK/lone-verify.txt" || true
n_verify=$(grep -oE 'intact through checkpoint [0-9]+ at [0-9:.]+; [0-9]+ bytes after it unverifiable' \
  "$WORK/lone-verify.txt" | head -n 1 || true)
check "studio-verify names the checkpoint and the bytes after it ($n_verify)" test -n "$n_verify"
check "export says the same on stdout and in its report" \
  bash -c "grep -qF '$n_verify' '$WORK/out' && sed -n '/^Working copy/,\$p' '$WORK/lone/verification.txt' | grep -qF '$n_verify'"

# ---- single sealed files ---------------------------------------------------
seg=$(ls "$session"/seg-*.mkv.age | head -n 1)
expect_export "a single sealed file decrypts as age -d does" 0 \
  "no custody was checked: a single sealed file, not a session folder" --identity "$VAULT_KEY" \
  --out "$WORK/single" "$seg"
age -d -i "$VAULT_KEY" -o "$WORK/age-plain" "$seg"
check "byte for byte what stock age writes" cmp "$WORK/age-plain" "$WORK/single/seg-000001.mkv"
check "mode 0600" test "$(stat -c %a "$WORK/single/seg-000001.mkv")" = 600
expect_export "several single files at once" 0 "OK" --identity "$VAULT_KEY" --out "$WORK/several" \
  "$session/seg-000002.mkv.age" "$session/seg-000003.mkv.age"
check "both decrypted" test -s "$WORK/several/seg-000002.mkv" -a -s "$WORK/several/seg-000003.mkv"
expect_export "a session folder must be the only input" 1 "must be the only input" "${KEY[@]}" \
  --out "$WORK/w" "$session" "$seg"
expect_export "a single file over a planted link is refused" 1 "already exists (or is a link)" \
  --identity "$VAULT_KEY" --out "$WORK/planted" "$seg"
check "the file it points to is unchanged" test "$(cat "$WORK/outside")" = OUTSIDE-UNCHANGED

cp "$seg" "$WORK/tampered.mkv.age"
python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[len(b)//2]^=1; open(p,'wb').write(b)" \
  "$WORK/tampered.mkv.age"
expect_export "a tampered segment is refused" 3 "tampered" --identity "$VAULT_KEY" --out "$WORK/t" "$WORK/tampered.mkv.age"
check "and leaves no output" test ! -e "$WORK/t/tampered.mkv"
expect_export "even with --salvage" 3 "tampered" --salvage --identity "$VAULT_KEY" --out "$WORK/t" "$WORK/tampered.mkv.age"
check "and still leaves no output" bash -c "[ -z \"\$(ls -A '$WORK/t')\" ]"

head -c 150000 "$seg" >"$WORK/cut.mkv.age"
expect_export "a truncated segment is refused without --salvage" 3 "truncated" --identity "$VAULT_KEY" --out "$WORK/c" "$WORK/cut.mkv.age"
check "and leaves no output" bash -c "[ -z \"\$(ls -A '$WORK/c')\" ]"
expect_export "with --salvage its prefix is saved" 2 "TRUNCATED: salvaged" --salvage --identity "$VAULT_KEY" --out "$WORK/c" "$WORK/cut.mkv.age"
check "as NAME.salvaged.mkv" test -s "$WORK/c/cut.salvaged.mkv"
head -c 100 "$seg" >"$WORK/cut-header.mkv.age"
expect_export "a segment cut inside its header is truncated with nothing to salvage (a failure)" 3 \
  "truncated: nothing authentic to salvage" --salvage --identity "$VAULT_KEY" --out "$WORK/h" "$WORK/cut-header.mkv.age"
check "and leaves no empty file" bash -c "[ -z \"\$(ls -A '$WORK/h')\" ]"

expect_export "the wrong identity" 3 "no-match" --identity "$WORK/other.key" --out "$WORK/w" "$seg"
printf 'not an age file\n' >"$WORK/plain.mkv.age"
expect_export "not an age file" 3 "not-age\|not an age" --identity "$VAULT_KEY" --out "$WORK/w" "$WORK/plain.mkv.age"
expect_export "a missing input" 3 "cannot open" --identity "$VAULT_KEY" --out "$WORK/w" "$WORK/nope.age"
mkfifo "$WORK/fifo.mkv.age"
expect_export "a FIFO given as a single file is refused without blocking" 3 "not a regular file" \
  --identity "$VAULT_KEY" --out "$WORK/w" "$WORK/fifo.mkv.age"
printf 'AGE-SECRET-KEY-1NOTAKEY\n' >"$WORK/bad.key"
expect_export "a malformed identity file names the line" 1 "bad.key line 1" --identity "$WORK/bad.key" --out "$WORK/w" "$seg"
expect_export "a missing identity file" 1 "cannot read the identity file" --identity "$WORK/none.key" --out "$WORK/w" "$seg"
mkdir -p "$WORK/empty"
expect_export "a folder without segments (--no-verify)" 3 "holds no sealed segments" --identity "$VAULT_KEY" \
  --no-verify --out "$WORK/w" "$WORK/empty"
expect_export "a folder that holds no session is a usage error (verified)" 1 "holds no session" "${KEY[@]}" \
  --out "$WORK/w-empty" "$WORK/empty"
check "and nothing was written" test ! -e "$WORK/w-empty/seg-000001.mkv"
expect_export "no input" 1 "at least one INPUT" --identity "$VAULT_KEY" --out "$WORK/w"
expect_export "an unwritable output folder" 1 "cannot create the output folder" --identity "$VAULT_KEY" --out /proc/studio-out "$seg"
expect_export "--help names the exit codes" 0 "TRUNCATED without --salvage" --help

# ---- outside strings are escaped on the terminal -------------------------
evil=$(printf 'ev\033[31mil\xe2\x80\xaeslmk.age')
cp "$seg" "$WORK/$evil"
run_export --identity "$VAULT_KEY" --out "$WORK/evil" "$WORK/$evil"
check "an escape sequence in a file name is shown escaped (exit $RC)" grep -qF 'ev\u001b[31mil\u202eslmk' "$WORK/out"
check "and never reaches the terminal raw" bash -c "! grep -q $'\033' '$WORK/out' '$WORK/err'"

left=$(pgrep -f -- "$EXPORT" || true)
check "no studio-export left running" test -z "$left"
finish
