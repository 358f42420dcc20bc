#!/bin/bash
# Every studio-keys subcommand end to end, with stock age/age-keygen/minisign.
set -euo pipefail
K="$STUDIO_BUILD_DIR/keys/studio-keys"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
fail() { echo "FAIL: $*" >&2; exit 1; }
# expect CODE CMD...: runs CMD, fails the test unless it exits with CODE.
expect() { local want=$1; shift; local rc=0; "$@" >out.txt 2>err.txt </dev/null || rc=$?
           [ "$rc" = "$want" ] || { cat out.txt err.txt >&2; fail "'$*' exited $rc, wanted $want"; }; }
mode() { stat -c %a "$1"; }

"$K" --help | grep -q "Exit codes" || fail "no exit codes in --help"
for c in vault-init device-init device-rotate enrol revoke officer-add officer-remove officer-list sign verify; do
        "$K" "$c" --help | grep -q "Usage: studio-keys $c" || fail "no help for $c"
done
expect 2 "$K" no-such-command
expect 2 "$K" vault-init

# vault-init: age-keygen format, 0600, stock age interoperates, no overwrite.
"$K" vault-init --out vault.key > recipient.txt 2>/dev/null
[ "$(mode vault.key)" = 600 ] || fail "vault.key mode $(mode vault.key)"
grep -Eq '^# created: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(Z|[+-][0-9]{2}:[0-9]{2})$' vault.key || fail "created line"
grep -q "^# public key: $(cat recipient.txt)$" vault.key || fail "public key line"
grep -Eq '^AGE-SECRET-KEY-1[0-9A-Z]+$' vault.key || fail "identity line"
[ "$(wc -l < vault.key)" = 3 ] || fail "vault.key has extra lines"
if command -v age-keygen >/dev/null; then
        [ "$(age-keygen -y vault.key)" = "$(cat recipient.txt)" ] || fail "age-keygen -y gives another recipient"
fi
if command -v age >/dev/null; then
        echo "sealed evidence" | age -e -r "$(cat recipient.txt)" -o sealed.age
        [ "$(age -d -i vault.key sealed.age)" = "sealed evidence" ] || fail "age -d with our identity"
fi
cp vault.key vault.before
expect 3 "$K" vault-init --out vault.key
cmp -s vault.key vault.before || fail "vault.key was overwritten"

# device-init
"$K" device-init --dir dev > record.txt
[ "$(mode dev/device.key)" = 600 ] || fail "device.key mode"
[ "$(mode dev/device.pub)" = 644 ] || fail "device.pub mode"
keyid=$(sed -n 's/^key_id: //p' record.txt)
[[ "$keyid" =~ ^[0-9A-F]{16}$ ]] || fail "key id '$keyid'"
host=$(hostname | tr 'A-Z' 'a-z' | tr -c 'a-z0-9\n' '-')
[ "$(cat dev/device.id)" = "studio-${host:0:40}-$(echo "${keyid:0:8}" | tr 'A-F' 'a-f')" ] || fail "default device id $(cat dev/device.id)"
grep -q "^public_key: $(tail -1 dev/device.pub)$" record.txt || fail "record public key"
grep -q "minisign public key $keyid" dev/device.pub || fail "pub comment"
cp dev/device.key key.before
expect 3 "$K" device-init --dir dev
cmp -s dev/device.key key.before || fail "device.key was overwritten"
expect 2 "$K" device-init --dir dev2 --device-id "Bad ID"
"$K" device-init --dir dev2 --device-id room-3.station >/dev/null
[ "$(cat dev2/device.id)" = room-3.station ] || fail "--device-id"

# sign / verify; minisign reads our key.
echo "manifest" > manifest.json
"$K" sign --key dev/device.key manifest.json 2>/dev/null
"$K" verify --pub dev/device.pub manifest.json | grep -q "Trusted comment: timestamp:" || fail "verify"
if command -v minisign >/dev/null; then minisign -V -q -p dev/device.pub -m manifest.json || fail "stock verify"; fi
expect 1 "$K" verify --pub dev2/device.pub manifest.json
grep -q "another key" err.txt || fail "wrong key message"

# enrol: text, JSON, registry.
"$K" enrol --dir dev | grep -q "^software_version: " || fail "enrol text"
"$K" enrol --dir dev --json > rec.json
python3 -c 'import json,sys; r=json.load(open("rec.json")); assert set(r)=={"device_id","key_id","public_key","created","software_version"}, r' \
        || fail "enrol --json fields"
"$K" enrol --dir dev --registry registry.json 2>/dev/null
"$K" enrol --dir dev2 --registry registry.json 2>/dev/null
expect 3 "$K" enrol --dir dev --registry registry.json
python3 - "$keyid" <<'PY' || fail "registry content"
import json, sys
r = json.load(open("registry.json"))
assert [d["key_id"] for d in r["devices"]][0] == sys.argv[1]
assert len(r["devices"]) == 2
assert all(set(d) == {"device_id", "key_id", "public_key", "enrolled"} for d in r["devices"])
PY
echo '{"devices": 3}' > broken.json
expect 1 "$K" enrol --dir dev --registry broken.json

