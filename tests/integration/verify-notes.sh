#!/usr/bin/env bash
# Marks that carry a sealed note (note_age): the session verifies INTACT with
# and without --identity; only --identity shows the note, at its mark, in
# the text, JSON and HTML reports, escaped (controls, bidi, markup); without
# it the reports say "(sealed note)" and never show the plaintext or the
# armor; nothing in the session folder holds the plaintext; a note that does
# not open (altered, malformed, for another key) is a warning naming its
# mark, not a verdict.
. "$(dirname "$0")/lib.sh"
for t in age age-keygen python3; do
  command -v $t >/dev/null || { echo "SKIP: $t is not installed (./run test installs it)"; exit 77; }
done
MS=$STUDIO_BUILD_DIR/tests/make-session
make_vault
"$MS" --gen-key "$WORK/dev.key" "$WORK/dev.pub"

NOTE1='Zeuge erkennt Foto NOTEONE <b>bold</b> & "Haus"'
NOTE2=$'NOTETWO \e[31mred\u202eevil\nline'
session=$("$MS" --spool "$WORK/spool" --state "$WORK/state" --key "$WORK/dev.key" --recipient "$VAULT_RECIPIENT" \
            --segments 2 --segment-bytes 100000 --note "$NOTE1" --note "$NOTE2")

check "the session folder holds neither note in plaintext" \
  bash -c "! grep -rqE 'NOTEONE|NOTETWO' '$session'"
check "the custody log holds two sealed notes, armored as age writes them" \
  bash -c "[ \$(grep -c '\"note_age\":\"-----BEGIN AGE ENCRYPTED FILE-----\\\\n' '$session/custody.jsonl') -eq 2 ]"

# report NAME ARGS…: text, JSON and HTML reports of the session, exit codes kept
report() {
  local name=$1
  shift
  set +e
  "$VERIFY" --device-key "$WORK/dev.pub" "$@" --html "$WORK/$name.html" "$session" >"$WORK/$name.txt"
  echo $? >"$WORK/$name.rc"
  "$VERIFY" --device-key "$WORK/dev.pub" "$@" --json "$session" >"$WORK/$name.json"
  echo $? >>"$WORK/$name.rc"
  set -e
}

report sealed
check "without --identity: INTACT in text and JSON (exit 0 0)" test "$(tr '\n' ' ' <"$WORK/sealed.rc")" = "0 0 "
check "without --identity: the first word is INTACT" bash -c "head -n 1 '$WORK/sealed.txt' | grep -q '^INTACT: '"
for f in txt json html; do
  check "without --identity: the $f report shows no note text" bash -c "! grep -qE 'NOTEONE|NOTETWO' '$WORK/sealed.$f'"
  check "without --identity: the $f report shows no armor" bash -c "! grep -q 'BEGIN AGE' '$WORK/sealed.$f'"
done
check "without --identity: the text timeline says (sealed note) at both marks" \
  bash -c "[ \$(grep -c 'mark (studioctl) .*media time: (sealed note)\$' '$WORK/sealed.txt') -eq 2 ]"
check "without --identity: the old plain note is still shown" grep -q 'witness identifies the photo' "$WORK/sealed.txt"
check "without --identity: the HTML timeline says (sealed note)" \
  bash -c "[ \$(grep -o 'media time: (sealed note)' '$WORK/sealed.html' | wc -l) -eq 2 ]"
check "without --identity: JSON marks the notes sealed, not opened, with a null note" python3 - "$WORK/sealed.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
marks = [e for e in d["timeline"] if e.get("note_sealed")]
assert d["verdict"] == "INTACT", d["verdict"]
assert len(marks) == 2, marks
assert all(m["note"] is None and m["note_opened"] is False and m["seq"] > 0 for m in marks), marks
assert not any(f["verdict"] == "WARNING" for f in d["findings"]), d["findings"]
EOF

report opened --identity "$VAULT_KEY"
check "with --identity: INTACT in text and JSON (exit 0 0)" test "$(tr '\n' ' ' <"$WORK/opened.rc")" = "0 0 "
check "with --identity: the text report shows the first note at its mark" \
  grep -qF "media time: $NOTE1" "$WORK/opened.txt"
check "with --identity: the text report shows the second note escaped" \
  grep -qF 'media time: NOTETWO \u001b[31mred\u202eevil\u000aline' "$WORK/opened.txt"
check "with --identity: no raw ESC or bidi override reaches the text or JSON report" \
  python3 -c 'import sys
for p in sys.argv[1:]:
    b = open(p, "rb").read()
    assert b"\x1b" not in b and "\u202e".encode() not in b, p' "$WORK/opened.txt" "$WORK/opened.json"
