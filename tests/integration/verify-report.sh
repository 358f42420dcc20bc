#!/usr/bin/env bash
# The court report as a court gets it: printed to PDF by headless Chromium
# (A4) and read back with pdfinfo and pdftotext, for an INTACT 12-segment
# session, a TRUNCATED one (make-session --crash) and a TAMPERED one (a
# flipped byte in a segment). One page for up to 12 segments; every hash
# whole, unbroken, at 8 pt or more, inside the page, stored and computed;
# the facts a forensic report carries, in the printout and in --json.
. "$(dirname "$0")/lib.sh"
for t in chromium pdfinfo pdftotext age-keygen python3; do
  command -v $t >/dev/null || { echo "SKIP: $t is not installed (./run test installs it)"; exit 77; }
done
MS=$STUDIO_BUILD_DIR/tests/make-session
make_vault
"$MS" --gen-key "$WORK/dev.key" "$WORK/dev.pub"
PUBKEY=$(sed -n 2p "$WORK/dev.pub")
VERSION=$("$VERIFY" --version)
check "--version prints the tool and its version" bash -c "[[ '$VERSION' =~ ^studio-verify\ [0-9]+\.[0-9]+ ]]"
# The picture's burned-in clock is the machine's local time: the report
# shows it beside UTC.
export TZ=Europe/Berlin

chrome() {
  timeout 60 chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$WORK/chrome" --no-pdf-header-footer "$@" \
    2>/dev/null
}

# report NAME EXPECTED_EXIT SESSION [ARGS…]: the HTML and the JSON report of
# one session, the HTML printed to NAME.pdf and read back as NAME.txt.
report() {
  local name=$1 want=$2 session=$3 rc
  shift 3
  set +e
  "$VERIFY" --device-key "$WORK/dev.pub" --identity "$VAULT_KEY" --examiner 'E. Xpert <i>QC</i>' \
    --case 'AZ 12/345 & "B"' --html "$WORK/$name.html" "$@" "$session" >"$WORK/$name.out"
  rc=$?
  "$VERIFY" --device-key "$WORK/dev.pub" --identity "$VAULT_KEY" --examiner 'E. Xpert <i>QC</i>' \
    --case 'AZ 12/345 & "B"' --json "$@" "$session" >"$WORK/$name.json"
  set -e
  check "$name: exit $want (got $rc)" test "$rc" -eq "$want"
  chrome --print-to-pdf="$WORK/$name.pdf" "file://$WORK/$name.html" >/dev/null
  pdftotext -layout "$WORK/$name.pdf" "$WORK/$name.txt"
  pdftotext -bbox "$WORK/$name.pdf" "$WORK/$name.bbox"
}

pages() { pdfinfo "$1" | sed -n 's/^Pages: *//p'; }

# Every SHA-256 the JSON report names appears in the printout whole, on
# one line (never broken inside), at least 8 pt and inside the page:
# a segment's stored and computed hashes (twice when they agree, each
# once at least when they differ), and the custody log's stored and
# computed hashes.
hashes_printed() {
  python3 - "$WORK/$1.txt" "$WORK/$1.bbox" "$WORK/$1.json" <<'EOF'
import json, re, sys
text, bbox, d = open(sys.argv[1]).read(), open(sys.argv[2]).read(), json.load(open(sys.argv[3]))
pairs = [(s["stored_sealed_sha256"], s["computed_sealed_sha256"]) for s in d["segments"]]
pairs += [(s["stored_plaintext_sha256"], s["computed_plaintext_sha256"]) for s in d["segments"]]
pairs += [(d["custody_log_stored_sha256"], d["custody_log_sha256"])]
found = re.findall(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])", text)
bad = []
for stored, computed in pairs:
    for h in (stored, computed):
        if h is None:
            continue
        need = 2 if stored == computed else 1
        if found.count(h) < need:
            bad.append("%s printed %d times, not %d" % (h, found.count(h), need))
        if text.count(h[:12]) != text.count(h):
            bad.append("%s is broken across lines" % h)
