#!/usr/bin/env bash
# docs/export.md works as written: its sh blocks run as printed
# (tests/integration/docs-blocks.py), one after the other, on a real session
# trusted through a registry: the export, then the stock-tool check of the
# working copy with the device.pub export wrote beside SHA256SUMS. The
# printed check line is run too.
. "$(dirname "$0")/lib.sh"
MS=$STUDIO_BUILD_DIR/tests/make-session
BLOCKS=$STUDIO_SOURCE_DIR/tests/integration/docs-blocks.py
for t in minisign sha256sum python3; do
  command -v $t >/dev/null || { echo "skip: $t not installed"; exit 77; }
done
make_vault
cd "$WORK"
"$KEYS" device-init --dir dev --device-id studio-test-01 >/dev/null
"$KEYS" enrol --dir dev --registry registry.json >/dev/null 2>&1
session=$("$MS" --spool spool --state state --key dev/device.key --recipient "$VAULT_RECIPIENT" \
            --segments 2 --segment-bytes 150000)
before=$(cd "$session" && sha256sum ./* | sort)

# The test's table: the guide's placeholders, filled with this test's files.
FILL=(--fill "vault.key=$VAULT_KEY" --fill "registry.json=$WORK/registry.json"
      --fill "SESSION_DIR=$WORK/$session" --fill "DIR=$WORK/copy")
python3 "$BLOCKS" "$STUDIO_SOURCE_DIR/docs/export.md" "${FILL[@]}" >guide.sh 2>guide.skipped
cat guide.skipped
check "the guide prints the export and the check in sh blocks" \
  bash -c "grep -q '^studio-export ' guide.sh && grep -q 'sha256sum -c SHA256SUMS' guide.sh"
mkdir run && cd run
if PATH="$(dirname "$EXPORT"):$PATH" bash -euo pipefail "$WORK/guide.sh" >"$WORK/guide.out" 2>&1; then
  pass "every command of docs/export.md runs as printed"
else
  fail "the guide's commands fail: $(tail -n 5 "$WORK/guide.out")"
fi
cd "$WORK"
check "the export verified the session INTACT" grep -q ': INTACT: session ' guide.out
check "sha256sum -c passed both segments" \
  bash -c "grep -q 'seg-000001.mkv: OK' guide.out && grep -q 'seg-000002.mkv: OK' guide.out && ! grep -q FAILED guide.out"
check "device.pub is the registry's key for the device" \
  test "$(sed -n 2p copy/device.pub)" = "$(sed -n 2p dev/device.pub)"
check "the working copy holds what the guide lists" \
  test "$(cd copy && ls | tr '\n' ' ')" = "SHA256SUMS SHA256SUMS.minisig device.pub seg-000001.mkv seg-000002.mkv verification.json verification.txt "
hint=$(sed -n 's/^check: //p' guide.out)
check "export printed the guide's check" test -n "$hint"
check "and it passes as printed: $hint" bash -c "cd '$WORK' && $hint"
check "the session folder is untouched" test "$(cd "$session" && sha256sum ./* | sort)" = "$before"
finish