check "with --identity: JSON gives both notes exactly, at their marks" python3 - "$WORK/opened.json" "$NOTE1" "$NOTE2" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
marks = [e for e in d["timeline"] if e.get("note_sealed")]
assert [m["note"] for m in marks] == sys.argv[2:4], marks
assert all(m["note_opened"] and "media_ns" in m and m["detail"].endswith(m["note"]) for m in marks), marks
EOF
check "with --identity: the HTML shows the note with its markup as text" \
  grep -qF 'NOTEONE &lt;b&gt;bold&lt;/b&gt; &amp; &quot;Haus&quot;' "$WORK/opened.html"
check "with --identity: the HTML holds no markup from the note" bash -c "! grep -q '<b>bold' '$WORK/opened.html'"
check "with --identity: the HTML shows controls and bidi escaped" \
  grep -qF 'NOTETWO \u001b[31mred\u202eevil\u000aline' "$WORK/opened.html"
check "with --identity: no armor in the text or HTML report" \
  bash -c "! grep -q 'BEGIN AGE' '$WORK/opened.txt' '$WORK/opened.html'"

# studio-export runs the same checks with its vault identity: the
# verification report it writes beside the working copy shows the notes.
"$EXPORT" --identity "$VAULT_KEY" --device-key "$WORK/dev.pub" --out "$WORK/export" "$session" >/dev/null 2>&1
check "studio-export's verification report shows the note at its mark" \
  bash -c "grep -qF 'media time: $NOTE1' '$WORK/export/verification.txt' &&
           python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert sys.argv[2] in [e.get(\"note\") for e in d[\"timeline\"]]' '$WORK/export/verification.json' '$NOTE2'"

# Notes that do not open, in a session whose entries are all signed as
# written (the recorder of a faulty release, or whoever holds the device key):
# the verdict stands, since each entry's signature covers its ciphertext; the
# report says so at each mark.
printf 'NOTETHREE cut' | age -a -r "$VAULT_RECIPIENT" >"$WORK/good.age"
python3 - "$WORK/good.age" "$WORK/altered.age" "$WORK/malformed.age" <<'EOF'
import base64, sys
armor = open(sys.argv[1]).read()
data = bytearray(base64.b64decode("".join(armor.splitlines()[1:-1])))
data[-3] ^= 1
b64 = base64.b64encode(bytes(data)).decode()
wrap = lambda b: "".join(b[i:i + 64] + "\n" for i in range(0, len(b), 64))
head, tail = "-----BEGIN AGE ENCRYPTED FILE-----\n", "-----END AGE ENCRYPTED FILE-----\n"
open(sys.argv[2], "w").write(head + wrap(b64) + tail)
open(sys.argv[3], "w").write(head + wrap(b64).replace("\n", "", 1) + tail)  # a 128-column line
EOF
age-keygen -o "$WORK/other.key" 2>/dev/null
printf 'NOTEFOUR other' | age -a -r "$(age-keygen -y "$WORK/other.key")" >"$WORK/other.age"
session=$("$MS" --spool "$WORK/spool2" --state "$WORK/state2" --key "$WORK/dev.key" --recipient "$VAULT_RECIPIENT" \
            --segments 2 --segment-bytes 100000 --note-age-file "$WORK/altered.age" \
            --note-age-file "$WORK/malformed.age" --note-age-file "$WORK/other.age")
report broken --identity "$VAULT_KEY"
check "notes that do not open: still INTACT (exit 0 0)" test "$(tr '\n' ' ' <"$WORK/broken.rc")" = "0 0 "
for seq in 6 7 8; do
  check "a note that does not open: a warning names its mark (seq $seq)" \
    grep -qE "warning +custody.jsonl line [0-9]+ \(seq $seq, mark\): the sealed note of this mark does not open" \
    "$WORK/broken.txt"
done
check "an altered note is named as altered, a malformed one as malformed, another's as not for this identity" \
  bash -c "grep 'seq 6, mark' '$WORK/broken.txt' | grep -q 'was altered or cut short' &&
           grep 'seq 7, mark' '$WORK/broken.txt' | grep -q 'columns' &&
           grep 'seq 8, mark' '$WORK/broken.txt' | grep -q 'not for this identity'"
check "notes that do not open: each mark says so, and no plaintext shows" \
  bash -c "[ \$(grep -c 'media time: (sealed note: it does not open with --identity)' '$WORK/broken.txt') -eq 3 ] &&
           ! grep -qE 'NOTETHREE|NOTEFOUR' '$WORK/broken.txt' '$WORK/broken.json' '$WORK/broken.html'"
check "notes that do not open: JSON has a warning for each and null notes" python3 - "$WORK/broken.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for seq in (6, 7, 8):
    m = [e for e in d["timeline"] if e.get("seq") == seq][0]
    assert m["note_sealed"] and not m["note_opened"] and m["note"] is None, m
    assert [f for f in d["findings"] if f["verdict"] == "WARNING" and "seq %d," % seq in (f["entry"] or "")]
EOF
finish
