#!/usr/bin/env bash
# docs/key-ceremony.md works as written: the sh blocks of "A whole
# ceremony, step by step" run exactly as printed, in an empty folder, with
# studio-keys and minisign on the PATH (the PIN comes on stdin, as the
# officer would type it); then the keys, registry and officers file are what
# the guide says.
. "$(dirname "$0")/lib.sh"
command -v minisign >/dev/null || { echo "skip: minisign not installed"; exit 77; }
python3 - "$STUDIO_SOURCE_DIR/docs/key-ceremony.md" >"$WORK/guide.sh" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
part = text.split("## A whole ceremony, step by step", 1)[1].split("\n## ", 1)[0]
print("\n".join(re.findall(r"```sh\n(.*?)```", part, re.S)))
PY
check "the guide has its commands in sh blocks" test "$(grep -c studio-keys "$WORK/guide.sh")" -ge 8
mkdir "$WORK/bin" "$WORK/run"
ln -s "$KEYS" "$WORK/bin/studio-keys"
if (cd "$WORK/run" && printf '48213\n' | PATH="$WORK/bin:$PATH" bash -euo pipefail "$WORK/guide.sh") \
     >"$WORK/guide.out" 2>&1; then
  pass "every command of the guide runs as printed"
else
  fail "the guide's commands fail: $(tail -n 5 "$WORK/guide.out")"
fi
cd "$WORK/run"
check "the vault identity opens with stock age tools" bash -c "age-keygen -y vault.key | grep -q '^age1'"
check "police IT's signature covers the final registry" minisign -Vqm registry.json -p it/police-it.pub
check "the registry holds the old and the new device key" python3 -c '
import json
d = json.load(open("registry.json"))["devices"]
assert len(d) == 2 and {e["device_id"] for e in d} == {"studio-room3"}
assert d[1]["previous_key_id"] == d[0]["key_id"]'
check "the guide's provisioning bundle is signed by police IT (stock minisign)" \
  minisign -Vqm bundle/provision.json -p it/police-it.pub
check "and carries the officer and the vault" \
  bash -c "grep -q '4711:' bundle/provision.json && grep -q 's3://evidence/room3' bundle/provision.json"
check "the officer is in the officers file, with no PIN in clear" bash -c "grep -q '^4711:' officers && ! grep -q 48213 officers"
finish
