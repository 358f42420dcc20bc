#!/usr/bin/env bash
# A real kill -9 during a signed recording, then both ways a device comes
# back: `studio-recorder --recover`, and a plain `studio-recorder --once`
# start, which must close the crashed session before it records the next.
# A recovered session verifies TRUNCATED (exit 2) and its signed intact
# prefix reaches to within one checkpoint interval of the kill. Stock tools
# agree: minisign accepts the signatures, sha256sum -c the sealed files.
. "$(dirname "$0")/lib.sh"
make_vault
"$KEYS" device-init --dir "$WORK/device" --device-id studio-test >/dev/null
interval=2
keyframe=1 # splitmuxsink holds back up to one keyframe interval of media

# record NAME SECONDS: records into $WORK/spool and kill -9s it after
# SECONDS; sets started (when it printed "recording into") and killed
# (right before the kill), both as date +%s.%N.
record_and_kill() {
  local name=$1 after=$2 pid
  "$RECORDER" --once --duration 120s --segment-time 4s --checkpoint-interval ${interval}s \
    --recipient "$VAULT_RECIPIENT" --device-key "$WORK/device/device.key" --officer 4711 \
    --out "$WORK/spool" 2> >(while IFS= read -r l; do printf '%s %s\n' "$(date +%s.%N)" "$l"; done \
                             >"$WORK/$name.log") >/dev/null &
  pid=$!
  for _ in $(seq 1 300); do grep -q "recording into" "$WORK/$name.log" && break; sleep 0.05; done
  started=$(awk '/recording into/ { print $1; exit }' "$WORK/$name.log")
  session=$(awk '/recording into/ { print $NF; exit }' "$WORK/$name.log")
  test -n "$started" || { fail "$name: the recorder did not start"; cat "$WORK/$name.log" >&2; finish; exit 1; }
  sleep "$after"
  killed=$(date +%s.%N)
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
  echo "$name: killed after $(python3 -c "print('%.3f' % ($killed - $started))") s of recording"
  check "$name: no manifest before recovery" test ! -e "$session/manifest.json"
}

verify_truncated() { # verify_truncated NAME SESSION
  set +e
  "$VERIFY" --device-key "$WORK/device/device.pub" --identity "$VAULT_KEY" "$2" >"$WORK/$1.report"
  local rc=$?
  set -e
  head -n 1 "$WORK/$1.report"
  check "$1: studio-verify exits 2 (TRUNCATED)" test "$rc" -eq 2
  check "$1: the report's first word is TRUNCATED" bash -c "head -n 1 '$WORK/$1.report' | grep -q '^TRUNCATED'"
}

# ---- kill, then --recover ------------------------------------------------
record_and_kill first "$(python3 -c "import random; print('%.2f' % random.uniform(5.0, 12.0))")"
first=$session
check "studio-recorder --recover closes the session" \
  "$RECORDER" --recover --out "$WORK/spool" --device-key "$WORK/device/device.key"
check "a recovery entry was appended" grep -q '"event":"recovery"' "$first/custody.jsonl"
check "the manifest marks a segment truncated" grep -q '"truncated"' "$first/manifest.json"
verify_truncated first "$first"

