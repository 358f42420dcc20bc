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

# expect VERDICT EXIT [studio-verify args…]: the last argument is the session.
# The timeout catches a verifier that blocks (a FIFO in the folder).
expect() {
  local want=$1 code=$2 out rc word
  shift 2
  set +e; out=$(timeout 60 "$V" "$@" 2>&1); rc=$?; set -e
  last_out=$out
  word=${out%%:*}
  if [ "$word" != "$want" ] || [ "$rc" -ne "$code" ]; then
    echo "FAIL $name: want $want/$code, got $word/$rc"; echo "$out" | sed -n '1,25p'
    fails=$((fails + 1))
  else
    echo "ok   $name: $want ($code)"
  fi
}
# first_has TEXT…: the report's first line contains every TEXT
first_has() {
  local first; first=$(echo "$last_out" | head -n 1)
  for t in "$@"; do
    case "$first" in *"$t"*) ;; *) echo "FAIL $name: first line lacks '$t': $first"; fails=$((fails + 1)); return;; esac
  done
  echo "ok   $name: first line names $*"
}
# usage_error PATTERN [studio-verify args…]: exit 1 and a message matching PATTERN
usage_error() {
  local pat=$1 out rc
  shift
  set +e; out=$(timeout 60 "$V" "$@" 2>&1); rc=$?; set -e
  if [ "$rc" -ne 1 ] || ! echo "$out" | grep -qE -- "$pat"; then
    echo "FAIL $name: want exit 1 and /$pat/, got $rc: $(echo "$out" | head -n 3)"; fails=$((fails + 1))
  else
    echo "ok   $name: usage error: $(echo "$out" | head -n 1)"
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
# registry.json as studio-keys writes it; KEY_ID overrides the key id
registry() { KEY_ID=${1:-} python3 - dev.pub <<'PY'
import base64, json, os, sys
pk = open(sys.argv[1]).read().splitlines()[1]
kid = os.environ["KEY_ID"] or base64.b64decode(pk)[2:10][::-1].hex().upper()
print(json.dumps({"devices": [{"device_id": "studio-test-01", "key_id": kid, "public_key": pk, "enrolled": "2026-01-01T00:00:00Z"}]}))
PY
}
registry > registry.json
fresh registry;           expect INTACT 0 --registry registry.json t
registry 0123456789ABCDEF > bad-key-id.json
fresh registry-key-id;    usage_error 'bad-key-id.json device entry 1 .*key_id 0123456789ABCDEF disagrees with its public_key' \
                            --registry bad-key-id.json t

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
  fresh "missing-$s.minisig-registry"; rm "t/$s.minisig"; expect UNSIGNED 5 --registry registry.json t
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

first_has "custody.jsonl line" "signature"

# An attacker who holds the device key edits the log and re-closes the
# session (manifest, SHA256SUMS, signatures), so that the manifest's
# custody_log hash agrees: only the entry signature (a) or only the hash
# chain (b) can catch it.
mark_seq=$(python3 -c 'import json,sys; print([json.loads(l)["seq"] for l in open(sys.argv[1]) if "\"event\":\"mark\"" in l][0])' "$BASE/custody.jsonl")
edit_mark() { # edit_mark FILE [chain]: edits the mark's note; with chain, recomputes every later prev
python3 - "$@" <<'PY'
import hashlib, sys
p = sys.argv[1]
lines = open(p, 'rb').read().split(b'\n')[:-1]
i = next(k for k, l in enumerate(lines) if b'"event":"mark"' in l)
lines[i] = lines[i].replace(b'witness identifies the photo', b'witness denies knowing them')
for k in range(i + 1, len(lines) if len(sys.argv) > 2 else 0):
    prev = hashlib.sha256(lines[k - 1]).hexdigest().encode()
    s = lines[k].index(b'"prev":"') + 8
    lines[k] = lines[k][:s] + prev + lines[k][s + 64:]
open(p, 'wb').write(b'\n'.join(lines) + b'\n')
PY
}
fresh edited-entry-reclosed
edit_mark t/custody.jsonl chain
$MS --reclose t dev.key attacker-state
expect TAMPERED 3 --device-key dev.pub t
first_has "custody.jsonl" "(seq $mark_seq, mark)" "signature"
fresh resigned-entry-reclosed
edit_mark t/custody.jsonl
$MS --resign-entry t "$mark_seq" dev.key
$MS --reclose t dev.key attacker-state
expect TAMPERED 3 --device-key dev.pub t
first_has "custody.jsonl" "(seq $((mark_seq + 1))," '"prev" is not the hash of the line before it'

# custody.jsonl replaced by another session's validly signed log: the
# signed manifest pins the log's hash, so the log is named
fresh swapped-log;        cp "$OTHER/custody.jsonl" t/custody.jsonl; expect TAMPERED 3 --device-key dev.pub t
first_has "custody.jsonl custody_log.sha256"

# manifest re-signed by another key (stock minisign): it fails under the key
# the session claims (its session-start entry and manifest name dev.pub)
fresh other-key
minisign -G -W -p other.pub -s other.key -f >/dev/null 2>&1 </dev/null
minisign -S -s other.key -m t/manifest.json >/dev/null 2>&1 </dev/null
expect TAMPERED 3 --device-key dev.pub t
first_has "manifest.json" "but the session names key"
# the whole session checked with another device's key: it holds together
# under the key it claims, which is not the one given
fresh wrong-device-key;   expect UNTRUSTED-KEY 6 --device-key other.pub t
first_has "not by the key given with --device-key"

# a session missing from the device chain: three sessions, the middle one deleted
C1=$($MS --spool chain --state chainstate --key dev.key --recipient "$R" --segments 1 --session-id 20261128T120000Z-00000001)
C2=$($MS --spool chain --state chainstate --key dev.key --recipient "$R" --segments 1 --session-id 20261128T120000Z-00000002)
C3=$($MS --spool chain --state chainstate --key dev.key --recipient "$R" --segments 1 --session-id 20261128T120000Z-00000003)
name=chain-linked;        expect INTACT 0 --device-key dev.pub --previous "$C2" "$C3"
name=previous-missing;    usage_error '^studio-verify: --previous /nonexistent is not a folder' --device-key dev.pub --previous /nonexistent "$C3"
name=previous-self;       usage_error 'is the session being checked' --device-key dev.pub --previous "$C3" "$C3"
rm -rf "$C2"
name=chain-gap;           expect INCOMPLETE 4 --device-key dev.pub --previous "$C1" "$C3"

# crash, then recovery at the next start: TRUNCATED
CR=$($MS --spool crash --state state --key dev.key --recipient "$R" --segments 2 --segment-bytes 1000000 --crash --torn-tail 77 --partial-log 2>recovery-report.txt)
name=crash-recovered;     expect TRUNCATED 2 --device-key dev.pub "$CR"
name=crash-identity;      expect TRUNCATED 2 --device-key dev.pub --identity vault.key "$CR"
first=$("$V" --device-key dev.pub "$CR" | head -1 || true)
# N is the checkpoint's ordinal in the session (1 = the first), not its seq
ord=$(python3 - "$CR/custody.jsonl" <<'PY'
import json, sys
es = []
for l in open(sys.argv[1]):
    try: es.append(json.loads(l))
    except ValueError: pass
last = [e for e in es if e["event"] == "recovery"][0]["last_checkpoint_seq"]
print(sum(1 for e in es if e["event"] == "checkpoint" and e["seq"] <= last))
PY
)
echo "$first" | grep -Eq "^TRUNCATED: intact through checkpoint $ord at [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}; [0-9]+ bytes after it unverifiable\$" \
  && echo "ok   TRUNCATED sentence (checkpoint $ord)" || { echo "FAIL TRUNCATED sentence (want checkpoint $ord): $first"; fails=$((fails + 1)); }
# recovery's own report numbers the checkpoint the same way
grep -Eq "checkpoint $ord \(entry seq [0-9]+, " recovery-report.txt && echo "ok   recovery names checkpoint $ord too" \
  || { echo "FAIL recovery's report does not name checkpoint $ord: $(cat recovery-report.txt)"; fails=$((fails + 1)); }
{ "$V" --device-key dev.pub "$CR" || true; } | grep -Eq "^  TRUNCATED +seg-000002\.mkv\.age checkpoint entry seq [0-9]+: " && echo "ok   TRUNCATED finding names the entry seq" \
  || { echo "FAIL TRUNCATED finding names the entry seq"; fails=$((fails + 1)); }
# a crash before the open segment's first checkpoint
NC=$($MS --spool crash-nocp --state state-nocp --key dev.key --recipient "$R" --segments 2 --segment-bytes 300000 --checkpoint-every 1000 --crash 2>/dev/null)
name=crash-no-checkpoint; expect TRUNCATED 2 --device-key dev.pub "$NC"
first_has "no checkpoint was signed for seg-000002.mkv.age; all " "bytes after the last sealed segment unverifiable"
rm -rf t; cp -a "$CR" t; name=crash-then-tampered; flip t/seg-000002.mkv.age 1000; expect TAMPERED 3 --device-key dev.pub t

# files that are not regular files, and inputs that cannot be used
fresh fifo-manifest;      rm t/manifest.json; mkfifo t/manifest.json; expect INCOMPLETE 4 --device-key dev.pub t
first_has "manifest.json" "not a regular file"
fresh fifo-custody;       rm t/custody.jsonl; mkfifo t/custody.jsonl; expect INCOMPLETE 4 --device-key dev.pub t
first_has "custody.jsonl" "not a regular file"
fresh fifo-minisig;       rm t/manifest.json.minisig; mkfifo t/manifest.json.minisig; expect UNSIGNED 5 --device-key dev.pub t
fresh fifo-minisig-registry; rm t/manifest.json.minisig; mkfifo t/manifest.json.minisig; expect UNSIGNED 5 --registry registry.json t
fresh dir-manifest;       rm t/manifest.json; mkdir t/manifest.json; expect INCOMPLETE 4 --device-key dev.pub t
first_has "manifest.json" "not a regular file (a folder)"
fresh missing-device-key; usage_error '^studio-verify: --device-key nonexistent.pub is missing or not a regular file: give' --device-key nonexistent.pub t
echo garbage > garbage.txt
fresh garbage-device-key; usage_error '^studio-verify: --device-key garbage.txt is not a minisign public key' --device-key garbage.txt t
fresh garbage-identity;   usage_error '^studio-verify: --identity garbage.txt line 1 is not an age identity' --device-key dev.pub --identity garbage.txt t
fresh garbage-registry;   usage_error '^studio-verify: --registry garbage.txt is not a studio-keys registry' --registry garbage.txt t
fresh devnull-registry;   usage_error '^studio-verify: --registry /dev/null is not a regular file' --registry /dev/null t

# media time: a gap between segments is missing media unless a signed
# break..resume pair lies between them
GAP=$(mk --session-id 20261128T130000Z-cccccccc --gap-after 1 --gap-ms 2500)
name=media-gap;           expect INCOMPLETE 4 --device-key dev.pub "$GAP"
first_has "2.500 s of media missing between seg-000001.mkv.age and seg-000002.mkv.age"
GAPB=$(mk --session-id 20261128T130000Z-dddddddd --gap-after 1 --gap-ms 2500 --gap-break)
name=media-gap-in-break;  expect INTACT 0 --device-key dev.pub "$GAPB"

# --identity: not a recipient of the session is a usage error; a listed
# recipient that does not open a segment is TAMPERED
age-keygen -o other-vault.key 2>/dev/null
fresh wrong-identity;     usage_error "^studio-verify: --identity other-vault.key is not a recipient of this session \\(its recipient $(age-keygen -y other-vault.key) is not among the recipients the signed session-start entry names\\): give the vault identity" \
                            --device-key dev.pub --identity other-vault.key t
MIS=$(mk --session-id 20261128T140000Z-eeeeeeee --seal-recipient "$(age-keygen -y other-vault.key)")
name=identity-does-not-open; expect TAMPERED 3 --device-key dev.pub --identity vault.key "$MIS"
first_has "seg-000001.mkv.age" "does not open with --identity"

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
stock_rejects bash -c "cd dec && sha256sum -c --quiet SHA256SUMS"

echo "failures: $fails"
[ "$fails" -eq 0 ]