if d["manifest_sha256"] not in found:
    bad.append("manifest.json's SHA-256 is not printed")
page_w = float(re.search(r'<page width="([0-9.]+)"', bbox).group(1))
for m in re.finditer(r'<word xMin="([0-9.]+)" yMin="[0-9.]+" xMax="([0-9.]+)" yMax="[0-9.]+">([0-9a-f]{64})</word>', bbox):
    x0, x1 = float(m.group(1)), float(m.group(2))
    pt = (x1 - x0) / 64 / 0.602  # DejaVu Sans Mono advances 0.602 em
    if pt < 7.95:
        bad.append("%s at %.2f pt" % (m.group(3), pt))
    if x0 < 0 or x1 > page_w:
        bad.append("%s runs off the page" % m.group(3))
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
}

# The facts of the forensic report, in the printout ($1.txt) and the JSON.
facts_printed() {
  local name=$1 session=$2 t=$WORK/$1.txt
  check "$name: the printout names the tool and its version" grep -qF "$VERSION" "$t"
  check "$name: the printout names the folder checked" grep -qF "$(realpath "$session")" "$t"
  check "$name: the printout shows the command line" grep -qE '^ *Command +.*studio-verify --device-key' "$t"
  check "$name: the printout shows the full public key checked against" grep -qF "$PUBKEY" "$t"
  check "$name: the printout shows the custody log's SHA-256" \
    grep -qF "$(sha256sum "$session/custody.jsonl" | cut -c1-64)" "$t"
  check "$name: the printout shows manifest.json's SHA-256" \
    grep -qF "$(sha256sum "$session/manifest.json" | cut -c1-64)" "$t"
  check "$name: the printout shows the device clock's sync state" grep -q 'ntp synchronised' "$t"
  check "$name: the printout says the content was decrypted and checked" \
    grep -q 'decrypted and checked (--identity)' "$t"
  check "$name: the printout shows local time beside UTC" grep -qE '[0-9]{2}:[0-9]{2}:[0-9]{2} CES?T \([0-9:]{8} UTC\)' "$t"
  check "$name: the printout shows the time of the check" grep -qE '^ *Checked +20[0-9-]{8} ' "$t"
  check "$name: the printout shows the examiner and the case as text" \
    bash -c "grep -qF 'E. Xpert <i>QC</i>' '$t' && grep -qF 'AZ 12/345 & \"B\"' '$t'"
  check "$name: the examiner's markup is escaped in the HTML" \
    bash -c "grep -qF 'E. Xpert &lt;i&gt;QC&lt;/i&gt;' '$WORK/$name.html' && ! grep -qF '<i>QC' '$WORK/$name.html'"
  check "$name: the printout shows the total media duration" grep -qE 'segment\(s\), [0-9:.]{12} in all' "$t"
  check "$name: a mark is in words" grep -q 'mark (panel key)' "$t"
  check "$name: no raw signal names or event codes" bash -c "! grep -qE 'SIGUSR|segment-sealed|session-start' '$t'"
  check "$name: the media timeline is an inline SVG" grep -q '<svg class="timeline"' "$WORK/$name.html"
  check "$name: the HTML loads nothing from outside" \
    bash -c "! grep -qiE '(src|href)=\"?(https?:)?//|url\\((https?:)?//|@import' '$WORK/$name.html'"
  check "$name: every hash is printed whole, stored and computed, at 8 pt or more, inside the page" \
    hashes_printed "$name"
  check "$name: the JSON report carries the same facts" python3 - "$WORK/$name.json" "$session" "$PUBKEY" "$VERSION" <<'EOF'
import hashlib, json, os, sys
d, session, pub, version = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3], sys.argv[4]
sha = lambda p: hashlib.sha256(open(os.path.join(session, p), "rb").read()).hexdigest()
m = json.load(open(os.path.join(session, "manifest.json")))
want = {
    "verifier": "studio-verify", "examiner": "E. Xpert <i>QC</i>", "case": 'AZ 12/345 & "B"',
    "folder": os.path.realpath(session), "trust_public_key": pub, "custody_log_sha256": sha("custody.jsonl"),
    "manifest_sha256": sha("manifest.json"), "clock_sync": m["clock_sync"], "content_checked": True,
    "media_duration_ns": sum(s["duration_ns"] for s in m["segments"]),
}
bad = ["%s is %r, not %r" % (k, d.get(k), v) for k, v in want.items() if d.get(k) != v]
if "studio-verify " + d["verifier_version"] != version: bad.append("verifier_version")
if not d["command_line"] or d["command_line"][-1] != session: bad.append("command_line")
if not d["checked_utc"].endswith("Z") or " CE" not in d["checked_local"]: bad.append("checked time")
for k in ("verdict", "findings", "segments", "timeline"):
    if k not in d: bad.append("no " + k)
