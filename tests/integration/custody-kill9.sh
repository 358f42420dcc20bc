#!/usr/bin/env bash
# A real kill -9 during a signed recording. The next start (here
# `studio-recorder --recover`) closes the session with a recovery entry; it
# then verifies TRUNCATED (exit 2), and its signed intact prefix reaches to
# within one checkpoint interval of the kill. Stock tools agree: minisign
# accepts the signatures, sha256sum -c the sealed files.
. "$(dirname "$0")/lib.sh"
make_vault
"$KEYS" device-init --dir "$WORK/device" --device-id studio-test >/dev/null
interval=2

"$RECORDER" --once --duration 120s --segment-time 4s --checkpoint-interval ${interval}s \
  --recipient "$VAULT_RECIPIENT" --device-key "$WORK/device/device.key" --officer 4711 \
  --out "$WORK/spool" 2>"$WORK/log" >/dev/null &
pid=$!
for _ in $(seq 1 300); do grep -q "recording into" "$WORK/log" && break; sleep 0.05; done
started=$(date +%s.%N)
sleep "$(python3 -c "import random; print('%.2f' % random.uniform(5.0, 12.0))")"
kill -9 "$pid"
killed=$(date +%s.%N)
elapsed=$(python3 -c "print('%.3f' % ($killed - $started))")
wait "$pid" 2>/dev/null || true
echo "killed after $elapsed s of recording"
session=$(ls -d "$WORK"/spool/*/)
check "no manifest before recovery" test ! -e "$session/manifest.json"

check "studio-recorder --recover closes the session" \
  "$RECORDER" --recover --out "$WORK/spool" --device-key "$WORK/device/device.key"
check "a recovery entry was appended" grep -q '"event":"recovery"' "$session/custody.jsonl"
check "the manifest marks a segment truncated" grep -q '"truncated"' "$session/manifest.json"

set +e
"$VERIFY" --device-key "$WORK/device/device.pub" --identity "$VAULT_KEY" "$session" >"$WORK/report.txt"
rc=$?
set -e
head -n 1 "$WORK/report.txt"
check "studio-verify exits 2 (TRUNCATED)" test "$rc" -eq 2
check "the report's first word is TRUNCATED" bash -c "head -n 1 '$WORK/report.txt' | grep -q '^TRUNCATED'"

# The signed intact prefix ends at the last checkpoint (or sealed segment)
# before the recovery entry; it was signed at most one checkpoint interval
# before the kill (plus the 1 s keyframe interval splitmuxsink holds back,
# which delays when data reaches the sink).
last=$(python3 - "$session/custody.jsonl" <<'PY'
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
print("%.3f" % t.timestamp())
PY
)
gap=$(python3 -c "print('%.3f' % ($killed - $last))")
echo "last signed checkpoint $gap s before the kill (interval ${interval} s)"
check "intact prefix within one checkpoint interval of the kill ($gap s)" \
  python3 -c "import sys; sys.exit(0 if 0 <= $gap <= $interval + 1.0 + 0.3 else 1)"

pushd "$session" >/dev/null
for f in manifest.json SHA256SUMS SHA256SUMS.sealed; do
  check "stock minisign accepts $f" minisign -Vq -p "$WORK/device/device.pub" -m "$f"
done
check "sha256sum -c accepts the sealed files" sha256sum --quiet -c SHA256SUMS.sealed
popd >/dev/null
finish
