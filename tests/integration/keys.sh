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
for c in vault-init device-init device-rotate enrol revoke officer-add officer-remove officer-list sign verify \
        it-key-init registry-sign; do
        "$K" "$c" --help | grep -q "Usage: studio-keys $c" || fail "no help for $c"
done
# Every option of every command is in its --help, and a mistyped one is refused.
while read -r c opts; do
        for o in $opts; do
                "$K" "$c" --help | grep -q -- "^ *$o\b" || fail "$c --help does not list $o"
        done
        expect 2 "$K" "$c" --no-such-option
done <<'EOF_OPTS'
vault-init --out --help
device-init --dir --device-id --help
device-rotate --dir --help
enrol --dir --record --json --registry --it-key --replace --reason --help
revoke --registry --key-id --date --it-key --help
officer-add --file --help
officer-remove --file --help
officer-list --file --help
sign --key --comment --help
verify --pub --help
it-key-init --out --help
registry-sign --registry --key --help
EOF_OPTS
# One set of default places: the key folder and the officers file.
"$K" device-init --help | grep -q "default /var/lib/studio/keys" || fail "device-init default folder"
"$K" device-rotate --help | grep -q "default /var/lib/studio/keys" || fail "device-rotate default folder"
for c in officer-add officer-remove officer-list; do
        "$K" $c --help | grep -q "default /etc/studio/officers" || fail "$c default file"
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

# Missing parent folders are created, as --help says.
"$K" device-init --dir deep/var/lib/keys --device-id deep >/dev/null || fail "device-init in a new folder tree"
[ "$(mode deep/var/lib/keys)" = 750 ] && [ "$(mode deep/var/lib)" = 755 ] || fail "new key folder modes"
echo 13579 | "$K" officer-add --file deep/etc/studio/officers 4711 2>/dev/null || fail "officer-add in a new folder"
[ "$(mode deep/etc/studio/officers)" = 640 ] || fail "new officers file mode"

# Police IT's registry key and signature (docs/key-ceremony.md, "Registry signature").
IT=it/keys
"$K" it-key-init --out "$IT" > itkey.txt
[ "$(mode "$IT")" = 700 ] && [ "$(mode "$IT/police-it.key")" = 600 ] && [ "$(mode "$IT/police-it.pub")" = 644 ] \
        || fail "police IT key modes"
itid=$(sed -n 's/^police IT key id: //p' itkey.txt)
grep -q "minisign public key $itid" "$IT/police-it.pub" || fail "police-it.pub comment"
cp "$IT/police-it.key" itkey.before
expect 3 "$K" it-key-init --out "$IT"
cmp -s "$IT/police-it.key" itkey.before || fail "police-it.key was overwritten"
mkdir -p tr && cd tr
"$K" device-init --dir a --device-id room-a >/dev/null
"$K" device-init --dir b --device-id room-b >/dev/null
expect 0 "$K" enrol --dir a --registry reg.json
grep -q "the registry reg.json is not signed: run 'studio-keys registry-sign" err.txt || fail "unsigned hint: $(cat err.txt)"
expect 5 "$K" registry-sign --registry none.json --key "../$IT/police-it.key"
expect 0 "$K" registry-sign --registry reg.json --key "../$IT/police-it.key"
[ -f reg.json.minisig ] || fail "no reg.json.minisig"
if command -v minisign >/dev/null; then
        minisign -Vm reg.json -p "../$IT/police-it.pub" > mv.txt || fail "stock minisign does not verify the registry"
        grep -q "^Trusted comment: registry sha256=$(sha256sum < reg.json | cut -d' ' -f1) utc=[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9:]\{8\}Z$" mv.txt \
                || fail "trusted comment: $(cat mv.txt)"
fi
"$K" verify --pub "../$IT/police-it.pub" reg.json >/dev/null || fail "studio-keys verify of the registry"
# A change without --it-key removes the signature and says so ...
expect 0 "$K" enrol --dir b --registry reg.json
[ ! -e reg.json.minisig ] || fail "a stale signature was left beside the changed registry"
grep -q "the registry reg.json is no longer signed: run 'studio-keys registry-sign --registry reg.json" err.txt \
        || fail "no-longer-signed message: $(cat err.txt)"