# device-rotate: old signs new, both enrolled.
"$K" device-rotate --dir dev > rotate.txt
grep -q "^old key id: $keyid$" rotate.txt || fail "rotate old id"
newid=$(sed -n 's/^new key id: //p' rotate.txt)
[ "$newid" != "$keyid" ] || fail "same key after rotation"
cmp -s dev/device.key.old key.before || fail "old key not kept"
[ "$(mode dev/device.key)" = 600 ] || fail "rotated key mode"
"$K" verify --pub dev/device.pub.old dev/device.pub 2>/dev/null || true
if command -v minisign >/dev/null; then
        minisign -V -p dev/device.pub.old -m dev/device.pub -x dev/device.pub.new.minisig \
                | grep -q "rotation from $keyid to $newid" || fail "rotation record"
fi
"$K" enrol --dir dev | grep -q "^previous_key_id: $keyid$" || fail "previous key id"
"$K" enrol --dir dev --registry registry.json 2>/dev/null
expect 3 "$K" device-rotate --dir dev
# A forged rotation record is refused.
cp -r dev forged && "$K" device-init --dir other >/dev/null && cp other/device.pub forged/device.pub
expect 1 "$K" enrol --dir forged

# revoke
expect 5 "$K" revoke --registry registry.json --key-id 0000000000000000
expect 2 "$K" revoke --registry registry.json --key-id "$keyid" --date yesterday
"$K" revoke --registry registry.json --key-id "$keyid" --date 2024-05-01T11:00:00+02:00 2>/dev/null
expect 3 "$K" revoke --registry registry.json --key-id "$keyid"
python3 - "$keyid" <<'PY' || fail "revoked field"
import json, sys
r = json.load(open("registry.json"))
d = [d for d in r["devices"] if d["key_id"] == sys.argv[1]][0]
assert d["revoked"] == "2024-05-01T09:00:00Z", d
PY

# officers
echo 13579 | "$K" officer-add --file officers 4711 2>/dev/null
[ "$(mode officers)" = 640 ] || fail "officers mode"
grep -Eq '^4711:\$argon2id\$' officers || fail "officer line"
for weak in 0000 1234 00000 12345 54321 12a45; do
        echo "$weak" > pin.txt
        rc=0; "$K" officer-add --file officers 42 < pin.txt 2>err.txt || rc=$?
        [ "$rc" = 4 ] || fail "weak PIN $weak exited $rc"
        grep -q "PIN refused" err.txt || fail "weak PIN $weak: no reason"
done
echo 24680 > pin.txt
rc=0; "$K" officer-add --file officers 4711 < pin.txt 2>/dev/null || rc=$?
[ "$rc" = 3 ] || fail "duplicate officer exited $rc"
"$K" officer-add --file officers 42 < pin.txt 2>/dev/null
[ "$("$K" officer-list --file officers | tr '\n' ' ')" = "4711 42 " ] || fail "officer-list"
expect 2 "$K" officer-add --file officers 1234567890123
expect 5 "$K" officer-remove --file officers 99
"$K" officer-remove --file officers 4711 2>/dev/null
[ "$("$K" officer-list --file officers)" = 42 ] || fail "officer-remove"
echo "42:not-a-hash" > bad-officers
expect 1 "$K" officer-list --file bad-officers
grep -q "line 1" err.txt || fail "bad officers file message"
# Option mistakes name the option.
expect 2 "$K" vault-init --out
grep -q "'--out' is not an option here, or it needs a value" err.txt || fail "missing option value: $(cat err.txt)"
expect 2 "$K" device-init --bogus
grep -q "'--bogus'" err.txt || fail "unknown option not named: $(cat err.txt)"

# On a terminal the PIN is asked twice and never echoed; a mismatch and a
# weak PIN are refused. A real pseudo-terminal, as police IT would type.
python3 - "$K" <<'PY' || fail "PIN prompt on a terminal"
import os, pty, select, sys, time

def read_some(fd, deadline):
    ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
    if not ready:
        raise TimeoutError("studio-keys said nothing more within 30 s")
    try:
        return os.read(fd, 1024)
    except OSError:  # the other side closed: the program ended
        return b""

def run(officer, pins):
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(sys.argv[1], [sys.argv[1], "officer-add", "--file", "tty-officers", officer])
    seen, deadline = b"", time.monotonic() + 30
    for pin in pins:
        while b"PIN" not in seen.split(b"\n")[-1]:
            chunk = read_some(fd, deadline)
            if not chunk:
                break
            seen += chunk
        os.write(fd, pin + b"\n")
        seen += b"\n"
    while chunk := read_some(fd, deadline):
        seen += chunk
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), seen

rc, seen = run("815", [b"97531", b"97531"])
assert rc == 0, (rc, seen)
assert b"97531" not in seen, "the PIN was echoed: %r" % seen
assert b"again" in seen, seen
rc, seen = run("816", [b"97531", b"13579"])
assert rc != 0 and b"97531" not in seen and b"13579" not in seen, (rc, seen)
rc, seen = run("817", [b"0000", b"0000"])
assert rc == 4, (rc, seen)
officers = open("tty-officers").read()
assert officers.count("815:") == 1 and "816:" not in officers and "817:" not in officers, officers
PY
echo "PASS"