# The last signed checkpoint (checkpoint or segment-sealed entry before the
# recovery entry) was signed at most one checkpoint interval before the kill.
last=$(python3 - "$first/custody.jsonl" <<'PY'
import datetime, json, sys
last = None
for line in open(sys.argv[1]):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e["event"] in ("checkpoint", "segment-sealed"):
        last = e["utc"]
t = datetime.datetime.strptime(last, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
print("%.6f" % t.timestamp())
PY
)
gap=$(python3 -c "print('%.3f' % ($killed - $last))")
echo "last signed checkpoint $gap s before the kill (interval $interval s)"
check "last signed checkpoint within one interval + 0.3 s before the kill ($gap s)" \
  python3 -c "import sys; sys.exit(0 if 0 <= $gap <= $interval + 0.3 else 1)"

# The verifier's intact prefix in media time: "… at hh:mm:ss[.fff]; …" on
# the TRUNCATED line; without a checkpoint in the open segment, the end of
# the last complete segment. Whole seconds are rounded down, so the true
# time lies in [t, t + 1).
prefix=$(python3 - "$WORK/first.report" "$first/manifest.json" <<'PY'
import json, re, sys
line = open(sys.argv[1]).readline()
m = re.search(r"\bat (\d+):(\d\d):(\d\d(?:\.\d+)?)\b", line)
if m:
    t = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    print("%.3f %.3f" % (t, t + (0 if "." in m.group(3) else 1)))
else:
    segs = [s for s in json.load(open(sys.argv[2]))["segments"] if s["status"] == "complete"]
    t = max([(s["media_start_ns"] + s["duration_ns"]) / 1e9 for s in segs] or [0])
    print("%.3f %.3f" % (t, t))
PY
)
read -r lo hi <<<"$prefix"
kill_media=$(python3 -c "print('%.3f' % ($killed - $started))")
echo "intact prefix ends at media time [$lo, $hi) s; the kill was at $kill_media s"
check "intact prefix ends within interval + keyframe + 0.5 s before the kill" \
  python3 -c "import sys; sys.exit(0 if $kill_media - $interval - $keyframe - 0.5 <= $hi and $lo <= $kill_media else 1)"

pushd "$first" >/dev/null
for f in manifest.json SHA256SUMS SHA256SUMS.sealed; do
  check "stock minisign accepts $f" minisign -Vq -p "$WORK/device/device.pub" -m "$f"
done
check "sha256sum -c accepts the sealed files" sha256sum --quiet -c SHA256SUMS.sealed
popd >/dev/null

# ---- kill, then a plain start --------------------------------------------
record_and_kill second 5
second=$session
"$RECORDER" --once --duration 3s --segment-time 4s --checkpoint-interval ${interval}s \
  --recipient "$VAULT_RECIPIENT" --device-key "$WORK/device/device.key" --officer 4711 \
  --out "$WORK/spool" 2>"$WORK/third.log" >/dev/null || { cat "$WORK/third.log" >&2; fail "the next start records"; }
third=$(awk '/recording into/ { print $NF; exit }' "$WORK/third.log")
check "the next start reports the recovery first" \
  bash -c "grep -n 'closed 1 interrupted' '$WORK/third.log' | head -1 | grep -q . &&
           [ \$(grep -n 'closed 1 interrupted' '$WORK/third.log' | cut -d: -f1 | head -1) -lt \
             \$(grep -n 'recording into' '$WORK/third.log' | cut -d: -f1 | head -1) ]"
check "it closed the crashed session" test -e "$second/manifest.json"
verify_truncated second "$second"
check "the new session's first entry links to the recovered one" python3 - "$second" "$third" <<'PY'
import hashlib, sys
old = open(sys.argv[1] + "/custody.jsonl", "rb").read().rstrip(b"\n").split(b"\n")[-1]
new = open(sys.argv[2] + "/custody.jsonl", "rb").readline()
import json
sys.exit(0 if json.loads(new)["prev"] == hashlib.sha256(old).hexdigest() else 1)
PY
check "studio-verify --previous accepts the new session (INTACT)" \
  "$VERIFY" --device-key "$WORK/device/device.pub" --previous "$second" "$third"
check "the new session's signed log records what recovery found, naming the crashed session" python3 - "$second" "$third" <<'PY'
import json, os, sys
old = os.path.basename(sys.argv[1].rstrip("/"))
faults = [e for e in map(json.loads, open(sys.argv[2] + "/custody.jsonl")) if e["event"] == "fault"]
sys.exit(0 if any(f["what"] == "spool-recovery" and old in f["detail"] for f in faults) else 1)
PY
# ---- a power cut while the very first line was written ------------------
# The log holds only a partial line: recovery closes it start-less, the
# verifier says INCOMPLETE (never INTACT, never a crash), and the studio
# records again.
cut=$WORK/spool/20261201T000000Z-0000cut1
mkdir -p "$cut"
printf '{"seq":1,"utc":"2026-12-01T00:00:00' >"$cut/custody.jsonl"
"$RECORDER" --recover --out "$WORK/spool" --device-key "$WORK/device/device.key" 2>"$WORK/cut.log" \
  || { cat "$WORK/cut.log" >&2; fail "recovery of a log cut in its first line"; }
set +e
"$VERIFY" --device-key "$WORK/device/device.pub" "$cut" >"$WORK/cut.report"
rc=$?
set -e
check "a session cut in its first line verifies INCOMPLETE (exit $rc: $(head -n 1 "$WORK/cut.report"))" \
  test "$rc" -eq 4
check "and the report says the start entry was lost to the crash" grep -q "session-start entry was cut short" \
  "$WORK/cut.report"
# It states no start time, so under a revoked key it cannot claim to
# predate the revocation.
"$KEYS" enrol --dir "$WORK/device" --registry "$WORK/registry.json" >/dev/null
key_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["devices"][0]["key_id"])' \
           "$WORK/registry.json")
"$KEYS" revoke --registry "$WORK/registry.json" --key-id "$key_id" --date 2020-01-01T00:00:00Z >/dev/null
set +e
"$VERIFY" --registry "$WORK/registry.json" "$cut" >"$WORK/cut-revoked.report"
rc=$?
set -e
check "a start-less session under a revoked key is UNTRUSTED-KEY (exit $rc)" test "$rc" -eq 6
finish
