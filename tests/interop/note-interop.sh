#!/usr/bin/env bash
# A mark's sealed note against the stock Debian age: the text of the entry's
# "note_age" member, as is, decrypts with `age -d -i vault.key` to exactly
# the note; and a note armored by stock `age -a` opens in studio-verify.
. "$(dirname "$0")/../integration/lib.sh"
for t in age age-keygen python3; do
  command -v $t >/dev/null || { echo "SKIP: $t is not installed"; exit 77; }
done
MS=$STUDIO_BUILD_DIR/tests/make-session
make_vault
"$MS" --gen-key "$WORK/dev.key" "$WORK/dev.pub"
NOTE=$'Zeuge erkennt das Foto: \u00fc\u00df \u6f22\u5b57\nzweite Zeile\t<b>&</b> "x"'
printf 'from stock age -a \u2192 %s' 'ok' | age -a -r "$VAULT_RECIPIENT" >"$WORK/stock.age"
session=$("$MS" --spool "$WORK/spool" --state "$WORK/state" --key "$WORK/dev.key" --recipient "$VAULT_RECIPIENT" \
            --segments 1 --segment-bytes 50000 --note "$NOTE" --note-age-file "$WORK/stock.age")

python3 - "$session/custody.jsonl" "$WORK/ours.age" <<'EOF'
import json, sys
notes = [json.loads(l)["note_age"] for l in open(sys.argv[1]) if '"note_age"' in l]
open(sys.argv[2], "w").write(notes[0])
EOF
printf '%s' "$NOTE" >"$WORK/note.expected"
check "stock age -d decrypts the note_age text as is, to exactly the note" \
  bash -c "age -d -i '$VAULT_KEY' '$WORK/ours.age' >'$WORK/note.out' && cmp -s '$WORK/note.out' '$WORK/note.expected'"
check "stock age -d decrypts it from stdin too" \
  bash -c "age -d -i '$VAULT_KEY' <'$WORK/ours.age' | cmp -s - '$WORK/note.expected'"
check "our armor has stock age's shape: the same BEGIN and END lines, 64-column lines" python3 - "$WORK/ours.age" "$WORK/stock.age" <<'EOF'
import sys
for p in sys.argv[1:]:
    lines = open(p).read().split("\n")
    assert lines[0] == "-----BEGIN AGE ENCRYPTED FILE-----" and lines[-2] == "-----END AGE ENCRYPTED FILE-----", p
    assert lines[-1] == "" and all(len(l) == 64 for l in lines[1:-3]) and 0 < len(lines[-3]) <= 64, p
EOF
age-keygen -o "$WORK/other.key" 2>/dev/null
check "another identity does not decrypt it (stock age)" \
  bash -c "! age -d -i '$WORK/other.key' '$WORK/ours.age' >/dev/null 2>&1"
"$VERIFY" --device-key "$WORK/dev.pub" --identity "$VAULT_KEY" --json "$session" >"$WORK/report.json" || true
check "studio-verify --identity opens both: ours and the one stock age -a armored" \
  python3 - "$WORK/report.json" "$NOTE" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
notes = [e["note"] for e in d["timeline"] if e.get("note_sealed")]
assert d["verdict"] == "INTACT", d["verdict"]
assert notes == [sys.argv[2], "from stock age -a \u2192 ok"], notes
EOF
finish