# ... with it, the registry is signed again.
"$K" registry-sign --registry reg.json --key "../$IT/police-it.key" 2>/dev/null
b_id=$("$K" enrol --dir b | sed -n 's/^key_id: //p')
expect 0 "$K" revoke --registry reg.json --key-id "$b_id" --it-key "../$IT/police-it.key"
"$K" verify --pub "../$IT/police-it.pub" reg.json >/dev/null || fail "revoke --it-key did not sign again"
# A registry changed behind police IT's back is not changed further, nor signed.
cp reg.json reg.good; cp reg.json.minisig sig.good
sed -i 's/room-a/room-x/' reg.json; cp reg.json reg.edited
expect 1 "$K" revoke --registry reg.json --key-id "$b_id" --it-key "../$IT/police-it.key"
grep -q "does not verify against its signature reg.json.minisig: the registry was changed after it was signed" err.txt \
        || fail "edited registry message: $(cat err.txt)"
cmp -s reg.json reg.edited && cmp -s reg.json.minisig sig.good || fail "an edited registry was changed"
"$K" it-key-init --out other-it >/dev/null
cp reg.good reg.json
expect 1 "$K" revoke --registry reg.json --key-id "$b_id" --it-key other-it/police-it.key
grep -q "made by another key" err.txt || fail "wrong police IT key message: $(cat err.txt)"
# registry-sign refuses an entry whose key_id is not its public key's.
python3 - <<'PY'
import json
r = json.load(open("reg.json")); r["devices"][0]["key_id"] = "0123456789ABCDEF"
json.dump(r, open("bad-id.json", "w"))
PY
expect 1 "$K" registry-sign --registry bad-id.json --key "../$IT/police-it.key"
grep -q "key_id 0123456789ABCDEF disagrees with its public_key" err.txt || fail "bad key id: $(cat err.txt)"
[ ! -e bad-id.json.minisig ] || fail "an inconsistent registry was signed"

# A second key for an enrolled device id needs the rotation record.
a_id=$("$K" enrol --dir a | sed -n 's/^key_id: //p')
mkdir a2 && "$K" device-init --dir a2 --device-id room-a >/dev/null
cp reg.json reg.before
expect 3 "$K" enrol --dir a2 --registry reg.json
grep -q "device room-a is already enrolled in reg.json with key $a_id: a new key for it needs the rotation record signed by that key, and a2/device.pub.old is missing" err.txt \
        || fail "missing rotation record message: $(cat err.txt)"
cmp -s reg.json reg.before || fail "a refused enrolment changed the registry"
cp -r a rot && "$K" device-rotate --dir rot >/dev/null
mv rot/device.pub.new.minisig rot.minisig
expect 1 "$K" enrol --dir rot --registry reg.json
grep -q "rot/device.pub.new.minisig" err.txt || fail "missing rotation signature not named: $(cat err.txt)"
mv rot.minisig rot/device.pub.new.minisig
expect 0 "$K" enrol --dir rot --registry reg.json --it-key "../$IT/police-it.key"
"$K" verify --pub "../$IT/police-it.pub" reg.json >/dev/null || fail "enrol --it-key did not sign again"
# A rotation signed by a revoked key proves nothing.
"$K" device-init --dir c --device-id room-c >/dev/null
"$K" enrol --dir c --registry reg.json --it-key "../$IT/police-it.key" 2>/dev/null
c_id=$("$K" enrol --dir c | sed -n 's/^key_id: //p')
"$K" revoke --registry reg.json --key-id "$c_id" --date 2024-05-01T09:00:00Z --it-key "../$IT/police-it.key" 2>/dev/null
"$K" device-rotate --dir c >/dev/null
expect 1 "$K" enrol --dir c --registry reg.json
grep -q "old key $c_id of device room-c is revoked" err.txt || fail "rotation from a revoked key: $(cat err.txt)"
# A replacement device with a new device id needs neither.
"$K" device-init --dir c-new --device-id room-c-2 >/dev/null
expect 0 "$K" enrol --dir c-new --registry reg.json --it-key "../$IT/police-it.key"

