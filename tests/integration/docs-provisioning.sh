#!/usr/bin/env bash
# docs/provisioning.md works as written: its sh blocks run exactly as
# printed (tests/integration/docs-blocks.py), in a scratch folder holding
# what the guide says police IT has (it/ from it-key-init, recipients from
# vault-init, officers from officer-add), with studio-keys and minisign on
# the PATH. The block that runs on the appliance at boot (studio-provision)
# is marked in the guide and listed as skipped; its stand-in is the same
# program on a scratch root. Placeholders, from this table:
#
#   https://vault.police.example:7480   http://127.0.0.1:7480 (no vault is
#                                       contacted; loopback may be http)
#   COPY                                "$(first-boot)": studio-provision
#                                       --root on a scratch root (the shipped
#                                       studio.conf) with the guide's bundle,
#                                       printing the key folder it made
#
# Afterwards: the bundle is signed by police IT (stock minisign) and was
# applied, the device key made at first boot is the one enrolled in the
# registry, and police IT's signature covers the registry.
. "$(dirname "$0")/lib.sh"
command -v minisign >/dev/null || { echo "skip: minisign not installed"; exit 77; }
PROV=$STUDIO_BUILD_DIR/appliance/provision/studio-provision
run=$WORK/run root=$WORK/root
mkdir -p "$run" "$WORK/bin" "$root/etc/studio" "$root/dev"
ln -s "$KEYS" "$WORK/bin/studio-keys"
cp "$STUDIO_SOURCE_DIR/systemd/studio.conf" "$root/etc/studio/studio.conf"
: >"$root/dev/console" # a regular file stands in for the console
cat >"$WORK/bin/first-boot" <<SH
#!/bin/sh
# what the appliance does at first boot, on the scratch root: then the key folder
"$PROV" --root "$root" --it-key it/police-it.pub --bundle bundle >"$WORK/first-boot.out" 2>&1 || exit 1
echo "$root/var/lib/studio/keys"
SH
chmod +x "$WORK/bin/first-boot"
"$KEYS" it-key-init --out "$run/it" >/dev/null 2>&1
"$KEYS" vault-init --out "$WORK/vault.key" >"$run/recipients" 2>/dev/null
printf '48213\n' | "$KEYS" officer-add --file "$run/officers" 4711 >/dev/null 2>&1

python3 "$STUDIO_SOURCE_DIR/tests/integration/docs-blocks.py" "$STUDIO_SOURCE_DIR/docs/provisioning.md" \
  --fill https://vault.police.example:7480=http://127.0.0.1:7480 --fill COPY='"$(first-boot)"' \
  >"$WORK/guide.sh" 2>"$WORK/skipped"
sed 's/^/  /' "$WORK/skipped"
check "the guide's commands are in sh blocks (bundle-make, enrol, two minisign checks)" \
  test "$(grep -c -e '^studio-keys' -e '^minisign' "$WORK/guide.sh")" -ge 4
check "the block that runs on the appliance is listed as skipped" grep -q 'studio-provision\|appliance' "$WORK/skipped"
if (cd "$run" && PATH="$WORK/bin:$PATH" bash -euo pipefail "$WORK/guide.sh") >"$WORK/guide.out" 2>&1; then
  pass "every command of the guide runs as printed"
else
  fail "the guide's commands fail: $(tail -n 5 "$WORK/guide.out") $(cat "$WORK/first-boot.out" 2>/dev/null)"
fi
check "stock minisign verified the bundle and the registry" \
  test "$(grep -c 'Signature and comment signature verified' "$WORK/guide.out")" -eq 2
check "first boot applied the guide's bundle" grep -q 'provisioned with bundle serial 1' "$WORK/first-boot.out"
check "with the guide's vault and room" \
  sh -c "grep -qx 'vault *= *s3://evidence/room3' '$root/etc/studio/studio.conf' && grep -qx 'room *= *Room 3' '$root/etc/studio/studio.conf'"
check "the registry holds the key made at first boot" python3 - "$run/registry.json" "$root/var/lib/studio/keys/device.pub" <<'PY'
import json, sys
pub = open(sys.argv[2]).read().split("\n")[1].strip()
sys.exit(0 if [d["public_key"] for d in json.load(open(sys.argv[1]))["devices"]] == [pub] else 1)
PY
finish