for s, g in zip(d["segments"], m["segments"]):
    if s["duration_ns"] != g["duration_ns"] or s["media_start_ns"] != g["media_start_ns"]: bad.append(s["name"])
marks = [e for e in d["timeline"] if e["event"] == "mark"]
if not marks or marks[0]["what"] != "mark (panel key)" or "media_ns" not in marks[0]: bad.append("mark")
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
}

# ---- INTACT: an hour at 5-minute segments (12) prints on one page --------
long=$("$MS" --spool "$WORK/s1" --state "$WORK/st1" --key "$WORK/dev.key" --recipient "$VAULT_RECIPIENT" \
         --segments 12 --segment-bytes 70000)
report intact 0 "$long"
check "intact: the 12-segment report prints on one A4 page (got $(pages "$WORK/intact.pdf"))" \
  test "$(pages "$WORK/intact.pdf")" -eq 1
check "intact: the page is A4" bash -c "pdfinfo '$WORK/intact.pdf' | grep -qE '^Page size:.*\(A4\)'"
check "intact: the printout reads INTACT" grep -q 'INTACT' "$WORK/intact.txt"
for i in $(seq -f %06g 1 12); do
  check "intact: the printout lists seg-$i.mkv.age" grep -q "seg-$i.mkv.age" "$WORK/intact.txt"
done
check "intact: no hash is shown once for two (no \"computed: same\")" bash -c "! grep -q 'computed: same' '$WORK/intact.html'"
facts_printed intact "$long"
check "intact: the text report's first line is still the verdict" \
  bash -c "head -n 1 '$WORK/intact.out' | grep -q '^INTACT: session '"
check "intact: the text report header names the key, the log's hash and the check" \
  bash -c "grep -qF '$PUBKEY' '$WORK/intact.out' && grep -q '^Log ' '$WORK/intact.out' && grep -q '^Checked ' '$WORK/intact.out'"

# ---- a checked working copy is listed as checked --------------------------
age -d -i "$VAULT_KEY" -o "$WORK/seg-000001.mkv" "$long/seg-000001.mkv.age"
report copy 0 "$long" --media "$WORK/seg-000001.mkv"
check "copy: the working copy is listed as checked" \
  grep -qF "checked: the same SHA-256 as seg-000001.mkv in the signed manifest" "$WORK/copy.txt"
check "copy: and in the JSON" python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["media_copies"]
sys.exit(0 if len(c) == 1 and c[0]["checked"] else 1)' "$WORK/copy.json"

# ---- TRUNCATED: the device crashed in the last segment --------------------
cut=$("$MS" --spool "$WORK/s2" --state "$WORK/st2" --key "$WORK/dev.key" --recipient "$VAULT_RECIPIENT" \
        --segments 3 --segment-bytes 1000000 --crash 2>/dev/null)