# --replace: a lost or stolen key, in a registry police IT signed.
expect 2 "$K" enrol --dir a2 --registry reg.json --replace --reason "stolen"
grep -q -- "--replace needs --reason TEXT" err.txt || fail "--replace without --it-key: $(cat err.txt)"
expect 2 "$K" enrol --dir a2 --registry reg.json --replace --it-key "../$IT/police-it.key"
expect 2 "$K" enrol --dir a2 --registry reg.json --reason "stolen"
expect 2 "$K" enrol --dir a2 --registry reg.json --replace --reason "$(printf 'two\nlines')" --it-key "../$IT/police-it.key"
cp reg.json reg.signed; cp reg.json.minisig reg.signed.minisig
rm reg.json.minisig
expect 1 "$K" enrol --dir a2 --registry reg.json --replace --reason stolen --it-key "../$IT/police-it.key"
grep -q "the registry reg.json is not signed (reg.json.minisig is missing)" err.txt || fail "unsigned --replace: $(cat err.txt)"
cmp -s reg.json reg.signed || fail "--replace changed an unsigned registry"
cp reg.signed.minisig reg.json.minisig
"$K" device-init --dir fresh --device-id room-new >/dev/null
expect 5 "$K" enrol --dir fresh --registry reg.json --replace --reason x --it-key "../$IT/police-it.key"
grep -q "device room-new is not enrolled in reg.json: there is nothing to replace" err.txt || fail "replace unknown: $(cat err.txt)"
rot_id=$("$K" enrol --dir rot | sed -n 's/^key_id: //p')
a2_id=$("$K" enrol --dir a2 | sed -n 's/^key_id: //p')
expect 0 "$K" enrol --dir a2 --registry reg.json --replace --reason "stolen from room A, case 2024/117" \
        --it-key "../$IT/police-it.key"
if command -v minisign >/dev/null; then
        minisign -Vqm reg.json -p "../$IT/police-it.pub" || fail "registry after --replace does not verify"
fi
python3 - "$rot_id" "$a2_id" "$a_id" <<'PY' || fail "replacement fields"
import json, sys, re
rot, new, first = sys.argv[1:]
d = {e["key_id"]: e for e in json.load(open("reg.json"))["devices"]}
old, n = d[rot], d[new]
stamp = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
assert stamp.match(old["revoked"]) and old["revoked"] == n["enrolled"], (old, n)
assert old["revoked_reason"] == "stolen from room A, case 2024/117", old
assert n["replaces"] == rot and n["reason"] == "stolen from room A, case 2024/117", n
assert n["device_id"] == "room-a" and "previous_key_id" not in n, n
assert set(n) == {"device_id", "key_id", "public_key", "enrolled", "replaces", "reason"}, n
assert "revoked" not in d[first], d[first]  # the older key is only named
PY
grep -q "older key $a_id of device room-a is still trusted" err.txt || fail "older key not named: $(cat err.txt)"
# An earlier revocation is kept: a later time would trust more of what a thief signed.
"$K" device-init --dir c2 --device-id room-c >/dev/null
expect 0 "$K" enrol --dir c2 --registry reg.json --replace --reason lost --it-key "../$IT/police-it.key"
python3 - "$c_id" <<'PY' || fail "earlier revocation kept"
import json, sys
d = [e for e in json.load(open("reg.json"))["devices"] if e["key_id"] == sys.argv[1]][0]
assert d["revoked"] == "2024-05-01T09:00:00Z" and d["revoked_reason"] == "lost", d
PY
cd ..

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
# enrol --record: the record as the console printed it, copied off the
# serial console (its prefix line, CR LF, blanks) or a screen photo; checked
# strictly, enrolled exactly as --dir would.
"$K" device-init --dir rec-dev --device-id studio-room9 >/dev/null
{ echo "[   41.113] studio-provision: enrolment record for police IT:"
  "$K" enrol --dir rec-dev | sed 's/^/  /; s/$/\r/'
  echo "login: "; } >console.txt
