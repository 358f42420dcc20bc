#!/usr/bin/env bash
# Registry kinds (docs/key-ceremony.md, "Registry schema"): studio-keys
# intake-init makes the intake's key; enrol --kind enrols a key that is not
# a device's; every check trusts a key only for its own kind, so a session
# signed by an intake or examiner key is UNTRUSTED-KEY under the registry,
# and a registry of today (no kind) still verifies its devices INTACT.
. "$STUDIO_SOURCE_DIR/tests/integration/lib.sh"
for t in minisign age-keygen python3; do
  command -v $t >/dev/null || { echo "skip: $t not installed"; exit 77; }
done
MS=$STUDIO_BUILD_DIR/tests/make-session
cd "$WORK"
rc() { local r=0; "$@" >"$WORK/out" 2>"$WORK/err" </dev/null || r=$?; echo "$r"; }
verdict() { local r=0; "$VERIFY" "$@" >"$WORK/vout" 2>"$WORK/verr" </dev/null || r=$?; echo "$(head -n1 "$WORK/vout" | cut -d' ' -f1 | tr -d :) $r"; }

make_vault
"$KEYS" it-key-init --out it >/dev/null 2>&1
"$KEYS" device-init --dir dev --device-id studio-test-01 >/dev/null
check "intake-init exits 0" test "$(rc "$KEYS" intake-init --dir ik)" = 0
check "... printing the key id and the enrol command" grep -q "enrol --kind intake --pub ik/intake.pub" "$WORK/out"
check "intake.key is mode 0600" test "$(stat -c %a ik/intake.key)" = 600
echo x >x.txt
"$KEYS" sign --key ik/intake.key x.txt 2>/dev/null
check "a file intake.key signed verifies with stock minisign and intake.pub" minisign -Vm x.txt -p ik/intake.pub
check "intake-init refuses to overwrite (3)" test "$(rc "$KEYS" intake-init --dir ik)" = 3
check "intake-init without --dir is a usage error (2)" test "$(rc "$KEYS" intake-init)" = 2
"$KEYS" intake-init --dir ex >/dev/null

"$KEYS" enrol --dir dev --registry reg.json --it-key it/police-it.key 2>/dev/null
check "enrol --kind intake exits 0" \
  test "$(rc "$KEYS" enrol --kind intake --pub ik/intake.pub --name "intake-1" --registry reg.json --it-key it/police-it.key)" = 0
check "enrol --kind examiner exits 0" \
  test "$(rc "$KEYS" enrol --kind examiner --pub ex/intake.pub --name "lab 2" --registry reg.json --it-key it/police-it.key)" = 0
check "the registry says each entry's kind and name" python3 - <<'PY'
import json
d = json.load(open("reg.json"))["devices"]
assert "kind" not in d[0] and d[0]["device_id"] == "studio-test-01", d[0]
assert d[1]["kind"] == "intake" and d[1]["name"] == "intake-1" and d[1]["public_key"].startswith("RW"), d[1]
assert d[2]["kind"] == "examiner" and d[2]["name"] == "lab 2", d[2]
assert all(len(e["key_id"]) == 16 for e in d)
PY
check "the registry stays signed (stock minisign)" minisign -Vm reg.json -p it/police-it.pub
check "enrolling the same key again is refused (3)" \
  test "$(rc "$KEYS" enrol --kind examiner --pub ik/intake.pub --name again --registry reg.json)" = 3
check "an unknown kind is a usage error (2)" \
  test "$(rc "$KEYS" enrol --kind auditor --pub ik/intake.pub --name x --registry reg.json)" = 2
check "--kind device is a usage error (2): devices enrol with --dir" \
  test "$(rc "$KEYS" enrol --kind device --pub ik/intake.pub --name x --registry reg.json)" = 2
check "--kind without --name is a usage error (2)" \
  test "$(rc "$KEYS" enrol --kind intake --pub ik/intake.pub --registry reg.json)" = 2
check "a name with a control character is a usage error (2)" \
  test "$(rc "$KEYS" enrol --kind intake --pub ex/intake.pub --name $'a\nb' --registry reg.json)" = 2
check "--kind with --dir is a usage error (2)" \
  test "$(rc "$KEYS" enrol --kind intake --dir dev --pub ik/intake.pub --name x --registry reg.json)" = 2

# A session signed by each key, checked under the registry.
mk() { "$MS" --spool "$1" --state "$1.state" --key "$2" --recipient "$VAULT_RECIPIENT" --segments 1 --segment-bytes 50000; }
DEV=$(mk sp-dev dev/device.key)
INT=$(mk sp-int ik/intake.key)
EXM=$(mk sp-ex ex/intake.key)
R="--registry reg.json --registry-key it/police-it.pub"
check "a device's session is INTACT under the registry with kinds" test "$(verdict $R "$DEV")" = "INTACT 0"
check "a session signed by the intake key is UNTRUSTED-KEY" test "$(verdict $R "$INT")" = "UNTRUSTED-KEY 6"
check "... naming the kind" grep -q "kind intake (intake-1), not as a device's" "$WORK/vout"
check "a session signed by an examiner key is UNTRUSTED-KEY" test "$(verdict $R "$EXM")" = "UNTRUSTED-KEY 6"
check "... naming the kind" grep -q "kind examiner" "$WORK/vout"
# A kind this release does not know is trusted for nothing; a kind that is
# not a string makes the registry unusable.
python3 - <<'PY'
import json
r = json.load(open("reg.json"))
r["devices"][0]["kind"] = "auditor"; json.dump(r, open("future.json", "w"))
r["devices"][0]["kind"] = 7; json.dump(r, open("bad.json", "w"))
r["devices"][0]["kind"] = "device"; json.dump(r, open("explicit.json", "w"))
PY
check "a device entry with an unknown kind is not trusted as a device" test "$(verdict --registry future.json "$DEV")" = "UNTRUSTED-KEY 6"
check "a kind that is not a string: the registry is refused (1)" test "$(verdict --registry bad.json "$DEV" | cut -d' ' -f2)" = 1
check "kind \"device\" spelt out is a device" test "$(verdict --registry explicit.json "$DEV")" = "INTACT 0"

# docs/key-ceremony.md's intake section runs as printed.
mkdir guide guide/bin && cp -a it guide/ && cp reg.json guide/registry.json
ln -s "$KEYS" guide/bin/studio-keys
python3 "$STUDIO_SOURCE_DIR/tests/integration/docs-blocks.py" "$STUDIO_SOURCE_DIR/docs/key-ceremony.md" \
  --from "The intake's key" --to "Where each key lives" >guide.sh
check "the guide's intake commands run as printed" \
  bash -c 'cd guide && PATH="$PWD/bin:$PATH" bash -euo pipefail ../guide.sh >../guide.out 2>&1'
check "... and enrol the intake key by kind" python3 -c '
import json
d = json.load(open("guide/registry.json"))["devices"]
assert d[-1]["kind"] == "intake" and d[-1]["name"] == "intake-hq"'
finish
