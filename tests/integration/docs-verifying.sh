#!/usr/bin/env bash
# docs/verifying.md works as written: the sh blocks of "1. With standard
# tools only" run exactly as the guide prints them, one after the other, on
# a real session, registry and police IT key; afterwards the session folder
# is untouched and studio-verify still calls it INTACT.
. "$(dirname "$0")/lib.sh"
MS=$STUDIO_BUILD_DIR/tests/make-session
for t in minisign age sha256sum python3; do
  command -v $t >/dev/null || { echo "skip: $t not installed"; exit 77; }
done
make_vault
cd "$WORK"
"$KEYS" device-init --dir dev --device-id studio-test-01 >/dev/null
"$KEYS" enrol --dir dev --registry registry.json >/dev/null 2>&1
"$KEYS" it-key-init --out it >/dev/null
"$KEYS" registry-sign --registry registry.json --key it/police-it.key >/dev/null 2>&1
session=$("$MS" --spool spool --state state --key dev/device.key --recipient "$VAULT_RECIPIENT" \
            --segments 2 --segment-bytes 150000 --note 'the note the guide opens')
before=$(cd "$session" && sha256sum ./* | sort)

python3 - "$STUDIO_SOURCE_DIR/docs/verifying.md" >guide.sh <<'PY'
import re, sys
text = open(sys.argv[1]).read()
part = text.split("## 1. With standard tools only", 1)[1].split("## 2. With studio-verify", 1)[0]
print("\n".join(re.findall(r"```sh\n(.*?)```", part, re.S)))
PY
check "the guide has its commands in sh blocks" test "$(grep -c . guide.sh)" -ge 8
mkdir run && cd run
if S="$WORK/$session" REG="$WORK/registry.json" POLICE_IT_PUB="$WORK/it/police-it.pub" VAULT_KEY="$VAULT_KEY" \
     bash -euo pipefail "$WORK/guide.sh" >"$WORK/guide.out" 2>&1; then
  pass "every command of the guide runs as printed"
else
  fail "the guide's commands fail: $(tail -n 5 "$WORK/guide.out")"
fi
cd "$WORK"
check "minisign verified the registry and the session's three signatures" test "$(grep -c 'Signature and comment signature verified' guide.out)" -eq 4
check "sha256sum -c passed the sealed files and the media" bash -c "! grep -q FAILED '$WORK/guide.out' && grep -q 'seg-000002.mkv: OK' '$WORK/guide.out'"
check "stock age opened the mark's sealed note as the guide says" grep -q '^the note the guide opens$' guide.out
check "the session folder is untouched" test "$(cd "$session" && sha256sum ./* | sort)" = "$before"
set +e
out=$("$VERIFY" --registry registry.json --registry-key it/police-it.pub "$session"); rc=$?
set -e
check "studio-verify still says INTACT (exit $rc)" test "$rc" -eq 0
finish
