#!/usr/bin/env bash
# studio-export: a session folder decrypts whole into a working copy that
# `sha256sum -c` and `minisign -V` accept; every failing input is named with
# its verdict, leaves no output file, and sets a non-zero exit status.
. "$(dirname "$0")/lib.sh"
MS=$STUDIO_BUILD_DIR/tests/make-session
make_vault
"$MS" --gen-key "$WORK/dev.key" "$WORK/dev.pub"
session=$("$MS" --spool "$WORK/spool" --state "$WORK/state" --key "$WORK/dev.key" \
            --recipient "$VAULT_RECIPIENT" --segments 3 --segment-bytes 200000)

expect_export() { # expect_export LABEL EXIT PATTERN ARGS…
  local label=$1 want=$2 pattern=$3; shift 3
  set +e
  "$EXPORT" "$@" >"$WORK/out" 2>"$WORK/err"
  local rc=$?
  set -e
  if [ "$rc" -eq "$want" ] && grep -q -- "$pattern" "$WORK/out" "$WORK/err"; then
    pass "$label (exit $rc)"
  else
    fail "$label: exit $rc, wanted $want and /$pattern/: $(cat "$WORK/out" "$WORK/err")"
  fi
  if grep -qE 'AddressSanitizer|runtime error' "$WORK/err"; then fail "$label crashed"; fi
}

expect_export "a whole session exports" 0 "checksums: cd" --identity "$VAULT_KEY" --out "$WORK/copy" "$session"
check "three segments in the working copy" test "$(ls "$WORK"/copy/seg-*.mkv | wc -l)" -eq 3
check "sha256sum -c accepts the working copy" bash -c "cd '$WORK/copy' && sha256sum --quiet -c SHA256SUMS"
check "minisign accepts the copied SHA256SUMS" minisign -Vq -p "$WORK/dev.pub" -m "$WORK/copy/SHA256SUMS"
check "no partial files are left" bash -c "[ -z \"\$(ls -A '$WORK/copy' | grep partial)\" ]"

seg=$(ls "$session"/seg-*.mkv.age | head -n 1)
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

age-keygen -o "$WORK/other.key" 2>/dev/null
expect_export "the wrong identity" 3 "no-match" --identity "$WORK/other.key" --out "$WORK/w" "$seg"
printf 'not an age file\n' >"$WORK/plain.mkv.age"
expect_export "not an age file" 3 "not-age\|not an age" --identity "$VAULT_KEY" --out "$WORK/w" "$WORK/plain.mkv.age"
expect_export "a missing input" 3 "cannot open" --identity "$VAULT_KEY" --out "$WORK/w" "$WORK/nope.age"
printf 'AGE-SECRET-KEY-1NOTAKEY\n' >"$WORK/bad.key"
expect_export "a malformed identity file names the line" 1 "bad.key line 1" --identity "$WORK/bad.key" --out "$WORK/w" "$seg"
expect_export "a missing identity file" 1 "cannot read the identity file" --identity "$WORK/none.key" --out "$WORK/w" "$seg"
mkdir -p "$WORK/empty"
expect_export "a folder without segments" 3 "holds no sealed segments" --identity "$VAULT_KEY" --out "$WORK/w" "$WORK/empty"
expect_export "no input" 1 "at least one INPUT" --identity "$VAULT_KEY" --out "$WORK/w"
expect_export "an unwritable output folder" 1 "cannot create the output folder" --identity "$VAULT_KEY" --out /proc/studio-out "$seg"
finish