report truncated 2 "$cut"
check "truncated: one page" test "$(pages "$WORK/truncated.pdf")" -eq 1
check "truncated: the printout reads TRUNCATED" grep -q 'TRUNCATED' "$WORK/truncated.txt"
check "truncated: the crash is in words" grep -q 'recovery after a crash' "$WORK/truncated.txt"
check "truncated: the SVG hatches the unverifiable stretch" grep -q 'fill="url(#unv)"/>' "$WORK/truncated.html"
facts_printed truncated "$cut"
check "truncated: the end is the last signed checkpoint, the recovery's time apart" python3 - "$WORK/truncated.json" "$cut" <<'EOF'
import json, os, sys
d = json.load(open(sys.argv[1]))
log = [json.loads(l) for l in open(os.path.join(sys.argv[2], "custody.jsonl")) if l.startswith("{")]
cps = [e["utc"] for e in log if e["event"] == "checkpoint"]
rec = [e["utc"] for e in log if e["event"] == "recovery"]
bad = []
if d["session_end_utc"] != cps[-1]: bad.append("session_end_utc %s, not %s" % (d["session_end_utc"], cps[-1]))
if "checkpoint" not in d["session_end_basis"]: bad.append("basis " + d["session_end_basis"])
if d["closed_utc"] != rec[0] or "recovery" not in d["closed_how"]: bad.append("closed %s" % d["closed_utc"])
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
utc_of() { # utc_of EVENT first|last SESSION: hh:mm:ss of that entry's time
  python3 -c 'import json, sys
e = [json.loads(l) for l in open(sys.argv[3] + "/custody.jsonl") if l.startswith("{")]
t = [x["utc"] for x in e if x["event"] == sys.argv[1]]
print((t[0] if sys.argv[2] == "first" else t[-1])[11:19])' "$@"
}
cp_time=$(utc_of checkpoint last "$cut")
rec_time=$(utc_of recovery first "$cut")
check "truncated: the text report ends it at the last checkpoint ($cp_time UTC)" \
  grep -qE "^Ended +[0-9-]{10} $cp_time UTC;.*\(the last signed checkpoint" "$WORK/truncated.out"
check "truncated: and says when the recovery closed it ($rec_time UTC)" \
  grep -qE "^Closed +[0-9-]{10} $rec_time UTC;.*\(recovery after a crash" "$WORK/truncated.out"
check "truncated: the printout says both" \
  bash -c "grep -q 'the last signed checkpoint' '$WORK/truncated.txt' && grep -qE 'Closed .*recovery after a crash' '$WORK/truncated.txt'"

# ---- the device's time zone and the source of each mark --------------------
check "intact: the text report names the device's zone, signed, and the examiner's" \
  grep -q '^Zone      device Europe/Amsterdam (signed at the session.s start); examiner Europe/Berlin' "$WORK/intact.out"
check "intact: the start in UTC, and device and examiner alike in CET" \
  grep -qE '^Started +[0-9-]{10} [0-9:]{8} UTC; device and examiner ([0-9-]{10} )?[0-9:]{8} CES?T' "$WORK/intact.out"
TZ=America/New_York "$VERIFY" --device-key "$WORK/dev.pub" "$long" >"$WORK/ny.out" || true
check "an examiner in another zone sees the device's time beside his own" \
  grep -qE '^Started +[0-9-]{10} [0-9:]{8} UTC; device ([0-9-]{10} )?[0-9:]{8} CES?T; examiner ([0-9-]{10} )?[0-9:]{8} E[SD]T' "$WORK/ny.out"
check "and the timeline in the device's zone, as the picture's clock shows it" \
  grep -qE '^  [0-9-]{10} [0-9:]{8} CES?T \(([0-9-]{10} )?[0-9:]{8} UTC\)  session start' "$WORK/ny.out"
check "intact: the JSON names both zones" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if d["device_time_zone"] == "Europe/Amsterdam" and d["device_time_zone_known"] and d["examiner_time_zone"] == "Europe/Berlin" else 1)' "$WORK/intact.json"
nozone=$("$MS" --spool "$WORK/s4" --state "$WORK/st4" --key "$WORK/dev.key" --recipient "$VAULT_RECIPIENT" \
           --segments 1 --segment-bytes 70000 --time-zone - --note 'a note from studioctl')
