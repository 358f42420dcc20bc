#!/usr/bin/env bash
# Tamper matrix for studio-verify: each case alters a real session made by
# make-session and asserts the verdict word AND the exit code. Stock
# minisign, sha256sum and age check the same sessions independently.
set -euo pipefail
B=${STUDIO_BUILD_DIR:?}
V=$B/appliance/verify/studio-verify
MS=$B/tests/make-session
for t in minisign age age-keygen python3 sha256sum; do
  command -v $t >/dev/null || { echo "skip: $t not installed"; exit 77; }
done
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W"
fails=0

age-keygen -o vault.key 2>/dev/null
R=$(age-keygen -y vault.key)
$MS --gen-key dev.key dev.pub
mk() { $MS --spool spool --state state --key dev.key --recipient "$R" --segments 3 --segment-bytes 300000 "$@"; }
BASE=$(mk --session-id 20261128T100000Z-aaaaaaaa)
OTHER=$(mk --session-id 20261128T110000Z-bbbbbbbb)

# expect VERDICT EXIT [studio-verify args…]: the last argument is the session
expect() {
  local want=$1 code=$2 out rc word
  shift 2
  set +e; out=$("$V" "$@" 2>&1); rc=$?; set -e
  word=${out%%:*}
  if [ "$word" != "$want" ] || [ "$rc" -ne "$code" ]; then
    echo "FAIL $name: want $want/$code, got $word/$rc"; echo "$out" | sed -n '1,25p'
    fails=$((fails + 1))
  else
    echo "ok   $name: $want ($code)"
  fi
}
fresh() { name=$1; rm -rf t; cp -a "$BASE" t; }
# flip FILE OFFSET: flips the lowest bit of one byte (negative offset: from the end)
flip() { python3 - "$@" <<'PY'
import sys
p, o = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, 'rb').read())
b[o if o >= 0 else len(b) + o] ^= 1
open(p, 'wb').write(b)
PY
}
# offset of the trusted comment's text in a .minisig
tc_off() { python3 -c "import sys;d=open(sys.argv[1],'rb').read();print(d.index(b'\ntrusted comment: ')+26)" "$1"; }

fresh untouched;          expect INTACT 0 --device-key dev.pub t
fresh untouched-json;     out=$("$V" --json --device-key dev.pub t); echo "$out" | python3 -c 'import json,sys; assert json.load(sys.stdin)["verdict"]=="INTACT"' && echo "ok   json report"
fresh untouched-html;     expect INTACT 0 --device-key dev.pub --html report.html t; grep -q '<b>INTACT</b>' report.html
fresh identity;           expect INTACT 0 --device-key dev.pub --identity vault.key t
fresh no-key;             expect UNTRUSTED-KEY 6 t
python3 - dev.pub > registry.json <<'PY'
import json, sys
pk = open(sys.argv[1]).read().splitlines()[1]
print(json.dumps({"devices": [{"device_id": "studio-test-01", "key_id": "", "public_key": pk, "enrolled": "2026-01-01T00:00:00Z"}]}))
PY
fresh registry;           expect INTACT 0 --registry registry.json t

# one flipped bit in each file type
fresh flip-segment;       flip t/seg-000002.mkv.age 100000;   expect TAMPERED 3 --device-key dev.pub t
fresh flip-custody;       flip t/custody.jsonl 60;            expect TAMPERED 3 --device-key dev.pub t
fresh flip-custody-sig;   flip t/custody.jsonl -20;           expect TAMPERED 3 --device-key dev.pub t
fresh flip-manifest;      flip t/manifest.json 300;           expect TAMPERED 3 --device-key dev.pub t
fresh flip-sums;          flip t/SHA256SUMS 3;                expect TAMPERED 3 --device-key dev.pub t
fresh flip-sums-sealed;   flip t/SHA256SUMS.sealed 3;         expect TAMPERED 3 --device-key dev.pub t
for s in manifest.json SHA256SUMS SHA256SUMS.sealed; do
  fresh "flip-$s.minisig"; flip "t/$s.minisig" "$(tc_off "t/$s.minisig")"; expect TAMPERED 3 --device-key dev.pub t
  fresh "flip-$s.minisig-sig"; flip "t/$s.minisig" -10; expect TAMPERED 3 --device-key dev.pub t
  fresh "missing-$s.minisig"; rm "t/$s.minisig"; expect UNSIGNED 5 --device-key dev.pub t
done

# truncation
fresh trunc-segment;      truncate -s -1000 t/seg-000001.mkv.age; expect TAMPERED 3 --device-key dev.pub t
fresh trunc-custody;      truncate -s 3000 t/custody.jsonl;       expect TAMPERED 3 --device-key dev.pub t
fresh trunc-manifest;     truncate -s 500 t/manifest.json;        expect TAMPERED 3 --device-key dev.pub t

# deleted, duplicated, reordered, swapped in
fresh deleted-segment;    rm t/seg-000002.mkv.age;                expect INCOMPLETE 4 --device-key dev.pub t
fresh duplicated-over;    cp t/seg-000001.mkv.age t/seg-000002.mkv.age; expect TAMPERED 3 --device-key dev.pub t
fresh duplicated-extra;   cp t/seg-000003.mkv.age t/seg-000004.mkv.age; expect INCOMPLETE 4 --device-key dev.pub t
fresh reordered;          mv t/seg-000001.mkv.age x; mv t/seg-000002.mkv.age t/seg-000001.mkv.age; mv x t/seg-000002.mkv.age
                          expect TAMPERED 3 --device-key dev.pub t