expect 0 "$K" enrol --record console.txt --registry rec-reg.json
"$K" enrol --dir rec-dev --registry rec-reg-dir.json 2>/dev/null
python3 - <<'PY' || fail "enrol --record: the registry entry is not what --dir enrols"
import json
a = json.load(open("rec-reg.json"))["devices"]; b = json.load(open("rec-reg-dir.json"))["devices"]
assert len(a) == 1 and {k: v for k, v in a[0].items() if k != "enrolled"} == {k: v for k, v in b[0].items() if k != "enrolled"}, (a, b)
PY
grep -q "enrolled in rec-reg.json" err.txt || fail "enrol --record does not say what it enrolled"
expect 3 "$K" enrol --record console.txt --registry rec-reg.json
# refused: with the reason, and nothing written
cp rec-reg.json rec-reg.before
refused() { # refused FILE WORDS: enrol --record FILE exits 1 naming WORDS; the registry is untouched
  expect 1 "$K" enrol --record "$1" --registry rec-reg.json
  grep -qF -- "$2" err.txt || { cat err.txt >&2; fail "enrol --record $1: no '$2'"; }
  grep -q "nothing was enrolled" err.txt || fail "enrol --record $1 does not say nothing was enrolled"
  cmp -s rec-reg.json rec-reg.before || fail "enrol --record $1 changed the registry"
}
# one character of the public key mis-read (base64 still valid)
pk=$(sed -n 's/^ *public_key: //p' console.txt | tr -d '\r')
bad=${pk:0:20}$( [ "${pk:20:1}" = A ] && echo B || echo A )${pk:21}
sed "s|$pk|$bad|" console.txt >miscopied.txt
refused miscopied.txt "a character was mis-copied"
sed 's/key_id: \([0-9A-F]\{15\}\)./key_id: \1Z/' console.txt >badid.txt
refused badid.txt "is not 16 hex digits"
grep -v public_key console.txt >nokey.txt
refused nokey.txt "the record has no public_key line"
{ cat console.txt; "$K" enrol --dir dev2; } >two.txt
refused two.txt "more than one record"
sed 's/created: .*/created: yesterday/' console.txt >badtime.txt
refused badtime.txt "is not an RFC 3339 time"
{ cat console.txt; echo "previous_key_id: 0123456789ABCDEF"; } >rotated.txt
refused rotated.txt "rotated key"
grep -v record_check console.txt >nocheck.txt
refused nocheck.txt "the record has no record_check line"
printf 'not a record at all\n' >junk.txt
refused junk.txt "the record has no device_id line"
head -c 70000 /dev/zero | tr '\0' x >huge.txt
expect 1 "$K" enrol --record huge.txt --registry rec-reg.json
grep -q "it is not an enrolment record" err.txt || fail "a huge --record file"
expect 2 "$K" enrol --record console.txt
expect 2 "$K" enrol --record console.txt --dir rec-dev --registry rec-reg.json
# A studio from `studioctl init`: its key folder has no device.pub; enrol
# says where it is (never "run device-init", which would refuse).
mkdir -p ctl-studio/keys
cp rec-dev/device.pub rec-dev/device.id ctl-studio/ && cp rec-dev/device.key rec-dev/device.id ctl-studio/keys/
expect 1 "$K" enrol --dir ctl-studio/keys
grep -q "studioctl init.*studio-keys enrol --dir ctl-studio$" err.txt || { cat err.txt >&2; fail "enrol --dir STUDIO/keys"; }
grep -q "device-init --dir" err.txt && fail "enrol --dir STUDIO/keys still advises device-init"
expect 0 "$K" enrol --dir ctl-studio
rm ctl-studio/device.pub
expect 1 "$K" enrol --dir ctl-studio/keys
grep -q "enrol --record FILE" err.txt || { cat err.txt >&2; fail "a key folder without device.pub"; }
echo "PASS"