"$VERIFY" --device-key "$WORK/dev.pub" --json "$nozone" >"$WORK/nozone.json" || true
"$VERIFY" --device-key "$WORK/dev.pub" "$nozone" >"$WORK/nozone.out" || true
check "a session without a zone still verifies INTACT" grep -q '^INTACT' "$WORK/nozone.out"
check "and the report says the device's zone is unknown" \
  bash -c "grep -q '^Zone      device zone unknown: the session does not record it' '$WORK/nozone.out' &&
           grep -qE '^Started .* UTC; device zone unknown; examiner ' '$WORK/nozone.out'"
check "each mark's source as its signed entry gives it: panel key, studioctl" \
  bash -c "grep -q 'mark (panel key) *at ' '$WORK/nozone.out' && grep -q 'mark (studioctl) *at ' '$WORK/nozone.out'"
check "the JSON gives the source and no zone" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
src = [e.get("source") for e in d["timeline"] if e["event"] == "mark"]
sys.exit(0 if src == ["panel", "studioctl"] and d["device_time_zone"] is None and not d["device_time_zone_known"] else 1)' "$WORK/nozone.json"
cp -r "$STUDIO_SOURCE_DIR/tests/data/session-v1" "$WORK/golden"
"$VERIFY" --device-key "$WORK/golden/dev.pub" "$WORK/golden/session" >"$WORK/golden.out" || true
check "a session of release 0.1.0 still verifies, its zone unknown, its marks by signal" \
  bash -c "grep -q '^INTACT' '$WORK/golden.out' && grep -q '^Zone      device zone unknown' '$WORK/golden.out' &&
           grep -q 'mark (signal to studio-recorder --once)' '$WORK/golden.out'"

# ---- TAMPERED: one byte of the second segment flipped ----------------------
bad=$("$MS" --spool "$WORK/s3" --state "$WORK/st3" --key "$WORK/dev.key" --recipient "$VAULT_RECIPIENT" \
        --segments 3 --segment-bytes 300000)
python3 -c 'import sys; p = sys.argv[1]; d = bytearray(open(p, "rb").read()); d[5000] ^= 1; open(p, "wb").write(d)' \
  "$bad/seg-000002.mkv.age"
report tampered 3 "$bad"
check "tampered: one page" test "$(pages "$WORK/tampered.pdf")" -eq 1
check "tampered: the printout reads TAMPERED" grep -q 'TAMPERED' "$WORK/tampered.txt"
check "tampered: it says what to do next" \
  grep -q 'fetch the session again from the vault and verify that copy' "$WORK/tampered.txt"
check "tampered: it names the affected stretch of media" \
  grep -qF 'seg-000002.mkv.age (media 00:00:00.300–00:00:00.600)' "$WORK/tampered.txt"
check "tampered: the stored hash is printed above the computed one" python3 - "$WORK/tampered.txt" "$WORK/tampered.json" <<'EOF'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
s = json.load(open(sys.argv[2]))["segments"][1]
at = lambda h: min(i for i, l in enumerate(lines) if h in l)
sys.exit(0 if at(s["stored_sealed_sha256"]) + 1 == at(s["computed_sealed_sha256"]) else 1)
EOF
check "tampered: the SVG draws the segment red" grep -q 'fill="#b00020"/><line' "$WORK/tampered.html"
check "tampered: the JSON names the affected media" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
a = d["affected_media"]
sys.exit(0 if d["next_step"].startswith("fetch the session again") and len(a) == 1 and a[0]["segment"] == "seg-000002.mkv.age"
         and (a[0]["media_start_ns"], a[0]["media_end_ns"]) == (300000000, 600000000) else 1)' "$WORK/tampered.json"
facts_printed tampered "$bad"
check "tampered: the text report says what to do" grep -q '^What to do  fetch the session again' "$WORK/tampered.out"
if [ -n "${STUDIO_KEEP_REPORT:-}" ]; then
  mkdir -p "$STUDIO_KEEP_REPORT"
  cp "$WORK"/{intact,truncated,tampered}.{html,pdf} "$STUDIO_KEEP_REPORT"/
fi
finish