fresh swapped-in;         cp "$OTHER/seg-000002.mkv.age" t/seg-000002.mkv.age; expect TAMPERED 3 --device-key dev.pub t
fresh extra-file;         echo notes > t/notes.txt;               expect INCOMPLETE 4 --device-key dev.pub t

# a custody entry edited and the hash chain recomputed, but not re-signed
fresh edited-entry
python3 - t/custody.jsonl <<'PY'
import hashlib, sys
p = sys.argv[1]
lines = open(p, 'rb').read().split(b'\n')[:-1]
i = next(k for k, l in enumerate(lines) if b'"event":"mark"' in l)
lines[i] = lines[i].replace(b'witness identifies the photo', b'witness denies knowing them')
for k in range(i + 1, len(lines)):
    prev = hashlib.sha256(lines[k - 1]).hexdigest().encode()
    s = lines[k].index(b'"prev":"') + 8
    lines[k] = lines[k][:s] + prev + lines[k][s + 64:]
open(p, 'wb').write(b'\n'.join(lines) + b'\n')
PY
expect TAMPERED 3 --device-key dev.pub t

# manifest re-signed by another key (stock minisign)
fresh other-key
minisign -G -W -p other.pub -s other.key -f >/dev/null 2>&1 </dev/null
minisign -S -s other.key -m t/manifest.json >/dev/null 2>&1 </dev/null
expect UNTRUSTED-KEY 6 --device-key dev.pub t

# a session missing from the device chain: three sessions, the middle one deleted
C1=$($MS --spool chain --state chainstate --key dev.key --recipient "$R" --segments 1 --session-id 20261128T120000Z-00000001)
C2=$($MS --spool chain --state chainstate --key dev.key --recipient "$R" --segments 1 --session-id 20261128T120000Z-00000002)
C3=$($MS --spool chain --state chainstate --key dev.key --recipient "$R" --segments 1 --session-id 20261128T120000Z-00000003)
name=chain-linked;        expect INTACT 0 --device-key dev.pub --previous "$C2" "$C3"
rm -rf "$C2"
name=chain-gap;           expect INCOMPLETE 4 --device-key dev.pub --previous "$C1" "$C3"

# crash, then recovery at the next start: TRUNCATED
CR=$($MS --spool crash --state state --key dev.key --recipient "$R" --segments 2 --segment-bytes 1000000 --crash --torn-tail 77 --partial-log 2>/dev/null)
name=crash-recovered;     expect TRUNCATED 2 --device-key dev.pub "$CR"
name=crash-identity;      expect TRUNCATED 2 --device-key dev.pub --identity vault.key "$CR"
first=$("$V" --device-key dev.pub "$CR" | head -1 || true)
echo "$first" | grep -Eq '^TRUNCATED: intact through checkpoint [0-9]+ at [0-9]{2}:[0-9]{2}:[0-9]{2}; [0-9]+ bytes after it unverifiable$' \
  && echo "ok   TRUNCATED sentence" || { echo "FAIL TRUNCATED sentence"; fails=$((fails + 1)); }
rm -rf t; cp -a "$CR" t; name=crash-then-tampered; flip t/seg-000002.mkv.age 1000; expect TAMPERED 3 --device-key dev.pub t

# stock tools alone
stock() { if "$@" >/dev/null 2>&1; then echo "ok   stock: $*"; else echo "FAIL stock: $*"; fails=$((fails + 1)); fi; }
stock_rejects() { if "$@" >/dev/null 2>&1; then echo "FAIL stock accepted: $*"; fails=$((fails + 1)); else echo "ok   stock rejects: $*"; fi; }
for f in manifest.json SHA256SUMS SHA256SUMS.sealed; do stock minisign -Vq -p dev.pub -m "$BASE/$f"; done
fresh stock; flip t/manifest.json 300; stock_rejects minisign -Vq -p dev.pub -m t/manifest.json
flip t/SHA256SUMS 3; stock_rejects minisign -Vq -p dev.pub -m t/SHA256SUMS
flip t/SHA256SUMS.sealed 3; stock_rejects minisign -Vq -p dev.pub -m t/SHA256SUMS.sealed
stock bash -c "cd '$BASE' && sha256sum -c --quiet SHA256SUMS.sealed"
fresh stock2; flip t/seg-000001.mkv.age 5000; stock_rejects bash -c "cd t && sha256sum -c --quiet SHA256SUMS.sealed"
mkdir -p dec
for s in "$BASE"/seg-*.mkv.age; do age -d -i vault.key -o "dec/$(basename "${s%.age}")" "$s"; done
cp "$BASE/SHA256SUMS" dec/
stock bash -c "cd dec && sha256sum -c --quiet SHA256SUMS"
name=media-ok;            expect INTACT 0 --device-key dev.pub --media dec/seg-000001.mkv dec/seg-000002.mkv "$BASE"
flip dec/seg-000002.mkv 10
name=media-tampered;      expect TAMPERED 3 --device-key dev.pub --media dec/seg-000001.mkv dec/seg-000002.mkv "$BASE"

echo "failures: $fails"
[ "$fails" -eq 0 ]
